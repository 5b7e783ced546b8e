"""Queries forwarded to a remote SPARQL store (``EVKG_SPARQL_ENDPOINT``), as values.

The remote store evaluates; evkg keeps its own rules: the query is parsed first (so a bad query
gets the same 400 and message on every backend, and nothing malformed is forwarded), in a query
process of an empty store, under the time limit (``server.parsing``); the answer is parsed and
written again under the row cap by ``run_job``, and what the check left of the time limit is
sent to the store and enforced on the HTTP request (until 6 Dec the store was given the whole
limit again: a request took up to twice it). A store that is down is a 503.
"""

from __future__ import annotations

import time

from kg.backends import RemoteStore
from kg.remote import StoreError
from server.executor import Answer, Failure, QueryJob, run_job
from server.parsing import SyntaxCheck, unchecked_message
from server.querypool import QueryPool

#: The least of the time limit worth forwarding a query with: a check that left less is
#: answered 503, as one that took the whole limit (Virtuoso reads a ``timeout`` of 0 as none).
FORWARD_MIN_SECONDS = 0.1


class RemoteExecutor:
    """Runs the endpoint's queries (and the operator's updates) on a remote store."""

    def __init__(self, store: RemoteStore, *, timeout: float | None, checker: QueryPool) -> None:
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
        """Check ``job``'s query, then forward it with what the check left of the limit (a
        query process started for the check is no time of the query's: until 6 Dec it was,
        and under a short limit the first query after a start was refused)."""
        failure = self.checker.ready()
        if failure is not None:
            return failure
        started = time.monotonic()
        failure = self.checker.check(SyntaxCheck(job.query, job.base_iri))
        if failure is not None:
            return failure
        if self.timeout is None:
            return run_job(self.store, job)
        left = self.timeout - (time.monotonic() - started)
        if left < FORWARD_MIN_SECONDS:
            return Failure(503, unchecked_message(self.timeout), ran=False)
        return run_job(self.store, job, seconds_left=left)

    def update(self, update: str) -> Failure | None:
        try:
            self.store.update(update)
        except StoreError as error:
            return Failure(error.status, str(error))
        return None
