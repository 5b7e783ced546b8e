"""gzip ``Content-Encoding``, and ``If-None-Match`` against the representation actually sent.

WSGI middleware outside the whole application (``AnswerMemo`` included, which keeps answers
uncompressed and per ``Accept`` only). A whole 200 answer (it has a ``Content-Length``) of a
textual type, at least ``MINIMUM`` bytes long, goes out gzipped when the request's
``Accept-Encoding`` allows gzip: SPARQL results by GET or POST, pages, RDF, the dataset
description, the editor's scripts. Left as they are: streamed answers, partial ones (206),
anything already encoded (the release's ``.gz`` files), and a file asked for by ``Range``.
A file answered whole loses ``Accept-Ranges`` when gzipped (ranges count the file's own bytes).

A compressed answer is another representation, so its ETag is the plain one with ``-gzip``
inside the quotes (``"abc"`` → ``"abc-gzip"``), as Apache's mod_deflate names it. Whether an
answer is compressed depends on its size, which is known only once it is made, so this layer
answers ``If-None-Match`` on GET and HEAD itself (RFC 9110 §13.1.2): the application makes the
answer without the header, and the tag of what would be sent (plain or ``-gzip``) is compared
with the client's. A 304 carries that tag and the 200's other headers but its content ones, and
every answer whose type could be compressed says ``Vary: Accept-Encoding``, 304s included. HEAD
is answered as GET would be, without the body.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from isal import igzip
from werkzeug.datastructures import Headers
from werkzeug.http import parse_accept_header, parse_etags, remove_entity_headers, unquote_etag
from werkzeug.wsgi import ClosingIterator

#: A WSGI application.
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
#: Answers shorter than this are sent as they are (the gzip header and trailer alone are 18).
MINIMUM = 1024
#: Answers longer than this are sent as they are: they would be read whole into memory.
MAXIMUM = 32 * 1024 * 1024
#: ISA-L's level 2: a SPARQL JSON answer to a tenth or a twentieth of its size, at several
#: hundred MB/s.
LEVEL = 2
SUFFIX = "-gzip"
#: Textual types besides ``text/*``, ``*+json`` and ``*+xml``.
_TEXTUAL = frozenset({"application/json", "application/xml", "application/javascript",
                      "application/n-triples", "application/n-quads", "application/trig",
                      "application/trix", "application/sparql-query", "application/x-bibtex",
                      "application/x-research-info-systems"})


def compressible(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return (media.startswith("text/") or media in _TEXTUAL or media.endswith("+json")
            or media.endswith("+xml"))


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (by name, as ``x-gzip`` or by ``*``, with a
    quality above 0)."""
    qualities = {value.lower(): quality for value, quality in parse_accept_header(accept_encoding)}
    named = next((qualities[name] for name in ("gzip", "x-gzip") if name in qualities), None)
    return (named if named is not None else qualities.get("*", 0)) > 0


class _Start:
    """What the application gave ``start_response`` last (a later call with ``exc_info``
    replaces an earlier one: nothing reaches the server before this layer has decided), and
    what it wrote through the ``write`` callable."""

    def __init__(self) -> None:
        self.status = ""
        self.headers: list[tuple[str, str]] = []
        self.written: list[bytes] = []

    def __call__(self, status: str, headers: list[tuple[str, str]],
                 exc_info: Any = None) -> Callable[[bytes], None]:
        self.status, self.headers = status, list(headers)
        return self.written.append


class Gzip:
    """The middleware (``app.wsgi_app = Gzip(app.wsgi_app)``)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "")
        tags = environ.pop("HTTP_IF_NONE_MATCH", None) if method in ("GET", "HEAD") else None
        wanted = method in ("GET", "HEAD", "POST") and accepts_gzip(
            environ.get("HTTP_ACCEPT_ENCODING", ""))
        head = method == "HEAD" and wanted
        if head:  # the headers of a gzipped answer are those of its body
            environ["REQUEST_METHOD"] = "GET"
        start = _Start()
        result = self.app(environ, start)
        close = _closer(result)
        chunks = iter(result)
        first: list[bytes] = []
        while not start.status:  # an application may call start_response with its first chunk
            chunk = next(chunks, None)
            if chunk is None:
                break
            first.append(chunk)
        body: Iterator[bytes] = itertools.chain(start.written, first, chunks)
        headers = Headers(start.headers)
        status = start.status
        eligible = _eligible(status, headers, environ)
        if eligible:
            _add_vary(headers)
            length = int(headers.get("Content-Length") or 0)
            if wanted and MINIMUM <= length <= MAXIMUM:
                body = iter([_compressed(body, close, headers)])
        if tags is not None and status[:3] in ("200", "206") and _matches(tags, headers):
            close()
            remove_entity_headers(headers)
            headers.remove("Accept-Ranges")
            start_response("304 Not Modified", headers.to_wsgi_list())
            return []
        start_response(status, headers.to_wsgi_list())
        if head or method == "HEAD":
            close()
            return []
        return ClosingIterator(body, [close])


def _eligible(status: str, headers: Headers, environ: dict[str, Any]) -> bool:
    """A whole 200 of a textual type, not encoded already, nor a file asked for by range."""
    return (status.startswith("200 ") and "Content-Length" in headers
            and "Content-Encoding" not in headers
            and compressible(headers.get("Content-Type", ""))
            and not ("Accept-Ranges" in headers and "HTTP_RANGE" in environ))


def _compressed(body: Iterator[bytes], close: Callable[[], None], headers: Headers) -> bytes:
    try:
        packed = igzip.compress(b"".join(body), compresslevel=LEVEL, mtime=0)
    finally:
        close()
    etag = headers.get("ETag")
    if etag is not None and etag.endswith('"'):
        headers["ETag"] = etag[:-1] + SUFFIX + '"'
    headers.remove("Accept-Ranges")
    headers["Content-Encoding"] = "gzip"
    headers["Content-Length"] = str(len(packed))
    return packed


def _matches(tags: str, headers: Headers) -> bool:
    """Whether ``If-None-Match`` names the answer's tag (weak comparison), or is ``*``."""
    wanted = parse_etags(tags)
    if wanted.star_tag:
        return True
    etag = headers.get("ETag")
    return etag is not None and wanted.contains_weak(unquote_etag(etag)[0] or "")


def _add_vary(headers: Headers) -> None:
    vary = headers.get("Vary")
    if vary is None:
        headers["Vary"] = "Accept-Encoding"
    elif "accept-encoding" not in vary.lower():
        headers["Vary"] = f"{vary}, Accept-Encoding"


def _closer(result: Iterable[bytes]) -> Callable[[], None]:
    """The application's ``close`` (WSGI asks for it whatever happens), to be called once."""
    closed = False

    def close() -> None:
        nonlocal closed
        if not closed:
            closed = True
            if (method := getattr(result, "close", None)) is not None:
                method()
    return close
