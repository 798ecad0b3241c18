"""Queries with a time limit run in worker processes that are killed at the deadline.

Why processes: pyoxigraph evaluates a query inside Rust, with the GIL released, and its Python
API (0.5.x) has no way to cancel it: no cancellation token, no timeout option (Oxigraph's own
server cannot time queries out either, oxigraph/oxigraph issue 1336). rdflib's engine is
Python, but a Python thread cannot be stopped from outside. A thread abandoned at the deadline
would keep a core busy long after the client got its error. A process can be stopped: SIGKILL
at the deadline frees its CPU and memory at once, whatever the engine was doing.

How: a worker is a child process with two pipes, one for requests and one for answers
(length-prefixed pickles, one request at a time). Where it comes from depends on the backend:

* a backend whose data lives in this process's memory (``memory:``, ``rdflib:``) is *forked*:
  the child starts at once with the loaded dataset, shared copy-on-write with its parent, so a
  worker costs no second copy of the data and a replacement no reload;
* a store that must not be forked (``oxigraph:DIR``: RocksDB's thread pool does not survive a
  fork) is *spawned* as ``python -m haironto.backends.sandbox``, told the backend descriptor on
  its stdin, and opens the store itself, read-only.

The parent waits for an answer with ``select`` until the deadline, then kills the worker and
starts a replacement. As a backstop, the worker arms an interval timer for each query;
SIGALRM's default action ends the worker even if the parent is gone, and an idle worker whose
parent has gone ends itself.

Memory: a worker may be given a cap on the address space a query may add (``RLIMIT_AS`` set to
its footprint plus the cap), set by the worker itself once it holds the data or has opened the
store. A query that needs more fails there and then: Python raises ``MemoryError``, and Rust
(pyoxigraph) aborts the process, which the parent recognizes by the worker's death from SIGABRT. Either way the caller gets :class:`QueryResourceError` and the
worker is replaced. The parent also refuses an answer larger than ``max_answer_bytes`` from its
length prefix, before reading it, so no answer it could not afford reaches the server process.
"""

from __future__ import annotations

import fcntl
import gc
import os
import pickle
import queue
import resource
import select
import signal
import struct
import subprocess
import sys
import threading
import time
import warnings
import weakref
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from haironto.errors import BackendError, HairOntoError, QueryResourceError, QueryTimeoutError

if TYPE_CHECKING:
    from haironto.backends.base import Backend

_HEADER = struct.Struct("!Q")
#: Seconds a fresh worker may take to start and open its store.
STARTUP_TIMEOUT = 120.0
#: Extra seconds the worker's own alarm allows past the parent's deadline before it ends itself.
BACKSTOP_GRACE = 5.0
#: Seconds allowed to read an answer once its first byte has arrived (answers are capped in size).
TRANSFER_TIMEOUT = 60.0


class _Deadline(Exception):
    """The worker did not answer in time."""


class _Died(Exception):
    """The worker's stdout closed: it crashed or was killed."""


class _TooLarge(Exception):
    """The answer's length prefix is over the limit."""

    def __init__(self, size: int) -> None:
        super().__init__(size)
        self.size = size


#: The environment variable that hands a worker its address-space limit, in bytes.
MEMORY_VARIABLE = "HAIRONTO_SANDBOX_MEMORY"


def _mib(size: int) -> str:
    return f"{size / 2**20:.0f} MiB"


def _write_frame(stream: IO[bytes], message: Any) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_blocking(stream: IO[bytes], size: int) -> bytes | None:
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


#: Bytes a pipe to a worker holds (Linux's default limit for an unprivileged process). A large
#: answer then crosses in a few writes instead of one per 64 KiB and process switch.
PIPE_SIZE = 1 << 20


def _widen(pipe: IO[bytes] | None) -> None:
    if pipe is None or not hasattr(fcntl, "F_SETPIPE_SZ"):  # Linux only
        return
    try:
        fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, PIPE_SIZE)
    except OSError:  # a lower pipe-max-size: the default size still works
        pass


class _Forked:
    """The part of :class:`subprocess.Popen` the sandbox uses, for a child made by :func:`os.fork`."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None

    def poll(self) -> int | None:
        if self.returncode is None:
            self._reap(os.WNOHANG)
        return self.returncode

    def kill(self) -> None:
        if self.returncode is None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:  # already reaped elsewhere
                pass

    def wait(self) -> int:
        while self.returncode is None:
            self._reap(0)
        return self.returncode

    def _reap(self, options: int) -> None:
        try:
            pid, status = os.waitpid(self.pid, options)
        except ChildProcessError:  # reaped by someone else: it is gone, how is unknown
            self.returncode = -signal.SIGKILL
            return
        if pid:
            self.returncode = os.waitstatus_to_exitcode(status)


class _Worker:
    """One worker process, the pipe its requests go down and the pipe its answers come up."""

    process: subprocess.Popen[bytes] | _Forked
    requests: IO[bytes]
    replies: IO[bytes]

    def __init__(self, backend: Backend, memory_limit: int | None = None) -> None:
        if backend.forks_workers:
            self._fork(backend, memory_limit)
        else:
            self._spawn(backend.descriptor, memory_limit)
        self.ready = False
        for pipe in (self.requests, self.replies):
            _widen(pipe)

    def _spawn(self, descriptor: str, memory_limit: int | None) -> None:
        env = dict(os.environ)
        # The worker imports haironto the way this process did, installed or from a source tree.
        package_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
        env.pop(MEMORY_VARIABLE, None)
        if memory_limit:
            env[MEMORY_VARIABLE] = str(memory_limit)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "haironto.backends.sandbox"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            env=env,
        )
        assert self.process.stdin is not None and self.process.stdout is not None
        self.requests, self.replies = self.process.stdin, self.process.stdout
        try:  # a few bytes: the pipe's buffer takes them without waiting for the worker
            _write_frame(self.requests, descriptor)
        except OSError:  # it died already; reading will say so
            pass

    def _fork(self, backend: Backend, memory_limit: int | None) -> None:
        requests_read, requests_write = os.pipe()
        replies_read, replies_write = os.pipe()
        with warnings.catch_warnings():
            # Python 3.12+ warns about forking a process that has threads; the child never touches
            # what those threads hold (see _become_worker).
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                _become_worker(keep=(requests_read, replies_write))
                _limit_memory(memory_limit)
                with open(requests_read, "rb") as requests, open(replies_write, "wb") as replies:
                    _write_frame(replies, ("ready", None))
                    _serve(backend, requests, replies)
                code = 0
            finally:
                os._exit(code)  # never return into the parent's code, nor run its exit handlers
        os.close(requests_read)
        os.close(replies_write)
        self.process = _Forked(pid)
        self.requests = open(requests_write, "wb")  # noqa: SIM115  # closed by kill()
        # Unbuffered: _read selects on the pipe itself, so no byte may wait in a buffer.
        self.replies = open(replies_read, "rb", buffering=0)  # noqa: SIM115

    def _read(self, size: int, deadline: float) -> bytes:
        chunks, missing = [], size
        while missing:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.replies], [], [], remaining)[0]:
                raise _Deadline
            chunk = self.replies.read(missing)
            if not chunk:
                raise _Died
            chunks.append(chunk)
            missing -= len(chunk)
        return b"".join(chunks)

    def _receive(self, deadline: float, max_bytes: int | None = None) -> tuple[str, Any]:
        (size,) = _HEADER.unpack(self._read(_HEADER.size, deadline))
        if max_bytes is not None and size > max_bytes:
            raise _TooLarge(size)
        return pickle.loads(self._read(size, time.monotonic() + TRANSFER_TIMEOUT))

    def wait_ready(self) -> None:
        """Wait until the worker holds the data.

        Raises:
            BackendError: it failed to start or to open the store.
        """
        if self.ready:
            return
        try:
            status, value = self._receive(time.monotonic() + STARTUP_TIMEOUT)
        except (_Deadline, _Died):
            raise BackendError("a query worker process failed to start (see the log)") from None
        if status != "ready":
            raise value
        self.ready = True

    def call(self, request: Any, timeout: float, max_bytes: int | None = None) -> tuple[str, Any]:
        """Send a request and wait for its answer until the deadline (raises ``_Deadline``,
        ``_Died`` or ``_TooLarge``)."""
        try:
            _write_frame(self.requests, (request, timeout))
        except OSError:
            raise _Died from None
        return self._receive(time.monotonic() + timeout, max_bytes)

    def kill(self) -> None:
        """End the worker at once and release its pipes."""
        self.process.kill()
        self.process.wait()
        for pipe in (self.requests, self.replies):
            pipe.close()


def _kill_all(workers: set[_Worker]) -> None:
    for worker in list(workers):
        worker.kill()
    workers.clear()


class Sandbox:
    """A pool of worker processes that run queries for one backend, each under a deadline.

    Args:
        backend: the loaded backend whose queries the workers run: forked with it when
            :attr:`~haironto.backends.base.Backend.forks_workers`, else opening its descriptor.
        size: how many queries may run at once.
        memory_limit: bytes of address space a query may add to a loaded worker's footprint; None: no limit.
        max_answer_bytes: the largest answer a worker may hand back; None: no limit.
    """

    def __init__(
        self,
        backend: Backend,
        size: int = 1,
        *,
        memory_limit: int | None = None,
        max_answer_bytes: int | None = None,
    ) -> None:
        if size < 1:
            raise BackendError(f"a sandbox needs at least one worker, got {size}")
        self._backend = backend
        self._size = size
        self._memory_limit = memory_limit
        self._max_answer_bytes = max_answer_bytes
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._workers: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._spawn())
        # Kill the workers when the sandbox is collected or the interpreter exits.
        self._finalizer = weakref.finalize(self, _kill_all, self._workers)

    def _spawn(self) -> _Worker:
        worker = _Worker(self._backend, self._memory_limit)
        with self._lock:
            self._workers.add(worker)
        return worker

    def _replace(self, worker: _Worker) -> None:
        with self._lock:
            self._workers.discard(worker)
        worker.kill()
        if not self._closed:
            self._idle.put(self._spawn())

    def pids(self) -> list[int]:
        """The process IDs of the current workers."""
        with self._lock:
            return sorted(w.process.pid for w in self._workers)

    def wait_ready(self) -> None:
        """Wait until every idle worker has loaded the data; surfaces start-up errors early."""
        taken = [self._idle.get() for _ in range(self._size)]
        try:
            for worker in taken:
                worker.wait_ready()
        finally:
            for worker in taken:
                self._idle.put(worker)

    def run(self, request: Any, timeout: float) -> Any:
        """Run a :class:`~haironto.backends.base.QueryRequest` in a worker, cancelling it at the deadline.

        Raises:
            QueryTimeoutError: the query (or the wait for a free worker) passed ``timeout`` seconds.
            QueryResourceError: the query ran out of the worker's memory, or its answer is too large.
            BackendError: the worker died.
            HairOntoError: whatever the query raised in the worker (syntax, refusal, ...).
        """
        if timeout <= 0:
            raise QueryTimeoutError("the time limit must be positive")
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
            while worker.process.poll() is not None:
                # It died while idle (killed, or chosen by the kernel's OOM killer): replace it
                # rather than fail the query it was about to run.
                self._replace(worker)
                worker = self._idle.get(timeout=max(deadline - time.monotonic(), 0.001))
        except queue.Empty:
            raise QueryTimeoutError(f"all {self._size} query workers stayed busy for {timeout:g} s") from None
        try:
            worker.wait_ready()
            status, value = worker.call(
                request, max(deadline - time.monotonic(), 0.001), self._max_answer_bytes
            )
        except _Deadline:
            self._replace(worker)
            raise QueryTimeoutError(
                f"the query ran longer than its time limit of {timeout:g} s and was cancelled"
            ) from None
        except _TooLarge as too_large:
            self._replace(worker)
            assert self._max_answer_bytes is not None
            raise QueryResourceError(
                f"the answer is {_mib(too_large.size)}, over this endpoint's limit of "
                f"{_mib(self._max_answer_bytes)}; ask for fewer or shorter values"
            ) from None
        except _Died:
            self._replace(worker)
            # Rust aborts the process when an allocation fails; under a memory limit, that is the query's doing.
            if self._memory_limit and worker.process.returncode == -signal.SIGABRT:
                raise QueryResourceError(self._out_of_memory()) from None
            raise BackendError("the query worker process died while running the query") from None
        except BaseException:
            self._replace(worker)
            raise
        self._idle.put(worker)
        if status == "error":
            raise value
        if status == "memory":
            raise QueryResourceError(self._out_of_memory())
        return value

    def _out_of_memory(self) -> str:
        assert self._memory_limit is not None
        return (
            f"the query needed more than the {_mib(self._memory_limit)} of memory a query may use "
            "on this endpoint, and was stopped"
        )

    def close(self) -> None:
        """Kill every worker; the sandbox cannot run queries afterwards."""
        self._closed = True
        with self._lock:
            workers = set(self._workers)
            self._workers.clear()
        _kill_all(workers)


#: Signals a server (gunicorn) handles in Python; a forked worker takes their default actions back.
_SERVER_SIGNALS = (
    signal.SIGTERM,
    signal.SIGINT,
    signal.SIGHUP,
    signal.SIGQUIT,
    signal.SIGUSR1,
    signal.SIGUSR2,
    signal.SIGWINCH,
    signal.SIGCHLD,
    signal.SIGABRT,
)


def _become_worker(keep: tuple[int, ...]) -> None:
    """Make a freshly forked child a worker of its own: default signal handling, and no file
    descriptor of its parent's but ``keep`` and the standard streams.

    The parent's descriptors include client connections and other workers' pipes: held open
    here, a connection would not close when the server closes it, and a sibling would never
    see its requests pipe end. The parent's Python objects are frozen out of the garbage
    collector, so that no finalizer of theirs runs here and their pages stay shared.
    """
    gc.freeze()
    for number in _SERVER_SIGNALS:
        signal.signal(number, signal.SIG_DFL)
    for entry in os.listdir("/proc/self/fd"):  # Linux, like the rest of the sandbox's limits
        number = int(entry)
        if number > 2 and number not in keep:
            try:
                os.close(number)
            except OSError:  # the listing's own descriptor, closed already
                pass


def _serve(backend: Backend, requests: IO[bytes], replies: IO[bytes]) -> None:
    """Answer requests with ``backend`` until the requests pipe closes (the parent is gone)."""
    while (header := _read_blocking(requests, _HEADER.size)) is not None:
        body = _read_blocking(requests, _HEADER.unpack(header)[0])
        if body is None:
            return
        request, timeout = pickle.loads(body)
        signal.setitimer(signal.ITIMER_REAL, timeout + BACKSTOP_GRACE)
        try:
            reply: tuple[str, Any] = ("ok", backend.run(request))
        except HairOntoError as error:
            reply = ("error", error)
        except MemoryError:
            reply = ("memory", None)
        except Exception as error:  # an engine bug must not take the worker down silently
            reply = ("error", BackendError(f"the engine failed: {type(error).__name__}: {error}"))
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            _write_frame(replies, reply)
        except MemoryError:  # the answer fit, but not its pickled copy
            del reply
            _write_frame(replies, ("memory", None))


def main() -> None:
    """A spawned worker: open the store its descriptor names, then answer requests until stdin closes."""
    from haironto.backends import get_backend

    requests = sys.stdin.buffer
    # Replies go to a private copy of stdout; anything a library prints goes to stderr instead.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    header = _read_blocking(requests, _HEADER.size)
    body = None if header is None else _read_blocking(requests, _HEADER.unpack(header)[0])
    if body is None:
        return
    try:
        backend = get_backend(pickle.loads(body))
        _limit_memory(os.environ.get(MEMORY_VARIABLE))
    except HairOntoError as error:
        _write_frame(replies, ("error", error))
        return
    _write_frame(replies, ("ready", None))
    _serve(backend, requests, replies)


def _address_space() -> int:
    """Bytes of address space this process uses now (``VmSize``)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _limit_memory(value: str | int | None) -> None:
    """Let a query use at most ``value`` bytes of address space beyond what this worker holds now.

    The cap is set once the data is loaded or the store opened, on top of that footprint: an
    on-disk store's engine maps files and starts threads whose address space says nothing about
    what a query may take, so a cap on the total would refuse a large store before any query ran.
    """
    if not value:
        return
    cap = _address_space() + int(value)
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = cap if hard == resource.RLIM_INFINITY else min(cap, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


if __name__ == "__main__":
    main()
