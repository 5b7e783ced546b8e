"""The release's own description in ``graph/metadata``: VoID and DCAT with per-graph statistics.

Counts describe exactly what is served: a build counts while its dumps read the graphs
(``kg.release.GraphTally``; the dumps' quads are checked against the store), else they are
computed with SPARQL on the loaded store. No clock time is written: the same inputs give the
same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from pyoxigraph import BlankNode, Literal, NamedNode, Quad, QuerySolutions, Store

from kg import iris
from kg.examples import example_quads
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
    # the ontology's, the shapes' and this description's own (a linked-data audit's: unlisted)
    "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2002/07/owl#",
    "http://www.w3.org/ns/shacl#", "http://purl.org/vocab/vann/", "http://rdfs.org/ns/void#",
    "http://www.w3.org/ns/dcat#",
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
    """Class IRI → its entities, in the graphs other than graph/metadata (which
    ``metadata_quads`` counts from its own quads)."""
    solutions = store.query(
        "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) { GRAPH ?g { ?s a ?c } "
        f"FILTER(?g != <{iris.graph_iri('metadata').value}>) }} GROUP BY ?c ORDER BY ?c")
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
                   based_on: str = "", statistics: Sequence[Quad] = ()) -> list[Quad]:
    """graph/metadata: VoID + DCAT for the whole dataset and each named graph, with counts from
    the dumps' ``tallies`` of the store's other graphs (``kg.release.GraphTally``) or, without,
    from SPARQL, and the ``statistics`` quads (``kg.statistics``). An ingest's release
    (``based_on`` the release it updated) names that release's activity as the one it
    continued (``prov:wasInformedBy``).

    The graph counts itself too, as DESIGN.md asks of every named graph: its own counts add
    triples but no subject, property or class it does not have, so they are known before they
    are written; the dataset's totals and class partitions count it as well."""
    g = iris.graph_iri("metadata")
    others = {graph: stats for graph, stats in (all_graph_statistics(store) if tallies is None
                                                else tallied_statistics(tallies)).items()
              if graph != g.value}
    body = list(dict.fromkeys([*_description_quads(version, others, based_on), *statistics]))
    other_classes = ({str(c) for c in _classes(store)} if tallies is None
                     else {c for graph, tally in tallies.items() if graph != g.value
                           for c in tally["classes"]})
    own_types = [q for q in body if q.predicate == RDF.type]
    classes = {str(q.object) for q in own_types}
    entities = dict(class_partitions(store) if tallies is None
                    else tallied_class_partitions(store, tallies))
    for cls, subjects in _typed_subjects(own_types).items():
        entities[cls] = entities.get(cls, 0) + sum(
            1 for s in subjects if cls not in entities or not _typed_elsewhere(store, s, cls))
    ds = iris.dataset_iri()
    described = [*body, Quad(ds, VOID.classes, _int(len(other_classes | classes)), g)]
    for number, (cls, count) in enumerate(sorted(entities.items()), start=1):
        part = BlankNode(f"classpartition{number}")
        described += [Quad(ds, VOID.classPartition, part, g),
                      Quad(part, VOID["class"], NamedNode(cls), g),
                      Quad(part, VOID.entities, _int(count), g)]
    own = {"triples": len(described) + 1 + len(_STATISTIC_KEYS),  # + the total, + these
           "distinctSubjects": len({q.subject for q in described}),
           "properties": len({q.predicate for q in described}
                             | {VOID[key] for key in _STATISTIC_KEYS}),
           "classes": len(classes)}
    described += [Quad(g, VOID[key], _int(own[key]), g) for key in _STATISTIC_KEYS]
    total = sum(stats["triples"] for stats in others.values()) + own["triples"]
    described.append(Quad(ds, VOID.triples, _int(total), g))
    return described


#: The counts given of each named graph.
_STATISTIC_KEYS = ("triples", "distinctSubjects", "properties", "classes")


def _typed_subjects(types: Sequence[Quad]) -> dict[str, set[Any]]:
    """Class IRI → the subjects ``types`` give it (a class that is no IRI has no partition)."""
    found: dict[str, set[Any]] = {}
    for quad in types:
        if isinstance(quad.object, NamedNode):
            found.setdefault(quad.object.value, set()).add(quad.subject)
    return found


def _typed_elsewhere(store: Store, subject: Any, cls: str) -> bool:
    """Whether a graph of the store other than graph/metadata gives ``subject`` class ``cls``."""
    if not isinstance(subject, NamedNode):
        return False
    metadata = iris.graph_iri("metadata")
    return any(quad.graph_name != metadata for quad in
               store.quads_for_pattern(subject, RDF.type, NamedNode(cls)))


def _classes(store: Store) -> list[Any]:
    solutions = store.query("SELECT DISTINCT ?c { GRAPH ?g { ?s a ?c } "
                            f"FILTER(?g != <{iris.graph_iri('metadata').value}>) }}")
    assert isinstance(solutions, QuerySolutions)
    return [row[0] for row in solutions if row[0] is not None]


def _description_quads(version: str, statistics: dict[str, dict[str, int]],
                       based_on: str) -> Iterator[Quad]:
    """The description of the release with the ``statistics`` of the other graphs, but for the
    counts of graph/metadata itself, the dataset's totals and the class partitions
    (``metadata_quads`` adds those)."""
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
    for name, (file_name, media_type) in DUMPS.items():
        dist = NamedNode(f"{base}downloads/{file_name}")
        yield t(ds, DCAT.distribution, dist)
        yield t(ds, VOID.dataDump, dist)
        yield t(dist, RDF.type, DCAT.Distribution)
        yield t(dist, DCAT.downloadURL, dist)
        yield t(dist, DCAT.mediaType, media_type_iri(media_type))
        yield t(dist, DCAT.compressFormat, media_type_iri("application/gzip"))
        yield t(dist, DCTERMS.title, Literal(f"evkg release {version}, {name}, gzip"))
        # (DCAT-AP: a distribution's licence and the page that gives access to it)
        yield t(dist, DCTERMS.license, LICENSE)
        yield t(dist, DCAT.accessURL, NamedNode(f"{base}downloads/"))
    for name in iris.GRAPH_NAMES:
        graph = iris.graph_iri(name)
        yield t(ds, VOID.subset, graph)
        yield t(graph, RDF.type, VOID.Dataset)
        yield t(graph, DCTERMS.title, Literal(f"evkg {name} graph", language="en"))
        if name == "metadata":
            continue  # it counts itself last (metadata_quads)
        stats = statistics.get(graph.value, _EMPTY)
        for key, value in stats.items():
            yield t(graph, VOID[key], _int(value))
    yield from example_quads(g)
