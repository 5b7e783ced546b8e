"""External links for a resource page, read from the resource's own triples (never guessed).

An identifier literal (PMID, PMCID, DOI) or an alignment / see-also IRI becomes a link to the
page that shows it best: PubMed, doi.org, PMC, the MeSH browser, OBO PURLs, identifiers.org.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Triple

from kg.namespaces import BIBO, FABIO, OWL, RDFS, SCHEMA, SKOS
from server.terms import is_web_iri

#: Properties whose IRI objects are links out, with the relation shown beside them.
LINK_PROPERTIES = {
    SKOS.exactMatch.value: "exact match",
    SKOS.closeMatch.value: "close match",
    SKOS.broadMatch.value: "broader match",
    SKOS.narrowMatch.value: "narrower match",
    SKOS.relatedMatch.value: "related match",
    OWL.sameAs.value: "same as",
    OWL.equivalentClass.value: "equivalent class",
    SCHEMA.sameAs.value: "same as",
    RDFS.seeAlso.value: "see also",
}
#: (pattern over the IRI, source name, CURIE template, URL template); the first match wins.
IRI_RULES: tuple[tuple[re.Pattern[str], str, str, str], ...] = (
    (re.compile(r"^http://id\.nlm\.nih\.gov/mesh/(?:\d{4}/)?([DCQ]\d{6,})$"), "MeSH", "MESH:{0}",
     "https://meshb.nlm.nih.gov/record/ui?ui={0}"),
    # descriptor-qualifier pairs and tree numbers: no MeSH browser page; NLM's IRI itself
    (re.compile(r"^http://id\.nlm\.nih\.gov/mesh/(D\d+Q\d+|[A-Z]\d{2}(?:\.\d{3})*)$"), "MeSH",
     "MESH:{0}", "http://id.nlm.nih.gov/mesh/{0}"),
    (re.compile(r"^http://purl\.obolibrary\.org/obo/(GO|MONDO|DOID|NCIT|SO|CHEBI|UBERON|CL)_(\w+)$"),
     "{0}", "{0}:{1}", "http://purl.obolibrary.org/obo/{0}_{1}"),
    (re.compile(r"^https?://identifiers\.org/(mirbase|mirbase\.mature):(\w+)$"), "miRBase",
     "{0}:{1}", "https://identifiers.org/{0}:{1}"),
    (re.compile(r"^https?://identifiers\.org/hgnc:(\d+)$"), "HGNC", "HGNC:{0}",
     "https://identifiers.org/hgnc:{0}"),
    (re.compile(r"^https?://identifiers\.org/ensembl:(\w+)$"), "Ensembl", "ENSEMBL:{0}",
     "https://identifiers.org/ensembl:{0}"),
    (re.compile(r"^https?://(?:purl\.uniprot\.org/uniprot/|identifiers\.org/uniprot:)(\w+)$"),
     "UniProt", "UniProt:{0}", "https://www.uniprot.org/uniprotkb/{0}"),
    (re.compile(r"^https?://identifiers\.org/pmc:(PMC\d+)$"), "PMC", "{0}",
     "https://pmc.ncbi.nlm.nih.gov/articles/{0}/"),
    (re.compile(r"^https://pubmed\.ncbi\.nlm\.nih\.gov/(\d+)/?$"), "PubMed", "PMID:{0}",
     "https://pubmed.ncbi.nlm.nih.gov/{0}/"),
    (re.compile(r"^https://doi\.org/(10\..+)$"), "DOI", "doi:{0}", "https://doi.org/{0}"),
    (re.compile(r"^https://orcid\.org/([\dX-]+)$"), "ORCID", "{0}", "https://orcid.org/{0}"),
)


@dataclass(frozen=True)
class ExternalLink:
    source: str
    identifier: str
    url: str
    relation: str
    #: the graph's name for the linked term ("angiogenesis" for GO:0001525), if it has one
    label: str = ""


def link_for_iri(iri: str, relation: str) -> ExternalLink | None:
    """The link for an IRI the resource points to, or None for non-web IRIs."""
    for pattern, source, identifier, url in IRI_RULES:
        match = pattern.match(iri)
        if match:
            groups = match.groups()
            return ExternalLink(source.format(*groups), identifier.format(*groups),
                                url.format(*groups), relation)
    if is_web_iri(iri):
        return ExternalLink("web", iri, iri, relation)
    return None


def _identifier_links(predicate: str, value: str) -> ExternalLink | None:
    if predicate == FABIO.hasPubMedId.value and value.isdigit():
        return ExternalLink("PubMed", f"PMID:{value}", f"https://pubmed.ncbi.nlm.nih.gov/{value}/",
                            "identifier")
    if predicate == FABIO.hasPubMedCentralId.value and re.fullmatch(r"PMC\d+", value):
        return ExternalLink("PMC", value, f"https://pmc.ncbi.nlm.nih.gov/articles/{value}/",
                            "identifier")
    if predicate == BIBO.doi.value and value.startswith("10."):
        return ExternalLink("DOI", f"doi:{value}", "https://doi.org/" + quote(value, safe="/:;()._-"),
                            "identifier")
    return None


def external_links(subject: NamedNode, triples: list[Triple],
                   labels: Mapping[str, str] | None = None) -> list[ExternalLink]:
    """The links out of ``subject``, each once (an identifier before a match, before see-also);
    a linked term that ``labels`` names carries its name."""
    order = {"identifier": 0, "exact match": 1, "same as": 1, "equivalent class": 1}
    found: dict[str, ExternalLink] = {}
    for t in triples:
        if t.subject != subject:
            continue
        link: ExternalLink | None = None
        if isinstance(t.object, Literal):
            link = _identifier_links(t.predicate.value, t.object.value)
        elif isinstance(t.object, NamedNode) and t.predicate.value in LINK_PROPERTIES:
            link = link_for_iri(t.object.value, LINK_PROPERTIES[t.predicate.value])
            label = (labels or {}).get(t.object.value, "")
            if link is not None and label:
                link = replace(link, label=label)
        if link is None:
            continue
        known = found.get(link.url)
        if known is None or order.get(link.relation, 2) < order.get(known.relation, 2):
            found[link.url] = link
    return sorted(found.values(), key=lambda k: (order.get(k.relation, 2), k.source, k.identifier))
