"""The endpoint's limits, read once from the settings, and how the Service Description states them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from kg.namespaces import EVKG, XSD
from server.federation import DEFAULT_ALLOWLIST, parse_allowlist

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


def seconds(value: float) -> str:
    """``value`` as an xsd:decimal lexical form (``30``, ``2.5``)."""
    return f"{value:f}".rstrip("0").rstrip(".")


def limit_triples(endpoint: str, limits: Limits, *, timeout_enforced: bool) -> list[Triple]:
    """Service Description triples stating the row cap, the time limit and the SERVICE allowlist.

    ``evkg:maxRows`` and ``evkg:queryTimeout`` are evkg ontology terms (sd has none for limits);
    ``evkg:federatesWith`` lists the endpoints SERVICE may name.
    """
    service = NamedNode(endpoint)
    triples: list[Triple] = []
    if limits.max_rows > 0:
        triples.append(Triple(service, EVKG.maxRows, Literal(str(limits.max_rows),
                                                             datatype=XSD.integer)))
    if timeout_enforced:
        triples.append(Triple(service, EVKG.queryTimeout, Literal(seconds(limits.query_timeout),
                                                                  datatype=XSD.decimal)))
    triples += [Triple(service, EVKG.federatesWith, NamedNode(iri))
                for iri in limits.service_allowlist]
    return triples
