"""Running one SPARQL query against a store and serialising the answer, as a value.

``run_job`` holds the evaluation and serialisation rules; it returns an ``Answer`` or a
``Failure`` and never raises for a bad query. ``LocalExecutor`` calls it in this process (for the
in-memory stores of tests and tools); ``server.querypool.QueryPool`` calls it in a child process
that can be killed at the time limit. Nothing here imports Flask: the query child runs it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from itertools import islice
from typing import Protocol, cast

from pyoxigraph import (
    NamedNode,
    QueryBoolean,
    QueryResultsFormat,
    QuerySolutions,
    RdfFormat,
    Store,
    Triple,
    serialize,
)

from kg.backends import QueryableStore, QueryResult, RemoteStore
from kg.namespaces import PREFIXES
from kg.querying import (
    distinct_triples,
    format_table,
    selected_variables,
    solution_rows,
    stored_order,
)
from kg.querytext import syntax_message
from kg.remote import StoreError
from kg.results import NOT_PYOXIGRAPHS, WRITERS, rdf_xml, write_boolean, write_solutions
from server.failures import Failure as Failure  # (imported from here by most modules)
from server.federation import service_targets, silent_services
from server.parsing import SyntaxCheck, syntax_failure

#: Results media type → pyoxigraph format (for ASK and uncapped SELECT).
RESULTS_FORMATS = {
    "application/sparql-results+json": QueryResultsFormat.JSON,
    "application/sparql-results+xml": QueryResultsFormat.XML,
    "text/csv": QueryResultsFormat.CSV,
    "text/tab-separated-values": QueryResultsFormat.TSV,
}
#: Media types that get a charset parameter.
TEXT_TYPES = ("text/csv", "text/tab-separated-values", "text/plain", "text/turtle",
              "application/n-triples", "application/n-quads", "application/trig")
#: RDF syntaxes written with the project's prefixes.
PREFIXED_FORMATS = (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML)
#: RDF/XML can write a property only if its IRI ends in an XML name (pyoxigraph writes a broken
#: element otherwise, e.g. for ``<urn:x:1>``).
_XML_PROPERTY = re.compile(r"[A-Za-z_\u00C0-\uFFFF][\w.\-\u00B7]*\Z")


class QueryError(Exception):
    """Kept for callers that raise; the server itself passes ``Failure`` values."""


@dataclass(frozen=True)
class QueryJob:
    """Everything the evaluation depends on (and so everything a cache key must hold)."""

    query: str
    media_type: str
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    #: Use the union of the named graphs as the default graph (the protocol named no graphs and
    #: the query has no FROM).
    union: bool = True
    #: At most this many rows (SELECT) or triples (CONSTRUCT/DESCRIBE); 0 means no cap.
    max_rows: int = 0
    #: The service's base IRI, against which relative IRIs in the query resolve.
    base_iri: str | None = None


@dataclass(frozen=True)
class Answer:
    body: bytes
    content_type: str
    #: ``rows=N`` or ``triples=N`` when the answer stops at the cap N and more existed.
    truncation: str | None = None


class Executor(Protocol):
    """Runs queries (and, when the store allows it, updates) for the server."""

    @property
    def writable(self) -> bool:
        """Whether ``update`` can change the store."""

    @property
    def timeout(self) -> float | None:
        """Seconds after which a query is stopped, or None when queries cannot be stopped."""

    def execute(self, job: QueryJob) -> Answer | Failure: ...

    def check(self, check: SyntaxCheck) -> Failure | None:
        """None when the query parses, else its 400 (or the 503 of a check past the time
        limit: ``server.parsing``)."""

    def update(self, update: str) -> Failure | None: ...


def content_type(media_type: str) -> str:
    return f"{media_type}; charset=utf-8" if media_type in TEXT_TYPES else media_type


def dataset_options(job: QueryJob) -> dict[str, object]:
    """pyoxigraph query options for the protocol's dataset (the union when none is named)."""
    options: dict[str, object] = {"base_iri": job.base_iri} if job.base_iri else {}
    if not job.default_graphs and not job.named_graphs:
        return {**options, "use_default_graph_as_union": True} if job.union else options
    # the protocol's dataset is exactly what it names: default-graph-uri alone means no
    # named graphs (SPARQL 1.1 Protocol 2.1.4), named-graph-uri alone an empty default graph
    options["default_graph"] = [NamedNode(g) for g in job.default_graphs]
    options["named_graphs"] = [NamedNode(g) for g in job.named_graphs]
    return options


def _graph_answer(triples: list[Triple], media_type: str) -> bytes | Failure:
    fmt = RdfFormat.from_media_type(media_type)
    if fmt is None:
        return Failure(406, f"a CONSTRUCT or DESCRIBE result cannot be given as {media_type}")
    if fmt == RdfFormat.RDF_XML:  # from_media_type makes a new value: `is` never held
        for triple in triples:
            if not _XML_PROPERTY.search(triple.predicate.value):
                return Failure(406, f"the property <{triple.predicate.value}> cannot be written "
                                    "in RDF/XML; ask for Turtle, N-Triples or JSON-LD instead")
    if fmt == RdfFormat.JSON_LD and any(isinstance(t.object, Triple) for t in triples):
        return Failure(406, "a result with RDF 1.2 triple terms (<<( … )>>) cannot be written "
                            "as JSON-LD; ask for Turtle, N-Triples or RDF/XML instead")
    prefixes = PREFIXES if fmt in PREFIXED_FORMATS else None
    body = serialize(triples, format=fmt, prefixes=prefixes) or b""
    return rdf_xml(body) if fmt == RdfFormat.RDF_XML else body


def _answer(results: QueryResult, job: QueryJob) -> Answer | Failure:
    """Serialise evaluated ``results`` for ``job``; an answer that XML 1.0 cannot hold is a
    406 (the serialisers wrote control characters raw: no XML parser reads that)."""
    answer = _serialised(results, job)
    if (isinstance(answer, Answer) and job.media_type in XML_TYPES
            and (bad := _NOT_XML.search(answer.body))):
        return Failure(406, f"the answer holds the character U+{ord(bad.group().decode()):04X}"
                            ", which XML 1.0 cannot carry: ask for JSON, CSV or TSV (or Turtle, "
                            "N-Triples, JSON-LD for a graph) instead")
    return answer


#: Results types that write an ASK's answer as a table (``kg.results.ASK_COLUMN``).
BOOLEAN_TABLES = ("text/csv", "text/tab-separated-values")
#: Media types written as XML, and the characters XML 1.0 has no place for.
XML_TYPES = ("application/sparql-results+xml", "application/rdf+xml")
_NOT_XML = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]|\xef\xbf[\xbe\xbf]")  # U+FFFE, U+FFFF too


def _serialised(results: QueryResult, job: QueryJob) -> Answer | Failure:
    """Serialise evaluated ``results`` for ``job``; the cap applies to rows and triples."""
    cap = job.max_rows if job.max_rows > 0 else None
    if isinstance(results, QueryBoolean | QuerySolutions):
        if job.media_type not in WRITERS:
            return Failure(406, f"a SELECT or ASK result cannot be given as {job.media_type}")
        if isinstance(results, QueryBoolean) and job.media_type in BOOLEAN_TABLES:
            return Answer(write_boolean(job.media_type, bool(results)),
                          content_type(job.media_type))
        variables = (selected_variables(results, job.query)
                     if isinstance(results, QuerySolutions) else [])
        if isinstance(results, QueryBoolean) or (
                cap is None and job.media_type not in NOT_PYOXIGRAPHS
                and variables == stored_order(results)):  # (a SELECT *: its variables' order)
            fmt = RESULTS_FORMATS.get(job.media_type)
            if fmt is None:  # text/plain: the table `evkg query --format table` prints
                return Answer(format_table(results, variables).encode(),
                              content_type(job.media_type))
            out = io.BytesIO()
            results.serialize(out, fmt)
            return Answer(out.getvalue(), content_type(job.media_type))
        if cap is None:  # (CSV or XML, above) row by row as the store gives them, not listed
            return Answer(write_solutions(job.media_type, variables,
                                          solution_rows(results, variables)),
                          content_type(job.media_type))
        rows = list(islice(solution_rows(results, variables), cap + 1))
        body = write_solutions(job.media_type, variables, rows[:cap])
        return Answer(body, content_type(job.media_type),
                      f"rows={cap}" if len(rows) > cap else None)
    distinct = distinct_triples(results)
    triples = list(islice(distinct, cap + 1)) if cap else list(distinct)
    graph = _graph_answer(triples[:cap] if cap else triples, job.media_type)
    if isinstance(graph, Failure):
        return graph
    truncated = cap is not None and len(triples) > cap
    return Answer(graph, content_type(job.media_type), f"triples={cap}" if truncated else None)


def _silenced(job: QueryJob) -> QueryJob | None:
    """``job`` with each ``SERVICE SILENT`` clause whose endpoint fails written ``{}``, one
    empty solution (as SPARQL 1.1 Federated Query §4 has a failed SILENT SERVICE give), or
    None when none fails. pyoxigraph ignores a SILENT endpoint that cannot be reached or
    answers an error status, but not an answer that breaks off or does not parse (read as the
    rows are asked for): that failed the whole query. Each clause is tried alone: its
    solutions depend on no other part of the query."""
    query = job.query
    for clause in reversed(silent_services(query)):
        try:
            list(cast(QuerySolutions, Store().query(clause.probe, base_iri=job.base_iri)))
        except (OSError, RuntimeError, SyntaxError, ValueError):
            query = f"{query[:clause.start]}{{}}{query[clause.end:]}"
    return None if query == job.query else replace(job, query=query)


def run_job(store: QueryableStore, job: QueryJob, *, silence: bool = True,
            seconds_left: float | None = None,
            planned: Callable[[], None] | None = None) -> Answer | Failure:
    """Evaluate and serialise ``job`` on ``store``; a bad query is a 400 ``Failure``, a remote
    store that is down or too slow a 503. With ``silence``, a query that fails at a ``SERVICE
    SILENT`` endpoint is run again without it. ``seconds_left``: what remains of the time
    limit, for a remote store (``RemoteStore.send``). ``planned`` is called when the store's
    ``query`` returned: the query is parsed and planned, and its rows are to be computed
    (pyoxigraph computes an aggregate's, ORDER BY's and an ASK's answer before it returns)."""
    try:
        options = dataset_options(job)
    except ValueError as error:
        return Failure(400, f"bad graph IRI in default-graph-uri or named-graph-uri: {error}")
    if seconds_left is not None and isinstance(store, RemoteStore):
        options["seconds_left"] = seconds_left
    try:
        results = store.query(job.query, **options)  # type: ignore[arg-type]
        if planned is not None:
            planned()
        answer = _answer(results, job)
        if (isinstance(store, RemoteStore) and isinstance(answer, Answer)
                and answer.truncation is None and (cut := store.store_cut()) is not None):
            answer = replace(answer, truncation=f"rows={cut}")  # the store's own cap
        return answer
    except StoreError as error:
        return Failure(error.status, str(error))
    except SyntaxError as error:
        if isinstance(store, RemoteStore):  # the query parsed here: the store's answer did not
            return Failure(502, "the SPARQL store's answer broke off (a SERVICE endpoint it "
                                f"called may have failed): {error}")
        return Failure(400, f"bad query: {syntax_message(job.query, error)}")
    except (ValueError, TypeError) as error:
        return Failure(400, f"bad query: {error}")
    except (OSError, RuntimeError) as error:
        # Evaluation errors surface while iterating: the query was fine, something it needed
        # failed: a SERVICE endpoint (a bad gateway, as Fuseki answers) or the store itself
        silenced = _silenced(job) if silence and isinstance(store, Store) else None
        if silenced is not None:
            return run_job(store, silenced, silence=False)
        if service_targets(job.query):  # (the word in a string, ?service, is no SERVICE)
            return Failure(502, f"the query failed, most likely at a SERVICE endpoint: {error}")
        return Failure(500, f"the query failed in the store: {error}")


class LocalExecutor:
    """Evaluates queries on a store in this process: no time limit (used for in-memory stores)."""

    writable = True
    timeout: float | None = None

    def __init__(self, store: Store) -> None:
        self.store = store

    def execute(self, job: QueryJob) -> Answer | Failure:
        return run_job(self.store, job)

    def check(self, check: SyntaxCheck) -> Failure | None:
        return syntax_failure(check)

    def update(self, update: str) -> Failure | None:
        try:
            self.store.update(update)
        except SyntaxError as error:
            return Failure(400, f"bad update: {syntax_message(update, error)}")
        except (OSError, RuntimeError) as error:
            return Failure(403, f"the store is read-only: {error}")
        return None
