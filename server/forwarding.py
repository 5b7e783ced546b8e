"""Queries forwarded to a remote SPARQL store (``EVKG_SPARQL_ENDPOINT``), as values.

The remote store evaluates; evkg keeps its own rules: the query is parsed here first (so a bad
query gets the same 400 and message on every backend, and nothing malformed is forwarded), the
answer is parsed and written again under the row cap by ``run_job``, and the time limit is
sent to the store and enforced on the HTTP request. A store that is down is a 503.
"""

from __future__ import annotations

from pyoxigraph import Store

from kg.backends import RemoteStore, query_form
from kg.querytext import blank, syntax_message
from kg.remote import StoreError
from server.executor import Answer, Failure, QueryJob, run_job

#: An empty store: parsing a query on it checks the syntax without evaluating anything remote.
_EMPTY = Store()


def syntax_failure(job: QueryJob) -> Failure | None:
    """A 400 when pyoxigraph cannot parse the query (the same message as the embedded store).

    SELECT, CONSTRUCT and DESCRIBE are evaluated lazily, so parsing them runs nothing; an ASK
    is evaluated at once, which on an empty store is instant unless it calls a SERVICE, so an
    ASK with a SERVICE is left to the remote store's parser.
    """
    if query_form(job.query) == "ASK" and "SERVICE" in blank(job.query).upper():
        return None
    try:
        _EMPTY.query(job.query, base_iri=job.base_iri)
    except SyntaxError as error:
        return Failure(400, f"bad query: {syntax_message(job.query, error)}")
    except (ValueError, OSError, RuntimeError):
        return None  # parsed; it failed on evaluation, which the remote store does
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
