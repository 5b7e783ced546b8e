"""Statistics of a release, computed once by the build into ``graph/metadata``.

Aggregates over the whole graph grow slow with it (a GROUP BY over MeSH headings takes seconds at
100k articles), so the build counts once and pages read the counts. Each number is an
``evkg:Statistic`` linked from the dataset::

    <dataset> evkg:statistic _:stat-year-… .
    _:stat-year-… a evkg:YearCount ; evkg:year "2023"^^xsd:gYear ; evkg:count 13 .

Blank node labels are a hash of what was counted, so the same graph gives the same bytes. Each
``*_QUERY`` below is also a ``queries/*.rq`` example (tests check that they agree).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, Store

from kg import iris
from kg.namespaces import EVKG, RDF, XSD

PREFIXES = """PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX meshv: <http://id.nlm.nih.gov/mesh/vocab#>
PREFIX evkg: <https://w3id.org/evkg/ontology#>
"""
#: Articles per publication year (``queries/articles-per-year.rq``).
YEAR_QUERY = PREFIXES + """SELECT ?year (COUNT(DISTINCT ?article) AS ?n) WHERE {
  ?article a schema:ScholarlyArticle ; fabio:hasPublicationYear ?year .
} GROUP BY ?year"""
#: Findings per cargo class and process (``queries/cargo-class-process-counts.rq``): a finding
#: names a cargo molecule (counted under the molecule's cargo class) or a cargo class itself.
CARGO_PROCESS_QUERY = PREFIXES + """SELECT ?class ?process (COUNT(DISTINCT ?finding) AS ?n) WHERE {
  ?finding a evkg:Finding ; evkg:process ?process .
  { ?finding evkg:cargo/a ?class } UNION { ?finding evkg:cargoClass ?class }
  ?class rdfs:subClassOf+ evkg:Cargo .
} GROUP BY ?class ?process"""
#: Articles per MeSH descriptor (``queries/top-mesh-headings.rq``). Oxigraph's planner orders
#: joins by estimates without statistics, and its two ``a`` patterns tie: it starts from the one
#: written first. Starting from the descriptors and looking up the articles that name each took
#: a third of the CPU of starting from every article (3.3 s against 9.6 s at 100k articles; 68 s
#: against 138 s at 1M); the gain rests on that tie-break and could change with Oxigraph.
HEADING_QUERY = PREFIXES + """SELECT ?heading (COUNT(DISTINCT ?article) AS ?n) WHERE {
  { ?heading a meshv:TopicalDescriptor } UNION { ?heading a meshv:CheckTag }
  UNION { ?heading a meshv:GeographicalDescriptor }
  ?article fabio:hasSubjectTerm ?heading ; a schema:ScholarlyArticle .
} GROUP BY ?heading"""


def _rows(store: Store, query: str) -> list[tuple[NamedNode | Literal, ...]]:
    """The rows of an aggregate, in a fixed order (by their terms' text)."""
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    rows = [tuple(term for term in solution if isinstance(term, NamedNode | Literal))
            for solution in solutions]
    return sorted(rows, key=lambda row: [str(term) for term in row])


def statistic_node(kind: str, *keys: NamedNode | Literal) -> BlankNode:
    """A blank node named by what it counts, the same in every build."""
    digest = hashlib.sha256("\x1f".join([kind, *(str(k) for k in keys)]).encode()).hexdigest()
    return BlankNode(f"stat-{kind}-{digest[:16]}")


def _count(value: NamedNode | Literal) -> Literal:
    return Literal(value.value, datatype=XSD.integer)


def statistics_quads(store: Store) -> Iterator[Quad]:
    """The release's statistics (year, cargo class × process and MeSH heading counts)."""
    g = iris.graph_iri("metadata")
    ds = iris.dataset_iri()
    tables: list[tuple[str, NamedNode, str, tuple[NamedNode, ...]]] = [
        ("year", EVKG.YearCount, YEAR_QUERY, (EVKG.year,)),
        ("cargo-process", EVKG.CargoProcessCount, CARGO_PROCESS_QUERY,
         (EVKG.countedCargoClass, EVKG.countedProcess)),
        ("heading", EVKG.HeadingCount, HEADING_QUERY, (EVKG.countedHeading,)),
    ]
    for kind, cls, query, dimensions in tables:
        for row in _rows(store, query):
            *keys, n = row
            if len(keys) != len(dimensions):
                continue  # an unbound dimension: nothing to name the count by
            node = statistic_node(kind, *keys)
            yield Quad(ds, EVKG.statistic, node, g)
            yield Quad(node, RDF.type, cls, g)
            for dimension, key in zip(dimensions, keys, strict=True):
                yield Quad(node, dimension, key, g)
            yield Quad(node, EVKG.count, _count(n), g)
