"""A private Virtuoso Open Source instance on loopback, for the remote backend's tests and the benchmark.

Debian's ``virtuoso-opensource`` package (7.2) provides ``virtuoso-t`` and ``isql-vt``; ``.ci/run``
installs it. Each instance lives in a temporary folder with its own ``virtuoso.ini``:

* both ports (SQL and HTTP) bound to 127.0.0.1 and chosen free;
* ``DirsAllowed`` limited to the instance's folder;
* no silent cut of answers (``ResultSetMaxRows``) and no "anytime" partial answers
  (``MaxQueryExecutionTime = 0``): a remote store must answer whole or fail;
* the ``dba`` password, ``dba`` in a fresh database, is changed at once to a random one over
  isql (loopback only) and handed to the tests; writes go through the Graph Store Protocol at
  ``/sparql-graph-crud-auth`` with HTTP digest authentication as ``dba``.

A fresh database starts in about 5 s; stopping takes a second.
"""

from __future__ import annotations

import secrets
import shutil
import signal
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.transport import free_port

SERVER = "virtuoso-t"
ISQL = "isql-vt"
#: Seconds an instance may take to come up.
START_TIMEOUT = 30.0

INI = """[Database]
DatabaseFile = {folder}/virtuoso.db
ErrorLogFile = {folder}/virtuoso.log
LockFile = {folder}/virtuoso.lck
TransactionFile = {folder}/virtuoso.trx
xa_persistent_file = {folder}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {folder}/virtuoso-temp.db
TransactionFile = {folder}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
CheckpointInterval = 60
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
DirsAllowed = ., {folder}
MaxQueryMem = 2G
ThreadsPerQuery = 2

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = /var/lib/virtuoso-opensource-7/vsp
ServerThreads = 10
MaxClientConnections = 10
MaxKeepAlives = 10
KeepAliveTimeout = 10
Charset = UTF-8
EnabledGzipContent = 0

[SPARQL]
ResultSetMaxRows = 100000000
MaxQueryCostEstimationTime = 0
MaxQueryExecutionTime = 0
"""


def installed() -> bool:
    """Whether Debian's virtuoso-opensource is installed."""
    return shutil.which(SERVER) is not None and shutil.which(ISQL) is not None


@dataclass
class Virtuoso:
    """One running instance."""

    folder: Path
    process: subprocess.Popen[bytes]
    sql_port: int
    http_port: int
    password: str

    @property
    def sparql(self) -> str:
        """The SPARQL query endpoint."""
        return f"http://127.0.0.1:{self.http_port}/sparql"

    @property
    def graph_store(self) -> str:
        """The Graph Store Protocol endpoint that takes writes (digest authentication)."""
        return f"http://127.0.0.1:{self.http_port}/sparql-graph-crud-auth"

    def isql(self, statement: str, timeout: float = 600) -> str:
        """Run SQL as dba over the loopback SQL port; return its output."""
        done = subprocess.run(
            [ISQL, f"127.0.0.1:{self.sql_port}", "dba", self.password, f"exec={statement}"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout:
            raise RuntimeError(f"isql failed on {statement!r}: {done.stdout}{done.stderr}")
        return done.stdout

    def stop(self) -> None:
        """Stop the instance and wait for it (killed if it takes over 15 s)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def restart(self) -> None:
        """Stop the instance and start it again on the same database.

        Needed after a load: a Virtuoso 7.2 that has just loaded data answers property paths
        (``rdfs:subClassOf+``/``*``) joined with other patterns wrongly until it restarts
        (queries/experimental-approaches.rq: 1 row of 5; upstream
        https://github.com/openlink/virtuoso-opensource/issues/929). A checkpoint or new
        statistics do not help.
        """
        self.isql("checkpoint;")
        self.stop()
        self.process = _launch(self.folder)
        _wait(self)

    def rss_bytes(self) -> int:
        """The server process's resident memory."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0


def start(folder: Path, *, buffers: int = 10000) -> Virtuoso:
    """Start a fresh instance in ``folder``; wait until its SPARQL endpoint answers.

    Args:
        folder: an empty folder for the database and its ini file.
        buffers: 8 KiB pages Virtuoso caches (``NumberOfBuffers``); 10000 is 80 MiB.

    Raises:
        RuntimeError: it is not installed, or did not come up in time.
    """
    if not installed():
        raise RuntimeError("Virtuoso is not installed: apt-get install virtuoso-opensource (.ci/run does)")
    folder.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    ini = folder / "virtuoso.ini"
    ini.write_text(
        INI.format(
            folder=folder, sql_port=sql_port, http_port=http_port, buffers=buffers, dirty=buffers * 3 // 4
        ),
        encoding="utf-8",
    )
    instance = Virtuoso(folder, _launch(folder), sql_port, http_port, "dba")
    _wait(instance)
    password = secrets.token_urlsafe(16)
    instance.isql(f"USER_SET_PASSWORD('dba', '{password}');")
    instance.password = password
    return instance


def _launch(folder: Path) -> subprocess.Popen[bytes]:
    with (folder / "console.log").open("ab") as log:
        return subprocess.Popen(
            [SERVER, "+configfile", str(folder / "virtuoso.ini"), "+foreground"],
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _wait(instance: Virtuoso) -> None:
    """Wait until the instance's SPARQL endpoint answers; stop it and raise if it does not in time."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        try:
            with urllib.request.urlopen(f"{instance.sparql}?query=ASK%7B%7D", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if instance.process.poll() is not None or time.monotonic() > deadline:
            instance.stop()
            log = (instance.folder / "console.log").read_text()[-3000:]
            raise RuntimeError(f"Virtuoso did not start:\n{log}")
        time.sleep(0.2)
