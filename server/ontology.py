"""The ontology (``graph/ontology``) as RDF and as a documentation page of its terms."""

from __future__ import annotations

from dataclasses import dataclass, field

from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kg import iris
from kg.namespaces import DCTERMS, EVKG, ONTOLOGY_IRI, OWL, RDF, RDFS, SKOS
from server import graph
from server.terms import Term, Value, curie, value_of

#: Sections of the page: (heading, the rdf:type that puts a term in it), in page order.
SECTIONS = (
    ("Classes", OWL.Class.value),
    ("Object properties", OWL.ObjectProperty.value),
    ("Datatype properties", OWL.DatatypeProperty.value),
    ("Annotation properties", OWL.AnnotationProperty.value),
    ("Concept schemes", SKOS.ConceptScheme.value),
    ("Individuals", OWL.NamedIndividual.value),
)
#: Alignment properties shown for a term.
ALIGNMENTS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch,
              SKOS.relatedMatch, OWL.equivalentClass, OWL.equivalentProperty)


def ontology_triples() -> list[Triple]:
    """Every triple of ``graph/ontology``."""
    g = iris.graph_iri("ontology").value
    return graph.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")


@dataclass
class TermDoc:
    """One term of the ontology as its documentation shows it."""

    name: str
    iri: str
    label: str
    definition: str = ""
    types: list[Value] = field(default_factory=list)
    alt_labels: list[str] = field(default_factory=list)
    domain: list[str] = field(default_factory=list)
    range: list[str] = field(default_factory=list)
    parents: list[Value] = field(default_factory=list)
    children: list[Value] = field(default_factory=list)
    alignments: list[tuple[str, Value]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    members: list[Value] = field(default_factory=list)
    member_count: int = 0


@dataclass
class OntologyDoc:
    title: str
    description: str
    version: str
    license: Value | None
    sections: list[tuple[str, list[TermDoc]]]


class _Index:
    def __init__(self, triples: list[Triple]) -> None:
        self.by_subject: dict[NamedNode | BlankNode, list[Triple]] = {}
        for t in triples:
            if isinstance(t.subject, (NamedNode, BlankNode)):
                self.by_subject.setdefault(t.subject, []).append(t)

    def objects(self, subject: NamedNode | BlankNode, predicate: NamedNode) -> list[Term]:
        return [t.object for t in self.by_subject.get(subject, [])
                if t.predicate == predicate and not isinstance(t.object, Triple)]

    def text(self, subject: NamedNode, predicate: NamedNode) -> str:
        found = [o.value for o in self.objects(subject, predicate) if isinstance(o, Literal)]
        return found[0] if found else ""

    def class_expression(self, term: Term, labels: dict[str, str]) -> str:
        """A domain or range as text: a CURIE, or ``A or B`` for an ``owl:unionOf``."""
        if isinstance(term, NamedNode):
            return labels.get(term.value) or curie(term.value)
        if isinstance(term, BlankNode):
            for head in self.objects(term, OWL.unionOf):
                members = []
                node: Term | None = head
                while isinstance(node, BlankNode):
                    members += [self.class_expression(m, labels)
                                for m in self.objects(node, RDF.first)]
                    rest = self.objects(node, RDF.rest)
                    node = rest[0] if rest else None
                return " or ".join(members)
        return term.value


def _local_name(iri: str) -> str:
    return iri[len(EVKG.iri):]


def ontology_doc() -> OntologyDoc:
    """The documentation of every ``evkg:`` term, built from ``graph/ontology`` (two queries)."""
    triples = ontology_triples()
    index = _Index(triples)
    labels = {t.subject.value: t.object.value for t in triples
              if t.predicate == RDFS.label and isinstance(t.subject, NamedNode)
              and isinstance(t.object, Literal)}
    terms = [s for s in index.by_subject if isinstance(s, NamedNode) and s.value.startswith(EVKG.iri)
             and len(s.value) > len(EVKG.iri)]
    members = _scheme_members([t.value for t in terms])
    docs: dict[str, TermDoc] = {}
    for term in terms:
        doc = TermDoc(_local_name(term.value), term.value, labels.get(term.value, _local_name(term.value)))
        doc.definition = index.text(term, SKOS.definition) or index.text(term, RDFS.comment)
        doc.types = sorted((value_of(o, labels) for o in index.objects(term, RDF.type)),
                           key=lambda v: v.order)
        doc.alt_labels = sorted(o.value for o in index.objects(term, SKOS.altLabel))
        doc.domain = [index.class_expression(o, labels) for o in index.objects(term, RDFS.domain)]
        doc.range = [index.class_expression(o, labels) for o in index.objects(term, RDFS.range)]
        doc.parents = sorted((value_of(o, labels) for p in (RDFS.subClassOf, RDFS.subPropertyOf)
                              for o in index.objects(term, p) if isinstance(o, NamedNode)),
                             key=lambda v: v.order)
        doc.alignments = [(curie(p.value), value_of(o, labels)) for p in ALIGNMENTS
                          for o in sorted(index.objects(term, p),
                                          key=lambda o: value_of(o, labels).order)]
        doc.notes = sorted(o.value for o in index.objects(term, SKOS.editorialNote))
        doc.members = members.get(term.value, [])
        doc.member_count = len(doc.members)
        docs[term.value] = doc
    for doc in docs.values():
        for parent in doc.parents:
            if parent.iri in docs:
                docs[parent.iri].children.append(value_of(NamedNode(doc.iri), labels))
    for doc in docs.values():
        doc.children.sort(key=lambda v: v.order)
    sections: list[tuple[str, list[TermDoc]]] = []
    placed: set[str] = set()
    for heading, type_iri in SECTIONS:
        chosen = sorted((d for d in docs.values() if d.iri not in placed
                         and type_iri in {t.iri for t in d.types}), key=lambda d: d.name.lower())
        placed.update(d.iri for d in chosen)
        sections.append((heading, chosen))
    rest = sorted((d for d in docs.values() if d.iri not in placed), key=lambda d: d.name.lower())
    if rest:
        sections.append(("Other terms", rest))
    ontology = NamedNode(ONTOLOGY_IRI)
    licenses = index.objects(ontology, DCTERMS.license)
    return OntologyDoc(
        title=index.text(ontology, DCTERMS.title) or labels.get(ONTOLOGY_IRI, "evkg ontology"),
        description=index.text(ontology, DCTERMS.description),
        version=index.text(ontology, OWL.versionInfo),
        license=value_of(licenses[0], labels) if licenses else None,
        sections=[(h, items) for h, items in sections if items])


def _scheme_members(term_iris: list[str]) -> dict[str, list[Value]]:
    """Concept scheme IRI → its concepts (from graph/vocabulary), labelled and sorted."""
    if not term_iris:
        return {}
    rows = graph.select(
        f"SELECT DISTINCT ?scheme ?concept ?label WHERE {{ VALUES ?scheme {{ {graph.values(term_iris)} }}"
        f" ?concept <{SKOS.inScheme.value}> ?scheme "
        f"OPTIONAL {{ ?concept <{SKOS.prefLabel.value}> ?label }} }}")
    members: dict[str, dict[str, Value]] = {}
    for row in rows:
        concept = row["concept"]
        label = row["label"].value if "label" in row else ""
        members.setdefault(row["scheme"].value, {})[concept.value] = value_of(
            concept, {concept.value: label} if label else {})
    return {scheme: sorted(found.values(), key=lambda v: v.order)
            for scheme, found in members.items()}
