"""Queries forwarded to a remote SPARQL store (``EVKG_SPARQL_ENDPOINT``), as values.

The remote store evaluates; evkg keeps its own rules: the query is parsed first (so a bad query
gets the same 400 and message on every backend, and nothing malformed is forwarded), in a query
process of an empty store, under the time limit (``server.parsing``); the answer is parsed and
written again under the row cap by ``run_job``, and the time limit is sent to the store and
enforced on the HTTP request. A store that is down is a 503.
"""

from __future__ import annotations

from kg.backends import RemoteStore
from kg.remote import StoreError
from server.executor import Answer, Executor, Failure, QueryJob, run_job
from server.parsing import SyntaxCheck


class RemoteExecutor:
    """Runs the endpoint's queries (and the operator's updates) on a remote store."""

    def __init__(self, store: RemoteStore, *, timeout: float | None, checker: Executor) -> None:
        self.store = store
        self.timeout = timeout
        #: Parses queries before they are forwarded: a ``QueryPool`` of an empty store.
        self.checker = checker

    @property
    def writable(self) -> bool:
        return bool(self.store.endpoint.update)

    def check(self, check: SyntaxCheck) -> Failure | None:
        return self.checker.check(check)

    def execute(self, job: QueryJob) -> Answer | Failure:
        failure = self.checker.check(SyntaxCheck(job.query, job.base_iri))
        return failure if failure is not None else run_job(self.store, job)

    def update(self, update: str) -> Failure | None:
        try:
            self.store.update(update)
        except StoreError as error:
            return Failure(error.status, str(error))
        return None
