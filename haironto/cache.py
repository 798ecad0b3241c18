"""A bounded cache of query answers, for a dataset that never changes while it is served.

The dataset is a release: the same request always gets the same answer, so an answer can be
kept and given again without running the query. The cache is bounded twice, by entries and by
bytes of payload, and forgets the least recently used answers first. It keeps only answers:
an error or a timeout raises before anything is stored. An answer cut at the row cap is kept,
since the cap is part of the key and the cut is the same every time.

It lives in one process: under gunicorn, each worker process has its own.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from haironto.backends.base import Backend, QueryRequest, Result

# SPARQL tokens kept exactly as written: strings (long ones first, as the grammar defines them),
# IRIs, and escapes in prefixed names (``ex:a\#b``); then comments and runs of white space,
# which do not change a query's meaning and are reduced to one space.
_Q1, _Q2 = "'", '"'
_LONG1 = _Q1 * 3 + r"(?:(?:'|'')?(?:[^'\\]|\\.))*" + _Q1 * 3
_LONG2 = _Q2 * 3 + r'(?:(?:"|"")?(?:[^"\\]|\\.))*' + _Q2 * 3
_SHORT1 = r"'(?:[^'\\\n\r]|\\.)*'"
_SHORT2 = r'"(?:[^"\\\n\r]|\\.)*"'
_IRI = r'(?P<iri><[^<>"{}|^`\\\s]*>)'
_TOKENS = re.compile(
    rf"(?P<keep>{_LONG1}|{_LONG2}|{_SHORT1}|{_SHORT2}|{_IRI}|\\.)|(?P<space>(?:\s|\#[^\n\r]*)+)",
    re.DOTALL,
)

#: A cache key: normalized text, dataset, formats, row cap and bindings.
Key = tuple[object, ...]


def normalize_query(text: str) -> str:
    """Reduce a query to a canonical spelling: comments dropped and white space collapsed,
    except inside strings and IRIs, so that queries differing only in layout share an entry.

    Where this simple lexer could misread the query, the text is only stripped: a codepoint
    escape (``\\u0027`` may spell a quote) or a ``<...>`` token with a quote in it (``?a<'x>'``
    compares with a string; it is no IRI). Two queries of different meaning never share a key.

    >>> normalize_query('''SELECT  ?s # all of them
    ...   WHERE { ?s ?p "a  #b" }  ''')
    'SELECT ?s WHERE { ?s ?p "a  #b" }'
    >>> normalize_query("ASK { <http://example.org/x#y> ?p ?o }")
    'ASK { <http://example.org/x#y> ?p ?o }'
    """
    stripped = text.strip()
    if "\\u" in stripped or "\\U" in stripped:
        return stripped
    misread = False

    def token(match: re.Match[str]) -> str:
        nonlocal misread
        if match.group("iri") is not None and "'" in match.group("iri"):
            misread = True
        return match.group("keep") or " "

    normalized = _TOKENS.sub(token, stripped).strip()
    return stripped if misread else normalized


def request_key(request: QueryRequest) -> Key:
    """What decides a request's answer, as a hashable key.

    >>> request_key(QueryRequest("ASK  {}", 10)) == request_key(QueryRequest("ASK {}", 10))
    True
    """
    return (
        normalize_query(request.text),
        request.default_graph_uris,
        request.named_graph_uris,
        request.results_format,
        request.graph_format,
        request.max_rows,
        tuple(sorted((name, term.n3()) for name, term in request.bindings.items())),
    )


@dataclass(frozen=True)
class CacheStats:
    """How full a :class:`ResultCache` is."""

    entries: int
    """Answers held."""
    bytes: int
    """Payload bytes held."""


class ResultCache:
    """An LRU cache of query answers, bounded by entry count and payload bytes.

    Args:
        max_entries: the most answers held; 0 turns the cache off.
        max_bytes: the most payload bytes held; a larger answer is never stored.

    >>> cache = ResultCache(max_entries=2, max_bytes=100)
    >>> from haironto.backends import Boolean
    >>> cache.put(("a",), Boolean(b"true", "tsv", value=True))
    >>> cache.get(("a",)).payload, cache.get(("b",))
    (b'true', None)
    """

    def __init__(self, max_entries: int, max_bytes: int) -> None:
        self.max_entries = max(max_entries, 0)
        self.max_bytes = max(max_bytes, 0)
        self._entries: OrderedDict[Key, Result] = OrderedDict()
        self._bytes = 0
        # gunicorn's threaded workers may serve requests of one process at once.
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        """False when the bounds leave no room for any answer."""
        return self.max_entries > 0 and self.max_bytes > 0

    def get(self, key: Key) -> Result | None:
        """The answer stored under ``key``, now the most recently used, or None."""
        with self._lock:
            result = self._entries.get(key)
            if result is not None:
                self._entries.move_to_end(key)
            return result

    def put(self, key: Key, result: Result) -> None:
        """Store an answer, forgetting the least recently used ones until both bounds hold."""
        size = len(result.payload)
        if not self.enabled or size > self.max_bytes:
            return
        with self._lock:
            previous = self._entries.pop(key, None)
            if previous is not None:
                self._bytes -= len(previous.payload)
            self._entries[key] = result
            self._bytes += size
            while len(self._entries) > self.max_entries or self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= len(evicted.payload)

    def stats(self) -> CacheStats:
        """The number of answers and payload bytes held."""
        with self._lock:
            return CacheStats(len(self._entries), self._bytes)

    def answer(
        self,
        backend: Backend,
        request: QueryRequest,
        *,
        timeout: float | None,
        scope: str = "",
        on_miss: Callable[[], None] | None = None,
    ) -> tuple[Result, bool]:
        """Answer from the cache, else run the query on ``backend`` and keep its answer.

        ``scope`` names the dataset ``backend`` holds when one cache serves several (the
        entailment regimes): the same query on another dataset is another answer. ``on_miss`` is
        called before a query is run (the server's rate limit, which may raise to refuse it).

        Returns:
            The answer, and True when it came from the cache.

        Raises:
            HairOntoError: whatever the query raised (nothing is stored then).
        """
        if not self.enabled:
            if on_miss is not None:
                on_miss()
            return backend.answer(request, timeout=timeout), False
        key = (scope, *request_key(request))
        cached = self.get(key)
        if cached is not None:
            return cached, True
        if on_miss is not None:
            on_miss()
        result = backend.answer(request, timeout=timeout)
        self.put(key, result)
        return result, False
