"""Running SPARQL against the release's store and serialising the answer.

``LocalExecutor`` evaluates in the calling process. The server wraps it so that a query can be
stopped at its time limit (pyoxigraph's ``query()`` cannot be cancelled), but the evaluation and
serialisation rules live here.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
)

from kg.namespaces import PREFIXES

#: Results media type → pyoxigraph format.
RESULTS_FORMATS = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "application/xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
#: Media types that get a charset parameter.
TEXT_TYPES = ("text/csv", "text/tab-separated-values", "text/turtle")


class QueryError(Exception):
    """A query that cannot be answered: bad syntax or a failed evaluation (a 400)."""


@dataclass(frozen=True)
class Answer:
    body: bytes
    content_type: str
    truncated: bool = False
    rows: int | None = None


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type in TEXT_TYPES else media_type


def dataset_options(default_graphs: list[str], named_graphs: list[str]) -> dict[str, object]:
    """pyoxigraph query options for the protocol's dataset parameters (union by default)."""
    if not default_graphs and not named_graphs:
        return {"use_default_graph_as_union": True}
    options: dict[str, object] = {}
    if default_graphs:
        options["default_graph"] = [NamedNode(g) for g in default_graphs]
    if named_graphs:
        options["named_graphs"] = [NamedNode(g) for g in named_graphs]
    return options


def serialize_answer(results: object, media_type: str) -> bytes:
    """Serialise pyoxigraph results in ``media_type`` (chosen by negotiation)."""
    out = io.BytesIO()
    if isinstance(results, (QuerySolutions, QueryBoolean)):
        fmt = RESULTS_FORMATS.get(media_type)
        if fmt is None:
            raise QueryError(f"a SELECT or ASK result cannot be given as {media_type}")
        results.serialize(out, fmt)
    else:
        rdf_format = RdfFormat.from_media_type(media_type)
        if rdf_format is None or media_type in RESULTS_FORMATS:
            raise QueryError(f"a CONSTRUCT or DESCRIBE result cannot be given as {media_type}")
        prefixes = PREFIXES if rdf_format in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
        results.serialize(out, rdf_format, prefixes=prefixes)  # type: ignore[attr-defined]
    return out.getvalue()


class LocalExecutor:
    """Evaluates queries on a store in this process."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def execute(self, query: str, media_type: str, default_graphs: list[str] | None = None,
                named_graphs: list[str] | None = None) -> Answer:
        try:
            options = dataset_options(default_graphs or [], named_graphs or [])
            results = self.store.query(query, **options)  # type: ignore[arg-type]
            body = serialize_answer(results, media_type)
        except (SyntaxError, ValueError) as error:
            raise QueryError(f"bad query: {error}") from None
        except (OSError, RuntimeError) as error:
            raise QueryError(f"the query failed: {error}") from None
        return Answer(body, content_type(media_type))

    def update(self, update: str) -> None:
        try:
            self.store.update(update)
        except SyntaxError as error:
            raise QueryError(f"bad update: {error}") from None
