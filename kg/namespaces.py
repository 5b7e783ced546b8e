"""Every vocabulary term the graph uses, in one place.

Terms are pyoxigraph ``NamedNode`` objects so that mapping code builds quads without
converting between libraries. External namespaces are the ones listed in
``../shared/vocab/prefixes.tsv`` (W3C core vocabularies aside).
"""

from __future__ import annotations

from pyoxigraph import NamedNode


class Namespace:
    """An IRI prefix whose attributes and items are the terms under it."""

    def __init__(self, iri: str) -> None:
        self.iri = iri

    def __getattr__(self, name: str) -> NamedNode:
        if name.startswith("__"):
            raise AttributeError(name)
        return NamedNode(self.iri + name)

    def __getitem__(self, name: str) -> NamedNode:
        return NamedNode(self.iri + name)

    def __str__(self) -> str:
        return self.iri


#: The ontology namespace (fixed: ontology terms do not move with EVKG_BASE_IRI).
EVKG = Namespace("https://w3id.org/evkg/ontology#")
#: The ontology's own IRI.
ONTOLOGY_IRI = "https://w3id.org/evkg/ontology"

RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
SH = Namespace("http://www.w3.org/ns/shacl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
FABIO = Namespace("http://purl.org/spar/fabio/")
BIBO = Namespace("http://purl.org/ontology/bibo/")
CITO = Namespace("http://purl.org/spar/cito/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
MESH = Namespace("http://id.nlm.nih.gov/mesh/")
MESHV = Namespace("http://id.nlm.nih.gov/mesh/vocab#")
OBO = Namespace("http://purl.obolibrary.org/obo/")

#: Prefixes offered to users (query editor, Turtle output), in display order.
PREFIXES: dict[str, str] = {
    "evkg": EVKG.iri,
    "rdf": RDF.iri,
    "rdfs": RDFS.iri,
    "owl": OWL.iri,
    "xsd": XSD.iri,
    "skos": SKOS.iri,
    "dcterms": DCTERMS.iri,
    "fabio": FABIO.iri,
    "bibo": BIBO.iri,
    "cito": CITO.iri,
    "foaf": FOAF.iri,
    "schema": SCHEMA.iri,
    "prov": PROV.iri,
    "void": VOID.iri,
    "dcat": DCAT.iri,
    "mesh": MESH.iri,
    "meshv": MESHV.iri,
    "obo": OBO.iri,
}

# --- evkg terms the mapping code writes (each is defined in ontology/evkg.ttl) ---
#: Classes.
CARGO = EVKG.Cargo
FINDING = EVKG.Finding
EFFECT = EVKG.Effect
EVIDENCE_METHOD = EVKG.EvidenceMethod
#: Cargo classes, by the key used in data/vocabulary/cargo.tsv.
CARGO_CLASSES: dict[str, NamedNode] = {
    "protein": EVKG.Protein,
    "microRNA": EVKG.MicroRNA,
    "lncRNA": EVKG.LongNoncodingRNA,
    "circRNA": EVKG.CircularRNA,
    "mRNA": EVKG.MessengerRNA,
    "DNA": EVKG.DNA,
    "mtDNA": EVKG.MitochondrialDNA,
    "lipid": EVKG.Lipid,
    "metabolite": EVKG.Metabolite,
    "RNA_general": EVKG.RNA,
    "nucleic_acid": EVKG.NucleicAcid,
}
#: Concept schemes for the SKOS vocabularies, by data/vocabulary file stem.
SCHEMES: dict[str, NamedNode] = {
    "processes": EVKG.CancerProcessScheme,
    "diseases": EVKG.BreastCancerScheme,
    "ev_types": EVKG.ExtracellularVesicleTypeScheme,
    "cargo": EVKG.CargoScheme,
}
#: Finding effects (individuals of evkg:Effect).
EFFECTS: dict[str, NamedNode] = {
    "promotes": EVKG.promotes,
    "inhibits": EVKG.inhibits,
    "biomarkerFor": EVKG.biomarkerFor,
    "associatedWith": EVKG.associatedWith,
}
#: Evidence methods (individuals of evkg:EvidenceMethod).
METHODS: dict[str, NamedNode] = {
    "curated": EVKG.CuratedEvidence,
    "mesh": EVKG.MeshIndexing,
    "text": EVKG.TextMining,
}
