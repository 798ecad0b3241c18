"""What the hostile-input, runaway-query, fault and load tests share (issue 5), and bench/ reuses.

Raw HTTP on loopback (so a request can carry any bytes), the answers a public endpoint may give
a hostile request, a live ``haironto serve`` with small limits, and the processes it runs.
Nothing here sends a byte anywhere but 127.0.0.1.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.transport import free_port

#: Seconds one request may take before the client gives up (the longest limit under test is 10 s).
REQUEST_TIMEOUT = 20.0

#: The 503s the service means to give, each recognized by its body: a query over its time
#: limit, every query worker busy, a query over its memory or answer-size limit, a reasoning
#: job that timed out or found every slot taken. Any other 5xx is a server error.
INTENDED_503 = {
    "timeout": re.compile(r"ran longer than its time limit|timed out"),
    "busy": re.compile(r"stayed busy|job slots are taken"),
    "memory": re.compile(r"of memory a query may use"),
    "answer size": re.compile(r"over this endpoint's limit of"),
}
#: What a traceback or an interpreter's error page looks like in a body.
TRACEBACK = re.compile(rb"Traceback \(most recent call last\)|File \"[^\"]+\", line \d+|<title>500 ")


@dataclass(frozen=True)
class Answer:
    """One response, or the failure to get one."""

    status: int
    """The HTTP status; 0 when no response came (connection refused, reset or timed out)."""
    body: bytes
    headers: dict[str, str]
    elapsed: float
    """Seconds from sending to the end of the body."""
    error: str = ""
    """Why no response came."""


def send(
    base: str,
    method: str,
    target: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
    timeout: float = REQUEST_TIMEOUT,
) -> Answer:
    """Send one request as given (``target`` is the raw request target: path and query string).

    Only ``Host`` and, with a body, ``Content-Length`` are added.
    """
    host, port = base.removeprefix("http://").split(":")
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        connection.putrequest(method, target, skip_accept_encoding=True)
        for name, value in (headers or {}).items():
            connection.putheader(name, value)
        if body is not None:
            connection.putheader("Content-Length", str(len(body)))
        try:
            connection.endheaders(body)
        except (BrokenPipeError, ConnectionResetError):
            # The server answered before the whole body was sent (a 413, a 405) and closed the
            # connection: its answer is still there to read.
            pass
        response = connection.getresponse()
        data = response.read()
        return Answer(
            response.status,
            data,
            {k.lower(): v for k, v in response.getheaders()},
            time.monotonic() - started,
        )
    except (OSError, http.client.HTTPException) as error:
        return Answer(0, b"", {}, time.monotonic() - started, f"{type(error).__name__}: {error}")
    finally:
        connection.close()


def classify(answer: Answer) -> str:
    """Name what an answer is: ``2xx``, ``3xx``, ``4xx``, an intended 503 by its reason, or a failure.

    Failures start with ``FAIL``: a 5xx that is not an intended 503, a traceback in a body, or
    no answer at all.
    """
    if answer.status == 0:
        return f"FAIL no answer ({answer.error})"
    if TRACEBACK.search(answer.body):
        return f"FAIL traceback in a {answer.status}"
    if answer.status == 503:
        text = answer.body.decode("utf-8", "replace")
        for reason, pattern in INTENDED_503.items():
            if pattern.search(text):
                return f"503 {reason}"
        return f"FAIL 503: {text[:200]!r}"
    if answer.status >= 500:
        return f"FAIL {answer.status}: {answer.body[:200]!r}"
    return f"{answer.status // 100}xx"


@dataclass
class Tally:
    """Counts of answers by class, with an example request for every failure."""

    classes: Counter[str] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, answer: Answer, request: str) -> str:
        kind = classify(answer)
        with self.lock:
            self.classes[kind] += 1
            if kind.startswith("FAIL") and len(self.failures) < 20:
                self.failures.append(f"{kind} <- {request[:300]}")
        return kind

    @property
    def total(self) -> int:
        return sum(self.classes.values())

    @property
    def failed(self) -> int:
        return sum(n for kind, n in self.classes.items() if kind.startswith("FAIL"))


def percentile(values: list[float], fraction: float) -> float:
    """The value below which ``fraction`` of the values lie (nearest rank).

    >>> percentile([1.0, 2.0, 3.0, 4.0], 0.5), percentile([1.0, 2.0, 3.0, 4.0], 0.99)
    (2.0, 4.0)
    """
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, -(-int(fraction * 1000) * len(ordered) // 1000))
    return ordered[min(rank, len(ordered)) - 1]


def summary(values: list[float]) -> dict[str, float]:
    """Median, p99 and maximum, in milliseconds."""
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values) * 1000, 1) if values else float("nan"),
        "p99_ms": round(percentile(values, 0.99) * 1000, 1),
        "max_ms": round(max(values) * 1000, 1) if values else float("nan"),
    }


# -- the server and its processes ---------------------------------------------------------------


@dataclass
class Server:
    """A running ``haironto serve``."""

    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def workers(self) -> list[int]:
        """The gunicorn worker processes (children of the master)."""
        return children(self.process.pid)

    def query_workers(self) -> list[int]:
        """The query worker processes of every gunicorn worker."""
        return [pid for worker in self.workers() for pid in children(worker)]


def children(pid: int) -> list[int]:
    """The direct child processes of ``pid``."""
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return sorted(set(found))


def descendants(pid: int) -> list[int]:
    """Every process below ``pid``: its children, theirs, and so on."""
    found = children(pid)
    return found + [grandchild for child in found for grandchild in descendants(child)]


def smaps(pid: int, *fields: str) -> int:
    """The sum of fields of ``/proc/PID/smaps_rollup`` (``Rss``, ``Pss``, ``Private_Dirty`` ...), in
    bytes; 0 when the process is gone. PSS shares each page among the processes that map it (forked
    workers sharing loaded data); RSS counts it in each of them."""
    try:
        rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
    except OSError:
        return 0
    total = 0
    for line in rollup.splitlines():
        name, _, value = line.partition(":")
        if name in fields:
            total += int(value.split()[0]) * 1024
    return total


def rss_kib(pid: int) -> int | None:
    """The resident set size of a process (``VmRSS``), in KiB; None when it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    found = re.search(r"VmRSS:\s+(\d+) kB", status)
    return int(found.group(1)) if found else None


def wait_healthy(base: str, deadline: float, process: subprocess.Popen[bytes] | None = None) -> bool:
    """Poll ``/health`` until it answers 200 or the deadline passes."""
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            with urllib.request.urlopen(base + "/health", timeout=2) as response:
                if response.status == 200:
                    return True
        except OSError:
            time.sleep(0.05)
    return False


@contextmanager
def serve(
    folder: Path, args: list[str], env: dict[str, str] | None = None, *, log_name: str | None = None
) -> Iterator[Server]:
    """Run ``haironto serve`` on a free loopback port with ``args``; stop it on exit.

    Its output goes to ``folder/log_name`` (default ``server-PORT.log``, so that servers can share a folder).
    """
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    log = folder / (log_name or f"server-{port}.log")
    command = [str(Path(sys.executable).with_name("haironto")), "serve", "--port", str(port), *args]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, stdout=output, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    base = f"http://127.0.0.1:{port}"
    try:
        if not wait_healthy(base, time.monotonic() + 60, process):
            raise RuntimeError(f"the server did not start:\n{log.read_text()[-3000:]}")
        yield Server(base, process, log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- queries ------------------------------------------------------------------------------------


def doubling(times: int, seed: str = "xxxxxxxxxxxxxxxx") -> str:
    """BINDs that double a string ``times`` times: ``?a<times>`` holds ``len(seed) * 2**times``
    characters. SPARQL has no REPEAT, so this is how a query builds a huge value."""
    binds = [f'BIND("{seed}" AS ?a0)']
    binds += [f"BIND(CONCAT(?a{i}, ?a{i}) AS ?a{i + 1})" for i in range(times)]
    return " ".join(binds)


def cheap_query(n: int) -> str:
    """A cheap query that is a cache miss each time (``n`` makes it unique)."""
    return f"ASK {{ ?s ?p ?o FILTER(?o != {n}) }}"
