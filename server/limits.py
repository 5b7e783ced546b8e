"""The endpoint's limits, read once from the settings, and how the Service Description states them."""

from __future__ import annotations

import math
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from kg.namespaces import EVKG, XSD
from kg.plurals import counted
from server.executor import Failure
from server.federation import DEFAULT_ALLOWLIST, parse_allowlist
from server.run import QUERIES_PER_THREAD

#: Default settings of the limits (each an ``EVKG_*`` variable).
DEFAULT_LIMITS: dict[str, Any] = {
    "QUERY_TIMEOUT": 30,
    "MAX_ROWS": 10_000,
    "SERVICE_ALLOWLIST": ",".join(DEFAULT_ALLOWLIST),
}


@dataclass(frozen=True)
class Limits:
    """What one query may cost: seconds, rows (0: no cap), and where SERVICE may go."""

    query_timeout: float = 30.0
    max_rows: int = 10_000
    service_allowlist: tuple[str, ...] = DEFAULT_ALLOWLIST

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> Limits:
        """The limits from the app's config (``EVKG_*`` values arrive parsed as JSON or text)."""
        def get(key: str) -> Any:
            return config.get(key, DEFAULT_LIMITS[key])

        return cls(query_timeout=float(get("QUERY_TIMEOUT")), max_rows=int(get("MAX_ROWS")),
                   service_allowlist=parse_allowlist(get("SERVICE_ALLOWLIST")))


#: Seconds a query that finds its server process holding all the queries it takes waits for one
#: of them to end before it is refused: a burst of quick queries goes through.
ADMISSION_WAIT = 1.0


class Admission:
    """How many queries a server process takes at once: ``QUERIES_PER_THREAD`` for each of its
    ``threads`` query threads, running, waiting for a query thread, or waiting for the same
    answer another request computes. One more waits ``ADMISSION_WAIT`` for one of them to end,
    else it is refused, 503 with ``Retry-After``.

    A query waits for a query thread on a gunicorn thread; with as many gunicorn threads as
    query threads, a flood of slow queries held every one, and pages and ``/health`` waited in
    gunicorn's queue behind them for up to a time limit. A worker has ``SPARE_THREADS`` more
    threads than its queries may hold (``server.run``), which answer everything else.
    """

    def __init__(self, threads: int, timeout: float) -> None:
        self.threads = max(1, threads)
        self.most = QUERIES_PER_THREAD * self.threads
        self.timeout = timeout
        self._held = threading.BoundedSemaphore(self.most)

    @contextmanager
    def admitted(self) -> Iterator[Failure | None]:
        """None while the query is taken, else the 503 that refuses it."""
        if not self._held.acquire(timeout=min(ADMISSION_WAIT, self.timeout or ADMISSION_WAIT)):
            retry = max(1, math.ceil(self.timeout)) if self.timeout > 0 else 30
            threads = counted(self.threads, "query thread takes", "query threads take")
            yield Failure(503, f"this server process is running or holding "
                               f"{counted(self.most, 'query')} already, as many as its {threads} "
                               f"(EVKG_THREADS); try again later", {"Retry-After": str(retry)})
            return
        try:
            yield None
        finally:
            self._held.release()


def seconds(value: float) -> str:
    """``value`` as an xsd:decimal lexical form (``30``, ``2.5``)."""
    return f"{value:f}".rstrip("0").rstrip(".")


def limit_triples(endpoint: str, limits: Limits, *, timeout_enforced: bool,
                  max_answer_bytes: int = 0, max_request_bytes: int = 0) -> list[Triple]:
    """Service Description triples stating the row cap, the time limit, the longest answer and
    request body, and the SERVICE allowlist.

    ``evkg:maxRows``, ``evkg:queryTimeout``, ``evkg:maxAnswerBytes`` and
    ``evkg:maxRequestBytes`` are evkg ontology terms (sd has none for limits), each left out
    where there is no limit (0); ``evkg:federatesWith`` lists the endpoints SERVICE may name.
    """
    service = NamedNode(endpoint)
    triples: list[Triple] = []
    for term, most in ((EVKG.maxRows, limits.max_rows), (EVKG.maxAnswerBytes, max_answer_bytes),
                       (EVKG.maxRequestBytes, max_request_bytes)):
        if most > 0:
            triples.append(Triple(service, term, Literal(str(most), datatype=XSD.integer)))
    if timeout_enforced and limits.query_timeout > 0:
        triples.append(Triple(service, EVKG.queryTimeout, Literal(seconds(limits.query_timeout),
                                                                  datatype=XSD.decimal)))
    triples += [Triple(service, EVKG.federatesWith, NamedNode(iri))
                for iri in limits.service_allowlist]
    return triples
