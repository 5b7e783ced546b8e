"""The ontology, the SHACL shapes and the SPARQL checks: well formed, complete and effective.

Uses only rdflib, pyoxigraph, pyshacl and ``kg.namespaces`` (the one place vocabulary terms live).
Facts from ``../shared/vocab`` are checked when that folder is present and skipped otherwise.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

import pytest
import rdflib
from pyoxigraph import NamedNode, QuerySolutions, RdfFormat, Store
from pyshacl import validate
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from kg import namespaces, textmining
from kg.validate import shacl_problems

ROOT = Path(__file__).parents[1]
ONTOLOGY = ROOT / "ontology" / "evkg.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
CHECKS = sorted((ROOT / "ontology" / "checks").glob("*-violation.rq"))
VALID = Path(__file__).parent / "data" / "shapes_valid.ttl"
BROKEN = Path(__file__).parent / "data" / "shapes_broken.ttl"
SHARED_VOCAB = Path(__file__).parents[1] / ".." / "shared" / "vocab"

ONTOLOGY_IRI = rdflib.URIRef(namespaces.ONTOLOGY_IRI)
EVKG = rdflib.Namespace(namespaces.EVKG.iri)
SHAPES_NS = rdflib.Namespace("https://w3id.org/evkg/shapes#")
MESH = rdflib.Namespace(namespaces.MESH.iri)
OBO = rdflib.Namespace(namespaces.OBO.iri)
VANN = rdflib.Namespace("http://purl.org/vocab/vann/")
SCHEMA = rdflib.Namespace(namespaces.SCHEMA.iri)
FABIO = rdflib.Namespace(namespaces.FABIO.iri)
BIBO = rdflib.Namespace(namespaces.BIBO.iri)
#: Our own IRIs: the ontology, the shapes and everything minted under the base.
OWN_BASE = "https://w3id.org/evkg/"
LICENCE = "https://creativecommons.org/licenses/by/4.0/"
#: W3C vocabularies (SPARQL Service Description included: the endpoint's limits are
#: described on its sd:Service), VANN and the licence: allowed beside the namespaces of prefixes.tsv.
STANDARD_NAMESPACES = (
    str(RDF), str(RDFS), str(OWL), "http://www.w3.org/2001/XMLSchema#", str(SKOS), str(SH),
    str(VANN), LICENCE, "http://www.w3.org/ns/sparql-service-description#",
)
#: External terms used structurally that bibliographic_vocab.tsv does not list, and why.
EXTRA_TERMS = {
    # super-property of evkg:electronicPublicationDate (dcterms:issued, which is listed, is its
    # sibling: an e-publication date is not the issue date).
    str(DCTERMS.date),
    # PubMed's DateRevised (docs/model.md), whose shape checks its datatype.
    str(DCTERMS.modified),
    # PubMed's VernacularTitle beside an ArticleTitle, and an abstract's CopyrightInformation
    # (docs/model.md): DCMI's "Alternative Title" and "Rights", one each, by the article shape
    str(DCTERMS.alternative), str(DCTERMS.rights),
    # PubMed's History dates "received" and "accepted" (docs/model.md): DCMI's "Date Submitted"
    # and "Date Accepted", one each, by the article shape
    str(DCTERMS.dateSubmitted), str(DCTERMS.dateAccepted),
    # PubMed's InvestigatorList (docs/model.md): DCMI's "Contributor", whose shape checks it
    # names a person or an organisation, as dcterms:creator's does
    str(DCTERMS.contributor),
    # the media type of a release file in the DCAT description (kg/metadata.py), which
    # DistributionShape checks (the file lists dcat:downloadURL, not it)
    "http://www.w3.org/ns/dcat#mediaType",
}
#: Attributes of kg.namespaces.Namespace, which are not terms (``EVKG.iri``).
NAMESPACE_ATTRIBUTES = set(vars(namespaces.EVKG))
SKOS_MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.broadMatch, SKOS.narrowMatch,
                 SKOS.relatedMatch)

#: Each check, and the nodes of the broken fixture it must report (exactly these).
CHECK_FOCUS = {
    "article-without-identifier-violation.rq": {OWN_BASE + "article/pmc/PMC2000002"},
    "article-without-title-violation.rq": {OWN_BASE + "article/2000001"},
    "cargo-without-class-violation.rq": {OWN_BASE + "cargo/untyped"},
    "finding-article-missing-violation.rq": {OWN_BASE + "finding/0000000000000005"},
    "finding-concept-missing-violation.rq": {OWN_BASE + "finding/0000000000000006"},
    "finding-from-retracted-unflagged-violation.rq": {OWN_BASE + "finding/0000000000000004"},
    "finding-incomplete-violation.rq": {
        OWN_BASE + "finding/0000000000000001",  # no method
        OWN_BASE + "finding/0000000000000002",  # text mining without span
        OWN_BASE + "finding/0000000000000007",  # span start after span end
        OWN_BASE + "finding/0000000000000008",  # neither cargo nor cargo class
    },
    "article-doi-lower-case-mismatch-violation.rq": {OWN_BASE + "article/2000003"},
    "finding-from-unretracted-flagged-violation.rq": {OWN_BASE + "finding/0000000000000009"},
    "mesh-pair-mismatch-violation.rq": {str(MESH["D001943Q000175"])},
    "shortcut-without-finding-violation.rq": {OWN_BASE + "article/1000001"},
}

#: (focus node, named shape) pairs SHACL must report on the broken fixture (exactly these).
SHACL_VIOLATIONS = {
    (OWN_BASE + "article/2000001", "ArticleShape"),
    (OWN_BASE + "article/pmc/PMC2000002", "ArticleIdentifierShape"),
    (OWN_BASE + "journal/0000002", "JournalShape"),
    (OWN_BASE + "article/2000001/author/1", "PersonShape"),
    (OWN_BASE + "article/2000001/author/2", "OrganizationShape"),
    (str(MESH.D002450), "TopicalDescriptorShape"),
    (str(MESH["D001943Q000628"]), "DescriptorQualifierPairShape"),
    (str(MESH.Q000175), "QualifierShape"),
    (str(MESH.C000001), "SupplementaryConceptRecordShape"),
    (str(MESH.D016454), "PublicationTypeShape"),
    (str(MESH["C04.588"]), "TreeNumberShape"),
    (OWN_BASE + "downloads/evkg.nt.gz", "DistributionShape"),
    (OWN_BASE + "release/fixture", "ReleaseShape"),
    (OWN_BASE + "stat/year-23", "StatisticShape"),
    (OWN_BASE + "stat/year-23", "YearCountShape"),
    (OWN_BASE + "stat/heading-none", "HeadingCountShape"),
    (OWN_BASE + "stat/microrna-none", "CargoProcessCountShape"),
    (OWN_BASE + "ev-type/exosome", "ConceptShape"),
    (OWN_BASE + "cargo/stray-lipid", "CargoShape"),
    # only the object of evkg:cargo, so an evkg:Cargo by its range: CargoShape targets it
    (OWN_BASE + "cargo/not-in-vocabulary", "CargoShape"),
    (OWN_BASE + "finding/0000000000000001", "FindingShape"),
    (OWN_BASE + "finding/0000000000000007", "FindingShape"),
    (OWN_BASE + "finding/0000000000000009", "FindingShape"),
    (OWN_BASE + "article/2000003", "ArticleShape"),
    (OWN_BASE + "finding/0000000000000008", "FindingCargoShape"),
    (OWN_BASE + "finding/0000000000000002", "TextMiningFindingShape"),
    (OWN_BASE + "graph/articles", "DatasetShape"),
}


# --- helpers ------------------------------------------------------------------------------------

def parse(path: Path) -> rdflib.Graph:
    return rdflib.Graph().parse(path, format="turtle")


@pytest.fixture(scope="module")
def ontology() -> rdflib.Graph:
    return parse(ONTOLOGY)


@pytest.fixture(scope="module")
def shapes() -> rdflib.Graph:
    return parse(SHAPES)


def shared_file(name: str) -> Path:
    """A file of ../shared/vocab, or a skip saying it is absent."""
    path = SHARED_VOCAB / name
    if not path.exists():
        pytest.skip(f"../shared is absent: vocab/{name} is not available")
    return path


def read_tsv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def evkg_subjects(graph: rdflib.Graph) -> set[rdflib.URIRef]:
    return {s for s in graph.subjects()
            if isinstance(s, rdflib.URIRef) and str(s).startswith(str(EVKG))}


def evkg_iris(graph: rdflib.Graph) -> set[rdflib.URIRef]:
    """Every evkg IRI the graph mentions, in any position."""
    return {term for triple in graph for term in triple
            if isinstance(term, rdflib.URIRef) and str(term).startswith(str(EVKG))}


def external_iris(graph: rdflib.Graph) -> set[str]:
    """Every IRI the graph mentions that is not one of ours."""
    return {str(term) for triple in graph for term in triple
            if isinstance(term, rdflib.URIRef) and not str(term).startswith(OWN_BASE)}


def outside(iris: Iterable[str], namespaces_allowed: Iterable[str]) -> list[str]:
    allowed = tuple(namespaces_allowed)
    return sorted(iri for iri in iris if not iri.startswith(allowed) and iri != LICENCE)


def curie_to_iri(curie: str) -> rdflib.URIRef:
    """A cargo_classes.tsv identifier (SO:…, CHEBI:…, NCIT:…, MESH:…) as its linked-data IRI."""
    prefix, _, local = curie.partition(":")
    if prefix == "MESH":
        return MESH[local]
    if prefix in {"SO", "CHEBI", "NCIT"}:
        return OBO[f"{prefix}_{local}"]
    raise ValueError(f"unexpected identifier prefix in {curie!r}")


def terms_of(text: str, pattern: str) -> set[str]:
    return set(re.findall(pattern, text))


def python_terms(text: str) -> set[str]:
    """evkg terms named in Python source (``EVKG.Finding``, ``EVKG["Finding"]``)."""
    found = terms_of(text, r"\bEVKG\.([A-Za-z]+)") | terms_of(text, r"\bEVKG\[\"([A-Za-z]+)\"\]")
    return found - NAMESPACE_ATTRIBUTES


# --- the ontology -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [ONTOLOGY, SHAPES], ids=lambda p: p.name)
def test_turtle_parses_with_rdflib_and_pyoxigraph(path: Path) -> None:
    graph = parse(path)
    store = Store()
    store.load(path=str(path), format=RdfFormat.TURTLE)
    assert len(graph) > 50
    assert len(store) == len(graph)


def test_ontology_header(ontology: rdflib.Graph) -> None:
    o = ONTOLOGY_IRI
    assert (o, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(o, OWL.versionIRI) == rdflib.URIRef(
        "https://w3id.org/evkg/ontology/0.1.0")
    assert str(ontology.value(o, OWL.versionInfo)) == "0.1.0"
    assert ontology.value(o, DCTERMS.license) == rdflib.URIRef(LICENCE)
    assert ontology.value(o, DCTERMS.title) is not None
    assert ontology.value(o, DCTERMS.description) is not None
    assert str(ontology.value(o, VANN.preferredNamespacePrefix)) == "evkg"
    assert str(ontology.value(o, VANN.preferredNamespaceUri)) == namespaces.EVKG.iri


def test_every_evkg_term_has_label_definition_and_is_defined_by(ontology: rdflib.Graph) -> None:
    problems = []
    for term in sorted(evkg_subjects(ontology)):
        labels = list(ontology.objects(term, RDFS.label))
        definitions = list(ontology.objects(term, SKOS.definition))
        if not any(getattr(x, "language", None) == "en" for x in labels):
            problems.append(f"{term}: no rdfs:label @en")
        if not any(getattr(x, "language", None) == "en" for x in definitions):
            problems.append(f"{term}: no skos:definition @en")
        if (term, RDFS.isDefinedBy, ONTOLOGY_IRI) not in ontology:
            problems.append(f"{term}: no rdfs:isDefinedBy <{ONTOLOGY_IRI}>")
    assert not problems, "\n".join(problems)


def test_every_evkg_term_is_declared_with_an_owl_kind(ontology: rdflib.Graph) -> None:
    kinds = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty,
             OWL.NamedIndividual}
    undeclared = [t for t in sorted(evkg_subjects(ontology))
                  if not kinds & set(ontology.objects(t, RDF.type))]
    assert not undeclared, f"evkg terms with no OWL declaration: {undeclared}"


def test_every_evkg_iri_the_ontology_mentions_is_defined(ontology: rdflib.Graph) -> None:
    assert evkg_iris(ontology) <= evkg_subjects(ontology)


#: The OWL 2 datatype map (OWL 2 Structural Specification, section 4), with RDF 1.1's
#: rdf:langString, which OWL tools take as the datatype of language-tagged strings.
XSD_NS = rdflib.Namespace("http://www.w3.org/2001/XMLSchema#")
OWL2_DATATYPES = {
    OWL.real, OWL.rational, RDF.PlainLiteral, RDF.XMLLiteral, RDF.langString, RDFS.Literal,
    *(XSD_NS[name] for name in (
        "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger negativeInteger "
        "long int short byte unsignedLong unsignedInt unsignedShort unsignedByte double float "
        "string normalizedString token language Name NCName NMTOKEN boolean hexBinary "
        "base64Binary anyURI dateTime dateTimeStamp").split()),
}


def test_datatypes_are_in_the_owl2_datatype_map(ontology: rdflib.Graph) -> None:
    """An OWL 2 DL tool rejects a datatype outside the map (xsd:gYear, xsd:date): the shapes
    check such literals instead."""
    named = {value for p in (RDFS.range, OWL.onDatatype, OWL.someValuesFrom, OWL.allValuesFrom)
             for value in ontology.objects(None, p)
             if isinstance(value, rdflib.URIRef) and str(value).startswith(
                 (str(XSD_NS), str(RDF), str(RDFS), str(OWL)))}
    named -= {RDFS.Resource, RDFS.Class, OWL.Thing, OWL.Class, RDF.Property}
    assert named, "the ontology names no datatype"
    assert not named - OWL2_DATATYPES, sorted(named - OWL2_DATATYPES)


def test_cargo_class_hierarchy(ontology: rdflib.Graph) -> None:
    parents = {
        "Protein": "Cargo", "NucleicAcid": "Cargo", "Lipid": "Cargo", "Metabolite": "Cargo",
        "DNA": "NucleicAcid", "MitochondrialDNA": "DNA", "RNA": "NucleicAcid",
        "MicroRNA": "RNA", "LongNoncodingRNA": "RNA", "CircularRNA": "RNA",
        "MessengerRNA": "RNA",
    }
    for child, parent in parents.items():
        assert (EVKG[child], RDFS.subClassOf, EVKG[parent]) in ontology, child
    for cargo_class in namespaces.CARGO_CLASSES.values():
        ancestors = set(ontology.transitive_objects(rdflib.URIRef(cargo_class.value),
                                                    RDFS.subClassOf))
        assert EVKG.Cargo in ancestors, cargo_class
    assert (EVKG.Finding, RDFS.subClassOf, rdflib.URIRef("http://www.w3.org/ns/prov#Entity")) \
        in ontology


def test_individuals_and_schemes_have_their_classes(ontology: rdflib.Graph) -> None:
    for effect in namespaces.EFFECTS.values():
        assert (rdflib.URIRef(effect.value), RDF.type, EVKG.Effect) in ontology
    for method in namespaces.METHODS.values():
        assert (rdflib.URIRef(method.value), RDF.type, EVKG.EvidenceMethod) in ontology
    for scheme in namespaces.SCHEMES.values():
        assert (rdflib.URIRef(scheme.value), RDF.type, SKOS.ConceptScheme) in ontology


def test_similar_to_refines_dcterms_relation(ontology: rdflib.Graph) -> None:
    assert (EVKG.similarTo, RDFS.subPropertyOf, DCTERMS.relation) in ontology
    assert "PubMed" in str(ontology.value(EVKG.similarTo, RDFS.comment))
    assert (EVKG.electronicPublicationDate, RDFS.subPropertyOf, DCTERMS.date) in ontology


def test_ontology_holds_no_vocabulary_data(ontology: rdflib.Graph) -> None:
    """Processes, diseases, EV types and cargo molecules are data, not ontology terms."""
    assert not list(ontology.subjects(RDF.type, SKOS.Concept))
    assert not list(ontology.subjects(SKOS.inScheme, None))


# --- every term the project uses is defined -----------------------------------------------------

def namespaces_module_terms() -> set[str]:
    """evkg terms held by the constants of kg.namespaces, and named in its source."""
    found: set[str] = set()
    for value in vars(namespaces).values():
        values = value.values() if isinstance(value, dict) else [value]
        for item in values:
            if isinstance(item, NamedNode) and item.value.startswith(namespaces.EVKG.iri):
                found.add(item.value.removeprefix(namespaces.EVKG.iri))
    return found | python_terms(Path(namespaces.__file__).read_text(encoding="utf-8"))


def test_terms_of_namespaces_module_are_defined(ontology: rdflib.Graph) -> None:
    terms = namespaces_module_terms()
    assert len(terms) > 20
    missing = sorted(t for t in terms if EVKG[t] not in evkg_subjects(ontology))
    assert not missing, f"kg/namespaces.py uses evkg terms the ontology lacks: {missing}"


def test_terms_of_model_doc_are_defined(ontology: rdflib.Graph) -> None:
    text = (ROOT / "docs" / "model.md").read_text(encoding="utf-8")
    terms = terms_of(text, r"evkg:([A-Za-z]+)")
    assert terms
    missing = sorted(t for t in terms if EVKG[t] not in evkg_subjects(ontology))
    assert not missing, f"docs/model.md uses evkg terms the ontology lacks: {missing}"


def test_terms_of_code_queries_and_shapes_are_defined(ontology: rdflib.Graph,
                                                      shapes: rdflib.Graph) -> None:
    """Mapping code, server, example queries, checks and shapes name only defined terms."""
    defined = {str(t).removeprefix(str(EVKG)) for t in evkg_subjects(ontology)}
    used: dict[str, set[str]] = {}
    for path in sorted([*ROOT.glob("kg/**/*.py"), *ROOT.glob("server/**/*.py")]):
        used[str(path.relative_to(ROOT))] = python_terms(path.read_text(encoding="utf-8"))
    for path in sorted([*ROOT.glob("queries/**/*.rq"), *CHECKS]):
        text = path.read_text(encoding="utf-8")
        used[str(path.relative_to(ROOT))] = terms_of(text, r"\bevkg:([A-Za-z]+)")
    used["ontology/shapes.ttl"] = {str(t).removeprefix(str(EVKG)) for t in evkg_iris(shapes)}
    problems = [f"{where}: {sorted(terms - defined)}" for where, terms in used.items()
                if terms - defined]
    assert not problems, "evkg terms used but not defined:\n" + "\n".join(problems)


# --- external IRIs ------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [ONTOLOGY, SHAPES], ids=lambda p: p.name)
def test_external_iris_use_the_project_namespaces(path: Path) -> None:
    """Runs without ../shared: the project's own prefix list (kg.namespaces.PREFIXES)."""
    allowed = (*namespaces.PREFIXES.values(), *STANDARD_NAMESPACES)
    stray = outside(external_iris(parse(path)), allowed)
    assert not stray, f"{path.name} uses IRIs outside the project's namespaces: {stray}"


@pytest.mark.parametrize("path", [ONTOLOGY, SHAPES], ids=lambda p: p.name)
def test_external_iris_use_the_shared_prefixes(path: Path) -> None:
    rows = read_tsv(shared_file("prefixes.tsv"))
    listed = {row[column] for row in rows
              for column in ("recommended_iri_namespace", "bioregistry_rdf_uri_prefix")
              if row[column]}
    stray = outside(external_iris(parse(path)), (*listed, *STANDARD_NAMESPACES))
    assert not stray, f"{path.name} uses IRIs outside ../shared/vocab/prefixes.tsv: {stray}"


def structural_terms(ontology: rdflib.Graph, shapes: rdflib.Graph) -> set[str]:
    """External classes and properties the model builds on (not alignments or annotations)."""
    terms: set[rdflib.term.Node] = set()
    for p in (RDFS.subClassOf, RDFS.subPropertyOf, RDFS.domain, RDFS.range):
        terms |= set(ontology.objects(None, p))
    for union in ontology.objects(None, OWL.unionOf):
        terms |= set(Collection(ontology, union))
    for p in (SH.targetClass, SH["class"], SH.path):
        terms |= set(shapes.objects(None, p))
    return {str(t) for t in terms if isinstance(t, rdflib.URIRef)
            and not str(t).startswith((OWN_BASE, *STANDARD_NAMESPACES))}


def test_external_terms_are_listed_in_bibliographic_vocab(ontology: rdflib.Graph,
                                                          shapes: rdflib.Graph) -> None:
    """Each external class or property the ontology and shapes build on is verified: listed in
    bibliographic_vocab.tsv, or (MeSH's own terms) defined by NLM's MeSH RDF vocabulary."""
    rows = read_tsv(shared_file("bibliographic_vocab.tsv"))
    # The project writes schema.org as https://schema.org/ (prefixes.tsv); the file lists http.
    listed = {row["iri"].replace("http://schema.org/", str(SCHEMA)) for row in rows
              if row["verification_status"] == "FOUND"}
    nlm = SHARED_VOCAB.parent / "data" / "mesh" / "meshrdf" / "vocabulary.ttl"
    if not nlm.exists():
        pytest.skip("../shared is absent: data/mesh/meshrdf/vocabulary.ttl is not available")
    listed |= {str(s) for s in rdflib.Graph().parse(nlm, format="turtle").subjects()
               if str(s).startswith(namespaces.MESHV.iri)}
    unlisted = sorted(structural_terms(ontology, shapes) - listed - EXTRA_TERMS)
    assert not unlisted, f"external terms not in bibliographic_vocab.tsv: {unlisted}"


# --- cargo class alignments ---------------------------------------------------------------------

#: SO matches the table calls exact that so.obo's own definitions make otherwise: SO's DNA and
#: RNA are attributes of a sequence, not molecules, and its miRNA is the mature molecule only,
#: while evkg:MicroRNA also holds precursors (each checked in so.obo below).
SO_DEPARTURES = {"DNA": SKOS.relatedMatch, "RNA_general": SKOS.relatedMatch,
                 "microRNA": SKOS.narrowMatch}


def so_definition(curie: str) -> tuple[str, str]:
    """(def, is_a) of a term in ../shared/data/ontologies/so.obo."""
    path = Path(__file__).resolve().parents[2] / "shared" / "data" / "ontologies" / "so.obo"
    if not path.exists():
        pytest.skip("../shared is absent: so.obo is not available")
    stanza = path.read_text(encoding="utf-8").split(f"\nid: {curie}\n", 1)[1].split("\n\n", 1)[0]
    found = dict(re.findall(r"^(def|is_a): (.*)$", stanza, re.MULTILINE))
    return found["def"], found["is_a"]


def test_so_departures_from_the_table_follow_so_obo() -> None:
    for curie in ("SO:0000352", "SO:0000356"):  # DNA, RNA
        definition, parent = so_definition(curie)
        assert definition.startswith('"An attribute describing a sequence')
        assert parent == "SO:0000348 ! nucleic_acid"
    definition, _ = so_definition("SO:0000276")  # miRNA
    assert "RNA molecule" in definition and "produced from precursor molecules" in definition


def cargo_alignments() -> list[tuple[str, str, rdflib.URIRef | None]]:
    """(cargo class key, identifier, required SKOS property or None for 'any') per TSV cell."""
    expected: list[tuple[str, str, rdflib.URIRef | None]] = []
    for row in read_tsv(shared_file("cargo_classes.tsv")):
        key = row["cargo_class_key"]
        if row["so_id"] and row["so_match"] != "none":
            strength = SKOS.exactMatch if row["so_match"] == "exact" else SKOS.closeMatch
            strength = SO_DEPARTURES.get(key, strength)
            expected.append((key, row["so_id"], strength))
        for column in ("chebi_id", "ncit_id", "mesh_ids"):
            for curie in filter(None, (c.strip() for c in row[column].split(";"))):
                expected.append((key, curie, None))
    return expected


def test_cargo_class_alignments_match_the_shared_table(ontology: rdflib.Graph) -> None:
    problems = []
    for key, curie, strength in cargo_alignments():
        cls = rdflib.URIRef(namespaces.CARGO_CLASSES[key].value)
        target = curie_to_iri(curie)
        found = [p for p in SKOS_MAPPINGS if (cls, p, target) in ontology]
        if not found:
            problems.append(f"{cls}: no SKOS mapping to {curie}")
        elif strength is not None and found != [strength]:
            problems.append(f"{cls}: {curie} mapped by {found}, want {strength}")
    assert not problems, "\n".join(problems)


def test_cargo_classes_map_to_no_identifier_outside_the_shared_table(
        ontology: rdflib.Graph) -> None:
    allowed: dict[str, set[rdflib.URIRef]] = {}
    for key, curie, _ in cargo_alignments():
        allowed.setdefault(key, set()).add(curie_to_iri(curie))
    for key, cargo_class in namespaces.CARGO_CLASSES.items():
        cls = rdflib.URIRef(cargo_class.value)
        targets = {o for p in SKOS_MAPPINGS for o in ontology.objects(cls, p)}
        assert targets <= allowed.get(key, set()), f"{cls}: {targets - allowed.get(key, set())}"


def test_cargo_classes_copy_the_identifier_sources(ontology: rdflib.Graph) -> None:
    for row in read_tsv(shared_file("cargo_classes.tsv")):
        cls = rdflib.URIRef(namespaces.CARGO_CLASSES[row["cargo_class_key"]].value)
        sources = {str(s) for s in ontology.objects(cls, DCTERMS.source)}
        assert row["id_sources"] in sources, cls


# --- the shapes ---------------------------------------------------------------------------------

def test_every_shape_states_its_rule(shapes: rdflib.Graph) -> None:
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    property_shapes = set(shapes.objects(None, SH.property))
    for shape in node_shapes:
        assert isinstance(shape, rdflib.URIRef) and str(shape).startswith(str(SHAPES_NS)), shape
        assert shapes.value(shape, SH.message) is not None, shape
        assert shapes.value(shape, SH.name) is not None, shape
    top_level = {p for s in node_shapes for p in shapes.objects(s, SH.property)}
    for prop in top_level:
        assert shapes.value(prop, SH.message) is not None, shapes.value(prop, SH.path)
    assert property_shapes >= top_level


def sh_in(shapes: rdflib.Graph, path: rdflib.URIRef) -> set[rdflib.term.Node]:
    """The ``sh:in`` list of FindingShape's property shape for ``path``."""
    prop = next(p for p in shapes.objects(SHAPES_NS.FindingShape, SH.property)
                if shapes.value(p, SH.path) == path)
    values = shapes.value(prop, SH["in"])
    assert values is not None, f"no sh:in for {path}"
    return set(Collection(shapes, values))


def test_finding_shape_lists_match_the_ontology(ontology: rdflib.Graph,
                                                shapes: rdflib.Graph) -> None:
    assert sh_in(shapes, EVKG.method) == set(ontology.subjects(RDF.type, EVKG.EvidenceMethod))
    assert sh_in(shapes, EVKG.effect) == set(ontology.subjects(RDF.type, EVKG.Effect))
    cargo_classes = set(ontology.transitive_subjects(RDFS.subClassOf, EVKG.Cargo))
    assert sh_in(shapes, EVKG.cargoClass) == cargo_classes
    assert {str(field) for field in sh_in(shapes, EVKG.field)} == set(textmining.FIELDS)


def shacl_report(path: Path, inference: str, ontology: rdflib.Graph,
                 shapes: rdflib.Graph) -> tuple[bool, rdflib.Graph, str]:
    conforms, report, text = validate(parse(path), shacl_graph=shapes, ont_graph=ontology,
                                      inference=inference)
    return bool(conforms), report, str(text)


def named_in(text: str, iri: str, *graphs: rdflib.Graph) -> bool:
    """Whether a pyshacl report text names ``iri``, in full or by a prefix of the graphs."""
    forms = {f"<{iri}>", *(g.namespace_manager.normalizeUri(rdflib.URIRef(iri)) for g in graphs)}
    return any(f": {form}\n" in text for form in forms)


def reported(report: rdflib.Graph, shapes: rdflib.Graph) -> set[tuple[str, str]]:
    """(focus node, named shape) per result; a property shape is named by its node shape."""
    pairs = set()
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = report.value(result, SH.focusNode)
        shape = report.value(result, SH.sourceShape)
        owner = shape if isinstance(shape, rdflib.URIRef) else shapes.value(
            None, SH.property, shape)
        assert owner is not None, f"result for {focus} from an unnamed shape"
        pairs.add((str(focus), str(owner).removeprefix(str(SHAPES_NS))))
    return pairs


@pytest.mark.parametrize("inference", ["none", "rdfs"])
def test_valid_fixture_conforms(inference: str, ontology: rdflib.Graph,
                                shapes: rdflib.Graph) -> None:
    conforms, _, text = shacl_report(VALID, inference, ontology, shapes)
    assert conforms, text


def test_broken_fixture_fails_on_each_planted_error(ontology: rdflib.Graph,
                                                    shapes: rdflib.Graph) -> None:
    conforms, report, text = shacl_report(BROKEN, "none", ontology, shapes)
    assert not conforms
    assert reported(report, shapes) == SHACL_VIOLATIONS
    data = parse(BROKEN)
    for focus, _ in SHACL_VIOLATIONS:
        assert named_in(text, focus, data, shapes), f"report text does not name {focus}"
    for result in report.subjects(RDF.type, SH.ValidationResult):
        message = report.value(result, SH.resultMessage)
        assert message is not None and f"Message: {message}" in text
        shape = report.value(result, SH.sourceShape)
        if isinstance(shape, rdflib.URIRef):
            assert named_in(text, str(shape), data, shapes), shape


def test_each_ill_formed_value_is_reported_on_its_own_property(ontology: rdflib.Graph,
                                                               shapes: rdflib.Graph) -> None:
    """A number for a PMID, a DOI as a resolver's URL, two publication dates, a year of two
    digits, 30 February and a field no text is mined from each fail (they passed before)."""
    _, report, _ = shacl_report(BROKEN, "none", ontology, shapes)
    paths: dict[str, set[rdflib.term.Node]] = {}
    for result in report.subjects(RDF.type, SH.ValidationResult):
        focus = str(report.value(result, SH.focusNode))
        paths.setdefault(focus, set()).add(report.value(result, SH.resultPath))
    assert paths[OWN_BASE + "article/2000003"] == {
        FABIO.hasPubMedId, BIBO.doi, DCTERMS.issued, FABIO.hasPublicationYear,
        EVKG.electronicPublicationDate}
    assert paths[OWN_BASE + "finding/0000000000000009"] == {EVKG.field}


def test_broken_fixture_gives_the_same_report_with_rdfs_inference(
        ontology: rdflib.Graph, shapes: rdflib.Graph) -> None:
    """The shapes need no inference: RDFS inference (which makes the dangling cargo an
    evkg:Cargo by evkg:cargo's range) finds nothing more."""
    conforms, report, _ = shacl_report(BROKEN, "rdfs", ontology, shapes)
    assert not conforms
    assert reported(report, shapes) == SHACL_VIOLATIONS


def test_shapes_target_what_domains_and_ranges_would_type(ontology: rdflib.Graph,
                                                          shapes: rdflib.Graph) -> None:
    """Each shape of a class targets the subjects of every property whose rdfs:domain is that
    class or a subclass, and the objects of every property whose rdfs:range is: the nodes RDFS
    inference would make instances of it, so no SHACL processor needs inference."""
    missing = []
    for shape, cls in shapes.subject_objects(SH.targetClass):
        kinds = set(ontology.transitive_subjects(RDFS.subClassOf, cls))
        for kind, target in ((RDFS.domain, SH.targetSubjectsOf), (RDFS.range, SH.targetObjectsOf)):
            typing = {p for p, c in ontology.subject_objects(kind) if c in kinds}
            # a sub-property's triples type their nodes by the super-property's domain too
            wanted = {sub for p in typing
                      for sub in ontology.transitive_subjects(RDFS.subPropertyOf, p)}
            missing += [f"{shape} lacks {target} {p}"
                        for p in sorted(wanted - set(shapes.objects(shape, target)))]
    assert not missing, "\n".join(missing)


def test_build_validation_reports_what_rdfs_inference_finds(ontology: rdflib.Graph) -> None:
    """kg.validate runs pyshacl without inference (owlrl's whole RDFS closure was most of a
    build's SHACL time): the same violations, the dangling cargo too."""
    data = parse(BROKEN)
    data += ontology
    lines = shacl_problems(data, SHAPES)
    found = {(m.group(1), m.group(2).removeprefix(str(SHAPES_NS)))
             for m in map(re.compile(r"(\S+): shape (\S+?)(?: \(path \S+\))?: ").match, lines)
             if m}
    assert len(found) == len(SHACL_VIOLATIONS) <= len(lines)
    assert found == SHACL_VIOLATIONS
    # a value failing two constraints of one shape (30 February, an xsd:date by datatype and
    # pattern) is one line, not two
    assert len(lines) == len(set(lines))
    assert sum("2000003" in line and "electronicPublicationDate" in line for line in lines) == 1


# --- the SPARQL checks --------------------------------------------------------------------------

def fixture_store(path: Path) -> Store:
    """The fixture and the ontology in separate named graphs, as a build loads them."""
    store = Store()
    store.load(path=str(ONTOLOGY), format=RdfFormat.TURTLE,
               to_graph=NamedNode(OWN_BASE + "graph/ontology"))
    store.load(path=str(path), format=RdfFormat.TURTLE,
               to_graph=NamedNode(OWN_BASE + "graph/fixture"))
    return store


def run_check(check: Path, store: Store) -> list[dict[str, str]]:
    solutions = store.query(check.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: term.value for n, term in zip(names, row, strict=True) if term is not None}
            for row in solutions]


@pytest.fixture(scope="module")
def valid_store() -> Store:
    return fixture_store(VALID)


@pytest.fixture(scope="module")
def broken_store() -> Store:
    return fixture_store(BROKEN)


def test_there_are_checks_for_each_case() -> None:
    assert {c.name for c in CHECKS} == set(CHECK_FOCUS)


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.name)
def test_check_is_a_described_select_of_focus_and_message(check: Path) -> None:
    text = check.read_text(encoding="utf-8")
    assert re.match(r"# description: \S", text), "first line must be '# description: …'"
    assert not re.search(r"\bGRAPH\s*[?$<]", text, re.IGNORECASE), "checks run on the union graph"
    store = Store()
    solutions = store.query(text)
    assert isinstance(solutions, QuerySolutions)
    assert {"focus", "message"} <= {v.value for v in solutions.variables}


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.name)
def test_check_passes_on_valid_fixture(check: Path, valid_store: Store) -> None:
    rows = run_check(check, valid_store)
    assert rows == [], rows


@pytest.mark.parametrize("check", CHECKS, ids=lambda p: p.name)
def test_check_reports_the_broken_nodes(check: Path, broken_store: Store) -> None:
    rows = run_check(check, broken_store)
    assert {row["focus"] for row in rows} == CHECK_FOCUS[check.name]
    assert all(row.get("message") for row in rows)


@pytest.mark.parametrize("issued", [
    '"\u0662\u0660\u0661\u0669"^^xsd:gYear', '"\u0662\u0660\u0661\u0669-03"^^xsd:gYearMonth',
    '"2019-\uff10\uff13-01"^^xsd:date'])
def test_a_date_in_another_scripts_digits_is_no_date(issued: str) -> None:
    """XML Schema's dates are written in the digits 0-9, and the shapes' patterns took \\d,
    which a regular expression reads as any script's digit: an issued date in Arabic-Indic or
    full-width digits, which no date reader can read, passed validation."""
    data = rdflib.Graph().parse(format="turtle", data=(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://w3id.org/evkg/article/99999977> a <https://schema.org/ScholarlyArticle> ;\n"
        '    <http://purl.org/dc/terms/title> "An invented record." ;\n'
        f"    <http://purl.org/dc/terms/issued> {issued} ."))
    assert [line for line in shacl_problems(data, SHAPES) if "terms/issued" in line] == [
        "https://w3id.org/evkg/article/99999977: shape https://w3id.org/evkg/shapes#ArticleShape"
        " (path http://purl.org/dc/terms/issued): An article has at most one publication date "
        "(dcterms:issued): an xsd:date (YYYY-MM-DD), xsd:gYearMonth (YYYY-MM) or xsd:gYear "
        "(YYYY)."]
