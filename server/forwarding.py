"""Queries forwarded to a remote SPARQL store (``EVKG_SPARQL_ENDPOINT``), as values.

The remote store evaluates; evkg keeps its own rules: the query is parsed here first (so a bad
query gets the same 400 and message on every backend, and nothing malformed is forwarded), the
answer is parsed and written again under the row cap by ``run_job``, and the time limit is
sent to the store and enforced on the HTTP request. A store that is down is a 503.
"""

from __future__ import annotations

from pyoxigraph import Store

from kg.backends import RemoteStore
from kg.querytext import ask_as_construct, syntax_message
from kg.remote import StoreError
from server.executor import Answer, Failure, QueryJob, run_job
from server.federation import without_services

#: An empty store: parsing a query on it checks the syntax without evaluating anything remote.
_EMPTY = Store()


def syntax_failure(job: QueryJob) -> Failure | None:
    """A 400 when pyoxigraph cannot parse the query (the same message as the embedded store).

    SELECT, CONSTRUCT and DESCRIBE are evaluated lazily, so parsing them runs nothing; an ASK
    is evaluated at once (its SERVICE calls too, here, outside the time limit), so it is
    parsed as the CONSTRUCT with the same body (``ask_as_construct``). An ASK that named a
    SERVICE was forwarded unparsed until 5 Dec: anything the store's own dialect reads went
    through, such as Virtuoso's ``bif:`` functions, undeclared and unchecked.
    """
    error = _parse_error(ask_as_construct(job.query), job.base_iri)
    if error is None:
        return None
    # the query itself fails where its CONSTRUCT did, at parsing (running nothing): its error
    # names its own lines and columns
    error = _parse_error(job.query, job.base_iri) or error
    return Failure(400, f"bad query: {syntax_message(job.query, error)}")


def parses(query: str, base_iri: str | None) -> bool:
    """Whether pyoxigraph parses ``query`` (an ASK as its CONSTRUCT: parsing runs nothing).
    Deeply nested text must be refused before (``nesting_message``): the parser recurses."""
    return _parse_error(ask_as_construct(query), base_iri) is None


def _parse_error(query: str, base_iri: str | None) -> SyntaxError | None:
    """pyoxigraph's error when it cannot parse ``query``; None when it parsed (a failure on
    evaluation is the remote store's to meet). Its SERVICE clauses are read as GRAPH: given a
    query, pyoxigraph calls them at once, and did so here until 5 Dec, outside the time limit
    and (before a 406, or a 303 to the editor) before the allowlist was checked."""
    try:
        _EMPTY.query(without_services(query), base_iri=base_iri)
    except SyntaxError as error:
        return error
    except (ValueError, OSError, RuntimeError):
        return None
    return None


class RemoteExecutor:
    """Runs the endpoint's queries (and the operator's updates) on a remote store."""

    def __init__(self, store: RemoteStore, *, timeout: float | None) -> None:
        self.store = store
        self.timeout = timeout

    @property
    def writable(self) -> bool:
        return bool(self.store.endpoint.update)

    def execute(self, job: QueryJob) -> Answer | Failure:
        failure = syntax_failure(job)
        return failure if failure is not None else run_job(self.store, job)

    def update(self, update: str) -> Failure | None:
        try:
            self.store.update(update)
        except StoreError as error:
            return Failure(error.status, str(error))
        return None
