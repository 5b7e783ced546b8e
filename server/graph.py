"""Reading the served graph for pages: SPARQL only, so the store may one day be a remote endpoint.

Every page query goes through ``select`` or ``construct`` here, over the union of the
named graphs (the endpoint's default graph).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import cast

from pyoxigraph import BlankNode, Literal, NamedNode, QuerySolutions, Triple

from kg.backends import RemoteStore, rows
from server.state import state
from server.terms import LABEL_PROPERTIES, Term, best_label

Row = dict[str, Term]


def remote() -> bool:
    """Whether the store served is a remote SPARQL endpoint (not the embedded release)."""
    return isinstance(state().store, RemoteStore)


def _run(query: str) -> object:
    return state().store.query(query, use_default_graph_as_union=True)


def select(query: str) -> list[Row]:
    """The rows of a SELECT, each a dict of the bound variables."""
    solutions = _run(query)
    assert isinstance(solutions, QuerySolutions)
    names = [v.value for v in solutions.variables]
    found: list[Row] = []
    for solution in rows(solutions):
        row: Row = {}
        for name in names:
            term = solution[name]
            if term is not None:
                row[name] = cast(Term, term)
        found.append(row)
    return found


def select_stream(query: str) -> Iterator[Row]:
    """The rows of a SELECT, read lazily (for long answers such as a sitemap).

    The query starts now, inside the request; the rows may be read after it (a streamed body).
    """
    solutions = _run(query)
    assert isinstance(solutions, QuerySolutions)
    names = [v.value for v in solutions.variables]
    return ({n: cast(Term, s[n]) for n in names if s[n] is not None} for s in rows(solutions))


def construct(query: str) -> list[Triple]:
    """The triples of a CONSTRUCT, without duplicates, in the order they came."""
    seen: dict[Triple, None] = {}
    for triple in cast(Iterable[Triple], _run(query)):
        seen.setdefault(triple, None)
    return list(seen)


def ask(query: str) -> bool:
    """The answer of an ASK query."""
    return bool(_run(query))


def count(query: str) -> int:
    """The integer in the first variable of the first row (for ``SELECT (COUNT(…) AS ?n)``)."""
    found = select(query)
    if not found or not found[0]:
        return 0
    return int(next(iter(found[0].values())).value)


def ref(term: NamedNode | BlankNode | Literal) -> str:
    """A term written into a query (N-Triples syntax escapes what a user typed)."""
    return str(term)


def values(iris: Iterable[str]) -> str:
    """The body of a ``VALUES ?x { … }`` block for these IRIs."""
    return " ".join(f"<{iri}>" for iri in dict.fromkeys(iris))


JOURNAL_ABBREVIATION = NamedNode("http://purl.org/spar/fabio/hasNLMJournalTitleAbbreviation")
#: Facts about linked resources a page needs besides labels (authors' names, journal ISSN …).
RELATED_PROPERTIES = (
    *LABEL_PROPERTIES,
    NamedNode("http://xmlns.com/foaf/0.1/familyName"),
    NamedNode("http://xmlns.com/foaf/0.1/givenName"),
    NamedNode("https://w3id.org/evkg/ontology#initials"),
    NamedNode("https://schema.org/sameAs"),
    NamedNode("http://purl.org/ontology/bibo/issn"),
    NamedNode("http://purl.org/ontology/bibo/eissn"),
    JOURNAL_ABBREVIATION,
    # a group author is a foaf:Organization, not a person (schema.org's author type)
    NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
)


#: IRIs one query of ``related_facts`` names at most: Virtuoso 7.2 refuses a VALUES block of
#: some 4,100 or more ("SP030 … Too many arguments"), and a page of an article with 4,500
#: authors names as many.
RELATED_BATCH = 1000


def related_facts(iris: Iterable[str]) -> dict[str, dict[str, list[Term]]]:
    """IRI → property IRI → values, for the ``RELATED_PROPERTIES`` of each IRI (a query for
    each ``RELATED_BATCH`` of them)."""
    wanted = list(dict.fromkeys(iris))
    facts: dict[str, dict[str, list[Term]]] = {}
    # FILTER IN, not a second VALUES: Oxigraph plans two VALUES blocks ~8x slower.
    properties = ", ".join(f"<{p.value}>" for p in RELATED_PROPERTIES)
    for start in range(0, len(wanted), RELATED_BATCH):
        rows = select(f"SELECT DISTINCT ?x ?p ?o WHERE {{ VALUES ?x "
                      f"{{ {values(wanted[start:start + RELATED_BATCH])} }} "
                      f"?x ?p ?o FILTER(?p IN ({properties})) }}")
        for row in rows:
            facts.setdefault(row["x"].value, {}).setdefault(row["p"].value, []).append(row["o"])
    return facts


def labels_from(facts: dict[str, dict[str, list[Term]]]) -> dict[str, str]:
    """IRI → the label to show, from ``related_facts``."""
    label_iris = {p.value for p in LABEL_PROPERTIES}
    labels: dict[str, str] = {}
    for iri, by_property in facts.items():
        candidates = [(p, o) for p, objects in by_property.items() if p in label_iris
                      for o in objects if isinstance(o, Literal)]
        label = best_label(candidates)
        abbreviations = by_property.get(JOURNAL_ABBREVIATION.value, [])
        if label is None and abbreviations:
            label = abbreviations[0].value  # a journal known only by its NLM abbreviation
        if label is not None:
            labels[iri] = label
    return labels


def labels_for(iris: Iterable[str]) -> dict[str, str]:
    return labels_from(related_facts(iris))
