"""gzip Content-Encoding: compressed when the client allows it, the same bytes once inflated,
revalidated by its own ETag, and never for ranged downloads, HEAD or small answers."""

from __future__ import annotations

import gzip
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import requests
from flask.testing import FlaskClient
from werkzeug.http import http_date, parse_date
from werkzeug.test import EnvironBuilder, TestResponse
from werkzeug.wsgi import FileWrapper

from kg.build import BuildReport
from server import create_app
from server.gzipping import Gzip, accepts_gzip

QUERY = {"query": "SELECT ?s ?p ?o WHERE { ?s ?p ?o } ORDER BY ?s ?p ?o LIMIT 300"}
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def client(default_build: tuple[Path, BuildReport]) -> FlaskClient:
    out, _ = default_build
    return create_app({"TESTING": True, "STORE_DIR": str(out),
                       "CACHE_DIR": str(out / "gzip-test-cache")}).test_client()


@pytest.mark.parametrize("header, allowed", [
    ("gzip", True), ("gzip, deflate, br", True), ("*", True), ("br;q=1, gzip;q=0.5", True),
    ("x-gzip", True), ("", False), ("identity", False), ("gzip;q=0", False),
    ("deflate, *;q=0", False), ("*, gzip;q=0", False)])
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
    small = client.get("/sparql", query_string={"query": "ASK { ?s ?p ?o }"},
                       headers={"Accept": JSON, **accept})
    assert small.status_code == 200 and "Content-Encoding" not in small.headers
    assert small.json == {"head": {}, "boolean": True}
    # a release file is gzip already; a part of one counts the file's own bytes
    with (client.get("/downloads/evkg.nt.gz", headers=accept) as dump,
          client.get("/downloads/void.ttl", headers={"Range": "bytes=0-9", **accept}) as part):
        assert dump.status_code == 200 and "Content-Encoding" not in dump.headers
        assert part.status_code == 206 and "Content-Encoding" not in part.headers
        assert len(part.data) == 10
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


# --- If-None-Match against what is sent (a review found 304s for the other representation) ---

@pytest.mark.parametrize("path, accept", [("/sparql", JSON), ("/article/37534210", "text/html")])
def test_a_304_only_for_the_tag_of_what_would_be_sent(client: FlaskClient, path: str,
                                                      accept: str) -> None:
    query = QUERY if path == "/sparql" else {}

    def get(headers: dict[str, str]) -> TestResponse:
        return client.get(path, query_string=query, headers={"Accept": accept, **headers})

    plain = get({}).headers["ETag"]
    whole = get({"Accept-Encoding": "gzip"})
    assert whole.headers["Content-Encoding"] == "gzip"
    packed = whole.headers["ETag"]
    assert packed == plain[:-1] + '-gzip"'

    def ask(tags: str, gzip_ok: bool) -> tuple[int, str, str]:
        answer = get({"If-None-Match": tags, **({"Accept-Encoding": "gzip"} if gzip_ok else {})})
        return (answer.status_code, answer.headers.get("ETag", ""),
                answer.headers.get("Content-Encoding", ""))

    assert ask(packed, gzip_ok=True) == (304, packed, "")
    assert ask(plain, gzip_ok=False) == (304, plain, "")
    # the other representation's tag is no match: the client holds something else
    assert ask(packed, gzip_ok=False) == (200, plain, "")
    assert ask(plain, gzip_ok=True) == (200, packed, "gzip")
    assert ask(f'{plain}, "other-gzip"', gzip_ok=True) == (200, packed, "gzip")
    assert ask(f'"other", W/{packed}', gzip_ok=True) == (304, packed, "")
    assert ask("*", gzip_ok=True) == (304, packed, "")
    assert ask("*", gzip_ok=False) == (304, plain, "")


@pytest.mark.parametrize("path, accept", [("/article/37534210", "text/html"),
                                          ("/downloads/void.ttl", "*/*")])
def test_if_match_naming_no_current_representation_is_412(client: FlaskClient, path: str,
                                                          accept: str) -> None:
    """A review's (6 Dec): If-Match was ignored on GET, and a client that asks for the answer
    only if it is still the one it holds got whatever is current. RFC 9110 §13.1.1: a 412
    unless a tag it names matches the tag of what would be sent, strongly; ``*`` matches
    any current representation."""
    def ask(tags: str | None, gzip_ok: bool = False) -> tuple[int, bytes, dict[str, str]]:
        with client.get(path, headers={"Accept": accept, **({"If-Match": tags} if tags else {}),
                                       **({"Accept-Encoding": "gzip"} if gzip_ok else {})}
                        ) as answer:
            return answer.status_code, answer.get_data(), dict(answer.headers)

    _, body, headers = ask(None)
    tag = headers["ETag"]
    assert ask(tag)[:2] == ask(f'"other", {tag}')[:2] == ask("*")[:2] == (200, body)
    for stale in ('"other"', f"W/{tag}"):
        status, text, refused = ask(stale)
        assert status == 412
        assert text.decode() == ("the current representation's ETag is "
                                 f"{tag}, which If-Match does not name (strongly)\n")
        assert refused["Access-Control-Allow-Origin"] == "*"
        # the 200's file name (``/downloads/``) is not the message's: ``curl -OJ`` saved the
        # message under it, as the file it had asked for (a review's, 6 Dec)
        assert "Content-Disposition" not in refused
        # kept by no cache: a shared one stored the download's 412 (its Cache-Control says
        # public), and the 304 of its next check (the 412 bore the current ETag) served the
        # 412 to every GET after (a review's, 6 Dec)
        assert refused["Cache-Control"] == "no-store"
        assert refused["Content-Type"] == "text/plain; charset=utf-8"
    if path.startswith("/article"):  # the gzipped answer is another representation
        packed = tag[:-1] + '-gzip"'
        assert ask(packed, gzip_ok=True)[2]["Content-Encoding"] == "gzip"
        assert ask(tag, gzip_ok=True)[0] == 412
    assert client.get("/article/0", headers={"If-Match": '"other"'}).status_code == 404


def test_if_unmodified_since_before_the_files_date_is_412(client: FlaskClient) -> None:
    """A review's: If-Unmodified-Since was ignored, so a client resuming a download only if
    the file is still the one it began (RFC 9110 §13.1.4, with a Range) got the bytes of
    another release's file at the same URL, and spliced them on. A date before the file's
    Last-Modified is a 412; its own date, a later one, one that is no date, or If-Match
    beside it (which goes first) is answered as without it."""
    path = "/downloads/void.ttl"

    def ask(headers: dict[str, str], where: str = path) -> tuple[int, bytes, dict[str, str]]:
        with client.get(where, headers=headers) as answer:
            return answer.status_code, answer.get_data(), dict(answer.headers)

    _, body, whole = ask({})
    modified = parse_date(whole["Last-Modified"])
    assert modified is not None
    before = http_date(modified - timedelta(days=1))
    for headers in ({}, {"Range": "bytes=10-"}):
        status, text, refused = ask({"If-Unmodified-Since": before, **headers})
        assert (status, text.decode()) == (412, "the current representation was modified at "
                                                f"{whole['Last-Modified']}, after the "
                                                f"If-Unmodified-Since date, {before}\n"), headers
        assert refused["Cache-Control"] == "no-store"
    for since in (whole["Last-Modified"], http_date(modified + timedelta(days=1)), "yesterday"):
        assert ask({"If-Unmodified-Since": since})[:2] == (200, body), since
    assert ask({"If-Unmodified-Since": before, "If-Match": whole["ETag"]})[0] == 200
    assert ask({"If-Unmodified-Since": before},  # no date: ignored
               "/sparql?query=ASK%20%7B%7D")[0] == 200


def test_a_304_carries_the_headers_of_its_200(client: FlaskClient) -> None:
    whole = client.get("/article/37534210", headers={"Accept": "text/html",
                                                     "Accept-Encoding": "gzip"})
    again = client.get("/article/37534210", headers={
        "Accept": "text/html", "Accept-Encoding": "gzip", "If-None-Match": whole.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["Vary"] == whole.headers["Vary"] == "Accept, Accept-Encoding"
    assert "Content-Encoding" not in again.headers and "Content-Type" not in again.headers
    # a type that is never compressed does not vary by Accept-Encoding, in its 304 either
    with client.get("/downloads/evkg.ttl.gz", headers={"Accept-Encoding": "gzip"}) as dump:
        assert dump.headers["Content-Type"] == "application/gzip"
        assert "Accept-Encoding" not in dump.headers.get("Vary", "")
        tag = dump.headers["ETag"]
    kept = client.get("/downloads/evkg.ttl.gz", headers={"Accept-Encoding": "gzip",
                                                         "If-None-Match": tag})
    assert kept.status_code == 304 and kept.headers["ETag"] == tag
    assert "Accept-Encoding" not in kept.headers.get("Vary", "")
    other = client.get("/downloads/void.ttl", headers={"If-None-Match": tag[:-1] + '-gzip"'})
    assert other.status_code == 200
    other.close()


def test_head_has_the_headers_get_has(client: FlaskClient) -> None:
    headers = {"Accept": JSON, "Accept-Encoding": "gzip"}
    got = client.get("/sparql", query_string=QUERY, headers=headers)
    head = client.head("/sparql", query_string=QUERY, headers=headers)
    assert head.status_code == 200 and head.data == b""
    for name in ("Content-Encoding", "Content-Length", "ETag", "Vary", "Content-Type"):
        assert head.headers[name] == got.headers[name]
    revalidated = client.head("/sparql", query_string=QUERY,
                              headers={**headers, "If-None-Match": got.headers["ETag"]})
    assert revalidated.status_code == 304 and revalidated.headers["ETag"] == got.headers["ETag"]


def test_the_editors_script_is_gzipped_unless_a_range_is_asked(client: FlaskClient) -> None:
    path = "/static/vendor/yasgui/yasgui.min.js"
    with client.get(path) as plain:
        assert plain.status_code == 200 and plain.headers["Accept-Ranges"] == "bytes"
        script = plain.data
    with client.get(path, headers={"Accept-Encoding": "gzip"}) as packed:
        assert packed.headers["Content-Encoding"] == "gzip"
        assert "Accept-Ranges" not in packed.headers  # ranges count the file's own bytes
        assert gzip.decompress(packed.data) == script and len(packed.data) < len(script) / 2
    with client.get(path, headers={"Accept-Encoding": "gzip", "Range": "bytes=0-99"}) as part:
        assert part.status_code == 206 and part.data == script[:100]
        assert "Content-Encoding" not in part.headers


# --- the middleware over WSGI applications other than Flask's ---------------------------------

def _serve(app: Callable[..., Iterable[bytes]], **headers: str) -> tuple[str, dict[str, str], bytes]:
    from werkzeug.test import Client

    answer = Client(Gzip(app)).get("/", headers={"Accept-Encoding": "gzip", **headers})
    return answer.status, dict(answer.headers), answer.data


TEXT = b"evkg " * 500


def test_an_application_that_starts_with_its_first_chunk() -> None:
    def lazy(environ: dict[str, object], start_response: Callable[..., object]) -> Iterator[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(TEXT)))])
        yield TEXT

    status, headers, body = _serve(lazy)
    assert status == "200 OK" and headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(body) == TEXT


def test_an_application_that_writes_and_one_that_fails_after_starting() -> None:
    def writer(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
        write = start_response("200 OK", [("Content-Type", "text/plain"),
                                          ("Content-Length", str(len(TEXT)))])
        assert callable(write)
        write(TEXT[:100])
        return [TEXT[100:]]

    status, headers, body = _serve(writer)
    assert gzip.decompress(body) == TEXT

    def failing(environ: dict[str, object], start_response: Callable[..., object]) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5000")])
        try:
            raise ValueError("the answer could not be made")
        except ValueError:
            start_response("500 INTERNAL SERVER ERROR", [("Content-Type", "text/plain")],
                           sys.exc_info())
        return [b"the answer could not be made"]

    status, headers, body = _serve(failing)
    assert status == "500 INTERNAL SERVER ERROR" and body == b"the answer could not be made"
    assert "Content-Encoding" not in headers


# --- a second review ---------------------------------------------------------------------------

def test_if_modified_since_is_ignored_beside_if_none_match(client: FlaskClient) -> None:
    """RFC 9110 §13.1.3; send_file answered If-Modified-Since alone with the plain 304."""
    now = http_date(time.time())
    for path in ("/downloads/void.ttl", "/static/evkg.css"):
        stale = client.get(path, headers={"Accept-Encoding": "gzip", "If-None-Match": '"stale"',
                                          "If-Modified-Since": now})
        assert stale.status_code == 200, path
        stale.close()
    with client.get("/static/vendor/yasgui/yasgui.min.js",
                    headers={"Accept-Encoding": "gzip"}) as whole:
        tag, modified = whole.headers["ETag"], whole.headers["Last-Modified"]
    browser = client.get("/static/vendor/yasgui/yasgui.min.js", headers={
        "Accept-Encoding": "gzip", "If-None-Match": tag, "If-Modified-Since": modified})
    assert browser.status_code == 304 and browser.headers["ETag"] == tag and tag.endswith('-gzip"')
    assert "Accept-Encoding" in browser.headers["Vary"] and "Accept-Ranges" not in browser.headers


@pytest.mark.parametrize("path", ["/static/evkg.css", "/downloads/void.ttl",
                                  "/downloads/manifest.json"])
def test_if_modified_since_alone_is_answered_with_the_tag_of_what_would_be_sent(
        client: FlaskClient, path: str) -> None:
    """An HTTP caching and crawler review's: `If-Modified-Since` alone (`curl --compressed
    -z`, a crawler that keeps dates only) was answered by send_file, whose 304 carried the
    plain answer's ETag and no `Vary` to a client holding the gzipped one (RFC 9110 §15.4.5:
    a 304 has the headers its 200 would have): a cache could not match it to what it held."""
    for encoding in ("gzip", "identity"):
        with client.get(path, headers={"Accept-Encoding": encoding}) as whole:
            assert whole.status_code == 200
            tag, modified = whole.headers["ETag"], whole.headers["Last-Modified"]
            assert tag.endswith('-gzip"') is (encoding == "gzip"), path
        for method in (client.get, client.head):
            kept = method(path, headers={"Accept-Encoding": encoding,
                                         "If-Modified-Since": modified})
            assert (kept.status_code, kept.data) == (304, b""), (path, encoding)
            assert kept.headers["ETag"] == tag
            assert kept.headers["Vary"] == whole.headers["Vary"]
            assert "Accept-Encoding" in kept.headers["Vary"]
            assert "Content-Encoding" not in kept.headers
        earlier = http_date(parse_date(modified) - timedelta(seconds=1))  # type: ignore[operator]
        with client.get(path, headers={"Accept-Encoding": encoding,
                                       "If-Modified-Since": earlier}) as changed:
            assert changed.status_code == 200 and changed.headers["ETag"] == tag
        with client.get(path, headers={"Accept-Encoding": encoding,
                                       "If-Modified-Since": "yesterday"}) as unread:
            assert unread.status_code == 200


def test_what_is_left_alone_goes_back_as_it_came(client: FlaskClient) -> None:
    """gunicorn sends a file with sendfile() only when the iterable is its file wrapper; and
    the server's own environ (its access log reads the method) is not changed."""
    answers: list[str] = []
    environ = EnvironBuilder("/downloads/evkg.nt.gz", headers={
        "Accept-Encoding": "gzip", "If-None-Match": '"other"'}).get_environ()
    environ["wsgi.file_wrapper"] = FileWrapper
    result = client.application.wsgi_app(environ, lambda status, headers: answers.append(status))
    assert answers == ["200 OK"] and isinstance(result, FileWrapper)
    result.close()
    head = EnvironBuilder("/ontology", method="HEAD", headers={
        "Accept-Encoding": "gzip", "If-None-Match": '"other"'}).get_environ()
    client.application.wsgi_app(head, lambda status, headers: answers.append(status))
    assert head["REQUEST_METHOD"] == "HEAD" and head["HTTP_IF_NONE_MATCH"] == '"other"'


def test_a_range_that_cannot_be_read_gets_the_whole_file(client: FlaskClient) -> None:
    with client.get("/downloads/void.ttl") as whole:
        body = whole.data
    for ranges in ("bytes=abc", "bytes=5-1"):
        with client.get("/downloads/void.ttl", headers={"Range": ranges}) as answer:
            assert (answer.status_code, answer.data) == (200, body), ranges
    with client.get("/downloads/void.ttl", headers={"Range": "bytes=0-9"}) as part:
        assert part.status_code == 206 and "Accept-Encoding" in part.headers["Vary"]


def test_an_application_that_never_starts_or_fails_first_is_closed() -> None:
    closed: list[bool] = []

    class Answer:
        def __init__(self, chunks: Iterator[bytes]) -> None:
            self.chunks = chunks

        def __iter__(self) -> Iterator[bytes]:
            return self.chunks

        def close(self) -> None:
            closed.append(True)

    def silent(environ: dict[str, object], start_response: Callable[..., object]) -> Answer:
        return Answer(iter([]))

    def failing(environ: dict[str, object], start_response: Callable[..., object]) -> Answer:
        def chunks() -> Iterator[bytes]:
            raise ValueError("no answer")
            yield b""
        return Answer(chunks())

    with pytest.raises(RuntimeError, match="without calling start_response"):
        _serve(silent)
    with pytest.raises(ValueError, match="no answer"):
        _serve(failing)
    assert closed == [True, True]


def test_a_streamed_answer_is_gzipped_as_it_streams(client: FlaskClient) -> None:
    """The sitemap is written as it is read from the store (no Content-Length): crawlers ask
    for gzip."""
    plain = client.get("/sitemap.xml")
    packed = client.get("/sitemap.xml", headers={"Accept-Encoding": "gzip"})
    assert plain.is_streamed and "Content-Length" not in packed.headers
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data and b"</urlset>" in plain.data
    assert len(packed.data) < len(plain.data) / 4
    assert plain.headers["Vary"] == packed.headers["Vary"] == "Accept-Encoding"
    head = client.head("/sitemap.xml", headers={"Accept-Encoding": "gzip"})
    assert head.headers["Content-Encoding"] == "gzip" and head.data == b""
