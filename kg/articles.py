"""Article records → quads in ``graph/articles`` (and the MeSH terms they name in ``graph/mesh``)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from kg import iris
from kg.namespaces import BIBO, CITO, DCTERMS, EVKG, FABIO, FOAF, MESHV, RDF, RDFS, SCHEMA, XSD
from kg.records import Article, Author, MeshHeading

#: Publication types that make an article a review (FaBiO ReviewArticle).
REVIEW_TYPES = frozenset({"Review", "Systematic Review", "Meta-Analysis"})


def date_literal(value: str) -> Literal:
    """An ISO date, year-month or year as xsd:date, xsd:gYearMonth or xsd:gYear."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return Literal(value, datatype=XSD.date)
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return Literal(value, datatype=XSD.gYearMonth)
    if re.fullmatch(r"\d{4}", value):
        return Literal(value, datatype=XSD.gYear)
    raise ValueError(f"not an ISO date, year-month or year: {value!r}")


def subject_iri(article: Article) -> NamedNode:
    return iris.article_iri(article.pmid, article.doi, article.pmcid)


def article_quads(article: Article) -> Iterator[Quad]:
    """Every quad an article record gives, in a stable order."""
    g = iris.graph_iri("articles")
    s = subject_iri(article)

    def t(p: NamedNode, o: NamedNode | BlankNode | Literal) -> Quad:
        return Quad(s, p, o, g)

    yield t(RDF.type, SCHEMA.ScholarlyArticle)
    yield t(RDF.type, FABIO.BookChapter if article.is_book else FABIO.JournalArticle)
    if any(pt.label in REVIEW_TYPES for pt in article.publication_types):
        yield t(RDF.type, FABIO.ReviewArticle)
    if article.pmid:
        yield t(FABIO.hasPubMedId, Literal(article.pmid))
        yield t(RDFS.seeAlso, NamedNode(f"https://pubmed.ncbi.nlm.nih.gov/{article.pmid}"))
    if article.version > 1:
        yield t(EVKG.pubmedVersion, Literal(str(article.version), datatype=XSD.integer))
    if article.pmcid:
        yield t(FABIO.hasPubMedCentralId, Literal(article.pmcid))
        yield t(RDFS.seeAlso, NamedNode(f"https://identifiers.org/pmc:{article.pmcid}"))
    if article.doi:
        yield t(BIBO.doi, Literal(article.doi))
        yield t(RDFS.seeAlso, iris.doi_url(article.doi))
    if article.title:
        yield t(DCTERMS.title, Literal(article.title))
    if article.abstract:
        yield t(DCTERMS.abstract, Literal(article.abstract_text))
    if article.language:
        yield t(DCTERMS.language, Literal(article.language))
    if article.pub_date:
        yield t(DCTERMS.issued, date_literal(article.pub_date))
        yield t(FABIO.hasPublicationYear, Literal(article.pub_date[:4], datatype=XSD.gYear))
    if article.epub_date:
        yield t(EVKG.electronicPublicationDate, date_literal(article.epub_date))
    if article.revised_date:
        yield t(DCTERMS.modified, date_literal(article.revised_date))
    for p, value in ((BIBO.volume, article.volume), (BIBO.issue, article.issue),
                     (BIBO.pages, article.pages)):
        if value:
            yield t(p, Literal(value))
    if article.pages:
        yield t(BIBO.pageStart, Literal(re.split(r"[-–]", article.pages, maxsplit=1)[0]))
    yield from journal_quads(article, s, g)
    yield from author_quads(article.authors, s, g)
    for ptype in article.publication_types:
        yield t(EVKG.publicationTypeLabel, Literal(ptype.label))
        if ptype.ui:
            yield t(EVKG.publicationType, iris.mesh_iri(ptype.ui))
            yield from mesh_term_quads(ptype.ui, ptype.label, MESHV.PublicationType)
    for keyword in article.keywords:
        yield t(SCHEMA.keywords, Literal(keyword))
    for substance in article.substances:
        if substance.ui:
            yield t(EVKG.substance, iris.mesh_iri(substance.ui))
            kind = (MESHV.SupplementaryConceptRecord if substance.ui.startswith("C")
                    else MESHV.TopicalDescriptor)
            yield from mesh_term_quads(substance.ui, substance.name, kind)
            if substance.registry_number and substance.registry_number != "0":
                yield Quad(iris.mesh_iri(substance.ui), MESHV.registryNumber,
                           Literal(substance.registry_number), iris.graph_iri("mesh"))
        else:
            yield t(EVKG.substanceName, Literal(substance.name))
    for heading in article.mesh_headings:
        yield from heading_quads(heading, s, g)
    for number, grant in enumerate(article.grants, start=1):
        node = BlankNode(f"{_bnode_key(s)}g{number}")
        yield t(EVKG.grant, node)
        if grant.grant_id:
            yield Quad(node, EVKG.grantId, Literal(grant.grant_id), g)
        if grant.agency:
            yield Quad(node, EVKG.grantAgency, Literal(grant.agency), g)
    for ref in article.references:
        if ref.pmid or ref.doi or ref.pmcid:
            yield t(CITO.cites, iris.article_iri(ref.pmid, ref.doi, ref.pmcid))
        elif ref.citation:
            yield t(EVKG.unidentifiedReference, Literal(ref.citation))
    for pmid in article.similar_pmids:
        yield t(EVKG.similarTo, iris.article_iri(pmid))
    for pmid in article.cited_by_pmids:
        yield t(CITO.isCitedBy, iris.article_iri(pmid))
    for cc in article.comments_corrections:
        if cc.ref_type == "RetractionIn":
            yield t(EVKG.retractionNotice,
                    iris.article_iri(cc.pmid) if cc.pmid else Literal(cc.note))
    if article.retracted:
        yield t(EVKG.retracted, Literal(True))
    for url in article.provenance.urls:
        if url.startswith(("http://", "https://")):
            yield t(DCTERMS.source, iris.web_iri(url))
        else:
            yield t(EVKG.provenanceNote, Literal(f"Source: {url}"))
    for note in article.provenance.notes:
        yield t(EVKG.provenanceNote, Literal(note))


def journal_quads(article: Article, s: NamedNode, g: NamedNode) -> Iterator[Quad]:
    journal = article.journal
    if journal is None or not (journal.nlm_id or journal.issn or journal.eissn or journal.title
                               or journal.iso_abbrev):
        return
    j = iris.journal_iri(journal.nlm_id, journal.issn or journal.eissn,
                         journal.title or journal.iso_abbrev)
    yield Quad(s, DCTERMS.isPartOf, j, g)
    yield Quad(j, RDF.type, FABIO.Journal, g)
    for p, value in ((DCTERMS.title, journal.title),
                     (FABIO.hasNLMJournalTitleAbbreviation, journal.iso_abbrev),
                     (BIBO.issn, journal.issn), (BIBO.eissn, journal.eissn),
                     (FABIO.hasNationalLibraryOfMedicineJournalId, journal.nlm_id)):
        if value:
            yield Quad(j, p, Literal(value), g)
    if journal.nlm_id:
        yield Quad(j, RDFS.seeAlso,
                   NamedNode(f"https://www.ncbi.nlm.nih.gov/nlmcatalog/{journal.nlm_id}"), g)


def author_quads(authors: tuple[Author, ...], s: NamedNode, g: NamedNode) -> Iterator[Quad]:
    """Each author as a resource, and ``bibo:authorList`` keeping the byline order."""
    previous: NamedNode | BlankNode | None = None
    for position, author in enumerate(authors, start=1):
        a = iris.author_iri(s, position, author.orcid)
        yield Quad(s, DCTERMS.creator, a, g)
        if author.collective:
            yield Quad(a, RDF.type, FOAF.Organization, g)
            yield Quad(a, FOAF.name, Literal(author.collective), g)
        else:
            yield Quad(a, RDF.type, FOAF.Person, g)
            name = " ".join(part for part in (author.given or author.initials, author.family)
                            if part)
            yield Quad(a, FOAF.name, Literal(name), g)
            for p, value in ((FOAF.familyName, author.family), (FOAF.givenName, author.given),
                             (EVKG.initials, author.initials)):
                if value:
                    yield Quad(a, p, Literal(value), g)
        if author.orcid:
            yield Quad(a, SCHEMA.sameAs, NamedNode(f"https://orcid.org/{author.orcid}"), g)
        for affiliation in author.affiliations:
            yield Quad(a, EVKG.affiliation, Literal(affiliation), g)
        cell = BlankNode(f"{_bnode_key(s)}al{position}")
        yield Quad(previous, RDF.rest, cell, g) if previous else Quad(s, BIBO.authorList, cell, g)
        yield Quad(cell, RDF.first, a, g)
        previous = cell
    if previous is not None:
        yield Quad(previous, RDF.rest, RDF.nil, g)


def _bnode_key(s: NamedNode) -> str:
    """A blank-node label derived from the article IRI, so output is the same on every run."""
    return re.sub(r"[^A-Za-z0-9]", "", s.value.rsplit("/article/", 1)[-1])


def heading_quads(heading: MeshHeading, s: NamedNode, g: NamedNode) -> Iterator[Quad]:
    """``fabio:hasSubjectTerm`` for the descriptor and each pair; primary terms for major ones."""
    if not heading.descriptor_ui:
        yield Quad(s, EVKG.unresolvedSubjectTerm, Literal(heading.descriptor_label), g)
        return
    d = iris.mesh_iri(heading.descriptor_ui)
    yield Quad(s, FABIO.hasSubjectTerm, d, g)
    if heading.major:
        yield Quad(s, FABIO.hasPrimarySubjectTerm, d, g)
    yield from mesh_term_quads(heading.descriptor_ui, heading.descriptor_label,
                               MESHV.TopicalDescriptor)
    mg = iris.graph_iri("mesh")
    for q in heading.qualifiers:
        if not q.ui:
            yield Quad(s, EVKG.unresolvedSubjectTerm,
                       Literal(f"{heading.descriptor_label}/{q.label}"), g)
            continue
        pair = iris.mesh_pair_iri(heading.descriptor_ui, q.ui)
        yield Quad(s, FABIO.hasSubjectTerm, pair, g)
        if q.major:
            yield Quad(s, FABIO.hasPrimarySubjectTerm, pair, g)
        yield from mesh_term_quads(q.ui, q.label, MESHV.Qualifier)
        yield Quad(pair, RDF.type, MESHV.DescriptorQualifierPair, mg)
        yield Quad(pair, MESHV.hasDescriptor, d, mg)
        yield Quad(pair, MESHV.hasQualifier, iris.mesh_iri(q.ui), mg)
        yield Quad(pair, RDFS.label, Literal(f"{heading.descriptor_label}/{q.label}",
                                             language="en"), mg)


def mesh_term_quads(ui: str, label: str, kind: NamedNode) -> Iterator[Quad]:
    """The type, label and identifier of a MeSH term named by a record, in ``graph/mesh``."""
    mg = iris.graph_iri("mesh")
    m = iris.mesh_iri(ui)
    yield Quad(m, RDF.type, kind, mg)
    if label:
        yield Quad(m, RDFS.label, Literal(label, language="en"), mg)
    yield Quad(m, MESHV.identifier, Literal(ui), mg)
