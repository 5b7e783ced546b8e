"""Forms PubMed's DTD allows, built into a graph and queried as a user would: each is mapped
faithfully per the README's data model, or its record is reported, never silently lost."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner, Result
from pyoxigraph import QuerySolutions

from kg.cli import main
from kg.release import current_release
from kg.store import open_read_only

EVKG = "https://w3id.org/evkg/"
PREFIXES = """PREFIX bibo: <http://purl.org/ontology/bibo/> PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX evkg: <https://w3id.org/evkg/ontology#> PREFIX fabio: <http://purl.org/spar/fabio/>
"""


def build_xml(tmp_path: Path, records: str) -> tuple[Path, Result]:
    """Build PubMed XML ``records`` (the children of a PubmedArticleSet) with the CLI."""
    source = tmp_path / "records.xml"
    source.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<PubmedArticleSet>\n{records}\n'
                      "</PubmedArticleSet>\n", encoding="utf-8")
    out = tmp_path / "b"
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(out),
                                       "--without-default-articles"])
    return out, result


def rows(out: Path, query: str) -> list[tuple[str, ...]]:
    """The rows of a SELECT over the union of the graphs, each value as its text."""
    store = open_read_only(current_release(out) / "store")
    solutions = store.query(query, use_default_graph_as_union=True, base_iri=EVKG)
    assert isinstance(solutions, QuerySolutions)
    return sorted(tuple("" if value is None else value.value for value in row)
                  for row in solutions)


_WHOLE_BOOK = """<PubmedBookArticle><BookDocument>
  <PMID Version="1">99999971</PMID>
  <ArticleIdList><ArticleId IdType="bookaccession">NBK999971</ArticleId></ArticleIdList>
  <Book>
    <Publisher><PublisherName>Invented Press</PublisherName></Publisher>
    <BookTitle book="evkg999971">Vesicles: Strategies for the Real World</BookTitle>
    <PubDate><Year>2016</Year></PubDate>
    <AuthorList Type="authors">
      <Author><LastName>Writer</LastName><ForeName>Wes</ForeName><Initials>W</Initials>
        <AffiliationInfo><Affiliation>Invented University</Affiliation></AffiliationInfo></Author>
      <Author><LastName>Penman</LastName><ForeName>Pia</ForeName><Initials>P</Initials></Author>
    </AuthorList>
    <Medium>Internet</Medium>
  </Book>
  <Language>eng</Language>
  <PublicationType UI="D016454">Review</PublicationType>
</BookDocument>
<PubmedBookData><PublicationStatus>ppublish</PublicationStatus>
  <ArticleIdList><ArticleId IdType="pubmed">99999971</ArticleId></ArticleIdList></PubmedBookData>
</PubmedBookArticle>"""


def test_a_whole_books_authors_are_its_creators(tmp_path: Path) -> None:
    """A PubmedBookArticle for a whole book (no ArticleTitle: the BookTitle is its title) names
    its authors in the Book's AuthorList Type="authors", as NCBI Bookshelf's records of
    Springer's books do: the book was in the graph with no author at all."""
    out, result = build_xml(tmp_path, _WHOLE_BOOK)
    assert result.exit_code == 0, result.output
    assert rows(out, PREFIXES + """SELECT ?name ?affiliation {
        <article/99999971> bibo:authorList/rdf:rest*/rdf:first ?a ; dcterms:creator ?a .
        ?a foaf:name ?name OPTIONAL { ?a evkg:affiliation ?affiliation } }""") == [
        ("Pia Penman", ""), ("Wes Writer", "Invented University")]


def _journal_article(pmid: str, inside: str = "", data: str = "") -> str:
    """A PubmedArticle with ``inside`` its Article's last children and ``data`` its PubmedData's."""
    return (f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
            f'<PMID Version="1">{pmid}</PMID><Article PubModel="Print"><Journal>'
            "<JournalIssue><PubDate><Year>2020</Year></PubDate></JournalIssue>"
            f"<Title>Invented journal</Title></Journal><ArticleTitle>Record {pmid}.</ArticleTitle>"
            f"{inside}</Article></MedlineCitation>"
            f"<PubmedData><ArticleIdList><ArticleId IdType=\"pubmed\">{pmid}</ArticleId>"
            f"</ArticleIdList>{data}</PubmedData></PubmedArticle>")


def test_a_location_doi_marked_invalid_is_not_the_articles_doi(tmp_path: Path) -> None:
    """PubMed marks a DOI its publisher gave wrong with ELocationID ValidYN="N" (the DTD's
    attribute; its pii kind was already left out): such a DOI was the article's bibo:doi and
    its doi.org link, even before the valid DOI that follows it."""
    out, result = build_xml(tmp_path, "\n".join((
        _journal_article("99999972", '<ELocationID EIdType="doi" ValidYN="N">10.99999/wrong.72'
                                     "</ELocationID>"),
        _journal_article("99999973", '<ELocationID EIdType="doi" ValidYN="N">10.99999/wrong.73'
                                     '</ELocationID><ELocationID EIdType="doi" ValidYN="Y">'
                                     "10.99999/right.73</ELocationID>"))))
    assert result.exit_code == 0, result.output
    assert rows(out, """SELECT ?a ?doi { VALUES ?a { <article/99999972> <article/99999973> }
        ?a a <https://schema.org/ScholarlyArticle>
        OPTIONAL { ?a <http://purl.org/ontology/bibo/doi> ?doi } }""") == [
        (f"{EVKG}article/99999972", ""), (f"{EVKG}article/99999973", "10.99999/right.73")]
    assert rows(out, "SELECT ?link { ?a <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?link "
                     "FILTER(CONTAINS(STR(?link), 'wrong')) }") == []


def test_a_doi_written_as_a_link_is_read_and_one_that_is_none_is_quarantined(
        tmp_path: Path) -> None:
    """The DTD holds a DOI as text, which publishers write as a link or after "doi:": one such
    record, or one whose DOI is no DOI at all, failed the whole build in validation ("a
    string that starts with '10.'"), no release made for any record. A link or "doi:" is read
    as the DOI it names, in references too; a record whose DOI is none is quarantined and a
    reference's is not taken (its citation text is kept)."""
    references = ("<ReferenceList><Reference><Citation>Linked.</Citation><ArticleIdList>"
                  '<ArticleId IdType="doi">http://dx.doi.org/10.99999/Ref.74</ArticleId>'
                  "</ArticleIdList></Reference><Reference><Citation>A book, ISBN 0-0000-0000-0."
                  '</Citation><ArticleIdList><ArticleId IdType="doi">ISBN 0-0000-0000-0'
                  "</ArticleId></ArticleIdList></Reference></ReferenceList>")
    out, result = build_xml(tmp_path, "\n".join((
        _journal_article("99999974").replace(
            "</ArticleIdList>", '<ArticleId IdType="doi">https://doi.org/10.99999/URL.74'
                                "</ArticleId></ArticleIdList>" + references),
        _journal_article("99999975", '<ELocationID EIdType="doi" ValidYN="Y">doi: '
                                     "10.99999/prefixed.75</ELocationID>"),
        _journal_article("99999976").replace(
            "</ArticleIdList>", '<ArticleId IdType="doi">S0000-0000(20)99976-0</ArticleId>'
                                "</ArticleIdList>"))))
    assert result.exit_code == 0, result.output
    assert ("PMID 99999976: could not be mapped to RDF: its DOI 'S0000-0000(20)99976-0' is "
            "not a DOI") in result.output
    assert rows(out, """SELECT ?a ?doi ?link { ?a <http://purl.org/ontology/bibo/doi> ?doi ;
        <http://www.w3.org/2000/01/rdf-schema#seeAlso> ?link
        FILTER(STRSTARTS(STR(?link), "https://doi.org/")) }""") == [
        (f"{EVKG}article/99999974", "10.99999/URL.74", "https://doi.org/10.99999/URL.74"),
        (f"{EVKG}article/99999975", "10.99999/prefixed.75",
         "https://doi.org/10.99999/prefixed.75")]
    assert rows(out, PREFIXES + """PREFIX cito: <http://purl.org/spar/cito/>
        SELECT ?p ?o { <article/99999974> ?p ?o
        FILTER(?p IN (cito:cites, evkg:unidentifiedReference)) }""") == [
        ("http://purl.org/spar/cito/cites", f"{EVKG}article/doi/10.99999/ref.74"),
        (f"{EVKG}ontology#unidentifiedReference", "A book, ISBN 0-0000-0000-0.")]


def test_a_journal_without_title_is_named_by_its_medline_abbreviation(tmp_path: Path) -> None:
    """The DTD makes Journal's Title and ISOAbbreviation optional and MedlineJournalInfo's
    MedlineTA required (MEDLINE text's TA, which names the journal of a MEDLINE record): a
    record whose Journal has neither was quarantined as "cut short", its journal unnamed."""
    record = _journal_article("99999977").replace("<Title>Invented journal</Title>", "").replace(
        "</Article>", "</Article><MedlineJournalInfo><Country>United States</Country>"
                      "<MedlineTA>Invented J</MedlineTA><NlmUniqueID>999999977</NlmUniqueID>"
                      "</MedlineJournalInfo>")
    out, result = build_xml(tmp_path, record)
    assert result.exit_code == 0, result.output
    assert "quarantined: " not in result.output
    assert rows(out, PREFIXES + """SELECT ?journal ?abbreviation {
        <article/99999977> dcterms:isPartOf ?journal .
        ?journal fabio:hasNLMJournalTitleAbbreviation ?abbreviation }""") == [
        (f"{EVKG}journal/999999977", "Invented J")]


def test_an_issn_written_otherwise_is_read_and_one_that_is_none_is_quarantined(
        tmp_path: Path) -> None:
    """One record whose ISSN had a lower-case check character ("1111-222x") or no hyphen
    failed the whole build in validation (bibo:issn "NNNN-NNNC"). Such an ISSN is read as
    NNNN-NNNC; a record whose ISSN is none is quarantined, naming it."""
    def issn(pmid: str, value: str) -> str:
        return _journal_article(pmid).replace(
            "<JournalIssue>", f'<ISSN IssnType="Electronic">{value}</ISSN><JournalIssue>')
    out, result = build_xml(tmp_path, "\n".join((
        issn("99999978", "1111-222x"), issn("99999979", "33334444"),
        issn("99999980", "ISSN 5555"))))
    assert result.exit_code == 0, result.output
    assert ("PMID 99999980: could not be mapped to RDF: its journal's ISSN 'ISSN 5555' is not "
            "an ISSN") in result.output
    assert rows(out, PREFIXES + """SELECT ?a ?journal ?issn {
        ?a dcterms:isPartOf ?journal . ?journal <http://purl.org/ontology/bibo/eissn> ?issn }
        """) == [(f"{EVKG}article/99999978", f"{EVKG}journal/issn/1111-222X", "1111-222X"),
                 (f"{EVKG}article/99999979", f"{EVKG}journal/issn/3333-4444", "3333-4444")]


def test_an_article_date_without_its_type_is_the_electronic_date(tmp_path: Path) -> None:
    """The DTD fixes ArticleDate's DateType at "Electronic" (``#FIXED``), so a file may leave
    it out: such a date was dropped, and the article had no
    ``evkg:electronicPublicationDate``, where the same date written with the attribute gave
    one."""
    out, result = build_xml(tmp_path, "\n".join((
        _journal_article("99999981", "<ArticleDate><Year>2019</Year><Month>12</Month>"
                                     "<Day>30</Day></ArticleDate>"),
        _journal_article("99999982", '<ArticleDate DateType="Electronic"><Year>2019</Year>'
                                     "<Month>12</Month><Day>31</Day></ArticleDate>"))))
    assert result.exit_code == 0, result.output
    assert rows(out, PREFIXES + """SELECT ?a ?date {
        ?a evkg:electronicPublicationDate ?date }""") == [
        (f"{EVKG}article/99999981", "2019-12-30"), (f"{EVKG}article/99999982", "2019-12-31")]


def test_an_article_id_without_its_type_is_a_pmid(tmp_path: Path) -> None:
    """The DTD's default IdType of ArticleId is "pubmed", so a file may write a PMID without
    it: the record's own gave it ``dcterms:identifier ":99999983"``, and a reference that named
    its PMID so was kept as text (``evkg:unidentifiedReference``), citing nothing."""
    reference = ("<ReferenceList><Reference><Citation>Cited by its PMID alone.</Citation>"
                 "<ArticleIdList><ArticleId>99999984</ArticleId></ArticleIdList></Reference>"
                 "</ReferenceList>")
    out, result = build_xml(tmp_path, _journal_article("99999983").replace(
        '<ArticleId IdType="pubmed">99999983</ArticleId></ArticleIdList>',
        "<ArticleId>99999983</ArticleId></ArticleIdList>" + reference))
    assert result.exit_code == 0, result.output
    assert rows(out, PREFIXES + """PREFIX cito: <http://purl.org/spar/cito/>
        SELECT ?p ?o { <article/99999983> ?p ?o FILTER(?p IN (cito:cites,
        evkg:unidentifiedReference, dcterms:identifier, fabio:hasPubMedId)) }""") == [
        ("http://purl.org/spar/cito/cites", f"{EVKG}article/99999984"),
        ("http://purl.org/spar/fabio/hasPubMedId", "99999983")]
