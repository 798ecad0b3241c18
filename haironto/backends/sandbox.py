"""Queries with a time limit run in worker processes that are killed at the deadline.

Why processes: pyoxigraph evaluates a query inside Rust, with the GIL released, and its Python
API (0.5.x) has no way to cancel it: no cancellation token, no timeout option (Oxigraph's own
server cannot time queries out either, oxigraph/oxigraph issue 1336). rdflib's engine is
Python, but a Python thread cannot be stopped from outside. A thread abandoned at the deadline
would keep a core busy long after the client got its error. A process can be stopped: SIGKILL
at the deadline frees its CPU and memory at once, whatever the engine was doing.

How: a worker is ``python -m haironto.backends.sandbox``. The parent seeds it through its stdin
with the backend descriptor and an N-Quads snapshot of the dataset; then the worker answers
length-prefixed pickled requests on its stdout, one at a time. The parent waits for the answer
with ``select`` until the deadline, then kills the worker and starts a replacement, which loads
the snapshot in the background while the next request is still on its way. As a backstop, the
worker arms an interval timer for each query; SIGALRM's default action ends the worker even if
the parent is gone.

Memory: a worker may be given a cap on the address space a query may add (``RLIMIT_AS`` set to
its footprint plus the cap), set by the worker itself once the snapshot is loaded or the store
opened. A query that needs more fails there and then: Python raises
``MemoryError``, and Rust (pyoxigraph) aborts the process, which the parent recognizes by the
worker's death from SIGABRT. Either way the caller gets :class:`QueryResourceError` and the
worker is replaced. The parent also refuses an answer larger than ``max_answer_bytes`` from its
length prefix, before reading it, so no answer it could not afford reaches the server process.
"""

from __future__ import annotations

import fcntl
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
import weakref
from pathlib import Path
from typing import IO, Any

from haironto.errors import BackendError, HairOntoError, QueryResourceError, QueryTimeoutError

_HEADER = struct.Struct("!Q")
#: Seconds a fresh worker may take to start and load the snapshot.
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


class _Worker:
    """One worker process and its two pipes."""

    def __init__(self, descriptor: str, snapshot: bytes | None, memory_limit: int | None = None) -> None:
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
        self.ready = False
        for pipe in (self.process.stdin, self.process.stdout):
            _widen(pipe)
        # The snapshot may exceed a pipe's buffer; write it from a thread so nobody waits for it.
        self._seeding = threading.Thread(target=self._seed, args=(descriptor, snapshot), daemon=True)
        self._seeding.start()

    def _seed(self, descriptor: str, snapshot: bytes | None) -> None:
        try:
            assert self.process.stdin is not None
            _write_frame(self.process.stdin, (descriptor, snapshot))
        except (OSError, ValueError):  # the worker died or was killed meanwhile; reading will say so
            pass

    def _read(self, size: int, deadline: float) -> bytes:
        assert self.process.stdout is not None
        chunks, missing = [], size
        while missing:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([self.process.stdout], [], [], remaining)[0]:
                raise _Deadline
            chunk = self.process.stdout.read(missing)
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
        """Wait until the worker has loaded the snapshot.

        Raises:
            BackendError: it failed to start or to load the data.
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
        assert self.process.stdin is not None
        try:
            _write_frame(self.process.stdin, (request, timeout))
        except OSError:
            raise _Died from None
        return self._receive(time.monotonic() + timeout, max_bytes)

    def kill(self) -> None:
        """End the worker at once and release its pipes."""
        self.process.kill()
        self.process.wait()
        self._seeding.join()
        for pipe in (self.process.stdin, self.process.stdout):
            if pipe is not None:
                pipe.close()


def _kill_all(workers: set[_Worker]) -> None:
    for worker in list(workers):
        worker.kill()
    workers.clear()


class Sandbox:
    """A pool of worker processes that run queries for one backend, each under a deadline.

    Args:
        descriptor: the backend descriptor the workers open (see :func:`haironto.backends.get_backend`).
        snapshot: the dataset as N-Quads, loaded by every worker; None when the backend's
            descriptor names a store the workers open themselves.
        size: how many queries may run at once.
        memory_limit: bytes of address space a query may add to a loaded worker's footprint; None: no limit.
        max_answer_bytes: the largest answer a worker may hand back; None: no limit.
    """

    def __init__(
        self,
        descriptor: str,
        snapshot: bytes | None,
        size: int = 1,
        *,
        memory_limit: int | None = None,
        max_answer_bytes: int | None = None,
    ) -> None:
        if size < 1:
            raise BackendError(f"a sandbox needs at least one worker, got {size}")
        self._descriptor = descriptor
        self._snapshot = snapshot
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
        worker = _Worker(self._descriptor, self._snapshot, self._memory_limit)
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


def main() -> None:
    """The worker: load the seeded dataset, then answer requests until stdin closes."""
    from haironto.backends import get_backend

    requests = sys.stdin.buffer
    # Replies go to a private copy of stdout; anything a library prints goes to stderr instead.
    replies = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())

    def receive() -> Any:
        header = _read_blocking(requests, _HEADER.size)
        if header is None:
            return None
        body = _read_blocking(requests, _HEADER.unpack(header)[0])
        return None if body is None else pickle.loads(body)

    seed = receive()
    if seed is None:
        return
    descriptor, snapshot = seed
    try:
        backend = get_backend(descriptor)
        if snapshot is not None:  # None: the backend opens its own store (on disk), read-only
            backend.load(snapshot, format="nquads")
        del seed, snapshot
        _limit_memory(os.environ.get(MEMORY_VARIABLE))
    except HairOntoError as error:
        _write_frame(replies, ("error", error))
        return
    _write_frame(replies, ("ready", None))
    while (message := receive()) is not None:
        request, timeout = message
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


def _address_space() -> int:
    """Bytes of address space this process uses now (``VmSize``)."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        return int(statm.read().split()[0]) * resource.getpagesize()


def _limit_memory(value: str | None) -> None:
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
