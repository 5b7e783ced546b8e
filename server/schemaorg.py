"""schema.org JSON-LD embedded in pages, so search engines and Bioschemas tools can read them."""

from __future__ import annotations

import json
import re
from typing import Any

from pyoxigraph import Literal, NamedNode

from kg.namespaces import CITO, DCTERMS, FABIO, MESH, MESHV, SCHEMA, SKOS
from server.citations import article_record
from server.description import Description
from server.links import link_for_iri

#: A MeSH descriptor's IRI (not a descriptor–qualifier pair's).
MESH_DESCRIPTOR = re.compile(re.escape(MESH.iri) + r"D\d+")
#: A MeSH descriptor's or qualifier's IRI, and their classes in NLM's vocabulary (a page of one
#: is a DefinedTerm).
MESH_TERM = re.compile(re.escape(MESH.iri) + r"[DQ]\d+")
MESH_TERM_CLASSES = {MESHV[name].value for name in (
    "TopicalDescriptor", "CheckTag", "GeographicalDescriptor", "PublicationType", "Qualifier")}
#: Types that make a page a ScholarlyArticle / a DefinedTerm.
ARTICLE = SCHEMA.ScholarlyArticle.value
CONCEPT = SKOS.Concept.value
#: The Bioschemas Dataset profile the dataset page meets, by its versioned URL: 1.0-RELEASE
#: (https://bioschemas.org/profiles/Dataset/1.0-RELEASE, 12 July 2022), whose minimum
#: properties are description, identifier, keywords, license, name and url.
BIOSCHEMAS_DATASET = "https://bioschemas.org/profiles/Dataset/1.0-RELEASE"


def conforms_to(profile: str) -> dict[str, Any]:
    """The claim that a record meets a Bioschemas profile: ``dct:conformsTo`` the profile's
    versioned URL, written with Dublin Core's full IRI as Bioschemas asks (the schema.org
    context defines no ``dct:`` prefix)."""
    return {"http://purl.org/dc/terms/conformsTo": {"@type": "CreativeWork", "@id": profile}}


def script_json(document: dict[str, Any]) -> str:
    """JSON safe inside ``<script>``: ``<``, ``>`` and ``&`` as JSON escapes, so no ``</script>``."""
    text = json.dumps(document, ensure_ascii=False, indent=1)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _literals(d: Description, predicate: NamedNode) -> list[str]:
    """The literal values of ``predicate``, those without a language tag first (an article's
    own abstract before the ones a publisher gave in other languages)."""
    found = [o for o in d.objects(NamedNode(d.iri), predicate) if isinstance(o, Literal)]
    return [o.value for o in sorted(found, key=lambda o: bool(o.language))]


def article_jsonld(d: Description) -> dict[str, Any]:
    record = article_record(d)
    doc: dict[str, Any] = {"@context": "https://schema.org", "@type": "ScholarlyArticle",
                           "@id": record.iri, "url": record.iri, "name": record.title,
                           "headline": record.title}
    identifiers = [("PMID", record.pmid), ("DOI", record.doi), ("PMCID", record.pmcid)]
    doc["identifier"] = [{"@type": "PropertyValue", "propertyID": name, "value": value}
                         for name, value in identifiers if value]
    if record.issued:
        doc["datePublished"] = record.issued
    if record.authors:
        # a group author is an Organization, as the graph has it (foaf:Organization)
        doc["author"] = [{"@type": "Organization" if p.organization else "Person", "@id": p.iri,
                          "name": p.name,
                          **({"familyName": p.family} if p.family else {}),
                          **({"givenName": p.given} if p.given else {}),
                          **({"sameAs": list(p.same_as)} if p.same_as else {})}
                         for p in record.authors]
    if record.journal_iri:
        periodical: dict[str, Any] = {"@type": "Periodical", "@id": record.journal_iri}
        if record.journal:
            periodical["name"] = record.journal
        if record.issn:
            periodical["issn"] = record.issn
        doc["isPartOf"] = periodical
    if record.same_as:
        doc["sameAs"] = record.same_as
    if record.keywords:
        doc["keywords"] = record.keywords
    if record.language:  # BCP 47, as schema.org asks: the language the citations give
        doc["inLanguage"] = record.language
    # what it is about, by its MeSH descriptors (not the descriptor–qualifier pairs), and the
    # works it cites, as its RDF names them (fabio:hasSubjectTerm, cito:cites)
    subject = NamedNode(d.iri)
    descriptors = sorted(o.value for o in d.objects(subject, FABIO.hasSubjectTerm)
                         if isinstance(o, NamedNode) and MESH_DESCRIPTOR.fullmatch(o.value))
    if descriptors:
        doc["about"] = [{"@type": "DefinedTerm", "@id": iri, "termCode": iri.rpartition("/")[2],
                         **({"name": d.labels[iri]} if d.labels.get(iri) else {})}
                        for iri in descriptors]
    if cited := sorted(o.value for o in d.objects(subject, CITO.cites) if isinstance(o, NamedNode)):
        doc["citation"] = [{"@type": "CreativeWork", "@id": iri} for iri in cited]
    # schema.org's names for the abstract and the copyright notice
    for key, predicate in (("abstract", DCTERMS.abstract), ("copyrightNotice", DCTERMS.rights)):
        if values := _literals(d, predicate):
            doc[key] = values[0]
    # the title in the article's own language, with that language as the graph tags it (a
    # bare string would be read as in no language, beside an English headline); "und" (not
    # known) is written as no language
    titles = [o for o in d.objects(subject, DCTERMS.alternative) if isinstance(o, Literal)]
    if titles:
        title = min(titles, key=lambda o: (bool(o.language), o.value))
        tag = title.language or "und"
        doc["alternativeHeadline"] = (title.value if tag == "und"
                                      else {"@value": title.value, "@language": tag})
    return doc


def defined_term_jsonld(d: Description) -> dict[str, Any]:
    subject = NamedNode(d.iri)
    doc: dict[str, Any] = {"@context": "https://schema.org", "@type": "DefinedTerm",
                           "@id": d.iri, "url": d.iri, "name": d.label}
    if definition := _literals(d, SKOS.definition):
        doc["description"] = definition[0]
    if notation := _literals(d, SKOS.notation):
        doc["termCode"] = notation[0]
    if alternates := sorted(set(_literals(d, SKOS.altLabel))):
        doc["alternateName"] = alternates
    schemes = sorted(o.value for o in d.objects(subject, SKOS.inScheme) if isinstance(o, NamedNode))
    if schemes:
        doc["inDefinedTermSet"] = [{"@type": "DefinedTermSet", "@id": s,
                                    "name": d.labels.get(s, s)} for s in schemes]
    matches = sorted(o.value for o in d.objects(subject, SKOS.exactMatch) if isinstance(o, NamedNode))
    if matches:
        doc["sameAs"] = matches
    return doc


def mesh_term_jsonld(d: Description, page: str) -> dict[str, Any]:
    """A MeSH descriptor or qualifier as a schema.org DefinedTerm: NLM's IRI, the page here
    (``page``), its name, UI, entry terms, and the set it is of (MeSH, by NLM's browser page
    of the term, as the page's external link gives it)."""
    ui = d.iri.rpartition("/")[2]
    doc: dict[str, Any] = {"@context": "https://schema.org", "@type": "DefinedTerm",
                           "@id": d.iri, "url": page, "name": d.label, "termCode": ui,
                           "inDefinedTermSet": {"@type": "DefinedTermSet",
                                                "name": "Medical Subject Headings (MeSH)"}}
    if alternates := sorted(set(_literals(d, SKOS.altLabel))):
        doc["alternateName"] = alternates
    if browser := link_for_iri(d.iri, "identifier"):
        doc["sameAs"] = [browser.url]
    return doc


def page_jsonld(d: Description, page: str = "") -> str | None:
    """The JSON-LD for a resource page (at ``page``), or None for kinds of resource schema.org
    has no type for."""
    types = d.type_iris
    if ARTICLE in types:
        return script_json(article_jsonld(d))
    if CONCEPT in types:
        return script_json(defined_term_jsonld(d))
    if MESH_TERM.fullmatch(d.iri) and types & MESH_TERM_CLASSES:
        return script_json(mesh_term_jsonld(d, page or d.iri))
    return None
