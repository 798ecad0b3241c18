"""``/reason``: consistency checks with explanations over HTTP, and ``/qc``: the release's QC report.

``POST /reason`` takes an ontology (Turtle, RDF/XML, OWL/XML, JSON-LD or N-Triples, by
``Content-Type``; at most ``MAX_CONTENT_LENGTH`` bytes) that may import HairOnto, and answers
with a JSON report (see :func:`haironto.reasoning.report_json`). Each job runs in a process of its
own (:func:`haironto.reasoning.run_isolated`); at ``REASON_TIMEOUT`` it is killed with its JVMs
and the answer is 503 with ``"status": "timed out"``. At most ``REASON_JOBS`` jobs run at once
across the server's processes; one more gets 503 with ``"status": "busy"`` and ``Retry-After``.
Every answer of ``/reason`` is JSON, errors included.

``GET /reason/haironto`` is the same report for the bundled release, computed by ``haironto
build``. ``GET /qc`` is the QC report of the served data (HTML or JSON by ``Accept``): for the
bundled release the one the build wrote; for other data, computed once at start-up.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, Response, current_app, request

from haironto.build import QC_FILE, REASONING_FILE
from haironto.check import Report, Violation, check_graph
from haironto.dataset import load_graphs
from haironto.errors import HairOntoError, ReasonerError
from haironto.explain import MAX_JUSTIFICATIONS
from haironto.reason import REASONERS
from haironto.reasoning import (
    BUSY,
    INVALID,
    MEDIA_TYPES,
    TIMED_OUT,
    DocumentError,
    JobSlots,
    ReasonerTimeout,
    run_isolated,
)
from haironto.resources import service_dir

from . import ratelimit
from .store import data_files
from .ui import page

bp = Blueprint("reasoning", __name__)
EXTENSION = "haironto-reasoning"


def init_app(app: Flask) -> None:
    """Set up the job slots and read (or compute) the QC report, once.

    Raises:
        OntologyLoadError: the served data cannot be read for the QC report.
        HairOntoError: a committed service file is missing.
    """
    folder = app.config.get("REASON_LOCK_DIR") or tempfile.mkdtemp(prefix="haironto-reason-")
    slots = JobSlots(Path(folder), int(app.config["REASON_JOBS"]))
    if app.config.get("DATA") is None:
        qc = _read_json(service_dir() / QC_FILE)
    else:
        files = data_files(app.config)
        report = check_graph(load_graphs(files.asserted))
        qc = json.loads(Report(report.violations, source=", ".join(str(p) for p in files.asserted)).to_json())
    app.extensions[EXTENSION] = {"slots": slots, "qc": qc}


def _read_json(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise HairOntoError(f"{path} is missing: run `haironto build`") from None


def _json(data: dict[str, Any], status: int = 200, **headers: str) -> Response:
    body = json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    response = Response(body, status=status, mimetype="application/json")
    response.headers.update(headers)
    return response


@bp.route("/reason", methods=["POST"])
def reason_over_upload() -> Response:
    """Reason over the ontology in the body; answer with the JSON report."""
    config = current_app.config
    media_type = request.mimetype
    if media_type not in MEDIA_TYPES:
        got = f"'{media_type}'" if media_type else "no Content-Type"
        message = f"send the ontology as one of: {', '.join(MEDIA_TYPES)}; got {got}"
        return _json({"status": INVALID, "error": message}, 415)
    reasoner = request.args.get("reasoner", "hermit")
    if reasoner not in REASONERS:
        message = f"unknown reasoner {reasoner!r}; choose one of: {', '.join(REASONERS)}"
        return _json({"status": INVALID, "error": message}, 400)
    try:
        most = int(request.args.get("max_justifications", MAX_JUSTIFICATIONS))
        if not 1 <= most <= 20:
            raise ValueError
    except ValueError:
        return _json({"status": INVALID, "error": "max_justifications must be an integer from 1 to 20"}, 400)
    try:
        ratelimit.charge()
    except ratelimit.RateLimited as limited:
        return _json(
            {"status": "rate limited", "error": limited.description},
            429,
            **{"Retry-After": str(limited.seconds)},
        )
    data = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: 413
    timeout = float(config["REASON_TIMEOUT"])
    slots: JobSlots = current_app.extensions[EXTENSION]["slots"]
    with slots.take() as taken:
        if not taken:
            message = f"all {slots.count} reasoning job slots are taken; try again later"
            return _json(
                {"status": BUSY, "error": message}, 503, **{"Retry-After": str(max(1, int(timeout)))}
            )
        start = time.monotonic()
        try:
            report = run_isolated(
                data, media_type, timeout=timeout, reasoner=reasoner, max_justifications=most
            )
        except ReasonerTimeout:
            elapsed = round(time.monotonic() - start, 3)
            message = f"the reasoning job ran longer than {timeout:g} s and was stopped"
            return _json({"status": TIMED_OUT, "error": message, "timeout": timeout, "elapsed": elapsed}, 503)
        except DocumentError as error:
            return _json({"status": INVALID, "error": str(error)}, 400)
        except ReasonerError as error:
            return _json({"status": "failed", "error": str(error)}, 500)
    return _json(report)


@bp.route("/reason/haironto")
def reason_over_release() -> Response:
    """The reasoning report of the bundled release, as the build computed it."""
    return _json(_read_json(service_dir() / REASONING_FILE))


@bp.route("/qc")
def quality_report() -> Response:
    """The QC report of the served data: JSON, or an HTML page for browsers."""
    qc: dict[str, Any] = current_app.extensions[EXTENSION]["qc"]
    offers = ["application/json", "text/html"]
    wanted = request.args.get("format")
    chosen = {"json": offers[0], "html": offers[1]}.get(wanted or "") if wanted else None
    if wanted and chosen is None:
        return Response("400 Bad Request: format is json or html\n", 400, mimetype="text/plain")
    if chosen is None:
        chosen = request.accept_mimetypes.best_match(offers) if request.headers.get("Accept") else offers[0]
    if chosen is None:
        return Response(
            f"406 Not Acceptable: /qc is available as {', '.join(offers)}\n", 406, mimetype="text/plain"
        )
    if chosen == "text/html":
        violations = [Violation(**row) for row in qc["violations"]]
        response = page("qc.html", qc=qc, violations=violations)
    else:
        response = _json(qc)
    response.vary.add("Accept")
    return response
