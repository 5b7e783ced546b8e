"""Downloads and the dataset's description: release files, VoID/DCAT, the sitemap, OpenAPI."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import warnings
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

import pytest
import rdflib
import requests
from flask import Flask
from flask.testing import FlaskClient
from pyoxigraph import QuerySolutions, Store
from werkzeug.http import http_date, parse_date

from kg.build import BuildReport, build, ingest
from kg.jsonrecords import write_records
from kg.records import Article
from kg.release import MANIFEST, current_release, read_manifest
from kg.store import open_read_only
from server import create_app, sitemap
from server.openapi import openapi_path
from server.sitemap import SITEMAP_LIMIT

BASE = "https://w3id.org/evkg/"
HTML = {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
VOID = rdflib.Namespace("http://rdfs.org/ns/void#")
DCAT = rdflib.Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = rdflib.Namespace("http://purl.org/dc/terms/")
SCHEMA = rdflib.Namespace("https://schema.org/")
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


@pytest.fixture(scope="module")
def app(default_build: tuple[Path, BuildReport]) -> Flask:
    out, _ = default_build
    return create_app({"STORE_DIR": str(out)})


@pytest.fixture()
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def manifest(default_build: tuple[Path, BuildReport]) -> dict[str, object]:
    out, _ = default_build
    result: dict[str, object] = json.loads((current_release(out) / MANIFEST).read_text())
    return result


def release_bytes(default_build: tuple[Path, BuildReport], name: str) -> bytes:
    return (current_release(default_build[0]) / name).read_bytes()


# --- /downloads/ ---------------------------------------------------------------------------------


def test_a_script_on_another_origin_may_read_a_files_tag_range_and_name(
        client: FlaskClient) -> None:
    """An HTTP review's: only /sparql named the headers a script on another origin may read
    (beyond Content-Type, Content-Length, Last-Modified …), so a web page that resumed a
    download by Range, or revalidated it by its ETag, could not read Content-Range or ETag of
    a release file, nor a resource page's ETag. Every answer names those it carries."""
    origin = {"Origin": "https://notebook.example.org"}
    with client.get("/downloads/void.ttl", headers={**origin, "Range": "bytes=0-9"}) as answer:
        assert answer.status_code == 206
        exposed = {h.strip() for h in answer.headers["Access-Control-Expose-Headers"].split(",")}
        assert {"ETag", "Content-Range", "Accept-Ranges"} <= exposed
        assert answer.headers["Access-Control-Allow-Origin"] == "*"
    page = client.get("/article/37534210", headers={**origin, "Accept": "text/turtle"})
    assert "ETag" in page.headers["Access-Control-Expose-Headers"]


def test_listing_gives_every_manifest_file_with_checksum(client: FlaskClient,
                                                         manifest: dict[str, object]) -> None:
    listing = client.get("/downloads/", headers={"Accept": "application/json"}).get_json()
    assert listing["version"] == manifest["version"]
    assert [(f["name"], f["sha256"], f["bytes"]) for f in listing["files"]] == [
        (f["name"], f["sha256"], f["bytes"]) for f in manifest["files"]]  # type: ignore[attr-defined]
    html = client.get("/downloads/", headers=HTML).get_data(as_text=True)
    assert 'href="/downloads/evkg.nq.gz"' in html


def test_the_checksums_file_checks_every_download(
        client: FlaskClient, default_build: tuple[Path, BuildReport], tmp_path: Path) -> None:
    """SHA256SUMS and manifest.json list the release's files and were not served themselves:
    a user now downloads the sums and the files and runs ``sha256sum -c``."""
    listing = client.get("/downloads/", headers={"Accept": "application/json"}).get_json()
    with client.get(listing["checksums"]) as sums:
        assert sums.status_code == 200
        assert sums.headers["Content-Type"] == "text/plain; charset=utf-8"
        (tmp_path / "SHA256SUMS").write_bytes(sums.data)
    for line in (tmp_path / "SHA256SUMS").read_text().splitlines():
        name = line.split("  ", 1)[1]
        with client.get(f"/downloads/{name}") as response:
            (tmp_path / name).write_bytes(response.data)
    checked = subprocess.run(["sha256sum", "-c", "SHA256SUMS"], cwd=tmp_path,
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count(": OK") == len(listing["files"])
    with client.get(listing["manifest"]) as manifest:
        assert manifest.get_json()["version"] == listing["version"]


def test_file_streams_with_etag_and_last_modified(client: FlaskClient,
                                                  default_build: tuple[Path, BuildReport]) -> None:
    body = release_bytes(default_build, "evkg.ttl.gz")
    with client.get("/downloads/evkg.ttl.gz") as response:
        assert response.status_code == 200
        assert response.mimetype == "application/gzip"
        assert response.headers["ETag"] == f'"{hashlib.sha256(body).hexdigest()}"'
        assert "Last-Modified" in response.headers
        assert response.data == body


def test_range_request_gets_206_and_those_bytes(client: FlaskClient,
                                                default_build: tuple[Path, BuildReport]) -> None:
    body = release_bytes(default_build, "void.ttl")
    with client.get("/downloads/void.ttl", headers={"Range": "bytes=10-19"}) as response:
        assert response.status_code == 206
        assert response.headers["Content-Range"] == f"bytes 10-19/{len(body)}"
        assert response.data == body[10:20]


def test_range_past_the_end_is_416(client: FlaskClient,
                                   default_build: tuple[Path, BuildReport]) -> None:
    size = len(release_bytes(default_build, "void.ttl"))
    with client.get("/downloads/void.ttl", headers={"Range": f"bytes={size + 10}-"}) as response:
        assert response.status_code == 416
        assert response.headers["Content-Range"] == f"bytes */{size}"
        assert response.text == (f"the range 'bytes={size + 10}-' is outside the file, whose "
                                 f"{size} bytes are 0-{size - 1}\n")


@pytest.mark.parametrize("path", ["/downloads/void.ttl", "/static/evkg.css"])
def test_a_suffix_range_longer_than_the_file_gets_the_whole_file(client: FlaskClient,
                                                                 path: str) -> None:
    """A review's (7 Dec): ``bytes=-N`` asks for the last N bytes, and RFC 9110 (14.1.3) gives
    the whole file when it is shorter than N (``curl -r -1000000`` of a small file); it was a
    416 saying that the range was outside the file."""
    with client.get(path) as whole:
        body = whole.data
    for suffix in (len(body) + 1, 10**30):
        with client.get(path, headers={"Range": f"bytes=-{suffix}"}) as response:
            assert response.status_code == 206, response.text
            assert response.headers["Content-Range"] == f"bytes 0-{len(body) - 1}/{len(body)}"
            assert response.data == body


def test_several_ranges_get_the_whole_file(client: FlaskClient,
                                           default_build: tuple[Path, BuildReport]) -> None:
    """A review's: werkzeug serves one range only and answered several with a 416 (an HTML
    page), though they were in the file; RFC 9110 (14.2) lets a server ignore Range."""
    body = release_bytes(default_build, "void.ttl")
    with client.get("/downloads/void.ttl", headers={"Range": "bytes=0-9,20-29"}) as response:
        assert (response.status_code, response.data) == (200, body)


def test_a_range_in_another_unit_is_ignored(client: FlaskClient,
                                            default_build: tuple[Path, BuildReport]) -> None:
    """RFC 9110 (14.2): a range unit the server does not know must be ignored; it was a 416."""
    body = release_bytes(default_build, "void.ttl")
    with client.get("/downloads/void.ttl", headers={"Range": "items=0-1"}) as response:
        assert (response.status_code, response.data) == (200, body)


@pytest.mark.parametrize("path", ["/downloads/void.ttl", "/static/evkg.css"])
def test_if_range_takes_only_a_strong_validator_that_matches(client: FlaskClient,
                                                             path: str) -> None:
    """RFC 9110 (13.1.5): If-Range holds when its strong entity tag is the file's, or its date
    exactly the file's Last-Modified; a weak tag never does. werkzeug sent the range for a weak
    tag and for any date not before Last-Modified, so a client resuming with a stale validator
    could splice bytes of two files. The rule holds for every file the server sends (a release
    file, the site's own), as do the ranges it ignores."""
    with client.get(path) as whole:
        body, etag, modified = whole.data, whole.headers["ETag"], whole.headers["Last-Modified"]
    later = http_date(parse_date(modified) + timedelta(days=1))  # type: ignore[operator]
    cases = {etag: 206, modified: 206, f"W/{etag}": 200, later: 200, '"other"': 200}
    for validator, status in cases.items():
        with client.get(path, headers={"Range": "bytes=10-19", "If-Range": validator}) as response:
            assert response.status_code == status, validator
            assert response.data == (body[10:20] if status == 206 else body), validator
    for ignored in ("bytes=0-9,20-29", "bytes=abc", "items=0-1"):
        with client.get(path, headers={"Range": ignored}) as response:
            assert (response.status_code, response.data) == (200, body), ignored


def test_a_host_the_server_cannot_read_is_400_saying_so(client: FlaskClient) -> None:
    """A review's: with ``Host: a b`` robots.txt named ``http:/sitemap.xml``."""
    response = client.get("/robots.txt", headers={"Host": "a b"})
    assert (response.status_code, response.text) == (400, (
        "the Host header 'a b' is not a host name (and port): the links this server writes are "
        "built on it\n"))
    empty = client.get("/robots.txt", headers={"Host": ""})
    assert (empty.status_code, empty.text) == (400, (
        "the Host header '' is not a host name (and port): the links this server writes are "
        "built on it\n"))
    long_host = client.get("/robots.txt", headers={"Host": "x" * 300})
    assert (long_host.status_code, long_host.text) == (400, (
        f"the Host header {'x' * 100!r} is not a host name (and port): the links this server "
        "writes are built on it\n"))
    assert client.get("/robots.txt", headers={"Host": "evkg.example:8000"}).text.endswith(
        "Sitemap: http://evkg.example:8000/sitemap.xml\n")


def test_a_path_that_is_not_utf8_is_400_over_real_http(live_server: str) -> None:
    """A review's: such a path was looked up with U+FFFD in it, a 404 naming an IRI nobody
    asked for (werkzeug's test client cannot send one: it decodes the path first)."""
    response = requests.get(live_server + "/article/%ff%fe", headers={"Accept": "text/turtle"},
                            timeout=30)
    assert (response.status_code, response.text) == (400, (
        "the path is not UTF-8 once percent-decoded: percent-encode the UTF-8 bytes of each "
        "character\n"))
    unknown = requests.get(live_server + "/article/%C3%A9", headers={"Accept": "text/turtle"},
                           timeout=30)  # UTF-8 is looked up, and is unknown
    assert (unknown.status_code, unknown.text) == (404, (
        "nothing is known about <https://w3id.org/evkg/article/%C3%A9>\n"))


def test_head_gives_headers_without_body(client: FlaskClient,
                                         default_build: tuple[Path, BuildReport]) -> None:
    size = len(release_bytes(default_build, "evkg.nt.gz"))
    with client.head("/downloads/evkg.nt.gz") as response:
        assert response.status_code == 200
        assert int(response.headers["Content-Length"]) == size
        assert response.data == b""


def test_if_none_match_gets_304(client: FlaskClient) -> None:
    with client.get("/downloads/evkg.nq.gz") as first:
        etag = first.headers["ETag"]
    with client.get("/downloads/evkg.nq.gz", headers={"If-None-Match": etag}) as again:
        assert again.status_code == 304
        assert again.data == b""


def test_a_download_is_revalidated_since_the_next_release_takes_its_url(tmp_path: Path) -> None:
    """An HTTP caching and crawler review's: a file's answer said `public, max-age=3600`, but
    `/downloads/evkg.nt.gz` names the current release's file, and after an ingest and a reload
    the same URL holds other bytes: for an hour a browser or a cache in front of the server
    gave the old file (and `SHA256SUMS`, the manifest) beside a listing of the new one's
    checksum. Each answer says to revalidate (`no-cache`; its ETag, the SHA-256, makes that a
    304 while the file is the same)."""
    first, second = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    write_records([Article(pmid="99999921", title="One")], first)
    write_records([Article(pmid="99999922", title="Two")], second)
    out = tmp_path / "b"
    build([first], out, default_articles=False)
    names = ("evkg.nt.gz", "void.ttl", "SHA256SUMS", MANIFEST)
    before = create_app({"STORE_DIR": str(out)}).test_client()
    held = {}
    for name in names:
        with before.get(f"/downloads/{name}") as answer:
            assert answer.status_code == 200
            cache_control = answer.headers["Cache-Control"]
            assert "no-cache" in cache_control and "max-age" not in cache_control, name
            assert "Expires" not in answer.headers
            held[name] = answer.headers["ETag"]
        with before.get(f"/downloads/{name}", headers={"If-None-Match": held[name]}) as same:
            assert same.status_code == 304 and same.headers["Cache-Control"] == cache_control
    ingest([second], out)
    after = create_app({"STORE_DIR": str(out)}).test_client()  # as `kill -HUP` reloads it
    for name in names:
        with after.get(f"/downloads/{name}", headers={"If-None-Match": held[name]}) as answer:
            assert answer.status_code == 200 and answer.headers["ETag"] != held[name], name


@pytest.mark.parametrize("path", ["/downloads/../manifest.json", "/downloads/%2e%2e/manifest.json",
                                  "/downloads/%2e%2e%2fmanifest.json", "/downloads/store",
                                  "/downloads/sha256sums", "/downloads/releases",
                                  "/downloads/..%2fcurrent%2fmanifest.json", "/downloads/%2fetc%2fpasswd"])
def test_only_manifest_files_are_served(client: FlaskClient, path: str) -> None:
    assert client.get(path).status_code == 404


def test_without_a_release_the_listing_is_empty() -> None:
    client = create_app(store=Store()).test_client()
    assert client.get("/downloads/", headers={"Accept": "application/json"}).get_json()["files"] == []
    assert client.get("/downloads/evkg.ttl.gz").status_code == 404


@pytest.mark.parametrize(("licence", "linked"), [
    ("https://creativecommons.org/publicdomain/zero/1.0/", True),
    ("javascript:alert(document.domain)", False)])
def test_the_dataset_page_links_a_licence_only_to_a_web_address(licence: str,
                                                                 linked: bool) -> None:
    """A security review's: the dataset page wrote graph/metadata's licence as a link whatever
    it held, where every other link of the pages must be http(s) (on a remote store the
    metadata is the operator's, not the build's)."""
    from pyoxigraph import Literal, NamedNode, Quad

    from kg import iris

    store = Store()
    store.add(Quad(iris.dataset_iri(), NamedNode("http://purl.org/dc/terms/license"),
                   NamedNode(licence), iris.graph_iri("metadata")))
    store.add(Quad(iris.dataset_iri(), NamedNode("http://purl.org/dc/terms/title"),
                   Literal("evkg"), iris.graph_iri("metadata")))
    page = create_app(store=store).test_client().get("/dataset", headers=HTML)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<th>Licence</th>" in html
    assert (f'href="{licence}"' in html) is linked
    assert licence.replace("&", "&amp;") in html  # shown, as text when it is no web address


def test_range_over_real_http(live_server: str) -> None:
    response = requests.get(live_server + "/downloads/void.ttl", headers={"Range": "bytes=0-15"},
                            timeout=10)
    assert response.status_code == 206
    assert len(response.content) == 16


# --- VoID and DCAT -------------------------------------------------------------------------------

def test_dataset_is_dcat_with_statistics(client: FlaskClient) -> None:
    response = client.get("/dataset", headers={"Accept": "text/turtle"})
    assert response.headers["Vary"] == "Accept, Accept-Encoding"
    graph = rdflib.Graph().parse(data=response.data, format="turtle")
    dataset = rdflib.URIRef(BASE + "dataset")
    assert (dataset, rdflib.RDF.type, DCAT.Dataset) in graph
    assert int(graph.value(dataset, VOID.triples)) > 10_000  # type: ignore[arg-type]
    assert (dataset, VOID.sparqlEndpoint, rdflib.URIRef(BASE + "sparql")) in graph
    assert (dataset, VOID.dataDump, rdflib.URIRef(BASE + "downloads/evkg.nq.gz")) in graph
    articles = rdflib.URIRef(BASE + "graph/articles")
    assert int(graph.value(articles, VOID.triples)) > 0  # type: ignore[arg-type]


def test_dataset_distributions_give_media_type_size_and_checksum(
        client: FlaskClient, default_build: tuple[Path, BuildReport]) -> None:
    """As DCAT has them: the media type and gzip as IANA IRIs (the media type was a literal),
    and each file's byte size and SHA-256 (spdx:checksum), which a client checks a download
    against; the sizes and sums are the files' own."""
    out, _ = default_build
    graph = rdflib.Graph().parse(data=client.get("/dataset", headers={
        "Accept": "text/turtle"}).data, format="turtle")
    spdx = rdflib.Namespace("http://spdx.org/rdf/terms#")
    iana = "https://www.iana.org/assignments/media-types/"
    dump = rdflib.URIRef(BASE + "downloads/evkg.ttl.gz")
    assert graph.value(dump, DCAT.mediaType) == rdflib.URIRef(iana + "text/turtle")
    assert graph.value(dump, DCAT.compressFormat) == rdflib.URIRef(iana + "application/gzip")
    data = (current_release(out) / "evkg.ttl.gz").read_bytes()
    assert int(graph.value(dump, DCAT.byteSize)) == len(data)  # type: ignore[arg-type]
    checksum = graph.value(dump, spdx.checksum)
    assert graph.value(checksum, spdx.algorithm) == spdx.checksumAlgorithm_sha256
    assert str(graph.value(checksum, spdx.checksumValue)) == hashlib.sha256(data).hexdigest()


def test_every_release_file_is_a_distribution_of_the_dataset(
        client: FlaskClient, default_build: tuple[Path, BuildReport]) -> None:
    """A linked-data audit's: the release's files other than the dumps (the SSSOM mappings,
    the quarantine, the citation lists, void.ttl) had a size and a checksum in /dataset, of
    subjects nothing typed nor linked: a DCAT client could not find the SSSOM file."""
    out, _ = default_build
    graph = rdflib.Graph().parse(data=client.get("/dataset", headers={
        "Accept": "text/turtle"}).data, format="turtle")
    dataset = rdflib.URIRef(BASE + "dataset")
    listed = set(graph.objects(dataset, DCAT.distribution))
    manifest = read_manifest(current_release(out))
    assert {str(d) for d in listed} == {BASE + "downloads/" + f["name"] for f in manifest["files"]}
    for entry in manifest["files"]:
        dist = rdflib.URIRef(BASE + "downloads/" + entry["name"])
        assert (dist, rdflib.RDF.type, DCAT.Distribution) in graph
        assert graph.value(dist, DCAT.downloadURL) == dist
        assert str(graph.value(dist, DCAT.mediaType)).endswith("/" + entry["media_type"])
        assert int(graph.value(dist, DCAT.byteSize)) == entry["bytes"]  # type: ignore[arg-type]
        # (DCAT-AP: each distribution's licence and access page; an audit's)
        assert str(graph.value(dist, rdflib.namespace.DCTERMS.license)) == \
            "https://creativecommons.org/licenses/by/4.0/"
        assert graph.value(dist, DCAT.accessURL) == rdflib.URIRef(BASE + "downloads/")
    sssom = rdflib.URIRef(BASE + "downloads/evkg.sssom.tsv")
    assert "SSSOM" in str(graph.value(sssom, rdflib.namespace.DCTERMS.title))


def test_void_lists_every_vocabulary_the_graph_uses(
        client: FlaskClient, default_build: tuple[Path, BuildReport]) -> None:
    """A linked-data audit's: `void:vocabulary` left out RDFS, OWL, SHACL, VANN, VoID and DCAT,
    whose properties and classes the ontology, the shapes and the description use. Every
    namespace of a property or class of the graph (but RDF's own) is listed."""
    out, _ = default_build
    store = open_read_only(current_release(out) / "store")
    used = set()
    for query in ("SELECT DISTINCT ?t { GRAPH ?g { ?s ?t ?o } }",
                  "SELECT DISTINCT ?t { GRAPH ?g { ?s a ?t } }"):
        rows = store.query(query)
        assert isinstance(rows, QuerySolutions)
        used |= {re.sub(r"[^#/]*$", "", row[0].value) for row in rows}
    graph = rdflib.Graph().parse(data=client.get("/dataset", headers={
        "Accept": "text/turtle"}).data, format="turtle")
    listed = {str(v) for v in graph.objects(rdflib.URIRef(BASE + "dataset"), VOID.vocabulary)}
    assert used - listed == {"http://www.w3.org/1999/02/22-rdf-syntax-ns#"}


def test_well_known_void_is_the_void_description(client: FlaskClient) -> None:
    response = client.get("/.well-known/void", headers={"Accept": "application/n-triples"})
    graph = rdflib.Graph().parse(data=response.data, format="nt")
    assert (rdflib.URIRef(BASE + "dataset"), rdflib.RDF.type, VOID.Dataset) in graph


def test_dataset_page_embeds_schema_org_dataset(client: FlaskClient) -> None:
    html = client.get("/dataset", headers=HTML).get_data(as_text=True)
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match is not None
    doc = json.loads(match.group(1))
    assert doc["@type"] == "Dataset"
    assert doc["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert {d["encodingFormat"] for d in doc["distribution"]} >= {"text/turtle", "application/n-quads"}
    assert 'href="/downloads/evkg.ttl.gz"' in html


#: Bioschemas' Dataset profile 1.0-RELEASE (https://bioschemas.org/profiles/Dataset/1.0-RELEASE,
#: 12 July 2022): its minimum properties, besides ``dct:conformsTo`` the profile's versioned
#: URL, written with Dublin Core's full IRI (the schema.org context has no ``dct:``).
BIOSCHEMAS_DATASET = "https://bioschemas.org/profiles/Dataset/1.0-RELEASE"
BIOSCHEMAS_DATASET_MINIMUM = ("description", "identifier", "keywords", "license", "name", "url")


def test_dataset_page_claims_the_bioschemas_dataset_profile_and_meets_its_minimum(
        client: FlaskClient) -> None:
    """A review's: the dataset's schema.org record claimed no Bioschemas profile and had no
    ``identifier``, one of the six minimum properties of Bioschemas' Dataset profile, so a
    Bioschemas validator or FAIR checker (F-UJI, FAIR-Checker) found no profile to check and
    the profile's identifier missing. It claims Dataset 1.0-RELEASE and has every minimum
    property, each the value the dataset's own RDF gives (its IRI is its identifier)."""
    html = client.get("/dataset", headers=HTML).get_data(as_text=True)
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match is not None
    doc = json.loads(match.group(1))
    assert doc["http://purl.org/dc/terms/conformsTo"] == {"@type": "CreativeWork",
                                                          "@id": BIOSCHEMAS_DATASET}
    assert [name for name in BIOSCHEMAS_DATASET_MINIMUM if not doc.get(name)] == []
    # read as RDF (schema.org's own context is on the web: its vocabulary stands in for it)
    with warnings.catch_warnings():
        # rdflib 7.6's own JSON-LD parser builds a ConjunctiveGraph, which it deprecates.
        warnings.simplefilter("ignore", DeprecationWarning)
        graph = rdflib.Graph().parse(
            data=json.dumps({**doc, "@context": {"@vocab": str(SCHEMA)}}), format="json-ld")
    dataset = rdflib.URIRef(BASE + "dataset")
    assert graph.value(dataset, DCTERMS.conformsTo) == rdflib.URIRef(BIOSCHEMAS_DATASET)
    rdf = rdflib.Graph().parse(data=client.get("/dataset?format=nt").data, format="nt")
    assert doc["identifier"] == doc["url"] == str(dataset)
    assert doc["name"] == str(rdf.value(dataset, DCTERMS.title))
    assert doc["description"] == str(rdf.value(dataset, DCTERMS.description))
    assert doc["license"] == str(rdf.value(dataset, DCTERMS.license))
    assert sorted(doc["keywords"]) == sorted(map(str, rdf.objects(dataset, DCAT.keyword)))


@pytest.mark.parametrize("path", ["/dataset", "/.well-known/void"])
def test_dataset_page_names_the_dataset_iri_canonical_as_its_record_does(
        client: FlaskClient, path: str) -> None:
    """A review's: the dataset's page, served at two paths, named no canonical URL (every
    resource page names its IRI), so a crawler such as Google Dataset Search's found one
    Dataset on two pages, neither the URL its record gives. Both name the dataset's IRI."""
    html = client.get(path, headers=HTML).get_data(as_text=True)
    match = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert match is not None
    assert json.loads(match.group(1))["url"] == BASE + "dataset"
    assert re.findall(r'<link rel="canonical" href="([^"]*)">', html) == [BASE + "dataset"]


def test_dataset_page_links_its_release_and_the_release_is_named(client: FlaskClient) -> None:
    """A review's: the release's page had its raw IRI as its heading, and /dataset's version
    did not link it (a crawl from / never reached it)."""
    html = client.get("/dataset", headers=HTML).get_data(as_text=True)
    version = re.search(r'<th>Version</th><td><a href="/release/([0-9a-f]+)"><code>\1</code></a>',
                        html)
    assert version is not None
    release = client.get(f"/release/{version.group(1)}", headers=HTML).get_data(as_text=True)
    assert f"<h1>evkg release {version.group(1)}</h1>" in release


def test_dataset_page_says_its_triples_count_every_graph(client: FlaskClient,
                                                         default_store: Store) -> None:
    """graph/metadata's void:triples counts all six graphs now, itself too, but the page still
    said it counted the five graphs of data and that graph/metadata added its own (a review's)."""
    html = client.get("/dataset", headers=HTML).get_data(as_text=True)
    row = re.search(r"<th>Triples</th><td>([\d,]+) <span class=\"note\">\(([^)]*)\)", html)
    assert row is not None
    assert int(row.group(1).replace(",", "")) == len(default_store)
    assert "adds its own" not in row.group(2) and "graph/metadata" in row.group(2)

# --- sitemap and OpenAPI -------------------------------------------------------------------------

def sitemap_locations(body: bytes, tag: str = "url") -> list[str]:
    root = ET.fromstring(body)
    return [node.findtext(f"{SITEMAP}loc") or "" for node in root.iter(f"{SITEMAP}{tag}")]


@pytest.fixture(scope="module")
def page_count(default_store: Store) -> int:
    """Article, concept and MeSH descriptor pages in the default graph: what the sitemap must
    list."""
    solutions = default_store.query(
        f"SELECT (COUNT(DISTINCT ?s) AS ?n) {{ {{ VALUES ?t {{ <https://schema.org/ScholarlyArticle> "
        f"<http://www.w3.org/2004/02/skos/core#Concept> }} ?s a ?t FILTER(STRSTARTS(STR(?s), "
        f'"{BASE}")) }} UNION {{ VALUES ?k {{ <http://id.nlm.nih.gov/mesh/vocab#TopicalDescriptor> '
        '<http://id.nlm.nih.gov/mesh/vocab#CheckTag> '
        '<http://id.nlm.nih.gov/mesh/vocab#GeographicalDescriptor> } ?s a ?k } }',
        use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    (row,) = list(solutions)
    return int(row[0].value)  # type: ignore[union-attr]


def test_sitemap_lists_article_and_vocabulary_pages(client: FlaskClient, page_count: int) -> None:
    locations = sitemap_locations(client.get("/sitemap.xml").data)
    assert "http://localhost/article/37534210" in locations
    assert "http://localhost/cargo/hsa-miR-105" in locations
    assert "http://localhost/ev-type/exosome" in locations
    assert "http://localhost/article/doi/10.1186/s12943-020-1145-5" in locations
    assert "http://localhost/mesh/D001943" in locations  # a MeSH descriptor's page
    assert len(locations) == len(set(locations)) == page_count >= 93 + 84 + 300


def test_robots_txt_points_crawlers_at_the_sitemap(client: FlaskClient) -> None:
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response.mimetype == "text/plain"
    assert response.text.splitlines() == ["User-agent: *", "Allow: /",
                                          "Sitemap: http://localhost/sitemap.xml"]
    assert '<a href="/explore">Explore</a>' in client.get("/", headers=HTML).text  # the nav


def test_large_sitemap_becomes_an_index(client: FlaskClient, monkeypatch: pytest.MonkeyPatch,
                                        page_count: int) -> None:
    monkeypatch.setattr(sitemap, "SITEMAP_LIMIT", 50)
    pages = -(-page_count // 50)
    index = sitemap_locations(client.get("/sitemap.xml").data, "sitemap")
    assert index == [f"http://localhost/sitemap/{n}.xml" for n in range(1, pages + 1)]
    listed = [sitemap_locations(client.get(f"/sitemap/{n}.xml").data) for n in range(1, pages + 1)]
    assert [len(p) for p in listed] == [50] * (pages - 1) + [page_count - 50 * (pages - 1)]
    assert len({loc for page in listed for loc in page}) == page_count
    assert client.get(f"/sitemap/{pages + 1}.xml").status_code == 404


def test_openapi_describes_every_route(app: Flask, client: FlaskClient) -> None:
    document = client.get("/openapi.json").get_json()
    assert document["openapi"].startswith("3.")
    for rule in app.url_map.iter_rules():
        item = document["paths"][openapi_path(rule.rule)]
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            assert item[method.lower()]["summary"], rule.rule
    assert "{doi}" in " ".join(document["paths"])
    assert document["paths"]["/sparql"]["post"]["summary"].startswith("SPARQL 1.1 query")


def test_openapi_lists_the_parameters_routes_take(client: FlaskClient) -> None:
    """A linked-data maintainer's audit: /explore/findings, a 400 without `cargo_class` and
    `process`, listed no parameter, and /sparql left out `output` (Fuseki's name for
    `format`), which it reads."""
    paths = client.get("/openapi.json").get_json()["paths"]
    cell = {p["name"]: p["required"] for p in paths["/explore/findings"]["get"]["parameters"]}
    assert cell == {"cargo_class": True, "process": True}
    refused = client.get("/explore/findings")
    assert refused.status_code == 400 and "cargo_class" in refused.text
    assert "output" in {p["name"] for p in paths["/sparql"]["get"]["parameters"]}
    answer = client.get("/sparql", query_string={"query": "ASK {}", "output": "csv"})
    assert answer.mimetype == "text/csv"


def test_openapi_describes_the_icon_as_the_none_it_answers(client: FlaskClient) -> None:
    """A review's: /favicon.ico, an empty 204, was described as answering 200, under a summary
    cut mid-sentence from its view's docstring ("… (SPARQL results, a")."""
    answer = client.get("/favicon.ico")
    described = client.get("/openapi.json").get_json()["paths"]["/favicon.ico"]["get"]
    assert list(described["responses"]) == [str(answer.status_code)], described
    assert described["summary"] == "No icon: an empty answer (204) a browser may keep a day"


def test_openapi_lists_every_format_sparql_answers_in(client: FlaskClient) -> None:
    """A review's (31st session): /sparql's responses listed Turtle and JSON-LD alone for
    graph answers, not N-Triples, N-Quads, TriG or RDF/XML, which it gives. Each type a 406
    names as available (for a SELECT, for a CONSTRUCT) answers in that type, and the
    document lists exactly those."""
    offered: list[str] = []
    for query in ("SELECT * { ?s ?p ?o } LIMIT 1", "CONSTRUCT { ?s ?p ?o } { ?s ?p ?o } LIMIT 1"):
        refused = client.get("/sparql", query_string={"query": query},
                             headers={"Accept": "image/png"})
        assert refused.status_code == 406
        types = refused.text.split("available: ", 1)[1].strip().split(", ")
        for media_type in types:
            answer = client.get("/sparql", query_string={"query": query},
                                headers={"Accept": media_type})
            assert (answer.status_code, answer.mimetype) == (200, media_type)
        offered += types
    document = client.get("/openapi.json").get_json()
    for method in ("get", "post"):
        listed = document["paths"]["/sparql"][method]["responses"]["200"]["content"]
        assert sorted(listed) == sorted(offered)
    assert "application/n-quads" in offered and "application/rdf+xml" in offered


@pytest.mark.parametrize("path", ["/search?q=vesicle", "/downloads/", "/ontology", "/dataset",
                                  "/.well-known/void", "/", "/article/37534210",
                                  "/sparql/service-description"])
def test_openapi_lists_the_types_each_negotiated_route_answers_in(app: Flask,
                                                                 client: FlaskClient,
                                                                 path: str) -> None:
    """A review's (6 Dec): /search and /downloads/ (JSON or their page), /ontology and the VoID
    listed no response type at all, and /dataset three of the five it gives. The document
    lists what a 406 names as available, for each route that negotiates."""
    refused = client.get(path, headers={"Accept": "image/png"})
    assert refused.status_code == 406, refused.text
    available = refused.text.split("available: ", 1)[1].strip().split(", ")
    adapter = app.url_map.bind("localhost")
    rule, _ = adapter.match(path.split("?")[0], return_rule=True)
    document = client.get("/openapi.json").get_json()
    listed = document["paths"][openapi_path(rule.rule)]["get"]["responses"]["200"]
    assert sorted(listed.get("content", {})) == sorted(available)


@pytest.mark.parametrize("limit", [SITEMAP_LIMIT, 50])
def test_a_sitemap_is_revalidated_by_its_tag(client: FlaskClient, monkeypatch: pytest.MonkeyPatch,
                                             limit: int) -> None:
    """Crawlers ask for a sitemap again and again: its URL set, streamed, had no ETag, so
    each visit read it whole (up to 50,000 URLs a file). It is tagged by the release and the
    address asked (its URLs are under that host), and `If-None-Match` gets a 304."""
    monkeypatch.setattr(sitemap, "SITEMAP_LIMIT", limit)
    for path in ("/sitemap.xml", "/sitemap/1.xml") if limit == 50 else ("/sitemap.xml",):
        first = client.get(path)
        tag = first.headers["ETag"]
        again = client.get(path, headers={"If-None-Match": tag})
        assert again.status_code == 304 and not again.data
        elsewhere = client.get(path, headers={"If-None-Match": tag, "Host": "example.org"})
        assert elsewhere.status_code == 200 and b"http://example.org/" in elsewhere.data
