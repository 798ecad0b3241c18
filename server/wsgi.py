"""Run the service under gunicorn, a production WSGI server (never Flask's development server)."""

from __future__ import annotations

import gc
import multiprocessing
import shutil
import tempfile
from collections.abc import Mapping
from typing import Any

from flask import Config
from gunicorn.app.base import BaseApplication

from haironto.backends import Backend
from haironto.dataset import DataFiles

from . import configure, create_app, entailment
from .multiprocess import metrics_dir
from .store import add_user_graphs, data_files, open_backend

#: Seconds gunicorn lets a worker stay silent beyond the longest time limit (a query's or a reasoning
#: job's) before it restarts it.
WORKER_GRACE = 30
#: The longest request line gunicorn accepts (its maximum); longer queries must be POSTed.
MAX_REQUEST_LINE = 8190


class _Server(BaseApplication):  # type: ignore[misc]  # gunicorn ships no type hints
    """gunicorn's documented way to embed it: each worker process builds its own app."""

    def __init__(
        self,
        config: Mapping[str, Any],
        options: Mapping[str, Any],
        backend: Backend | None,
        regimes: Mapping[str, Any],
    ) -> None:
        self._config = dict(config)
        self._options = dict(options)
        self._backend = backend
        self._regimes = regimes
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            if key in self.cfg.settings:  # settings differ between gunicorn versions
                self.cfg.set(key, value)

    def load(self) -> Any:
        # Called in every worker after the fork, so each has its own query workers. An in-process
        # backend was loaded once, in the master, and came with the fork: every worker and query
        # worker reads the same pages of memory. A store that holds its data is opened here, by
        # each worker (the master added the user's files to it); the regimes' closures were
        # assembled in the master.
        return create_app(
            self._config,
            backend=self._backend,
            user_graphs_added=self._backend is None,
            regimes=self._regimes,
        )


def _worker_exited(server: Any, worker: Any) -> None:
    # gunicorn's child_exit hook, in the master: a dead worker's live gauges must stop counting.
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def serve(*, host: str, port: int, workers: int, config: Mapping[str, Any]) -> None:
    """Serve the app on ``host:port`` with ``workers`` gunicorn worker processes, until stopped.

    Args:
        host: the interface to bind (``127.0.0.1`` keeps the service local).
        port: the TCP port.
        workers: gunicorn worker processes; each loads the data and answers one request at a time.
        config: app settings (see :data:`haironto.server.DEFAULTS`) that override the environment.

    The worker processes share their metrics through the folder of :func:`metrics_dir`.

    Raises:
        OntologyLoadError: a data file is missing (checked before any worker starts).
    """
    settings = configure(Config("."), config)
    files: DataFiles = data_files(settings)
    files.check()
    if not settings.get("REASON_LOCK_DIR"):
        # One folder of job slots for every worker, so REASON_JOBS bounds the whole server.
        config = {**config, "REASON_LOCK_DIR": tempfile.mkdtemp(prefix="haironto-reason-")}
    limits_folder = None
    if not settings.get("RATE_LIMIT_FILE"):
        # One table of clients' buckets for every worker, so the rate limit holds for the whole server.
        limits_folder = tempfile.mkdtemp(prefix="haironto-ratelimit-")
        config = {**config, "RATE_LIMIT_FILE": f"{limits_folder}/buckets"}
    longest = max(float(settings["TIMEOUT"]), float(settings["REASON_TIMEOUT"]))
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "timeout": int(longest) + WORKER_GRACE,
        "limit_request_line": MAX_REQUEST_LINE,
        "accesslog": "-",
        "errorlog": "-",
        "proc_name": "haironto",
        # gunicorn 27's control socket sits at one path per user: two services would collide.
        "control_socket_disable": True,
        "child_exit": _worker_exited,
    }
    folder, ours = metrics_dir()
    # Work every worker would repeat is done once, before the fork: loading the dataset into an
    # in-process backend, assembling the entailment regimes' datasets, importing the app's
    # modules. Workers then start at once on what they inherit. prometheus_client is imported
    # here only after metrics_dir() has set its variable.
    from haironto.backends import backend_class

    backend: Backend | None = None
    if backend_class(settings["BACKEND"]).holds_data:
        # The store holds the data: add the user's files to it once, not in every worker, and in
        # a child process. A store on disk started in this master would leave RocksDB's thread
        # pool behind, without its threads in the forked workers, which then crash at exit.
        if files.graphs:
            with multiprocessing.get_context("fork").Pool(1) as child:
                child.apply(add_user_graphs, (settings["BACKEND"], files))
    else:
        backend = open_backend(settings, files)
        backend.stats()  # counted here, once: a count in a worker would copy the pages it reads
    regimes = entailment.prepare(settings)
    # What the master holds now stays as it is: the collector no longer walks these objects, so
    # it does not write to their pages in each worker and they stay shared.
    gc.freeze()
    from . import compression, cors, metrics, sparql, status  # noqa: F401

    try:
        _Server(config, options, backend, regimes).run()
    finally:
        if ours:
            shutil.rmtree(folder, ignore_errors=True)
        if limits_folder is not None:
            shutil.rmtree(limits_folder, ignore_errors=True)
