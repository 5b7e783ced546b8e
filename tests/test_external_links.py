"""Every external IRI of the default graph is in a known namespace and has a well-formed local id.

The namespaces and local-id patterns are those of ``../shared/vocab/prefixes.tsv`` (Bioregistry's),
with these documented additions:

- MeSH RDF mints more than the D/Q/C records the pattern covers: descriptor–qualifier pairs
  (``D001943Q000378``) and tree numbers (``C04.588.180``).
- Web pages the graph links to on purpose: ``https://pubmed.ncbi.nlm.nih.gov/{pmid}`` (checked
  with the PubMed id pattern); the PMC (``identifiers.org/pmc:``), DOI (``doi.org``) and NLM
  Catalog links are in prefixes.tsv and checked with its patterns.
- ``dcterms:source`` objects are provenance: the pages the facts were read from, which may be any
  web page, so any http(s) IRI is accepted there.
- The vocabularies the graph is written in (W3C, DCMI, SPAR, FOAF, schema.org, PROV, VoID, DCAT,
  SPARQL-SD, MeSH RDF's ``meshv:``, VANN, SHACL) and the data licence are not external links.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pyoxigraph import NamedNode, Store

from kg.articles import article_quads
from kg.iris import DEFAULT_BASE, journal_iri
from kg.metadata import MEDIA_TYPES
from kg.namespaces import DCTERMS, RDFS
from kg.records import Article, Journal, Provenance
from tests.conftest import shared_path

#: Vocabulary namespaces: their terms are the graph's schema, not links to other data.
VOCABULARIES = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#", "http://www.w3.org/2001/XMLSchema#",
    "http://www.w3.org/2004/02/skos/core#", "http://purl.org/dc/terms/",
    "http://purl.org/spar/fabio/", "http://purl.org/ontology/bibo/", "http://purl.org/spar/cito/",
    "http://xmlns.com/foaf/0.1/", "https://schema.org/", "http://www.w3.org/ns/prov#",
    "http://rdfs.org/ns/void#", "http://www.w3.org/ns/dcat#",
    "http://www.w3.org/ns/sparql-service-description#", "http://id.nlm.nih.gov/mesh/vocab#",
    "http://purl.org/vocab/vann/", "http://www.w3.org/ns/shacl#",
)
#: The data licence (dcterms:license of the dataset and the ontology).
LICENCES = ("https://creativecommons.org/licenses/by/4.0/",)
#: Format IRIs, as DCAT names a distribution's media type and compression (IANA's register):
#: values that describe a download, not resources the graph links to.
MEDIA_TYPE_IRIS = (MEDIA_TYPES,)
#: Local-id patterns that MeSH RDF uses beyond prefixes.tsv's ``^(C|D|Q)\d+$``.
MESH_EXTRA = (r"^D\d+Q\d+$", r"^[A-Z]\d{2}(\.\d{3})*$")
#: Web pages linked on purpose that prefixes.tsv has under another namespace: (namespace,
#: the bioregistry prefix whose pattern applies).
WEB_PAGES = (("https://pubmed.ncbi.nlm.nih.gov/", "pubmed"),)


@dataclass(frozen=True)
class KnownNamespace:
    prefix: str
    iri: str
    patterns: tuple[str, ...]

    def accepts(self, local: str) -> bool:
        return not self.patterns or any(re.fullmatch(p, local) for p in self.patterns)


def read_namespaces(prefixes_tsv: Path) -> list[KnownNamespace]:
    """The namespaces of prefixes.tsv with their patterns, plus the documented additions."""
    with prefixes_tsv.open(encoding="utf-8", newline="") as handle:
        rows = {r["bioregistry_prefix"]: r for r in csv.DictReader(handle, delimiter="\t")}
    known = []
    for prefix, row in rows.items():
        patterns: tuple[str, ...] = ((row["local_id_pattern"],) if row["local_id_pattern"]
                                     else ())
        if prefix == "mesh":
            patterns += MESH_EXTRA
        known.append(KnownNamespace(prefix, row["recommended_iri_namespace"], patterns))
    for iri, prefix in WEB_PAGES:
        known.append(KnownNamespace(f"{prefix} (web page)", iri,
                                    (rows[prefix]["local_id_pattern"],)))
    return known


def namespace_of(iri: str, known: list[KnownNamespace]) -> KnownNamespace | None:
    """The longest known namespace that ``iri`` starts with."""
    matches = [ns for ns in known if iri.startswith(ns.iri) and len(iri) > len(ns.iri)]
    return max(matches, key=lambda ns: len(ns.iri), default=None)


def is_external(iri: str) -> bool:
    return not (iri.startswith(DEFAULT_BASE) or iri.startswith(VOCABULARIES)
                or iri in LICENCES or iri.startswith(MEDIA_TYPE_IRIS))


def external_iris(store: Store) -> Iterator[str]:
    """Each IRI in subject or object position that links outside evkg (provenance pages aside)."""
    for quad in store:
        if isinstance(quad.subject, NamedNode) and is_external(quad.subject.value):
            yield quad.subject.value
        if (isinstance(quad.object, NamedNode) and is_external(quad.object.value)
                and not (quad.predicate == DCTERMS.source
                         and quad.object.value.startswith(("http://", "https://")))):
            yield quad.object.value


def link_failures(iris_seen: set[str], known: list[KnownNamespace]) -> dict[str, list[str]]:
    """Failing IRIs grouped by namespace (``no known namespace`` for the others)."""
    failures: dict[str, list[str]] = defaultdict(list)
    for iri in sorted(iris_seen):
        ns = namespace_of(iri, known)
        if ns is None:
            failures["no known namespace"].append(iri)
        elif not ns.accepts(iri[len(ns.iri):]):
            failures[f"{ns.prefix} {ns.iri} {'|'.join(ns.patterns)}"].append(iri)
    return dict(failures)


@pytest.fixture(scope="module")
def known() -> list[KnownNamespace]:
    return read_namespaces(shared_path("vocab", "prefixes.tsv"))


def test_every_external_iri_matches_its_namespace_pattern(
        default_store: Store, known: list[KnownNamespace]) -> None:
    seen = set(external_iris(default_store))
    by_namespace: dict[str, int] = defaultdict(int)
    for iri in seen:
        ns = namespace_of(iri, known)
        by_namespace[ns.prefix if ns else "?"] += 1
    assert link_failures(seen, known) == {}
    # The links the issue asks for are all there.
    assert {"mesh", "go", "ncit", "mondo", "doid", "so", "chebi", "mirbase", "mirbase.mature",
            "hgnc", "uniprot", "ensembl", "pmc", "doi", "pubmed (web page)"} <= set(by_namespace)


@pytest.mark.parametrize(("iri", "ok"), [
    ("http://purl.obolibrary.org/obo/GO_0001525", True),
    ("http://purl.obolibrary.org/obo/GO_1525", False),
    ("http://id.nlm.nih.gov/mesh/D001943", True),
    ("http://id.nlm.nih.gov/mesh/D001943Q000378", True),
    ("http://id.nlm.nih.gov/mesh/C04.588.180", True),
    ("http://id.nlm.nih.gov/mesh/Breast_Neoplasms", False),
    ("https://identifiers.org/mirbase.mature:MIMAT0000076", True),
    ("https://identifiers.org/mirbase:MIMAT0000076", False),
    ("https://identifiers.org/hgnc:HGNC:4713", False),
    ("http://purl.uniprot.org/uniprot/P04626", True),
    ("https://pubmed.ncbi.nlm.nih.gov/37534210", True),
    ("https://pubmed.ncbi.nlm.nih.gov/37534210/", False),
    ("https://identifiers.org/pmc:PMC10393036", True),
    ("https://doi.org/10.3389/fbioe.2023.1214648", True),
    ("https://www.ncbi.nlm.nih.gov/nlmcatalog/101600173", True),
    ("https://example.org/thing", False),
])
def test_link_check_accepts_and_rejects(iri: str, ok: bool, known: list[KnownNamespace]) -> None:
    assert (link_failures({iri}, known) == {}) is ok


def test_provenance_pages_may_be_any_web_page() -> None:
    store = Store()
    page = "https://example.org/any/page?x=1"
    store.extend(article_quads(Article(pmid="1", provenance=Provenance(urls=(page,)))))
    assert NamedNode(page) in {q.object for q in store if q.predicate == DCTERMS.source}
    assert page not in set(external_iris(store))


def test_a_journal_with_an_nlm_id_links_to_the_nlm_catalog() -> None:
    article = Article(pmid="37534210", journal=Journal(title="Front Bioeng Biotechnol",
                                                       nlm_id="101632513"))
    links = {(q.subject, q.object) for q in article_quads(article) if q.predicate == RDFS.seeAlso}
    journal = journal_iri("101632513")
    assert (journal, NamedNode("https://www.ncbi.nlm.nih.gov/nlmcatalog/101632513")) in links


def test_a_journal_without_an_nlm_id_has_no_catalog_link() -> None:
    article = Article(pmid="1", journal=Journal(title="Some Journal", issn="1234-5678"))
    assert not [q for q in article_quads(article)
                if q.predicate == RDFS.seeAlso and "nlmcatalog" in str(q.object)]
