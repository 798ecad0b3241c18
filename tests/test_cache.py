"""The answer cache: its bounds, what it keeps, and query normalization that never merges meanings."""

from __future__ import annotations

import pytest
from rdflib import Literal, URIRef

from haironto.backends import Backend, Boolean, QueryRequest, get_backend
from haironto.cache import ResultCache, normalize_query, request_key
from haironto.errors import QuerySyntaxError, QueryTimeoutError


def answer(size: int) -> Boolean:
    return Boolean(b"x" * size, "json", value=True)


def test_the_least_recently_used_answer_goes_first():
    cache = ResultCache(max_entries=2, max_bytes=1000)
    cache.put(("a",), answer(1))
    cache.put(("b",), answer(1))
    assert cache.get(("a",)) is not None  # now "b" is the least recently used
    cache.put(("c",), answer(1))
    assert cache.get(("b",)) is None
    assert cache.get(("a",)) is not None and cache.get(("c",)) is not None
    assert cache.stats().entries == 2


def test_the_byte_bound_holds():
    cache = ResultCache(max_entries=100, max_bytes=10)
    for key in "abcd":
        cache.put((key,), answer(4))
    stats = cache.stats()
    assert stats.bytes <= 10 and stats.entries == 2
    assert cache.get(("c",)) is not None and cache.get(("d",)) is not None


def test_an_answer_larger_than_the_cache_is_not_kept():
    cache = ResultCache(max_entries=10, max_bytes=10)
    cache.put(("small",), answer(5))
    cache.put(("big",), answer(11))
    assert cache.get(("big",)) is None and cache.get(("small",)) is not None


def test_replacing_an_entry_counts_its_bytes_once():
    cache = ResultCache(max_entries=10, max_bytes=100)
    cache.put(("a",), answer(30))
    cache.put(("a",), answer(40))
    assert cache.stats().bytes == 40


@pytest.mark.parametrize("entries, size", [(0, 100), (10, 0)])
def test_zero_bounds_turn_the_cache_off(entries: int, size: int):
    cache = ResultCache(max_entries=entries, max_bytes=size)
    cache.put(("a",), answer(1))
    assert not cache.enabled and cache.get(("a",)) is None


@pytest.fixture(scope="module")
def tiny() -> Backend:
    engine = get_backend("memory:")
    engine.load(b"<http://example.org/s> <http://example.org/p> 1 .", format="turtle")
    yield engine
    engine.close()


def test_answer_runs_once_then_hits(tiny: Backend):
    cache = ResultCache(max_entries=10, max_bytes=10_000)
    request = QueryRequest("ASK { ?s ?p 1 }", results_format="json")
    first, hit = cache.answer(tiny, request, timeout=None)
    again, hit_again = cache.answer(
        tiny, QueryRequest("ASK {\n  ?s ?p 1 }  # again", results_format="json"), timeout=None
    )
    assert (hit, hit_again) == (False, True) and again is first


def test_errors_and_timeouts_are_not_kept(tiny: Backend):
    cache = ResultCache(max_entries=10, max_bytes=10_000)
    with pytest.raises(QuerySyntaxError):
        cache.answer(tiny, QueryRequest("ASK {"), timeout=None)
    assert cache.stats().entries == 0
    slow = QueryRequest("SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f }")
    with pytest.raises(QueryTimeoutError):
        cache.answer(_Timing(), slow, timeout=1)
    assert cache.stats().entries == 0


class _Timing(Backend):
    """A backend whose every query times out."""

    descriptor = "timing:"

    def _load(self, source, graph_iri):
        raise NotImplementedError

    def dump(self):
        raise NotImplementedError

    def stats(self):
        raise NotImplementedError

    def _execute(self, request):
        raise NotImplementedError

    def answer(self, request, *, timeout=None):
        raise QueryTimeoutError("too slow")


# -- normalization ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "one, other",
    [
        ("SELECT * { ?s ?p ?o }", "  SELECT *\n{\t?s  ?p ?o }\n"),
        ("SELECT * { ?s ?p ?o }", "SELECT * { ?s ?p ?o } # a comment"),
        ("ASK { <http://x.org/a#b> ?p ?o }", "ASK {  <http://x.org/a#b>  ?p ?o }"),
        ("SELECT * { ?s ?p 'a  b' }", "SELECT *  { ?s ?p 'a  b' }"),
    ],
)
def test_layout_and_comments_do_not_matter(one: str, other: str):
    assert normalize_query(one) == normalize_query(other)


@pytest.mark.parametrize(
    "one, other",
    [
        # White space and '#' inside strings are part of the value.
        ("ASK { ?s ?p 'a  b' }", "ASK { ?s ?p 'a b' }"),
        ('ASK { ?s ?p "a # b" }', 'ASK { ?s ?p "a" }'),
        ("ASK { ?s ?p '''a\n\nb''' }", "ASK { ?s ?p '''a\nb''' }"),
        ('ASK { ?s ?p """x""y  z""" }', 'ASK { ?s ?p """x""y z""" }'),
        ("ASK { ?s ?p 'it\\'s  #1' }", "ASK { ?s ?p 'it\\'s #1' }"),
        # An escaped '#' in a prefixed name is no comment.
        ("ASK { ex:a\\#b ?p 1 }", "ASK { ex:a\\#c ?p 1 }"),
        # A codepoint escape may spell a quote: such text is left alone.
        ("ASK { ?s ?p '\\u0027  ' }", "ASK { ?s ?p '\\u0027 ' }"),
        # '<' compared with a string is no IRI: the lexer cannot tell, so it leaves the text alone.
        ("ASK { FILTER(?a<'b>c' && ?d = 'e  f') }", "ASK { FILTER(?a<'b>c' && ?d = 'e f') }"),
        ("ASK { ?s ?p 1 }", "ask { ?s ?p 1 }"),
    ],
)
def test_different_meanings_never_share_a_key(one: str, other: str):
    assert normalize_query(one) != normalize_query(other)


def test_the_key_holds_everything_that_shapes_the_answer():
    base = QueryRequest("ASK {}", 10)
    variants = [
        QueryRequest("ASK {}", 11),
        QueryRequest("ASK {}", 10, default_graph_uris=("http://example.org/g",)),
        QueryRequest("ASK {}", 10, named_graph_uris=("http://example.org/g",)),
        QueryRequest("ASK {}", 10, results_format="xml"),
        QueryRequest("ASK {}", 10, graph_format="turtle"),
        QueryRequest("ASK {}", 10, bindings={"x": URIRef("http://example.org/x")}),
        QueryRequest("ASK {}", 10, bindings={"x": Literal("http://example.org/x")}),
    ]
    keys = {request_key(r) for r in variants}
    assert len(keys) == len(variants) and request_key(base) not in keys
