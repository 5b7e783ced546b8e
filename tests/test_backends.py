"""The remote backends themselves: `evkg load`, a store that is down, time limits, /health."""

from __future__ import annotations

import gzip
import json
import re
import socket
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
import requests
from flask.testing import FlaskClient
from pyoxigraph import QuerySolutions, Store

from kg import backends, remote
from kg.backends import RemoteStore, query_form
from kg.build import BuildReport
from kg.remote import Endpoint, StoreError, StoreUnavailable
from kg.remoteload import components, load_release
from server import create_app, meta, state
from server.executor import Answer, QueryJob, run_job
from tests.backends import RemoteStoreProcess, oxigraph_binary, start_oxigraph
from tests.backends import load_release as evkg_load
from tests.conftest import Backend, free_port, serving
from tests.test_cli import on_a_terminal
from tests.test_prune import loaded_and_superseded

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def remote_only(backend: Backend) -> RemoteStoreProcess:
    if backend.process is None:
        pytest.skip("a remote-store test: the embedded store has no `evkg load`")
    return backend.process


def test_load_twice_replaces_never_doubles(backend: Backend,
                                           default_build: tuple[Path, BuildReport]) -> None:
    process = remote_only(backend)
    out, report = default_build
    store = RemoteStore(Endpoint(process.query_endpoint))
    before = store.count(COUNT)
    evkg_load(process, out)
    assert store.count(COUNT) == before
    assert before >= sum(report.triples.values())


def test_load_checks_each_graph_against_void(backend: Backend,
                                            default_build: tuple[Path, BuildReport]) -> None:
    process = remote_only(backend)
    out, report = default_build
    user, password = process.credentials or (None, None)
    endpoint = Endpoint(process.load_endpoint, update=process.load_endpoint,
                        gsp=process.gsp_endpoint, user=user, password=password)
    loads = load_release(out, endpoint, graphs=["vocabulary", "metadata"], batch_triples=500)
    assert [load.iri.rsplit("/", 1)[1] for load in loads] == ["vocabulary", "metadata"]
    assert all(load.matches for load in loads)
    assert loads[0].stored == report.triples["vocabulary"]
    assert loads[0].requests > 1  # bounded batches


def test_load_over_sparql_update_without_gsp(backend: Backend,
                                            default_build: tuple[Path, BuildReport]) -> None:
    process = remote_only(backend)
    out, report = default_build
    user, password = process.credentials or (None, None)
    update = process.load_endpoint.replace("/query", "/update")
    endpoint = Endpoint(process.load_endpoint, update=update, user=user, password=password)
    (load,) = load_release(out, endpoint, graphs=["ontology"])
    assert load.matches and load.stored == report.triples["ontology"]


def test_load_to_a_query_only_endpoint_says_which_endpoint_to_give(
        backend: Backend, default_build: tuple[Path, BuildReport]) -> None:
    """A review's: `evkg load --endpoint URL` alone sends its updates to URL, which Oxigraph's
    server refuses at /query; evkg said "the store refused the query: The URL query parameter
    query must be set", of a query it had not sent. It names the update and the options now."""
    process = remote_only(backend)
    if process.name != "oxigraph":
        pytest.skip("Virtuoso takes updates at its query endpoint")
    out, _ = default_build
    result = subprocess.run([sys.executable, "-m", "kg.cli", "load", "--store", str(out),
                             "--endpoint", process.query_endpoint, "--graph", "findings"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith(f"Error: {process.query_endpoint} did not take the SPARQL "
                                    "update that loads https://w3id.org/evkg/graph/findings ("), \
        result.stderr
    assert "--update-endpoint" in result.stderr and "--gsp" in result.stderr
    assert "refused the query" not in result.stderr


def test_author_lists_stay_whole_across_batches(backend: Backend,
                                               default_store: Store) -> None:
    """Blank nodes are per request: a list split over two requests would lose its links.
    (Not inside GRAPH ?g: there Virtuoso 7.2's zero-length ``rest*`` step misses the head.)"""
    remote_only(backend)
    store = backend.store(default_store)
    results = store.query(
        "SELECT (COUNT(DISTINCT ?author) AS ?n) WHERE { "
        "<https://w3id.org/evkg/article/24735924> <http://purl.org/ontology/bibo/authorList> "
        "?list . ?list <http://www.w3.org/1999/02/22-rdf-syntax-ns#rest>*/"
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#first> ?author }",
        use_default_graph_as_union=True)
    assert isinstance(results, QuerySolutions)
    assert int(next(iter(results))[0].value) == 23  # type: ignore[union-attr]


def test_components_keep_lines_sharing_blank_nodes_together() -> None:
    lines = ['<a> <p> _:x .\n', '_:x <first> <b> .\n', '_:x <rest> _:y .\n',
             '_:y <first> <c> .\n', '_:z <p> <e> .\n', '<d> <p> "_:w" .\n']
    groups = sorted(components(lines), key=len)
    assert [len(group) for group in groups] == [1, 1, 4]
    assert groups[-1] == lines[:4]


def test_query_form_skips_prologue_strings_and_iris() -> None:
    assert query_form('PREFIX ask: <urn:select> # construct\nDESCRIBE <urn:ask>') == "DESCRIBE"
    assert query_form('SELECT ("ASK" AS ?x) {}') == "SELECT"


def test_store_down_is_503_and_health_says_so(tmp_path: Path) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}/sparql"  # nothing listens there
    with pytest.raises(StoreUnavailable):
        RemoteStore(Endpoint(endpoint)).query("ASK {}")
    client = create_app({"SPARQL_ENDPOINT": endpoint, "STORE_DIR": str(tmp_path),
                         "TESTING": True}).test_client()
    health = client.get("/health")
    assert health.status_code == 503
    body = health.get_json()
    assert body["status"] == "unavailable" and body["backend"] == "remote"
    assert body["endpoint"] == endpoint and "not answering" in body["message"]
    query = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"})
    assert query.status_code == 503 and "not answering" in query.text
    page = client.get("/cargo/hsa-miR-105", headers={"Accept": "text/html"})
    assert page.status_code == 503


@pytest.mark.parametrize(("query", "reason"), [
    ("ASK { ?SERVICE ?p ?o } GARBAGE", "'GARBAGE' at line 1, column 24 is not a SPARQL keyword"),
    ('ASK { ?s ?p ?o FILTER(bif:sys_stat("st_dbms_name") != "") SERVICE <https://query.'
     'wikidata.org/sparql> { ?s ?p ?o } }', "the prefix 'bif:' of bif:sys_stat"),
])
def test_an_ask_naming_a_service_is_parsed_before_it_is_forwarded(
        tmp_path: Path, query: str, reason: str) -> None:
    """A security review's: an ASK whose code held the word SERVICE (a variable ``?SERVICE``
    did) was forwarded to the remote store unparsed, so Virtuoso ran its own dialect through
    the public endpoint (``bif:`` functions, undeclared). Here nothing listens at the store:
    a forwarded query would be a 503."""
    endpoint = f"http://127.0.0.1:{free_port()}/sparql"
    client = create_app({"SPARQL_ENDPOINT": endpoint, "STORE_DIR": str(tmp_path),
                         "TESTING": True}).test_client()
    answer = client.get("/sparql", query_string={"query": query})
    assert answer.status_code == 400, answer.text
    assert answer.text.startswith("bad query: ") and reason in answer.text


def test_health_reports_the_backend(backend: Backend,
                                    default_build: tuple[Path, BuildReport]) -> None:
    out, report = default_build
    client = create_app({"STORE_DIR": str(out), "TESTING": True, **backend.config}).test_client()
    body = client.get("/health").get_json()
    assert body["status"] == "ok" and body["version"] == report.version
    assert body["backend"] == ("remote" if backend.remote else "embedded")


def test_remote_answers_are_capped_like_embedded(backend: Backend,
                                                 default_build: tuple[Path, BuildReport]) -> None:
    out, _ = default_build
    client = create_app({"STORE_DIR": str(out), "TESTING": True, "MAX_ROWS": 5,
                         "CACHE_MAX_BYTES": 0, **backend.config}).test_client()
    response = client.get("/sparql", query_string={
        "query": "SELECT ?a WHERE { ?a a <https://schema.org/ScholarlyArticle> } ORDER BY ?a"},
        headers={"Accept": "text/csv"})
    assert response.status_code == 200
    assert response.headers["X-EVKG-Truncated"] == "rows=5"
    assert len(response.text.strip().splitlines()) == 6


@pytest.mark.parametrize("cap", [0, 5])
def test_select_star_answers_name_the_variables_as_the_query_does(
        backend: Backend, default_build: tuple[Path, BuildReport], cap: int) -> None:
    """A review's: /sparql answered `SELECT * WHERE { ?s ?p ?o }` with its variables o, p, s
    (pyoxigraph's and Oxigraph's server's order, by name); every backend answers them in the
    order the query first names them now, as Jena, Fuseki and Virtuoso do, row cap or none."""
    from tests.test_cli import STAR, heads_star

    out, _ = default_build
    client = create_app({"STORE_DIR": str(out), "TESTING": True, "MAX_ROWS": cap,
                         "CACHE_MAX_BYTES": 0, **backend.config}).test_client()
    for media_type, fmt in (("application/sparql-results+json", "json"), ("text/csv", "csv"),
                            ("text/tab-separated-values", "tsv"),
                            ("application/sparql-results+xml", "xml"), ("text/plain", "table")):
        response = client.get("/sparql", query_string={"query": STAR},
                              headers={"Accept": media_type})
        assert response.status_code == 200
        assert heads_star(fmt, response.text), (media_type, response.text)


def test_slow_remote_query_is_503_at_the_time_limit(backend: Backend,
                                                    default_build: tuple[Path, BuildReport]
                                                    ) -> None:
    remote_only(backend)
    out, _ = default_build
    client = create_app({"STORE_DIR": str(out), "TESTING": True, "QUERY_TIMEOUT": 1,
                         "CACHE_MAX_BYTES": 0, **backend.config}).test_client()
    slow = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    response = client.get("/sparql", query_string={"query": slow})
    assert response.status_code == 503
    assert "time limit" in response.text


def test_a_query_virtuoso_expects_to_run_past_its_limit_is_503(backend: Backend) -> None:
    """Virtuoso refuses, before running it, a query its planner expects to run past its own
    limit (``MaxQueryCostEstimationTime``, 400 s in the test's store) with a 500, which was
    "the store failed" (502); it is a 503 saying so, as for a query stopped at the limit."""
    process = remote_only(backend)
    if backend.name != "virtuoso":
        pytest.skip("only Virtuoso refuses a query by its estimated time")
    store = RemoteStore(Endpoint(process.query_endpoint))
    with pytest.raises(StoreError) as refused:
        store.query("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    assert refused.value.status == 503
    assert "longer than its time limit of 400 s, and did not run it" in refused.value.message


def test_a_query_a_store_stopped_at_its_time_limit_is_503() -> None:
    """Virtuoso stops a query at its time limit either with a partial answer (``X-SQL-State:
    S1TAT``, a 503 already) or, at times, with a 500 "SR171: Transaction timed out" (its
    words, from a test run's log), which was "the store failed" (502): the time-limit test
    above failed so now and then. That is a 503 saying the store stopped the query."""
    body = b"Virtuoso S1T00 Error SR171: Transaction timed out\n\nSPARQL query:\nSELECT ..."

    with answering_store(lambda query: (500, "text/plain", body)) as url:
        store = RemoteStore(Endpoint(url), timeout=1)
        with pytest.raises(StoreError) as stopped:
            store.query("SELECT * { ?s ?p ?o }")
    assert stopped.value.status == 503
    assert "stopped the query at its time limit (Virtuoso S1T00 Error SR171" in str(stopped.value)


@pytest.mark.parametrize("query,said,truncation", [
    ("SELECT * { ?s ?p ?o }", {"X-SPARQL-MaxRows": "2"}, "rows=2"),
    ("SELECT * { ?s ?p ?o }", {}, None),
    # Virtuoso says so of any answer of as many rows as its cap: one of a LIMIT that many is
    # whole (a review's)
    ("SELECT * { ?s ?p ?o } LIMIT 2", {"X-SPARQL-MaxRows": "2"}, None),
    ("SELECT * { { SELECT * { ?s ?p ?o } LIMIT 9 } }", {"X-SPARQL-MaxRows": "2"}, "rows=2")])
def test_an_answer_the_store_cut_at_its_own_cap_says_so(query: str, said: dict[str, str],
                                                        truncation: str | None) -> None:
    """A new user's, on Debian's Virtuoso (`ResultSetMaxRows = 10000` in its virtuoso.ini):
    `SELECT * { ?s ?p ?o }` of 18,981 triples came back as 10,000 rows, 200, with no
    `X-EVKG-Truncated`, though Virtuoso said `X-SPARQL-MaxRows: 10000`. The answer says the
    store's cut, as evkg's own cap's."""
    body = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": [
        {"s": {"type": "uri", "value": f"http://example.org/{n}"}} for n in range(2)]}}).encode()
    with answering_store(lambda query: (200, "application/sparql-results+json", body),
                         said) as url:
        store = RemoteStore(Endpoint(url), timeout=5)
        answer = run_job(store, QueryJob(query, "application/sparql-results+json",
                                         max_rows=10_000))
    assert isinstance(answer, Answer) and answer.truncation == truncation
    assert len(json.loads(answer.body)["results"]["bindings"]) == 2


def test_evkg_load_cli_reports_each_graph(backend: Backend,
                                         default_build: tuple[Path, BuildReport]) -> None:
    process = remote_only(backend)
    out, _ = default_build
    result = subprocess.run([sys.executable, "-m", "kg.cli", "load", "--store",
                             str(out), *process.load_arguments(), "--graph", "findings"],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count(": ok") == 1 and "graph/findings" in result.stdout


@contextmanager
def answering_store(answer: Callable[[str], tuple[int, str, bytes]],
                    headers: dict[str, str] | None = None) -> Iterator[str]:
    """A SPARQL endpoint on 127.0.0.1 that answers each POSTed query with ``answer(query)``
    (status, media type, body) and ``headers``; yields its URL."""
    class Store(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            form = urllib.parse.parse_qs(self.rfile.read(int(self.headers["Content-Length"]))
                                         .decode())
            status, media_type, body = answer(form["query"][0])
            self.send_response(status)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.send_header("Content-Type", media_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Store)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}/sparql"
    finally:
        httpd.shutdown()
        httpd.server_close()


@contextmanager
def refusing_store() -> Iterator[str]:
    """A store that answers every request 401 (a Basic challenge) as soon as it has read its
    head, and closes the connection without reading a body, as Virtuoso does: a large body
    being sent breaks the pipe. Yields its URL."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.1)  # (a closed listener does not end a waiting accept)
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            connection.settimeout(10)
            with connection:
                head = b""
                while b"\r\n\r\n" not in head and (data := connection.recv(4096)):
                    head += data
                text = b"wrong user or password"
                connection.sendall(b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm="
                                   b'"store"\r\nContent-Type: text/plain\r\nContent-Length: '
                                   + str(len(text)).encode() + b"\r\nConnection: close\r\n\r\n"
                                   + (b"" if head.startswith(b"HEAD") else text))

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/sparql-graph-crud-auth"
    finally:
        stop.set()
        listener.close()
        thread.join(timeout=10)


@pytest.mark.parametrize("user", [None, "dba"])
def test_a_store_refusing_the_credentials_midway_says_so(user: str | None) -> None:
    """A new user's, on Virtuoso: a graph PUT with a wrong password (or without --user)
    was refused before its body was read, the pipe broke, and evkg said the store "is not
    answering ([Errno 32] Broken pipe); try again later" half the time. It says the store
    refused access, and to check the credentials."""
    with refusing_store() as url:
        endpoint = Endpoint(url, user=user, password="wrong" if user else None)
        with pytest.raises(StoreError) as refused:
            remote.post(endpoint, url, body=b"<a> <b> <c> .\n" * 300_000,
                          content_type="application/n-triples", method="PUT")
    assert f"the SPARQL store at {url} refused access (401" in str(refused.value)
    assert "try again later" not in str(refused.value)


@contextmanager
def silent_store() -> Iterator[tuple[str, list[socket.socket]]]:
    """A SPARQL endpoint that takes connections and never answers: a hung or overloaded store;
    yields its URL and the connections it took."""
    listener = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}/sparql", held
    finally:
        stop.set()
        thread.join(timeout=5)
        for connection in held:
            connection.close()
        listener.close()


def test_silent_store_is_named_and_health_answers_within_seconds(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: with a store that took connections and never answered, /health waited the
    query time limit (30 s) and then, like every page, told the reader that "the query ran
    longer than the time limit … make it more selective (a LIMIT, a narrower pattern)", of a
    query evkg wrote itself. /health now gives up within seconds and both name the store."""
    monkeypatch.setattr(meta, "HEALTH_SECONDS", 1.0, raising=False)
    monkeypatch.setattr(state, "VERSION_RETRY_SECONDS", 3600.0, raising=False)  # /health's own
    with silent_store() as (endpoint, _):
        app = create_app({"SPARQL_ENDPOINT": endpoint, "STORE_DIR": str(tmp_path),
                          "QUERY_TIMEOUT": 1, "TESTING": True})
        client = app.test_client()
        page = client.get("/cargo/hsa-miR-105", headers={"Accept": "text/html"})
        assert page.status_code == 503
        assert f"the SPARQL store at {endpoint} sent no answer within the time limit of 1 s" \
            in page.text
        app.extensions["evkg"].store.timeout = 30.0  # the default limit, once started
        health = client.get("/health")
        assert health.status_code == 503
        body = health.get_json()
        assert body["status"] == "unavailable" and endpoint in body["message"]
        # it waited its own limit, not the 30 s of a query
        assert "sent no answer within the time limit of 1 s" in body["message"]
        assert "narrower pattern" not in body["message"]


def test_health_asks_a_silent_store_once_when_the_version_is_read_again(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review of the day's changes: when the release version was due to be read again (every
    10 s), a request to /health first waited for that read and then asked the store again, so
    a hung store's /health waited twice the limit it promises. The read is its probe now: one
    connection to the store per /health, whether the read was due or not."""
    monkeypatch.setattr(meta, "HEALTH_SECONDS", 0.5, raising=False)
    monkeypatch.setattr(state, "VERSION_SECONDS", 0.5, raising=False)
    with silent_store() as (endpoint, taken):
        app = create_app({"SPARQL_ENDPOINT": endpoint, "STORE_DIR": str(tmp_path),
                          "TESTING": True})
        client = app.test_client()
        for due in (0.0, 3600.0):
            monkeypatch.setattr(state, "VERSION_RETRY_SECONDS", due, raising=False)
            app.extensions["evkg"].version_retry = 0.0 if due == 0.0 else float("inf")
            app.extensions["evkg"].probed = (0.0, "")
            before = len(taken)
            health = client.get("/health")
            assert health.status_code == 503 and endpoint in health.get_json()["message"]
            assert len(taken) - before == 1, due


def test_after_a_silent_query_a_hung_store_costs_a_page_a_quick_check_not_the_limit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A review's: on a hung store every page waited the whole query time limit (30 s by
    default), the home page too, one after another. After a query got no answer, the next
    request first asks the store a quick ``ASK {}``; when that gets no answer either, the page
    says so at once, and the requests that follow take that outcome for a few seconds."""
    monkeypatch.setattr(backends, "CHECK_SECONDS", 0.5)
    monkeypatch.setattr(backends, "CHECK_HOLDS", 3600.0)
    monkeypatch.setattr(state, "VERSION_RETRY_SECONDS", 3600.0, raising=False)
    with silent_store() as (endpoint, taken):
        app = create_app({"SPARQL_ENDPOINT": endpoint, "STORE_DIR": str(tmp_path),
                          "QUERY_TIMEOUT": 1, "TESTING": True})
        client = app.test_client()
        pages = []
        for path in ("/cargo/hsa-miR-105", "/process/metastasis", "/article/37534210"):
            before = len(taken)
            page = client.get(path, headers={"Accept": "text/html"})
            pages.append((page.status_code, len(taken) - before, page.text))
    (first, one, said), (second, check, checked), (third, none, held) = pages
    assert (first, second, third) == (503, 503, 503)
    assert f"the SPARQL store at {endpoint} sent no answer within the time limit of 1 s" in said
    assert (one, check, none) == (1, 1, 0)  # the query; the check alone; nothing
    for text in (checked, held):
        assert (f"the SPARQL store at {endpoint} sent no answer to a query within its time "
                "limit, nor to a check of 0.5 s since") in text


def test_a_store_that_answers_again_is_checked_once_and_queried() -> None:
    """The quick check after a silent query lets the query through when the store answers,
    and no later query is checked."""
    asked: list[str] = []
    release = threading.Event()

    def answer(query: str) -> tuple[int, str, bytes]:
        asked.append(query)
        if len(asked) == 1:
            release.wait(10)  # the first query gets no answer in time
        return 200, "application/sparql-results+json", b'{"head": {}, "boolean": true}'

    with answering_store(answer) as url:
        try:
            store = RemoteStore(Endpoint(url, timeout_parameter=""), timeout=0.5)
            with pytest.raises(StoreUnavailable, match="sent no answer within the time limit"):
                store.query("ASK { ?s ?p ?o }")
            release.set()
            assert bool(store.query("ASK { ?a ?b ?c }")) is True
            assert bool(store.query("ASK { ?x ?y ?z }")) is True
        finally:
            release.set()  # before the store stops: it waits for the query it holds
    assert asked == ["ASK { ?s ?p ?o }", "ASK {}", "ASK { ?a ?b ?c }", "ASK { ?x ?y ?z }"]


#: A SELECT answer cut short among its rows (a proxy's time-out, a store that stopped).
CUT_SHORT = (b'{"head": {"vars": ["v"]}, "results": {"bindings": [{"v": {"type": "literal", '
             b'"value": "1"}}, {"v": {"type": "lit')


def test_a_store_whose_answer_breaks_off_among_its_rows_is_said_so(tmp_path: Path) -> None:
    """A review's: a remote store's SELECT answer that broke off among its rows raised
    pyoxigraph's SyntaxError where the rows were read: the server did not start (its version
    read so) and a page was a bare 500. The store is named as for an answer cut short in
    its head: the server starts and says so, a page is a 502 saying what broke."""
    def answer(query: str) -> tuple[int, str, bytes]:
        if query.lstrip().upper().startswith("ASK"):
            return 200, "application/sparql-results+json", b'{"head": {}, "boolean": true}'
        return 200, "application/sparql-results+json", CUT_SHORT[:-50 if "COUNT" in query else None]

    with answering_store(answer) as url:
        client = create_app({"SPARQL_ENDPOINT": url, "STORE_DIR": str(tmp_path),
                             "TESTING": True}).test_client()
        health = client.get("/health").get_json()
        assert health["version"] == "unversioned"
        assert "the store's answer could not be read" in health["warning"]
        page = client.get("/search", query_string={"q": "vesicles"},
                          headers={"Accept": "text/html"})
        assert page.status_code == 502
        assert "the store's answer could not be read" in page.get_data(as_text=True)
        store = RemoteStore(Endpoint(url, timeout_parameter=""))
        with pytest.raises(StoreError, match="the store's answer could not be read"):
            store.count("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")


def test_store_that_comes_up_after_the_server_is_served_with_its_version(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        default_build: tuple[Path, BuildReport]) -> None:
    """A review's: a server started before its store (a reboot, compose) served it as
    "unversioned", without answer cache or downloads, until restarted, and said so nowhere.
    It says so, and reads the version again until the store states one."""
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph command is not installed (pip install oxigraph)")
    monkeypatch.setattr(state, "VERSION_RETRY_SECONDS", 0.0, raising=False)
    out, report = default_build
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}/query"
    client = create_app({"SPARQL_ENDPOINT": endpoint, "STORE_DIR": str(out),
                         "TESTING": True}).test_client()
    down = client.get("/health").get_json()
    assert down["status"] == "unavailable" and down["version"] == "unversioned"
    assert "release version unknown" in down["warning"] and endpoint in down["warning"]
    store = start_oxigraph(tmp_path / "store", port)
    try:
        up = client.get("/health").get_json()  # up, but no release loaded yet
        assert up["status"] == "ok" and "no release version" in up["warning"]
        evkg_load(store, out)
        health = client.get("/health").get_json()
        assert health["status"] == "ok" and health["version"] == report.version
        assert "warning" not in health
        files = client.get("/downloads/", headers={"Accept": "application/json"}).get_json()
        assert files["version"] == report.version and files["files"]
    finally:
        store.stop()


def test_search_shows_and_ranks_each_resource_by_its_shortest_label_on_every_backend(
        backend: Backend, default_build: tuple[Path, BuildReport]) -> None:
    """A review's: the search ranked each resource by SAMPLE(?label), any of its labels that
    hold the text, and showed that one: Virtuoso and the embedded store showed other labels
    ("delivered by exosomes", "transferred via exosomes"), in another order, and the 50 results
    of a short text were not the same resources. The shortest label now ranks and shows."""
    out, _ = default_build
    embedded = create_app({"STORE_DIR": str(out), "TESTING": True}).test_client()
    client = create_app({"STORE_DIR": str(out), "TESTING": True, "CACHE_MAX_BYTES": 0,
                         **backend.config}).test_client()

    def results(on: FlaskClient, text: str) -> list[dict[str, str]]:
        found: list[dict[str, str]] = on.get("/search", query_string={"q": text}, headers={
            "Accept": "application/json"}).get_json()["results"]
        return found

    communication = "https://w3id.org/evkg/process/ev_mediated_communication"
    assert {hit["iri"]: hit["matched"] for hit in results(client, "exosomes")}[communication] \
        == "uptake of exosomes"  # the shortest of its ten labels that hold "exosomes"
    for text in ("exosomes", "Extracellular Vesicles", "Cancers", "a"):
        assert results(client, text) == results(embedded, text), text


@pytest.mark.parametrize("path", [
    "/ontology", "/article/37534210", "/article/24735924", "/cargo/ERBB2", "/cargo/hsa-miR-105",
    "/process/angiogenesis", "/disease/tnbc", "/ev-type/exosome", "/mesh/D001943"])
def test_a_page_is_the_same_on_every_backend(backend: Backend,
                                             default_build: tuple[Path, BuildReport],
                                             path: str) -> None:
    """A remote-store review's: values shown alike on a page (an ontology term's types and
    alignments, a concept's mappings, properties with one label, tied counts of incoming
    links) were listed in the order the store gave them, so the same page of the same release
    differed between the embedded store and Virtuoso. Pages now order them by what tells them
    apart."""
    out, _ = default_build
    embedded = create_app({"STORE_DIR": str(out), "TESTING": True}).test_client()
    client = create_app({"STORE_DIR": str(out), "TESTING": True, "CACHE_MAX_BYTES": 0,
                         **backend.config}).test_client()
    page = {"Accept": "text/html"}
    assert client.get(path, headers=page).get_data(as_text=True).splitlines() == \
        embedded.get(path, headers=page).get_data(as_text=True).splitlines()


@contextmanager
def reread_oxigraph(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                    out: Path) -> Iterator[RemoteStoreProcess]:
    """Oxigraph's server loaded with the release of ``out``, whose version a server reads
    again on every request (not every 10 s), until the block ends."""
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph command is not installed (pip install oxigraph)")
    monkeypatch.setattr(state, "VERSION_RETRY_SECONDS", 0.0, raising=False)
    store = start_oxigraph(tmp_path / "store", free_port())
    try:
        evkg_load(store, out)
        yield store
    finally:
        store.stop()


#: The triple pattern that states a release's version, and the graph that holds it.
STATED_VERSION = "<https://w3id.org/evkg/dataset> <http://purl.org/dc/terms/hasVersion>"
METADATA = "https://w3id.org/evkg/graph/metadata"


def updated(store: RemoteStoreProcess, update: str) -> None:
    """``update`` run at Oxigraph's update endpoint."""
    done = requests.post(store.query_endpoint.replace("/query", "/update"),
                         data={"update": update}, timeout=30)
    assert done.status_code == 204, done.text


def test_another_release_loaded_under_a_running_server_is_served_as_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        default_build: tuple[Path, BuildReport]) -> None:
    """The release version keys the answer cache, and was read only at start: after another
    release was loaded into the store, a running server went on naming the old version and
    answering from the old release's cache until restarted. It reads the version again (every
    10 s; at once here): a store being loaded (two versions) is served unversioned, uncached,
    and the new release with its own version and fresh answers."""
    out, report = default_build
    with reread_oxigraph(tmp_path, monkeypatch, out) as store:
        client = create_app({"SPARQL_ENDPOINT": store.query_endpoint, "STORE_DIR": str(out),
                             "TESTING": True, "CACHE_DIR": str(tmp_path / "cache")}).test_client()
        count = ("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a a "
                 "<https://schema.org/ScholarlyArticle> }")

        def articles() -> str:
            reply = client.get("/sparql", query_string={"query": count},
                               headers={"Accept": "text/csv"})
            return reply.get_data(as_text=True).split()[-1]

        assert client.get("/health").get_json()["version"] == report.version
        assert articles() == "93" and articles() == "93"  # the second from the cache
        # a load in progress: the new release's metadata beside the old one's
        updated(store, f'INSERT DATA {{ GRAPH <{METADATA}> {{ {STATED_VERSION} "next" }} }}')
        loading = client.get("/health").get_json()
        assert loading["version"] == "unversioned" and "versions" in loading["warning"]
        # the load done: the old version gone, and one article fewer
        updated(store, f'DELETE DATA {{ GRAPH <{METADATA}> {{ {STATED_VERSION} '
                       f'"{report.version}" }} }}; DELETE WHERE {{ GRAPH ?g {{ '
                       '<https://w3id.org/evkg/article/37534210> ?p ?o } }')
        health = client.get("/health").get_json()
        assert health["version"] == "next" and "warning" not in health
        assert articles() == "92"


def test_the_sitemap_of_a_store_being_loaded_is_not_revalidated(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        default_build: tuple[Path, BuildReport]) -> None:
    """A review's: the sitemap is tagged by the release served, and a store that states no
    one version (being loaded: two versions) was tagged "unversioned" whatever it held, so a
    crawler's `If-None-Match` got a 304 for a sitemap that had lost an article since. A
    sitemap of no known release is not tagged; once the store states one, it is again."""
    out, report = default_build
    with reread_oxigraph(tmp_path, monkeypatch, out) as store:
        client = create_app({"SPARQL_ENDPOINT": store.query_endpoint, "STORE_DIR": str(out),
                             "TESTING": True}).test_client()
        updated(store, f'INSERT DATA {{ GRAPH <{METADATA}> {{ {STATED_VERSION} "next" }} }}')
        assert client.get("/health").get_json()["version"] == "unversioned"
        first = client.get("/sitemap.xml")
        assert b"/article/37534210<" in first.data
        updated(store, "DELETE WHERE { GRAPH ?g { <https://w3id.org/evkg/article/37534210> "
                       "?p ?o } }")
        again = client.get("/sitemap.xml",
                           headers={"If-None-Match": first.headers.get("ETag", '"none"')})
        assert again.status_code == 200 and b"/article/37534210<" not in again.data
        updated(store, f'DELETE DATA {{ GRAPH <{METADATA}> {{ {STATED_VERSION} '
                       f'"{report.version}" }} }}')
        assert client.get("/health").get_json()["version"] == "next"
        tagged = client.get("/sitemap.xml")
        assert client.get("/sitemap.xml", headers={
            "If-None-Match": tagged.headers["ETag"]}).status_code == 304


def test_evkg_serve_of_a_remote_store_needs_no_release_of_its_own(
        backend: Backend, tmp_path: Path) -> None:
    """A review's: `evkg serve` checked the build folder's current release before starting
    (opening its store) with `EVKG_SPARQL_ENDPOINT` set too, so a server of a remote store on
    a machine without a build of its own stopped at once ("no release at build: run `evkg
    build` first"), though it reads nothing of it but the files it offers when it holds them.
    It serves the store, without downloads. (Left out, the default build/ may be absent; a
    --store typed that is not there is refused, as a typo: test_cli.)"""
    if not backend.remote:
        pytest.skip("a remote-store test")
    with serving(None, {"EVKG_SPARQL_ENDPOINT": backend.config["SPARQL_ENDPOINT"]},
                 cwd=tmp_path) as served:  # (no build/ there)
        health = requests.get(served.base + "/health", timeout=30).json()
        assert health["status"] == "ok" and health["backend"] == "remote"
        files = requests.get(served.base + "/downloads/", timeout=30,
                             headers={"Accept": "application/json"}).json()
        assert files["files"] == []
        page = requests.get(served.base + "/article/37534210", timeout=30,
                            headers={"Accept": "text/html"})
        assert page.status_code == 200
        assert ("<title>Extracellular vesicles in the treatment and diagnosis of breast cancer: "
                "a status update · evkg</title>") in page.text


def test_a_store_of_a_release_no_longer_current_is_offered_its_files(tmp_path: Path) -> None:
    """A review's: a server of a remote store offered the release files only when the build
    folder's current release was the store's version, though the README says when the build
    folder holds it: after a build or ingest, until `evkg load`, a server (re)started had no
    downloads and searched by SPARQL, with the store's release in `releases/`. It offers the
    files of the release of the store's version wherever the build folder keeps it."""
    with loaded_and_superseded(tmp_path) as (out, loaded, store):
        client = create_app({"SPARQL_ENDPOINT": store.query_endpoint, "STORE_DIR": str(out),
                             "TESTING": True}).test_client()
        files = client.get("/downloads/", headers={"Accept": "application/json"}).get_json()
        assert files["version"] == loaded and files["files"]
        with client.get("/downloads/evkg.nq.gz") as dump:
            assert dump.status_code == 200
            quads = gzip.decompress(dump.data)
        assert b"99999911" in quads and b"99999912" not in quads



#: A hub of the default graph: 57 named subjects link to it, by two properties (two pages).
HUB = "disease/breast_cancer"
BASE = "https://w3id.org/evkg/"


def hub_links(server: str) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The (path, property) of each incoming link the hub's two pages list, and of each link
    the graph holds, sorted."""
    listed: list[tuple[str, str]] = []
    for page in (1, 2):
        html = requests.get(f"{server}/{HUB}?incoming_page={page}", timeout=30,
                            headers={"Accept": "text/html"}).text
        table = html.split('<table class="incoming">')[1].split("</table>")[0]
        listed += re.findall(r'<tr><td><a href="(/[^"]+)".*?</td><td><a href="[^"]+" '
                             r'(?:class="external" rel="noopener" )?title="([^"]+)"', table)
    rows = requests.get(f"{server}/sparql", timeout=30, headers={"Accept": "text/csv"},
                        params={"query": f"SELECT DISTINCT ?s ?p {{ ?s ?p <{BASE}{HUB}> "
                                         "FILTER(isIRI(?s)) }"}).text.splitlines()[1:]
    linking = sorted((f"/{s.removeprefix(BASE)}", p) for s, p in (r.split(",") for r in rows))
    assert len(linking) == 57
    return sorted(listed), linking


def test_every_incoming_link_of_a_hub_is_on_one_page(live_server: str) -> None:
    listed, linking = hub_links(live_server)
    assert listed == linking


class ItsOwnOrder(BaseHTTPRequestHandler):
    """A SPARQL endpoint in front of another (``target``) that answers a query paging with
    OFFSET and no ORDER BY in an order of its own, as SPARQL lets an engine (Virtuoso's
    varies with its plan): its first variable ascending for the first page, descending for
    the others. Every other request goes through as it came."""

    target: ClassVar[str] = ""

    def do_GET(self) -> None:
        self._forward(None)

    def do_POST(self) -> None:
        self._forward(self.rfile.read(int(self.headers.get("Content-Length", 0))))

    def _forward(self, body: bytes | None) -> None:
        if body is not None and self.headers.get("Content-Type", "").startswith(
                "application/x-www-form-urlencoded"):
            form = urllib.parse.parse_qsl(body.decode(), keep_blank_values=True)
            body = urllib.parse.urlencode([(k, _own_order(v) if k == "query" else v)
                                           for k, v in form]).encode()
        query = self.path.partition("?")[2]
        request = urllib.request.Request(self.target + ("?" + query if query else ""), data=body,
                                         method=self.command, headers={
            k: v for k, v in self.headers.items() if k in ("Accept", "Content-Type")})
        try:
            with urllib.request.urlopen(request, timeout=30) as answer:
                status, content_type, data = answer.status, answer.headers["Content-Type"], answer.read()
        except urllib.error.HTTPError as error:
            status, content_type, data = error.code, error.headers["Content-Type"], error.read()
        self.send_response(status)
        self.send_header("Content-Type", content_type or "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _own_order(query: str) -> str:
    paged = re.search(r"\bOFFSET (\d+)\s*$", query)
    first = re.search(r"\bSELECT\s+(?:DISTINCT\s+)?(\?\w+)", query)
    if paged is None or first is None or re.search(r"\bORDER BY\b", query, re.I):
        return query
    order = f"ORDER BY {'DESC' if int(paged.group(1)) else 'ASC'}({first.group(1)}) "
    limit = re.search(r"\bLIMIT \d+ OFFSET \d+\s*$", query)
    assert limit is not None
    return query[:limit.start()] + order + query[limit.start():]


def test_a_hub_on_a_store_of_its_own_order_lists_each_link_once(
        oxigraph_process: RemoteStoreProcess, default_build: tuple[Path, BuildReport]) -> None:
    """A review's (31st session): a page of a hub's incoming links was a LIMIT and OFFSET with
    no ORDER BY, which no engine need answer in the same order twice: on a remote store the
    pages repeated some links and never showed others."""
    out, _ = default_build
    ItsOwnOrder.target = oxigraph_process.query_endpoint
    stand_in = ThreadingHTTPServer(("127.0.0.1", free_port()), ItsOwnOrder)
    threading.Thread(target=stand_in.serve_forever, daemon=True).start()
    try:
        endpoint = f"http://127.0.0.1:{stand_in.server_port}/query"
        with serving(out, {"EVKG_SPARQL_ENDPOINT": endpoint}) as served:
            listed, linking = hub_links(served.base)
    finally:
        stand_in.shutdown()
        stand_in.server_close()
    assert listed == linking


def test_a_graph_named_again_is_loaded_and_counted_once(
        oxigraph_process: RemoteStoreProcess, default_build: tuple[Path, BuildReport],
        tmp_path: Path) -> None:
    """A review's: `evkg load --graph ontology --graph ontology` (or the name and the IRI) loaded
    the graph once but counted it twice in the progress bar's total, which stopped at 50%. A
    graph named again is taken once, as a source file named twice is by `evkg build`: the bar
    ends at the graph's triples, and the graph is reported once."""
    out, report = default_build
    triples = report.triples["ontology"]
    code, shown = on_a_terminal(
        ["load", "--store", str(out), *oxigraph_process.load_arguments(), "--graph", "ontology",
         "--graph", "ontology", "--graph", "https://w3id.org/evkg/graph/ontology"],
        tmp_path / "stdout")
    assert code == 0, shown
    assert f"| {triples}/{triples} [" in shown, shown
    assert (tmp_path / "stdout").read_text().splitlines() == [
        f"https://w3id.org/evkg/graph/ontology: sent {triples} in 1 request; store holds "
        f"{triples}, release states {triples}: ok"]


def test_load_takes_a_release_folder_and_its_store_as_its_help_says(
        oxigraph_process: RemoteStoreProcess, default_build: tuple[Path, BuildReport]) -> None:
    """`evkg load --store` takes what its help names besides a build folder: a release folder
    (``DIR/releases/VERSION``, as ``DIR/current`` leads to) and its store, loading that
    release."""
    out, report = default_build
    release = (out / "current").resolve()
    triples = report.triples["ontology"]
    for store in (release, release / "store"):
        result = subprocess.run([sys.executable, "-m", "kg.cli", "load", "--store", str(store),
                                 *oxigraph_process.load_arguments(), "--graph", "ontology"],
                                capture_output=True, text=True, check=False)
        assert (result.returncode, result.stdout) == (0, (
            f"https://w3id.org/evkg/graph/ontology: sent {triples} in 1 request; store holds "
            f"{triples}, release states {triples}: ok\n")), result.stderr
