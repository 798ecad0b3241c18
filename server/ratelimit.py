"""A per-client rate limit for expensive requests, shared by every process of the server.

Expensive means work a client can make the service repeat at will: a SPARQL query that misses
the answer cache (``/sparql`` and the named-query API), and a reasoning job (``POST /reason``).
Answers from the cache, 304 revalidations, term pages and static files are not counted.

Each client has a token bucket: it holds at most ``RATE_LIMIT_BURST`` tokens (by default half of
``RATE_LIMIT``), refilled at
``RATE_LIMIT`` tokens per ``RATE_LIMIT_WINDOW`` seconds; an expensive request takes one, and a
request that finds none is answered 429 with ``Retry-After`` (the seconds until a token is
back). Loopback clients are not limited unless ``RATE_LIMIT_LOOPBACK`` is set.

**Across gunicorn workers.** The buckets live in one small file mapped into every worker's
memory (:class:`SharedBuckets`, an open-addressed table of 32-byte slots), and each update
happens under an exclusive ``flock`` on it, so two workers never both spend a client's last
token. ``haironto serve`` gives every worker the same file; an app made by :func:`create_app`
alone gets one of its own. The table has a fixed number of slots: when the few slots a client
hashes to are all held by clients whose buckets are still partly spent, the one that has waited
longest is given up (its client starts afresh), so a flood of distinct addresses can loosen the
limit for others but never block anyone wrongly.

**Who the client is.** The peer address of the connection, unless it is one of
``TRUSTED_PROXIES``: then ``X-Forwarded-For`` is read from the right, each hop that is a trusted
proxy skipped, and the first that is not is the client. A client cannot choose its key by
sending the header itself, since only hops a trusted proxy appended are believed. IPv6 clients
are counted per /64 network, as one host commonly holds a whole /64.
"""

from __future__ import annotations

import fcntl
import hashlib
import ipaddress
import math
import mmap
import os
import struct
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, request
from werkzeug.exceptions import TooManyRequests

EXTENSION = "haironto-ratelimit"

#: One slot: the client's key (a 16-byte digest), its tokens, and when they were counted.
_SLOT = struct.Struct("<16sdd")
#: Slots in the shared table, and how many a client's key may probe.
SLOTS = 4096
PROBES = 8

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class RateLimited(TooManyRequests):
    """429 Too Many Requests, with the seconds to wait in ``Retry-After``."""

    def __init__(self, retry_after: int, policy: str) -> None:
        super().__init__(
            f"this client has used its {policy} of expensive requests (SPARQL queries that are not "
            f"in the answer cache, reasoning jobs, module extractions); try again in {retry_after} s",
            retry_after=retry_after,
        )
        self.seconds = retry_after


class SharedBuckets:
    """Token buckets in a file shared by processes, each update under an exclusive lock.

    Args:
        path: the file (created if missing); every process that opens the same path shares the buckets.
        slots: the table's size; every process must use the same.

    >>> import tempfile, pathlib
    >>> buckets = SharedBuckets(pathlib.Path(tempfile.mkdtemp()) / "buckets")
    >>> [buckets.take(b"client", rate=1.0, burst=2, now=100.0) for _ in range(3)]
    [0.0, 0.0, 1.0]
    >>> buckets.take(b"client", rate=1.0, burst=2, now=101.0)  # one token came back
    0.0
    """

    def __init__(self, path: Path, slots: int = SLOTS) -> None:
        self.path = path
        self.slots = slots
        self._size = slots * _SLOT.size
        self._lock = threading.Lock()  # flock does not exclude threads sharing one open file
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                if os.fstat(fd).st_size < self._size:
                    os.ftruncate(fd, self._size)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
            self._map = mmap.mmap(fd, self._size)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd

    def close(self) -> None:
        """Unmap the table and close its file."""
        self._map.close()
        os.close(self._fd)

    def take(self, client: bytes, *, rate: float, burst: int, now: float | None = None) -> float:
        """Take one token from a client's bucket.

        Args:
            client: the client's identity.
            rate: tokens refilled per second.
            burst: the most tokens a bucket holds.
            now: the time, in seconds of :func:`time.monotonic` (which every process shares).

        Returns:
            0.0 when the request may go ahead, else the seconds until a token is back.
        """
        now = time.monotonic() if now is None else now
        key = hashlib.blake2b(client, digest_size=16).digest()
        start = int.from_bytes(key[:8], "little") % self.slots
        with self._lock:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                slot, tokens, updated = self._find(key, start, rate, burst, now)
                tokens = min(float(burst), tokens + max(now - updated, 0.0) * rate)
                if tokens >= 1.0:
                    _SLOT.pack_into(self._map, slot * _SLOT.size, key, tokens - 1.0, now)
                    return 0.0
                _SLOT.pack_into(self._map, slot * _SLOT.size, key, tokens, now)
                return (1.0 - tokens) / rate if rate > 0 else math.inf
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _find(self, key: bytes, start: int, rate: float, burst: int, now: float) -> tuple[int, float, float]:
        """The client's slot with its tokens and time; a fresh bucket in a free or given-up slot."""
        free: int | None = None
        oldest, oldest_time = start, math.inf
        for probe in range(PROBES):
            slot = (start + probe) % self.slots
            held, tokens, updated = _SLOT.unpack_from(self._map, slot * _SLOT.size)
            if held == key:
                return slot, tokens, updated
            refilled = tokens + max(now - updated, 0.0) * rate >= burst
            if free is None and (not any(held) or refilled):
                free = slot  # empty, or its client is back to a full bucket: nothing is lost
            if updated < oldest_time:
                oldest, oldest_time = slot, updated
        return (free if free is not None else oldest), float(burst), now


@dataclass(frozen=True)
class Policy:
    """The configured limit."""

    rate: float
    """Tokens refilled per second (``RATE_LIMIT`` / ``RATE_LIMIT_WINDOW``)."""
    burst: int
    """The most tokens a bucket holds (``RATE_LIMIT_BURST``)."""
    loopback: bool
    """Whether loopback clients are limited too."""
    trusted: tuple[Network, ...]
    """Proxies whose ``X-Forwarded-For`` is believed."""
    text: str
    """The limit in words, for the 429 message."""


def networks(values: Iterable[str] | str | None) -> tuple[Network, ...]:
    """Parse ``TRUSTED_PROXIES``: addresses or networks, as a list or one comma-separated string.

    Raises:
        ValueError: a value is neither.

    >>> networks("127.0.0.1, 10.0.0.0/8")
    (IPv4Network('127.0.0.1/32'), IPv4Network('10.0.0.0/8'))
    """
    if not values:
        return ()
    items = values.split(",") if isinstance(values, str) else list(values)
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


def _address(text: str) -> Address | None:
    text = text.strip()
    if text.startswith("[") and "]" in text:  # [v6]:port
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:  # v4:port
        text = text.split(":")[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def client_address(
    remote: str | None, forwarded: Iterable[str], trusted: tuple[Network, ...]
) -> Address | None:
    """The client of a request: the peer, or, behind trusted proxies, the hop they vouch for.

    Args:
        remote: the connection's peer address.
        forwarded: the ``X-Forwarded-For`` header values, in order.
        trusted: the trusted proxies.

    >>> proxies = networks("127.0.0.1")
    >>> str(client_address("127.0.0.1", ["198.51.100.7, 203.0.113.9"], proxies))
    '203.0.113.9'
    >>> str(client_address("192.0.2.1", ["203.0.113.9"], proxies))  # not from a proxy: ignored
    '192.0.2.1'
    """
    address = _address(remote or "")
    if address is None or not trusted:
        return address

    def is_trusted(candidate: Address) -> bool:
        return any(candidate.version == net.version and candidate in net for net in trusted)

    hops = [hop for value in forwarded for hop in value.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not is_trusted(address):
            break
        parsed = _address(hop)
        if parsed is None:  # garbage left of a trusted hop: the last proxy is all that is known
            break
        address = parsed
    return address


def client_key(address: Address) -> bytes:
    """The bucket a client counts against: its IPv4 address, or its IPv6 /64.

    >>> client_key(ipaddress.ip_address("2001:db8::1")) == client_key(ipaddress.ip_address("2001:db8::2"))
    True
    """
    if isinstance(address, ipaddress.IPv6Address):
        return ipaddress.ip_network(f"{address}/64", strict=False).exploded.encode()
    return address.packed


def init_app(app: Flask) -> None:
    """Read the limit's settings and open the shared table (``RATE_LIMIT_FILE``, or a file of this app's own).

    Raises:
        ValueError: a setting is malformed.
    """
    config = app.config
    limit = float(config.get("RATE_LIMIT") or 0)
    window = float(config.get("RATE_LIMIT_WINDOW") or 60)
    if limit <= 0 or window <= 0:
        app.extensions[EXTENSION] = None
        return
    # A burst of half the limit unless set: a client may spend half its window's allowance at once.
    given_burst = config.get("RATE_LIMIT_BURST")
    burst = max(int(given_burst if given_burst is not None else limit // 2), 1)
    path = config.get("RATE_LIMIT_FILE")
    if not path:
        path = Path(tempfile.mkdtemp(prefix="haironto-ratelimit-")) / "buckets"
    policy = Policy(
        rate=limit / window,
        burst=burst,
        loopback=_flag(config.get("RATE_LIMIT_LOOPBACK")),
        trusted=networks(config.get("TRUSTED_PROXIES")),
        text=f"limit of {limit:g} per {window:g} s (bursts of {burst})",
    )
    app.extensions[EXTENSION] = (policy, SharedBuckets(Path(path)))


def _flag(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true", "yes", "on")
    return bool(value)


def charge() -> None:
    """Count one expensive request against the current client.

    Raises:
        RateLimited: the client has no token left (429 with ``Retry-After``).
    """
    state = current_app.extensions.get(EXTENSION)
    if state is None:
        return
    policy, buckets = state
    address = client_address(request.remote_addr, request.headers.getlist("X-Forwarded-For"), policy.trusted)
    if address is None or (address.is_loopback and not policy.loopback):
        return
    wait = buckets.take(client_key(address), rate=policy.rate, burst=policy.burst)
    if wait > 0:
        raise RateLimited(max(1, math.ceil(wait)), policy.text)
