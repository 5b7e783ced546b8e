"""Finding resources by label: a case-insensitive substring over the label properties."""

from __future__ import annotations

from dataclasses import dataclass

from pyoxigraph import Literal

from kg import iris
from kg.namespaces import DCTERMS, RDFS, SKOS
from server import graph
from server.terms import href

#: Most results a search returns.
SEARCH_LIMIT = 50
#: Longest query text taken (longer text is cut).
MAX_QUERY_LENGTH = 200
#: Properties searched.
SEARCHED = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, DCTERMS.title)


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str
    matched: str
    link: str | None


def search_query(text: str, limit: int = SEARCH_LIMIT) -> str:
    """The SPARQL for a search; ``text`` goes in as an escaped literal, never as syntax."""
    needle = graph.ref(Literal(text.lower()))
    props = "|".join(f"<{p.value}>" for p in SEARCHED)
    base = graph.ref(Literal(iris.base_iri()))
    # The grouping is a subquery so that ORDER BY sees plain variables: Virtuoso refuses an
    # expression over an aggregate's alias in ORDER BY (a remote store may be Virtuoso).
    return f"""SELECT ?s ?matched ?rank WHERE {{ {{
      SELECT ?s (SAMPLE(?l) AS ?matched) (MIN(?local) AS ?rank) WHERE {{
        ?s {props} ?l .
        FILTER(isIRI(?s) && CONTAINS(LCASE(STR(?l)), {needle}))
        BIND(IF(STRSTARTS(STR(?s), {base}), 0, 1) AS ?local)
      }} GROUP BY ?s
    }} }} ORDER BY ?rank STRLEN(STR(?matched)) ?s LIMIT {limit}"""


def search(text: str) -> list[Hit]:
    """Resources with a label containing ``text`` (our own resources first, then shorter labels)."""
    text = text.strip()[:MAX_QUERY_LENGTH]
    if not text:
        return []
    rows = graph.select(search_query(text))
    labels = graph.labels_for(row["s"].value for row in rows)
    return [Hit(row["s"].value, labels.get(row["s"].value, row["matched"].value),
                row["matched"].value, href(row["s"].value)) for row in rows]
