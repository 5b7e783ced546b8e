"""The release's own description in ``graph/metadata``: VoID and DCAT with per-graph statistics.

Counts describe exactly what is served: a build counts while its dumps read the graphs
(``kg.release.GraphTally``; the dumps' quads are checked against the store), else they are
computed with SPARQL on the loaded store. No clock time is written: the same inputs give the
same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, Store

from kg import iris
from kg.namespaces import DCAT, DCTERMS, FOAF, PROV, RDF, RDFS, VOID, XSD
from kg.store import first_count

#: The dataset's licence (data) — CC BY 4.0, as the ontology.
LICENSE = NamedNode("https://creativecommons.org/licenses/by/4.0/")
#: Release files, by format name: (file name, media type).
DUMPS: dict[str, tuple[str, str]] = {
    "turtle": ("evkg.ttl.gz", "text/turtle"),
    "ntriples": ("evkg.nt.gz", "application/n-triples"),
    "nquads": ("evkg.nq.gz", "application/n-quads"),
    "jsonld": ("evkg.jsonld.gz", "application/ld+json"),
}
#: Vocabularies the graph uses (void:vocabulary).
VOCABULARIES = (
    "http://purl.org/spar/fabio/", "http://purl.org/ontology/bibo/", "http://purl.org/spar/cito/",
    "http://purl.org/dc/terms/", "http://xmlns.com/foaf/0.1/", "https://schema.org/",
    "http://www.w3.org/ns/prov#", "http://www.w3.org/2004/02/skos/core#",
    "http://id.nlm.nih.gov/mesh/vocab#", "https://w3id.org/evkg/ontology#",
)


#: The dumps' tallies of the graphs they wrote: per graph IRI, ``kg.release.GraphTally.summary``
#: (triples, distinctSubjects, properties, and classes: typed subjects by class term).
Tallies = dict[str, dict[str, Any]]

#: The statistics of a graph with no triples.
_EMPTY = {"triples": 0, "distinctSubjects": 0, "properties": 0, "classes": 0}


def _int(value: int) -> Literal:
    return Literal(str(value), datatype=XSD.integer)


def _count(store: Store, query: str) -> int:
    return first_count(store.query(query))


def graph_statistics(store: Store, graph: NamedNode) -> dict[str, int]:
    g = f"<{graph.value}>"
    return {
        "triples": _count(store, f"SELECT (COUNT(*) AS ?n) {{ GRAPH {g} {{ ?s ?p ?o }} }}"),
        "distinctSubjects": _count(
            store, f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ GRAPH {g} {{ ?s ?p ?o }} }}"),
        "properties": _count(
            store, f"SELECT (COUNT(DISTINCT ?p) AS ?n) {{ GRAPH {g} {{ ?s ?p ?o }} }}"),
        "classes": _count(
            store, f"SELECT (COUNT(DISTINCT ?c) AS ?n) {{ GRAPH {g} {{ ?s a ?c }} }}"),
    }


#: Per named graph: triples, distinct subjects and properties, in one scan of the store.
GRAPH_STATISTICS = """
SELECT ?g (COUNT(*) AS ?triples) (COUNT(DISTINCT ?s) AS ?subjects) (COUNT(DISTINCT ?p) AS ?properties)
{ GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"""
#: Per named graph: distinct classes (only the rdf:type triples are read).
GRAPH_CLASSES = "SELECT ?g (COUNT(DISTINCT ?c) AS ?n) { GRAPH ?g { ?s a ?c } } GROUP BY ?g"


def all_graph_statistics(store: Store) -> dict[str, dict[str, int]]:
    """``graph_statistics`` of every named graph, by graph IRI, from two queries (each of the
    per-graph counts is a full scan of the graph: at millions of articles they add up)."""
    found: dict[str, dict[str, int]] = {}
    solutions = store.query(GRAPH_STATISTICS)
    assert isinstance(solutions, QuerySolutions)
    for graph, triples, subjects, properties in solutions:
        if graph is not None:
            found[graph.value] = {
                "triples": int(triples.value) if triples is not None else 0,
                "distinctSubjects": int(subjects.value) if subjects is not None else 0,
                "properties": int(properties.value) if properties is not None else 0,
                "classes": 0}
    solutions = store.query(GRAPH_CLASSES)
    assert isinstance(solutions, QuerySolutions)
    for graph, classes in solutions:
        if graph is not None and graph.value in found:
            found[graph.value]["classes"] = int(classes.value) if classes is not None else 0
    return found


def class_partitions(store: Store) -> list[tuple[str, int]]:
    solutions = store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { GRAPH ?g { ?s a ?c } } GROUP BY ?c ORDER BY ?c")
    assert isinstance(solutions, QuerySolutions)
    return [(row[0].value, int(row[1].value)) for row in solutions
            if row[0] is not None and row[1] is not None]


def tallied_statistics(tallies: Tallies) -> dict[str, dict[str, int]]:
    """``all_graph_statistics`` from the dumps' tallies (``GraphTally.summary``)."""
    return {graph: {"triples": t["triples"], "distinctSubjects": t["distinctSubjects"],
                    "properties": t["properties"], "classes": len(t["classes"])}
            for graph, t in tallies.items()}


#: How many subjects typed ``c`` in one graph are typed ``c`` in a graph counted before it.
_TYPED_BEFORE = """SELECT (COUNT(*) AS ?n) {{ GRAPH <{graph}> {{ ?s a {cls} }}
  FILTER EXISTS {{ GRAPH ?h {{ ?s a {cls} }}
    FILTER(?h != <{graph}> && (?h = <{largest}> || STR(?h) < "{graph}")) }} }}"""


def tallied_class_partitions(store: Store, tallies: Tallies) -> list[tuple[str, int]]:
    """``class_partitions`` from the dumps' tallies: each graph's typed subjects per class,
    less the subjects typed with the same class in more than one graph. Those are looked up
    (``_TYPED_BEFORE``) only for a class that more than one graph uses, from every graph but
    the one that types the most subjects with it, which is only read by index lookups."""
    per_class: dict[str, dict[str, int]] = {}
    for graph, tally in tallies.items():
        for term, n in tally["classes"].items():
            per_class.setdefault(term, {})[graph] = n
    found = []
    # a blank node or literal as a class has no partition to name
    named = sorted((term[1:-1], graphs) for term, graphs in per_class.items() if term[0] == "<")
    for cls, graphs in named:
        term = f"<{cls}>"
        entities = sum(graphs.values())
        if len(graphs) > 1:
            largest = max(graphs, key=lambda g: (graphs[g], g))
            entities -= sum(_count(store, _TYPED_BEFORE.format(graph=g, cls=term, largest=largest))
                            for g in sorted(graphs) if g != largest)
        found.append((cls, entities))
    return found


#: IANA's register: DCAT names a media type by its IRI there (a ``dcterms:MediaType``).
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


def media_type_iri(media_type: str) -> NamedNode:
    return NamedNode(MEDIA_TYPES + media_type)


def metadata_quads(store: Store, version: str, tallies: Tallies | None = None,
                   based_on: str = "") -> Iterator[Quad]:
    """VoID + DCAT for the whole dataset and each named graph, with counts from the dumps'
    ``tallies`` of the store's graphs (``kg.release.GraphTally``) or, without, from SPARQL.
    An ingest's release (``based_on`` the release it updated) names that release's activity
    as the one it continued (``prov:wasInformedBy``)."""
    g = iris.graph_iri("metadata")
    base = iris.base_iri()
    ds = iris.dataset_iri()
    rel = iris.release_iri(version)

    def t(s: NamedNode | BlankNode, p: NamedNode, o: NamedNode | BlankNode | Literal) -> Quad:
        return Quad(s, p, o, g)

    yield t(ds, RDF.type, VOID.Dataset)
    yield t(ds, RDF.type, DCAT.Dataset)
    yield t(ds, DCTERMS.title, Literal("evkg: extracellular vesicles in breast cancer", language="en"))
    yield t(ds, DCTERMS.description, Literal(
        "A knowledge graph of the research literature on extracellular vesicles in breast "
        "cancer: PubMed articles, their MeSH headings, EV cargo, cancer processes and the "
        "evidence-backed findings that join them.", language="en"))
    yield t(ds, DCTERMS.license, LICENSE)
    yield t(ds, DCTERMS.hasVersion, Literal(version))
    yield t(ds, DCAT.version, Literal(version))
    yield t(ds, DCTERMS.publisher, NamedNode(base))
    yield t(NamedNode(base), RDF.type, FOAF.Organization)
    yield t(NamedNode(base), FOAF.name, Literal("evkg"))
    yield t(ds, VOID.sparqlEndpoint, NamedNode(base + "sparql"))
    yield t(ds, VOID.uriSpace, Literal(base))
    for keyword in ("extracellular vesicles", "exosomes", "breast cancer", "PubMed", "MeSH"):
        yield t(ds, DCAT.keyword, Literal(keyword, language="en"))
    for vocabulary in VOCABULARIES:
        yield t(ds, VOID.vocabulary, NamedNode(vocabulary))
    yield t(ds, PROV.wasGeneratedBy, rel)
    yield t(rel, RDF.type, PROV.Activity)
    yield t(rel, DCTERMS.identifier, Literal(version))
    yield t(rel, RDFS.label, Literal(f"evkg release {version}", language="en"))
    if based_on:
        yield t(rel, PROV.wasInformedBy, iris.release_iri(based_on))
    statistics = (all_graph_statistics(store) if tallies is None
                  else tallied_statistics(tallies))
    total = sum(stats["triples"] for stats in statistics.values())
    for name, (file_name, media_type) in DUMPS.items():
        dist = NamedNode(f"{base}downloads/{file_name}")
        yield t(ds, DCAT.distribution, dist)
        yield t(ds, VOID.dataDump, dist)
        yield t(dist, RDF.type, DCAT.Distribution)
        yield t(dist, DCAT.downloadURL, dist)
        yield t(dist, DCAT.mediaType, media_type_iri(media_type))
        yield t(dist, DCAT.compressFormat, media_type_iri("application/gzip"))
        yield t(dist, DCTERMS.title, Literal(f"evkg release {version}, {name}, gzip"))
    for name in iris.GRAPH_NAMES:
        graph = iris.graph_iri(name)
        yield t(ds, VOID.subset, graph)
        yield t(graph, RDF.type, VOID.Dataset)
        yield t(graph, DCTERMS.title, Literal(f"evkg {name} graph", language="en"))
        if name == "metadata":
            continue  # it describes itself: its size is not known until it is written
        stats = statistics.get(graph.value, _EMPTY)
        for key, value in stats.items():
            yield t(graph, VOID[key], _int(value))
    yield t(ds, VOID.triples, _int(total))
    yield t(ds, VOID.classes, _int(_count(
        store, "SELECT (COUNT(DISTINCT ?c) AS ?n) { GRAPH ?g { ?s a ?c } }") if tallies is None
        else len({c for tally in tallies.values() for c in tally["classes"]})))
    partitions = (class_partitions(store) if tallies is None
                  else tallied_class_partitions(store, tallies))
    for number, (cls, entities) in enumerate(partitions, start=1):
        part = BlankNode(f"classpartition{number}")
        yield t(ds, VOID.classPartition, part)
        yield t(part, VOID["class"], NamedNode(cls))
        yield t(part, VOID.entities, _int(entities))
