"""What a read-only public endpoint refuses to run, decided by parsing the query.

Three things are refused, whichever engine runs the query:

* a SPARQL Update (``INSERT``, ``DELETE``, ``LOAD``, ``CLEAR``, ...): the dataset is a release;
* federated ``SERVICE``: the engine would open HTTP connections wherever the query says
  (pyoxigraph ships an HTTP client), which on a public endpoint is a server-side request forgery hole;
* brackets nested deeper than :data:`MAX_NESTING`: both parsers descend recursively. pyoxigraph
  0.5's parser overflows its stack on about 10,000 nested groups or parentheses and takes the
  process down with SIGSEGV, and nested collections ``( ( ( ... ) ) )`` make it slow down
  steeply (17 s at depth 200); rdflib's parser hits Python's recursion limit. A lexical scan
  finds the depth in linear time, before any parser sees the text.

Detection uses rdflib's SPARQL parser, which builds a parse tree without evaluating anything.
Parsing costs milliseconds, so a cheap necessary condition is tested first: a SERVICE pattern
cannot exist unless the keyword appears in the query once SPARQL's ``\\uXXXX`` escapes, which the
grammar applies before tokenizing, are expanded. Only queries that mention the word are parsed.
"""

from __future__ import annotations

import re
from typing import Any

from haironto.errors import QueryRefusedError

_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")

#: The deepest nesting of ``{``, ``(`` and ``[`` a query may have. Real queries stay far below
#: (the curated ones reach 5); a parser starts to suffer in the hundreds (see the module's notes).
MAX_NESTING = 64
# Tokens that may hold brackets without nesting anything: strings (long ones first), IRIs and
# comments; then the brackets themselves.
_NESTING_TOKENS = re.compile(
    r"\'\'\'(?:[^\'\\]|\\.|\'(?!\'\'))*\'\'\'"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\n\r]|\\.)*'"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r'|<[^<>"{}|^`\\\s]*>'
    r"|\#[^\n\r]*"
    r"|(?P<open>[{(\[])|(?P<close>[})\]])",
    re.DOTALL,
)


def nesting_depth(text: str) -> int:
    """The deepest nesting of brackets in a query, outside strings, IRIs and comments.

    >>> nesting_depth("SELECT * { ?s ?p ?o FILTER (?o > 1) }")
    2
    >>> nesting_depth("ASK { ?s ?p '{{{(((' } # ((((")
    1
    """
    depth = deepest = 0
    for match in _NESTING_TOKENS.finditer(expand_codepoints(text)):
        if match.group("open"):
            depth += 1
            deepest = max(deepest, depth)
        elif match.group("close"):
            depth = max(depth - 1, 0)
    return deepest


def check_nesting(text: str, limit: int = MAX_NESTING) -> None:
    """Refuse a query whose brackets nest deeper than ``limit``.

    Raises:
        QueryRefusedError: the query nests deeper.

    >>> check_nesting("SELECT * WHERE " + "{" * 100 + "}" * 100)
    Traceback (most recent call last):
    ...
    haironto.errors.QueryRefusedError: the query nests groups, parentheses or brackets 100 deep; this endpoint allows at most 64
    """
    deepest = nesting_depth(text)
    if deepest > limit:
        raise QueryRefusedError(
            f"the query nests groups, parentheses or brackets {deepest} deep; "
            f"this endpoint allows at most {limit}"
        )


def expand_codepoints(text: str) -> str:
    r"""Expand SPARQL's codepoint escapes, which may spell any part of a query (SPARQL 1.1 §19.2).

    >>> expand_codepoints(r"\u0053ERVICE")
    'SERVICE'
    """
    return _CODEPOINT.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def _node_names(node: Any, found: set[str]) -> set[str]:
    # rdflib's parse tree is made of CompValue (a named dict) and pyparsing lists.
    from rdflib.plugins.sparql.parserutils import CompValue

    if isinstance(node, CompValue):
        found.add(node.name)
        for value in node.values():
            _node_names(value, found)
    elif isinstance(node, list) or type(node).__name__ == "ParseResults":
        for value in node:
            _node_names(value, found)
    return found


def check_no_service(text: str) -> None:
    """Refuse a query that contains a federated ``SERVICE`` pattern.

    Raises:
        QueryRefusedError: the query uses SERVICE, or mentions it in a way the parser cannot clear.

    >>> check_no_service("SELECT * { ?s ?p 'service' }")
    >>> check_no_service("SELECT * { SERVICE <http://example.org/sparql> { ?s ?p ?o } }")
    Traceback (most recent call last):
    ...
    haironto.errors.QueryRefusedError: federated SERVICE queries are not allowed on this endpoint
    """
    if "service" not in expand_codepoints(text).lower():
        return
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except Exception as error:  # pyparsing raises several types; any failure means "cannot clear it"
        raise QueryRefusedError(
            "the query mentions SERVICE and could not be checked for federated patterns "
            f"(reference parser: {error}); federated SERVICE queries are not allowed on this endpoint"
        ) from None
    if "ServiceGraphPattern" in _node_names(tree, set()):
        raise QueryRefusedError("federated SERVICE queries are not allowed on this endpoint")


def is_update(text: str) -> bool:
    """Tell whether a text is a SPARQL Update with at least one operation (parsed only, never run).

    >>> is_update("LOAD <http://example.org/data.ttl>"), is_update("ASK {}"), is_update("# nothing")
    (True, False, False)
    """
    from rdflib.plugins.sparql.parser import parseUpdate

    try:
        tree = parseUpdate(text)
    except Exception:  # not an update, whatever the parser's complaint
        return False
    # An empty text is a valid (empty) update; it is no attempt to write.
    return isinstance(tree.get("request"), list) and len(tree["request"]) > 0


#: Comments, strings and IRIs: the parts of a query where the word FROM is no keyword.
_NOT_KEYWORDS = re.compile(
    r"#[^\n]*|'''.*?'''|\"\"\".*?\"\"\"|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|<[^<>\"{}|^`\\\s]*>",
    re.DOTALL,
)
_FROM = re.compile(r"(?<![\w:.-])FROM(?![\w:-])", re.IGNORECASE)


def has_dataset_clause(text: str) -> bool:
    """Tell whether a query names its own dataset with ``FROM`` or ``FROM NAMED``.

    A store that keeps its named graphs apart (no materialized union) must then leave the
    dataset to the query. The keyword is looked for outside comments, strings and IRIs; a hit
    is confirmed with rdflib's parser, which never evaluates anything.

    >>> has_dataset_clause("SELECT * FROM <http://example.org/g> { ?s ?p ?o }")
    True
    >>> has_dataset_clause("SELECT * { ?s <http://example.org/from> 'FROM' } # from")
    False
    """
    stripped = _NOT_KEYWORDS.sub(" ", expand_codepoints(text))
    if not _FROM.search(stripped):
        return False
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(text)
    except Exception:  # the engine reports the syntax error; assume the clause is there
        return True
    return "DatasetClause" in _node_names(tree, set())
