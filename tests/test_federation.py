"""Federated example queries, proven offline: a second SPARQL server on 127.0.0.1 stands in for
NLM's MeSH, UniProt and Wikidata endpoints, and evkg's endpoint joins its graph with it.

The stand-in is Oxigraph's own server (the ``oxigraph`` package, a test dependency) holding a
few triples shaped like each remote's data (MeSH in its ``<http://id.nlm.nih.gov/mesh>`` graph).
Its values are stand-ins, not copies of the remote data. No request leaves 127.0.0.1: the
allowlist holds only the stand-in, so the public endpoints themselves are refused.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import requests
from pyoxigraph import Store

from kg.build import BuildReport
from server import create_app
from server.federation import silent_services
from tests.backends import stop_process
from tests.conftest import free_port, serving, wait_for

ROOT = Path(__file__).resolve().parents[1]
OXIGRAPH = Path(sys.executable).parent / "oxigraph"
JSON = {"Accept": "application/sparql-results+json"}
BASE = "https://w3id.org/evkg/"
#: The public endpoint each federated example calls.
REMOTES = {
    "federated-mesh-scope-notes": "https://id.nlm.nih.gov/mesh/sparql",
    "federated-uniprot-integrins": "https://sparql.uniprot.org/sparql",
    "federated-wikidata-genes": "https://query.wikidata.org/sparql",
}

STAND_IN = """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix mesh: <http://id.nlm.nih.gov/mesh/> .
@prefix meshv: <http://id.nlm.nih.gov/mesh/vocab#> .
@prefix up: <http://purl.uniprot.org/core/> .
@prefix uniprot: <http://purl.uniprot.org/uniprot/> .
@prefix wd: <http://www.wikidata.org/entity/> .
@prefix wdt: <http://www.wikidata.org/prop/direct/> .

<http://id.nlm.nih.gov/mesh> {
  mesh:D001943 a meshv:TopicalDescriptor ; rdfs:label "Breast Neoplasms"@en ;
      meshv:treeNumber mesh:C04.588.180 , mesh:C17.800.090.500 ;
      meshv:preferredConcept mesh:M0002745 .
  mesh:M0002745 meshv:scopeNote "Tumors or cancer of the human BREAST." .
  mesh:D000067128 a meshv:TopicalDescriptor ; rdfs:label "Extracellular Vesicles"@en ;
      meshv:treeNumber mesh:A11.284.430.214 ;
      meshv:preferredConcept mesh:M000609010 .
  mesh:M000609010 meshv:scopeNote "Membrane-limited structures released from cells." .
  mesh:D009362 a meshv:TopicalDescriptor ; rdfs:label "Neoplasm Metastasis"@en ;
      meshv:treeNumber mesh:C04.697.650 .
}

uniprot:P23229 up:mnemonic "ITA6_HUMAN" ; up:recommendedName [ up:fullName "Integrin alpha-6" ] ;
    up:annotation [ a up:Function_Annotation ; rdfs:comment "Receptor for laminin." ] .
uniprot:P16144 up:mnemonic "ITB4_HUMAN" ; up:recommendedName [ up:fullName "Integrin beta-4" ] .
uniprot:P04626 up:mnemonic "ERBB2_HUMAN" ;
    up:recommendedName [ up:fullName "Receptor tyrosine-protein kinase erbB-2" ] .
uniprot:P08133 up:mnemonic "ANXA6_HUMAN" ; up:recommendedName [ up:fullName "Annexin A6" ] .

wd:Q900001 wdt:P354 "31492" ; wdt:P351 "406897" ; rdfs:label "MIR105-1"@en , "MIR105-1"@de .
wd:Q900002 wdt:P354 "31493" ; rdfs:label "MIR105-2"@en .
wd:Q900003 wdt:P354 "3430" ; wdt:P351 "2064" ; rdfs:label "ERBB2"@en .
wd:Q900004 wdt:P354 "544" ; rdfs:label "ANXA6"@en .
"""


def start(command: list[str], url: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(url, process)
    except BaseException:
        stop_process(process)
        raise
    return process


@pytest.fixture(scope="module")
def stand_in(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Oxigraph's server on 127.0.0.1 with the stand-in data; yields its query URL."""
    if not OXIGRAPH.exists() and shutil.which("oxigraph") is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph, in the test extra)")
    binary = str(OXIGRAPH) if OXIGRAPH.exists() else "oxigraph"
    folder = tmp_path_factory.mktemp("stand-in")
    data = folder / "remote.trig"
    data.write_text(STAND_IN, encoding="utf-8")
    subprocess.run([binary, "load", "--location", str(folder / "store"), "--file", str(data)],
                   check=True, capture_output=True, timeout=60)
    port = free_port()
    process = start([binary, "serve-read-only", "--location", str(folder / "store"),
                     "--bind", f"127.0.0.1:{port}"], f"http://127.0.0.1:{port}/")
    try:
        yield f"http://127.0.0.1:{port}/query"
    finally:
        stop_process(process)


#: SPARQL XML results cut short, as an endpoint sends them when it fails mid-answer.
BROKEN_XML = (b'<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
              b'<head><variable name="x"/></head><results><result><binding name="x"><lit')


class Recorder(BaseHTTPRequestHandler):
    """A SPARQL endpoint that notes the path of every request and answers one row (at
    ``/broken``, SPARQL XML cut short)."""

    calls: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.do_POST()

    def do_POST(self) -> None:
        self.calls.append(self.path)
        body = b'{"head":{"vars":["x"]},"results":{"bindings":[{"x":{"type":"literal","value":"r"}}]}}'
        broken = self.path.startswith("/broken")
        body = BROKEN_XML if broken else body
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+xml" if broken
                         else "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def recorder() -> Iterator[str]:
    """A recording endpoint on 127.0.0.1; yields its base URL (``/allowed`` is on the allowlist)."""
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def evkg(default_build: tuple[Path, BuildReport], stand_in: str, recorder: str,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``evkg serve`` of the default release whose allowlist holds only the stand-in (and the
    recorder's ``/allowed`` and ``/broken``)."""
    out, _ = default_build
    port = free_port()
    env = {**os.environ,
           "EVKG_SERVICE_ALLOWLIST": f"{stand_in},{recorder}/allowed,{recorder}/broken",
           "EVKG_QUERY_TIMEOUT": "20",
           "EVKG_CACHE_DIR": str(tmp_path_factory.mktemp("cache"))}
    env.pop("EVKG_SPARQL_ENDPOINT", None)
    process = start([sys.executable, "-m", "kg.cli", "serve", "--store", str(out), "--port", str(port),
                     "--workers", "1"], f"http://127.0.0.1:{port}/health", env)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process)


def example(name: str) -> str:
    return (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")


def run(evkg: str, query: str) -> list[dict[str, str]]:
    response = requests.post(evkg + "/sparql", data={"query": query}, headers=JSON, timeout=60)
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def refusal(evkg: str, query: str) -> str:
    """The 400 evkg answers ``query`` with, once sure it called no endpoint."""
    Recorder.calls.clear()
    response = requests.get(evkg + "/sparql", params={"query": query}, headers=JSON, timeout=30)
    assert Recorder.calls == []
    assert response.status_code == 400, response.text
    return response.text


def through_stand_in(name: str, stand_in: str) -> str:
    text = example(name)
    assert f"SERVICE <{REMOTES[name]}>" in text
    return text.replace(f"<{REMOTES[name]}>", f"<{stand_in}>")


def test_mesh_example_joins_major_topics_with_scope_notes(evkg: str, stand_in: str) -> None:
    rows = run(evkg, through_stand_in("federated-mesh-scope-notes", stand_in))
    got = {(r["heading"], r["treeNumber"], r.get("scopeNote", "")) for r in rows}
    assert got == {
        ("http://id.nlm.nih.gov/mesh/D001943", "http://id.nlm.nih.gov/mesh/C04.588.180",
         "Tumors or cancer of the human BREAST."),
        ("http://id.nlm.nih.gov/mesh/D001943", "http://id.nlm.nih.gov/mesh/C17.800.090.500",
         "Tumors or cancer of the human BREAST."),
        ("http://id.nlm.nih.gov/mesh/D000067128", "http://id.nlm.nih.gov/mesh/A11.284.430.214",
         "Membrane-limited structures released from cells."),
    }
    assert all(r["label"] == r["nlmLabel"] for r in rows)  # evkg's labels are NLM's


def test_uniprot_example_joins_protein_cargo_with_entries(evkg: str, stand_in: str) -> None:
    rows = run(evkg, through_stand_in("federated-uniprot-integrins", stand_in))
    by_label = {r["label"]: r for r in rows}
    assert sorted(by_label) == ["ERBB2", "ITGA6", "ITGB4"]  # ANXA6 is not asked for
    assert by_label["ITGA6"]["protein"] == "http://purl.uniprot.org/uniprot/P23229"
    assert by_label["ITGA6"]["function"] == "Receptor for laminin."
    assert "function" not in by_label["ITGB4"]
    assert "organotropism" in by_label["ITGB4"]["processes"]  # evkg's side of the join
    assert by_label["ERBB2"]["mnemonic"] == "ERBB2_HUMAN"


def test_wikidata_example_joins_cargo_with_gene_items(evkg: str, stand_in: str) -> None:
    rows = run(evkg, through_stand_in("federated-wikidata-genes", stand_in))
    got = {(r["cargo"], r["hgnc"], r["item"], r["itemLabel"], r.get("ncbiGene")) for r in rows}
    wd = "http://www.wikidata.org/entity/"
    assert got == {
        (BASE + "cargo/hsa-miR-105", "31492", wd + "Q900001", "MIR105-1", "406897"),
        (BASE + "cargo/hsa-miR-105", "31493", wd + "Q900002", "MIR105-2", None),
        (BASE + "cargo/ERBB2", "3430", wd + "Q900003", "ERBB2", "2064"),
    }


@pytest.mark.parametrize("name", sorted(REMOTES))
def test_public_endpoint_off_the_allowlist_is_refused(evkg: str, name: str) -> None:
    """The examples as published name the public endpoints, which this server does not allow."""
    response = requests.post(evkg + "/sparql", data={"query": example(name)}, headers=JSON, timeout=30)
    assert response.status_code == 400
    assert REMOTES[name] in response.text and "allowed" in response.text


def test_endpoint_off_the_allowlist_is_refused_by_name(evkg: str, stand_in: str) -> None:
    other = f"http://127.0.0.1:{free_port()}/query"
    query = f"SELECT * WHERE {{ SERVICE <{other}> {{ ?s ?p ?o }} }}"
    response = requests.get(evkg + "/sparql", params={"query": query}, headers=JSON, timeout=30)
    assert response.status_code == 400
    assert other in response.text and stand_in in response.text


@pytest.mark.parametrize("query", [
    # a prefixed name's escape read as a comment hid the rest of its line
    "PREFIX ex: <http://e/> SELECT * { BIND(ex:a\\#b AS ?x) SERVICE <{other}> { } }",
    # an IRI with a \\u escape was not read as an IRI, so its '#' began a comment
    "SELECT * { BIND(<http://e/\\u0041#b> AS ?x) SERVICE <{other}> { } }",
    # '<' comparing, read as the start of an IRI that ends after SERVICE#
    "SELECT * { BIND(1 AS ?n) FILTER(?n<2)SERVICE#>\n<{other}> { } }",
    # pyoxigraph reads a keyword by its letters, with no word boundary (a federation review)
    "SELECT * { SERVICESILENT<{other}> { } }",
    "PREFIX : <{other}> SELECT * { SERVICE:x { } }",
    "SELECT * { ?s ?p 1SERVICE <{other}> { } }",
])
def test_a_service_hidden_from_the_reader_is_refused(evkg: str, query: str) -> None:
    """Reviews found spellings that took a SERVICE past the allowlist to any URL."""
    other = f"http://127.0.0.1:{free_port()}/query"
    response = requests.get(evkg + "/sparql", params={"query": query.replace("{other}", other)},
                            headers=JSON, timeout=30)
    assert response.status_code == 400
    assert "SERVICE" in response.text and "allowed" in response.text.lower()


@pytest.mark.parametrize("query", [
    # a '<' that compares read as an IRI: the quote in it opens a string for the parser, and
    # the SERVICE was read as inside the string that closes before it
    "SELECT * { BIND(1 AS ?n) BIND(?n<'''>''' AS ?b) SERVICE <{target}> { } "
    "BIND(?n<'''>''' AS ?c) }",
    # … the '#' in it opens a comment for the parser, and a string was read from the next '''
    "SELECT * { BIND(1 AS ?n) FILTER(?n<2#>) '''\n|| true) SERVICE <{target}> { } "
    "BIND('''#''' AS ?z) }",
])
def test_a_service_after_a_comparison_read_as_an_iri_calls_nothing(evkg: str, recorder: str,
                                                                  query: str) -> None:
    """A review's (31st session): these called an endpoint off the allowlist, and answered."""
    Recorder.calls.clear()
    target = f"{recorder}/not-allowed"
    response = requests.get(evkg + "/sparql", params={"query": query.replace("{target}", target)},
                            headers=JSON, timeout=30)
    assert Recorder.calls == []
    assert response.status_code == 400, response.text
    assert "less-than sign" in response.text


def test_a_prefix_of_an_iri_with_a_hash_and_no_slashes_is_answered(evkg: str,
                                                                   stand_in: str) -> None:
    """A review's (6 Dec): a query that declared such a prefix (``PREFIX ex: <urn:example#>``)
    and called an allowed endpoint was refused, "<urn:example#>… may be read as a less-than
    sign"; a '<' in the prologue compares nothing."""
    query = through_stand_in("federated-mesh-scope-notes", stand_in)
    rows = run(evkg, f"PREFIX ex: <urn:example#>\nBASE <{BASE}>\nPREFIX here: <#>\n{query}")
    assert rows == run(evkg, query)
    assert rows


def test_a_prefix_declared_after_the_prologue_names_no_endpoint(evkg: str, recorder: str) -> None:
    """A review's (31st session, by fuzzing): ``ex:a.PREFIXp: <…>`` is a prefixed name and an
    IRI, which the check took for a declaration of ``p:``; the SERVICE to the real ``p:``, off
    the allowlist, was allowed and called."""
    query = (f"PREFIX p: <{recorder}/not-allowed> PREFIX ex: <http://example.org/> SELECT * "
             f"{{ SERVICE p: {{ }} OPTIONAL {{ ?s ex:a.PREFIXp: <{recorder}/allowed> }} }}")
    assert f"SERVICE <{recorder}/not-allowed> is not an allowed endpoint" in refusal(evkg, query)


@pytest.mark.parametrize("query", [
    "PREFIX p: <{allowed}> PREFIX €: <urn:x> PREFIX p: <{other}> SELECT * {{ SERVICE p: {{ }} }}",
    "PREFIX p: <{allowed}> PREFIX a。: <urn:x> PREFIX p: <{other}> SELECT * {{ SERVICE p: {{ }} }}",
    "PREFIX p: <{other}> PREFIX €PREFIXp: <{allowed}> SELECT * {{ SERVICE p: {{ }} }}",
])
def test_a_prefix_named_with_characters_no_letters_to_python_hides_no_declaration(
        evkg: str, recorder: str, query: str) -> None:
    """A review's (6 Dec, the day's second changes): SPARQL's prefix names hold characters that
    are no letters to Python (``€``, ``。``). The check's prologue ended before such a name,
    so ``p:`` declared again after it (the one pyoxigraph takes) was not seen, and ``SERVICE
    p:`` was checked against the first; before that day, ``PREFIXp:`` inside ``€PREFIXp:`` was
    read as a declaration of ``p:``. Either way pyoxigraph called the endpoint off the
    allowlist."""
    Recorder.calls.clear()
    other = f"{recorder}/not-allowed"
    query = query.format(allowed=f"{recorder}/allowed", other=other)
    response = requests.get(evkg + "/sparql", params={"query": query}, headers=JSON, timeout=30)
    assert Recorder.calls == []
    assert response.status_code == 400, response.text
    assert f"SERVICE <{other}> is not an allowed endpoint" in response.text


#: U+1680 OGHAM SPACE MARK: white space to Python's ``\\s``, a letter of a name to SPARQL.
OGHAM = "\u1680"


@pytest.mark.parametrize(("query", "refusal"), [
    # the prefix named OGHAM read as a second declaration of the default prefix
    ("PREFIX : <{other}> PREFIX {ogham}: <{allowed}> SELECT * {{ SERVICE : {{ }} }}",
     "SERVICE <{other}> is not an allowed endpoint"),
    # the prologue read as ending at a prefix whose name holds OGHAM: p: declared again unseen
    ("PREFIX p: <{allowed}> PREFIX a{ogham}b: <urn:x> PREFIX p: <{other}> "
     "SELECT * {{ SERVICE p: {{ }} }}",
     "SERVICE <{other}> is not an allowed endpoint"),
    # a local part read as ending at OGHAM: the endpoint called is the allowed one's path and more
    ("PREFIX p: <{recorder}/> SELECT * {{ SERVICE p:allowed{ogham}x {{ }} }}",
     "SERVICE <{recorder}/allowed{ogham}x> is not an allowed endpoint"),
])
def test_a_name_holding_a_character_python_reads_as_space_hides_no_endpoint(
        evkg: str, recorder: str, query: str, refusal: str) -> None:
    """A review's (6 Dec, the third look at the allowlist): U+1680 is white space to Python's
    ``\\s``, which the check read the prologue and the targets with, and a letter of a prefix's
    name or a local part to SPARQL. Each query was allowed, and pyoxigraph called an endpoint
    off the allowlist."""
    Recorder.calls.clear()
    names = {"allowed": f"{recorder}/allowed", "other": f"{recorder}/not-allowed",
             "recorder": recorder, "ogham": OGHAM}
    response = requests.get(evkg + "/sparql", params={"query": query.format(**names)},
                            headers=JSON, timeout=30)
    assert Recorder.calls == []
    assert response.status_code == 400, response.text
    assert refusal.format(**names) in response.text


@pytest.mark.parametrize("silent", ["S\u0131LENT", "\u017fILENT", "S\u0130LENT"])
def test_a_prefix_named_as_silent_in_other_letters_names_its_own_endpoint(
        evkg: str, recorder: str, silent: str) -> None:
    """A review's (6 Dec, the fourth look at the allowlist): Python's IGNORECASE takes ı and İ
    for I and ſ for S, pyoxigraph's keywords are ASCII letters. ``SERVICE SıLENT: {}`` (a prefix
    named SıLENT, ı a letter to SPARQL) was read as SERVICE SILENT and the default prefix ``:``,
    allowed, and pyoxigraph called SıLENT:'s endpoint."""
    other = f"{recorder}/not-allowed"
    query = (f"PREFIX : <{recorder}/allowed> PREFIX {silent}: <{other}> "
             f"SELECT * {{ SERVICE {silent}: {{ }} }}")
    assert f"SERVICE <{other}> is not an allowed endpoint" in refusal(evkg, query)


#: The default prefix and a prefix named service, for the graphs of the default release.
GRAPHS_AS_SERVICE = f"PREFIX : <{BASE}> PREFIX service: <{BASE}graph/> "
SCHEMA = "PREFIX schema: <https://schema.org/> "


@pytest.mark.parametrize("query", [
    "SELECT (COUNT(?a) AS ?n) { GRAPH service:articles { ?a a schema:ScholarlyArticle } }",
    "SELECT (COUNT(?a) AS ?n) FROM service:articles { ?a a schema:ScholarlyArticle }",
    "SELECT (COUNT(?a) AS ?n) FROM NAMED service:articles "
    "{ GRAPH ?g { ?a a schema:ScholarlyArticle } }",
])
def test_a_graph_named_with_a_prefix_called_service_is_answered(evkg: str, query: str) -> None:
    """A review's (31st session): beside a default prefix, ``GRAPH service:articles {`` (and
    FROM, FROM NAMED) was read as SERVICE ``:articles`` and refused as federating with
    <https://w3id.org/evkg/articles>; pyoxigraph reads a graph's name there."""
    direct = run(evkg, SCHEMA + query.replace("service:articles", f"<{BASE}graph/articles>"))
    assert run(evkg, GRAPHS_AS_SERVICE + SCHEMA + query) == direct
    assert int(direct[0]["n"]) > 0


@pytest.mark.parametrize("declaration", ["PREFIX webservice: ", "PREFIXwebservice:"])
def test_a_prefix_whose_name_holds_service_is_answered(evkg: str, declaration: str) -> None:
    """A review's (31st session, by fuzzing): the word SERVICE inside a prefix's name (its
    declaration, and a name it makes) was read as the keyword, and the query refused: "SERVICE
    : uses an undeclared prefix"."""
    query = ("SELECT (COUNT(?a) AS ?n) { ?a a webservice:ScholarlyArticle }")
    direct = run(evkg, SCHEMA + query.replace("webservice:", "schema:"))
    assert run(evkg, f"{declaration}<https://schema.org/> {query}") == direct
    assert int(direct[0]["n"]) > 0


def test_no_federation_is_claimed_with_an_empty_allowlist() -> None:
    app = create_app({"TESTING": True, "SERVICE_ALLOWLIST": ""}, store=Store())
    response = app.test_client().get("/sparql", headers={"Accept": "application/n-triples"})
    assert "sparql-service-description#UnionDefaultGraph" in response.text
    assert "BasicFederatedQuery" not in response.text


def test_a_service_that_cannot_be_reached_is_a_bad_gateway() -> None:
    """The query is fine, the endpoint it federates with is down: 502 naming the failure (it
    was 400, and SPARQLWrapper raised QueryBadFormed for the user's query)."""
    down = f"http://127.0.0.1:{free_port()}/sparql"
    app = create_app({"TESTING": True, "SERVICE_ALLOWLIST": down}, store=Store())
    query = f"SELECT * WHERE {{ SERVICE <{down}> {{ ?s ?p ?o }} }}"
    response = app.test_client().get("/sparql", query_string={"query": query}, headers=JSON)
    assert response.status_code == 502, response.text
    assert "the query failed, most likely at a SERVICE endpoint" in response.text


def test_a_federated_query_out_of_time_names_the_endpoint_it_waited_on(
        default_build: tuple[Path, BuildReport]) -> None:
    """A review's: a query stopped at the time limit while a SERVICE endpoint kept it waiting
    was told only to make itself more selective; the 503 names the endpoint it calls."""
    out, _ = default_build
    with socket.socket() as silent:  # accepts the connection, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        endpoint = f"http://127.0.0.1:{silent.getsockname()[1]}/sparql"
        settings = {"EVKG_SERVICE_ALLOWLIST": endpoint, "EVKG_QUERY_TIMEOUT": "2"}
        with serving(out, settings) as served:
            response = requests.get(served.base + "/sparql", headers=JSON, timeout=30, params={
                "query": f"SELECT * WHERE {{ SERVICE <{endpoint}> {{ ?s ?p ?o }} }}"})
    assert response.status_code == 503, response.text
    assert "time limit of 2 s" in response.text
    assert response.text.rstrip().endswith(
        f"(the query may be spending the time at SERVICE <{endpoint}>)")


def test_a_failed_federated_query_names_the_endpoints_it_calls() -> None:
    """A review's: with two endpoints, one down, the 502 said only "Connection refused (os
    error 111)": which SERVICE failed was left to guess. It names the endpoints called."""
    port = free_port()
    down, other = f"http://127.0.0.1:{port}/a", f"http://127.0.0.1:{port}/b"
    app = create_app({"TESTING": True, "SERVICE_ALLOWLIST": f"{down},{other}"}, store=Store())
    query = (f"SELECT * WHERE {{ SERVICE <{down}> {{ ?s ?p ?o }} "
             f"SERVICE SILENT <{other}> {{ ?s ?q ?r }} }}")
    response = app.test_client().get("/sparql", query_string={"query": query}, headers=JSON)
    assert response.status_code == 502, response.text
    assert response.text.rstrip().endswith(f"(the query calls SERVICE <{down}>, <{other}>)")


BROWSER = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize(("path", "accept", "status"), [
    ("/not-allowed", BROWSER, 400),  # a link opened in a browser: refused, not redirected
    ("/not-allowed", "image/png", 400),  # a 406 that checked the query's syntax first
    ("/allowed", BROWSER, 303),  # sent to the editor, which runs it when the page opens
    ("/allowed", "image/png", 406),
])
def test_checking_a_query_calls_no_endpoint(evkg: str, recorder: str, path: str, accept: str,
                                            status: int) -> None:
    """Checking that a query parses (before a 303 to the editor, or a 406) evaluated it on an
    empty store, and pyoxigraph calls SERVICE at once: any endpoint was called, past the
    allowlist, in the web worker, without the time limit."""
    Recorder.calls.clear()
    query = f"SELECT * WHERE {{ SERVICE <{recorder}{path}> {{ ?x ?p ?o }} }}"
    response = requests.get(evkg + "/sparql", params={"query": query}, headers={"Accept": accept},
                            allow_redirects=False, timeout=30)
    assert response.status_code == status, response.text
    if status == 400:
        assert f"{recorder}{path}" in response.text and "not an allowed endpoint" in response.text
    assert Recorder.calls == []


def test_the_recorder_is_called_by_a_query_that_runs(evkg: str, recorder: str) -> None:
    """(The test above would pass if nothing could reach the recorder.)"""
    Recorder.calls.clear()
    rows = run(evkg, f"SELECT * WHERE {{ SERVICE <{recorder}/allowed> {{ ?x ?p ?o }} }}")
    assert rows == [{"x": "r"}]
    assert Recorder.calls == ["/allowed"]


def test_a_silent_service_whose_answer_breaks_off_is_an_empty_solution(evkg: str,
                                                                       recorder: str) -> None:
    """A review's (31st session): SERVICE SILENT at an endpoint whose SPARQL XML broke off
    failed the whole query with a 502; SILENT ignores the failure, the SERVICE giving one
    empty solution (SPARQL 1.1 Federated Query §4), as Fuseki answers."""
    rows = run(evkg, "SELECT ?here ?x { BIND('here' AS ?here) "
                     f"SERVICE SILENT <{recorder}/broken> {{ ?x ?p ?o }} }}")
    assert rows == [{"here": "here"}]


def test_a_silent_service_that_fails_leaves_the_others_answers(evkg: str, recorder: str) -> None:
    Recorder.calls.clear()
    rows = run(evkg, f"SELECT ?x ?y {{ SERVICE SILENT <{recorder}/broken> {{ ?y ?p ?o }} "
                     f"SERVICE SILENT <{recorder}/allowed> {{ ?x ?q ?r }} }}")
    assert rows == [{"x": "r"}]
    assert "/allowed" in Recorder.calls


def test_a_service_whose_answer_breaks_off_is_a_bad_gateway(evkg: str, recorder: str) -> None:
    """Without SILENT the failure is the query's."""
    response = requests.post(evkg + "/sparql", headers=JSON, timeout=60, data={
        "query": f"SELECT * {{ SERVICE <{recorder}/broken> {{ ?x ?p ?o }} }}"})
    assert response.status_code == 502, response.text
    assert f"{recorder}/broken" in response.text


def test_silent_services_are_those_the_query_calls_itself() -> None:
    """Each is tried alone, as a query of its own, when a query fails; one inside another
    SERVICE's group is that endpoint's to call."""
    query = ("PREFIX x: <http://e/> SELECT * { SERVICE SILENT x:a { ?s ?p '}' } "
             "SERVICE <http://b/> { SERVICE SILENT <http://c/> { } } servicesilent<http://d/>{} }")
    found = silent_services(query)
    assert [query[s.start:s.end] for s in found] == [
        "SERVICE SILENT x:a { ?s ?p '}' }", "servicesilent<http://d/>{}"]
    assert found[0].probe == "PREFIX x: <http://e/> SELECT * WHERE { SERVICE x:a { ?s ?p '}' } }"
