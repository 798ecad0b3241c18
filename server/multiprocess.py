"""The folder where gunicorn's worker processes keep their metrics (prometheus_client's multiprocess mode).

Nothing here imports prometheus_client: it decides between in-process and multiprocess values
when it is first imported, so ``haironto serve`` must set the variable before any import of it.
"""

from __future__ import annotations

import os
import tempfile

#: prometheus_client's own variable naming the folder.
MULTIPROCESS_ENV = "PROMETHEUS_MULTIPROC_DIR"


def clean_multiprocess_dir(path: str) -> None:
    """Empty a metrics folder of the files of earlier runs (and create it when missing).

    Only prometheus_client's own files (``*.db``) are removed, so a mistyped path costs nothing.
    """
    os.makedirs(path, exist_ok=True)
    for name in os.listdir(path):
        if name.endswith(".db"):
            os.remove(os.path.join(path, name))


def metrics_dir() -> tuple[str, bool]:
    """The folder where worker processes keep their metrics, emptied; and whether it is ours to remove.

    ``PROMETHEUS_MULTIPROC_DIR`` when set (emptied of the previous run's files), else a new
    temporary folder, which is then set in the environment for the workers to inherit.
    """
    given = os.environ.get(MULTIPROCESS_ENV)
    if given:
        clean_multiprocess_dir(given)
        return given, False
    created = tempfile.mkdtemp(prefix="haironto-metrics-")
    os.environ[MULTIPROCESS_ENV] = created
    return created, True
