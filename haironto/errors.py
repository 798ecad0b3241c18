"""Errors a user can cause; each becomes a clear message (a 4xx on HTTP, one line on the CLI)."""

from __future__ import annotations


class HairOntoError(Exception):
    """Base class of every error the package raises on purpose."""


class OntologyLoadError(HairOntoError):
    """An ontology or data file is missing or cannot be parsed."""


class QueryError(HairOntoError):
    """A SPARQL query is malformed, refused, or unknown to the catalogue."""


class QuerySyntaxError(QueryError):
    """A query is not valid SPARQL 1.1; the message carries the parser's message and position."""


class QueryRefusedError(QueryError):
    """A valid query that the service will not run, such as one using federated ``SERVICE``."""


class ReadOnlyError(QueryRefusedError):
    """A SPARQL Update (``INSERT``, ``DELETE``, ``LOAD``, ...): the service and its backends are read-only."""


class QueryTimeoutError(QueryError):
    """A query ran longer than its time limit and was cancelled."""


class QueryResourceError(QueryError):
    """A query needed more memory, or a larger answer, than the limits allow, and was stopped."""


class UnknownTermError(HairOntoError):
    """A term ID, CURIE, IRI or label does not name a term of the ontology.

    Args:
        message: what was asked and why it names no term.
        suggestions: IRIs of terms close to what was asked (by label, synonym or ID), best first.
    """

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions


class MalformedTermError(UnknownTermError):
    """A term ID that does not have the form ``HAIRONTO_`` followed by seven digits."""


class UnknownDocumentError(HairOntoError):
    """A release file or a release version that the service does not have."""


class ReasonerError(HairOntoError):
    """The reasoner could not run (for example, no Java runtime)."""


class BackendError(HairOntoError):
    """A backend descriptor is unknown, or a store cannot be opened or reached."""


class StoreUnavailableError(BackendError):
    """A remote store is down, refuses the service, or answers something that is not SPARQL (HTTP 502)."""


class StoreTimeoutError(BackendError):
    """A remote store did not give its whole answer before the deadline (HTTP 504)."""
