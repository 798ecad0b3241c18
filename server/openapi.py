"""The OpenAPI 3.1 document of the named-query API, generated from the query catalogue.

Nothing here is written per query: each curated query becomes one path, its front-matter
parameters become typed query parameters (with the very patterns the catalogue validates
against), and its kind of answer (SELECT/ASK or CONSTRUCT) decides the media types listed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from haironto import __version__
from haironto.formats import GRAPH, RESULTS, formats_of
from haironto.namespaces import PREFIX_MAP
from haironto.queries import CURIE_PATTERN, IRI_PATTERN, Param, Query

OPENAPI_VERSION = "3.1.0"

_JSON_TYPES = {"string": "string", "integer": "integer", "decimal": "number", "boolean": "boolean"}

#: The limit headers every answer carries (see :mod:`.sparql`), as OpenAPI header objects.
_HEADERS: dict[str, dict[str, Any]] = {
    "X-HairOnto-Timeout": {
        "description": "Seconds the query was allowed to run.",
        "schema": {"type": "number"},
    },
    "X-HairOnto-Row-Limit": {
        "description": "The most rows (SELECT) or triples (CONSTRUCT) an answer carries.",
        "schema": {"type": "integer"},
    },
    "X-HairOnto-Rows": {
        "description": "Rows or triples in this answer (absent for ASK).",
        "schema": {"type": "integer"},
    },
    "X-HairOnto-Truncated": {
        "description": "`true` when rows beyond the row limit were cut.",
        "schema": {"type": "string", "enum": ["true", "false"]},
    },
}

_TEXT = {"text/plain": {"schema": {"type": "string"}}}

#: The SPARQL 1.1 Query Results JSON Format (https://www.w3.org/TR/sparql11-results-json/).
_SPARQL_RESULTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["head"],
    "properties": {
        "head": {
            "type": "object",
            "properties": {
                "vars": {"type": "array", "items": {"type": "string"}},
                "link": {"type": "array", "items": {"type": "string"}},
            },
        },
        "boolean": {"type": "boolean"},
        "results": {
            "type": "object",
            "required": ["bindings"],
            "properties": {
                "bindings": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": {"$ref": "#/components/schemas/RdfTerm"},
                    },
                }
            },
        },
    },
}

_RDF_TERM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "value"],
    "properties": {
        "type": {"type": "string", "enum": ["uri", "literal", "bnode", "triple"]},
        "value": {},
        "datatype": {"type": "string"},
        "xml:lang": {"type": "string"},
    },
}

_PARAM_ENTRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "type", "description", "default"],
    "properties": {
        "name": {"type": "string"},
        "type": {"type": "string", "enum": ["iri", "string", "integer", "decimal", "boolean"]},
        "description": {"type": "string"},
        "default": {"type": ["string", "null"]},
    },
}

_QUERY_ENTRY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "summary", "description", "tags", "role", "params", "query", "links"],
    "properties": {
        "name": {"type": "string"},
        "summary": {"type": "string"},
        "description": {"type": "string"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "role": {"type": "string", "enum": ["report", "construct", "violation"]},
        "level": {"type": "string", "enum": ["ERROR", "WARN", "INFO"]},
        "params": {"type": "array", "items": {"$ref": "#/components/schemas/QueryParam"}},
        "query": {"type": "string", "description": "The SPARQL text, front matter included."},
        "links": {
            "type": "object",
            "required": ["run", "ui"],
            "properties": {
                "run": {"type": "string", "format": "uri"},
                "ui": {"type": "string", "format": "uri"},
            },
        },
    },
}

_CATALOGUE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["queries", "openapi"],
    "properties": {
        "queries": {"type": "array", "items": {"$ref": "#/components/schemas/CuratedQuery"}},
        "openapi": {"type": "string", "format": "uri"},
    },
}


def parameter_schema(param: Param) -> dict[str, Any]:
    """The JSON Schema of a parameter's value.

    >>> parameter_schema(Param("n", "integer", default="3"))
    {'type': 'integer', 'default': 3}
    """
    if param.type == "iri":
        schema: dict[str, Any] = {
            "type": "string",
            "anyOf": [{"format": "uri", "pattern": IRI_PATTERN}, {"pattern": CURIE_PATTERN}],
        }
    else:
        schema = {"type": _JSON_TYPES[param.type]}
    default = param.json_default()
    if default is not None:
        schema["default"] = default
    return schema


def _parameter(param: Param) -> dict[str, Any]:
    text = param.description or f"the query's ?{param.name}"
    if param.type == "iri":
        text += f" (an http(s) IRI, or a CURIE with prefix {', '.join(PREFIX_MAP)})"
    if param.default is None:
        text += "; when absent the variable stays unbound and matches any value"
    return {
        "name": param.name,
        "in": "query",
        "required": False,
        "description": text,
        "schema": parameter_schema(param),
    }


def _content(kind: str) -> dict[str, Any]:
    content: dict[str, Any] = {}
    for fmt in formats_of(kind):
        if fmt.media_type == "application/sparql-results+json":
            schema: dict[str, Any] = {"$ref": "#/components/schemas/SparqlResults"}
        elif fmt.media_type == "application/ld+json":
            schema = {}
        else:
            schema = {"type": "string"}
        content[fmt.media_type] = {"schema": schema}
    return content


def _operation(query: Query) -> dict[str, Any]:
    answer = "SPARQL results (SELECT/ASK)" if query.kind == RESULTS else "an RDF graph (CONSTRUCT)"
    description = query.description
    if query.role == "violation":
        description += f"\n\nA QC rule of `haironto check` (level {query.level}): every row is a problem."
    return {
        "operationId": query.name,
        "summary": query.summary or query.name,
        "description": description.strip(),
        "tags": list(query.tags),
        "parameters": [
            *(_parameter(p) for p in query.params),
            {"$ref": f"#/components/parameters/{_FORMAT_PARAMETER[query.kind]}"},
            {"$ref": "#/components/parameters/timeout"},
        ],
        "responses": {
            "200": {
                "description": f"The answer, {answer}, in the format chosen by `format` or Accept.",
                "headers": {name: {"$ref": f"#/components/headers/{name}"} for name in _HEADERS},
                "content": _content(query.kind),
            },
            "400": {"$ref": "#/components/responses/BadRequest"},
            "406": {"$ref": "#/components/responses/NotAcceptable"},
            "429": {"$ref": "#/components/responses/TooManyRequests"},
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }


#: The component that describes the ``format`` parameter of each kind of query.
_FORMAT_PARAMETER = {RESULTS: "format", GRAPH: "graph-format"}


def _format_parameter(kind: str) -> dict[str, Any]:
    # Exactly the values the API accepts for this kind of answer (haironto.formats.find_format):
    # a free string would promise that any text is a format.
    accepted = dict.fromkeys(
        value for fmt in formats_of(kind) for value in (fmt.name, fmt.extension, *fmt.media_types)
    )
    answer = "SELECT/ASK results" if kind == RESULTS else "the CONSTRUCT graph"
    return {
        "name": "format",
        "in": "query",
        "required": False,
        "description": f"The format of {answer}, by short name, extension or media type; overrides Accept.",
        "schema": {"type": "string", "enum": list(accepted)},
    }


def openapi_document(queries: Iterable[Query], *, server: str, title: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3.1 document of the API for a catalogue, served from ``server``."""
    queries = list(queries)
    paths: dict[str, Any] = {
        "/api/queries": {
            "get": {
                "operationId": "listQueries",
                "summary": "List the curated queries",
                "description": "Every curated query with its metadata, parameters and links. "
                "Browsers (Accept: text/html) get a page instead.",
                "responses": {
                    "200": {
                        "description": "The catalogue.",
                        "content": {
                            "application/json": {"schema": {"$ref": "#/components/schemas/Catalogue"}},
                            "text/html": {"schema": {"type": "string"}},
                        },
                    }
                },
            }
        }
    }
    for query in queries:
        paths[f"/api/queries/{query.name}"] = {"get": _operation(query)}
    tag_names = sorted({tag for query in queries for tag in query.tags})
    result_types = ", ".join(f.media_type for f in formats_of(RESULTS))
    graph_types = ", ".join(f.media_type for f in formats_of(GRAPH))
    return {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": f"{title or 'HairOnto'}: named-query API",
            "version": __version__,
            "description": (
                "Each curated SPARQL query of HairOnto's `queries/` folder as a GET operation. "
                "Parameters are typed by the query's front matter and bound as RDF terms, never "
                "pasted into the query. Answers are negotiated as on the SPARQL endpoint: "
                f"SELECT/ASK as {result_types}; CONSTRUCT as {graph_types}."
            ),
        },
        "servers": [{"url": server}],
        "tags": [{"name": tag} for tag in tag_names],
        "paths": paths,
        "components": {
            "parameters": {
                "format": _format_parameter(RESULTS),
                "graph-format": _format_parameter(GRAPH),
                "timeout": {
                    "name": "timeout",
                    "in": "query",
                    "required": False,
                    "description": "Seconds the query may run; capped by the server's limit.",
                    "schema": {"type": "number", "exclusiveMinimum": 0},
                },
            },
            "headers": _HEADERS,
            "responses": {
                "BadRequest": {
                    "description": "An unknown or ill-typed parameter, or a malformed format or timeout.",
                    "content": _TEXT,
                },
                "NotAcceptable": {
                    "description": "No accepted media type can hold this kind of answer.",
                    "content": _TEXT,
                },
                "Unavailable": {
                    "description": "The query ran out of time or memory, its answer is over the size "
                    "limit, or the query engine is unavailable.",
                    "content": _TEXT,
                },
                "TooManyRequests": {
                    "description": "The client has used its rate limit of queries that miss the "
                    "answer cache; Retry-After says when to try again.",
                    "headers": {"Retry-After": {"schema": {"type": "integer", "minimum": 1}}},
                    "content": _TEXT,
                },
            },
            "schemas": {
                "SparqlResults": _SPARQL_RESULTS_SCHEMA,
                "RdfTerm": _RDF_TERM_SCHEMA,
                "QueryParam": _PARAM_ENTRY_SCHEMA,
                "CuratedQuery": _QUERY_ENTRY_SCHEMA,
                "Catalogue": _CATALOGUE_SCHEMA,
            },
        },
    }
