"""gzip Content-Encoding: compressed when the client allows it, the same bytes once inflated,
revalidated by its own ETag, and never for ranged downloads, HEAD or small answers."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient

from kg.build import BuildReport
from server import create_app
from server.gzipping import accepts_gzip

QUERY = {"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 300"}
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def client(default_build: tuple[Path, BuildReport]) -> FlaskClient:
    out, _ = default_build
    return create_app({"TESTING": True, "STORE_DIR": str(out),
                       "CACHE_DIR": str(out / "gzip-test-cache")}).test_client()


@pytest.mark.parametrize("header, allowed", [
    ("gzip", True), ("gzip, deflate, br", True), ("*", True), ("br;q=1, gzip;q=0.5", True),
    ("", False), ("identity", False), ("gzip;q=0", False), ("deflate, *;q=0", False),
    ("*, gzip;q=0", False)])
def test_accept_encoding_is_read_with_qualities(header: str, allowed: bool) -> None:
    assert accepts_gzip(header) is allowed


def test_sparql_answer_is_gzipped_and_revalidated(client: FlaskClient) -> None:
    plain = client.get("/sparql", query_string=QUERY, headers={"Accept": JSON})
    packed = client.get("/sparql", query_string=QUERY,
                        headers={"Accept": JSON, "Accept-Encoding": "gzip, deflate"})
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 4
    for answer in (plain, packed):
        assert answer.headers["Vary"] == "Accept, Accept-Encoding"
    assert packed.headers["ETag"] == plain.headers["ETag"][:-1] + '-gzip"'
    again = client.get("/sparql", query_string=QUERY, headers={
        "Accept": JSON, "Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]})
    assert again.status_code == 304 and again.headers["ETag"] == packed.headers["ETag"]
    # the plain tag still names the plain answer
    plain_again = client.get("/sparql", query_string=QUERY, headers={
        "Accept": JSON, "If-None-Match": plain.headers["ETag"]})
    assert plain_again.status_code == 304 and plain_again.headers["ETag"] == plain.headers["ETag"]


def test_post_pages_and_rdf_are_gzipped(client: FlaskClient) -> None:
    posted = client.post("/sparql", data=QUERY, headers={"Accept": "text/csv",
                                                          "Accept-Encoding": "gzip"})
    assert posted.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(posted.data).startswith(b"s,p,o\r\n")
    page = client.get("/article/37534210", headers={"Accept": "text/html",
                                                    "Accept-Encoding": "gzip"})
    assert page.headers["Content-Encoding"] == "gzip"
    assert b"Extracellular vesicles in the treatment and diagnosis of breast cancer" in \
        gzip.decompress(page.data)
    revalidated = client.get("/article/37534210", headers={
        "Accept": "text/html", "Accept-Encoding": "gzip", "If-None-Match": page.headers["ETag"]})
    assert revalidated.status_code == 304
    turtle = client.get("/article/37534210", headers={"Accept": "text/turtle",
                                                      "Accept-Encoding": "gzip"})
    assert turtle.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(turtle.data) == client.get(
        "/article/37534210", headers={"Accept": "text/turtle"}).data


def test_what_is_not_gzipped(client: FlaskClient) -> None:
    accept = {"Accept-Encoding": "gzip"}
    head = client.head("/sparql", query_string=QUERY, headers={"Accept": JSON, **accept})
    assert head.status_code == 200 and "Content-Encoding" not in head.headers
    small = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                       headers={"Accept": JSON, **accept})
    assert small.status_code == 200 and "Content-Encoding" not in small.headers
    assert small.json == {"head": {}, "boolean": True}
    # a release file is served by byte range: ranges count the file's own bytes
    with (client.get("/downloads/void.ttl", headers=accept) as void,
          client.get("/downloads/void.ttl", headers={"Range": "bytes=0-9", **accept}) as part):
        assert void.status_code == 200 and "Content-Encoding" not in void.headers
        assert void.headers["Accept-Ranges"] == "bytes"
        assert part.status_code == 206 and part.data == void.data[:10]
    error = client.get("/sparql", query_string={"query": "SELECT " + "?x " * 600},
                       headers={"Accept": JSON, **accept})
    assert error.status_code == 400 and "Content-Encoding" not in error.headers


def test_real_clients_get_the_same_answer_gzipped(live_server: str) -> None:
    """requests asks for gzip by itself and inflates it; the answer is the same."""
    sparql = live_server + "/sparql"
    packed = requests.get(sparql, params=QUERY, headers={"Accept": JSON}, timeout=30)
    plain = requests.get(sparql, params=QUERY, headers={"Accept": JSON,
                                                        "Accept-Encoding": "identity"}, timeout=30)
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    assert packed.json() == plain.json() and len(packed.json()["results"]["bindings"]) == 300
