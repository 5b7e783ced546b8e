"""gzip ``Content-Encoding``, and ``If-None-Match`` against the representation actually sent.

WSGI middleware outside the whole application (``AnswerMemo`` included, which keeps answers
uncompressed and per ``Accept`` only). A whole 200 answer (it has a ``Content-Length``) of a
textual type, at least ``MINIMUM`` bytes long, goes out gzipped when the request's
``Accept-Encoding`` allows gzip: SPARQL results by GET or POST, pages, RDF, the dataset
description, the editor's scripts; a streamed answer of such a type (the sitemap) is gzipped
as it streams. Left as they are: partial answers (206), anything already encoded (the
release's ``.gz`` files), and a file asked for by ``Range``.
A file answered whole loses ``Accept-Ranges`` when gzipped (ranges count the file's own bytes).

A compressed answer is another representation, so its ETag is the plain one with ``-gzip``
inside the quotes (``"abc"`` → ``"abc-gzip"``), as Apache's mod_deflate names it. Whether an
answer is compressed depends on its size, which is known only once it is made, so this layer
answers ``If-None-Match`` on GET and HEAD itself (RFC 9110 §13.1.2): the application makes the
answer without the header, and the tag of what would be sent (plain or ``-gzip``) is compared
with the client's (with ``If-None-Match``, ``If-Modified-Since`` is ignored: RFC 9110
§13.1.3). ``If-Unmodified-Since`` (without If-Match, which goes first) before the answer's
``Last-Modified`` is a 412, as a non-matching If-Match is. ``If-Modified-Since`` alone is
answered here too, against the answer's
``Last-Modified``: ``send_file`` answered it with the plain answer's tag and no ``Vary``, which
a cache holding the gzipped answer cannot match. A 304 carries the tag of what would be sent
and the 200's other headers but its content ones;
every answer (200, 206) of a type that could be compressed says ``Vary: Accept-Encoding``, and
its 304 too. HEAD is answered as GET would be, without the body.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from isal import igzip, isal_zlib
from werkzeug.datastructures import Headers
from werkzeug.http import (
    parse_accept_header,
    parse_date,
    parse_etags,
    remove_entity_headers,
    unquote_etag,
)
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
#: How much of a streamed answer is compressed at a time.
STREAM_BLOCK = 64 * 1024
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
        wanted = method in ("GET", "HEAD", "POST") and accepts_gzip(
            environ.get("HTTP_ACCEPT_ENCODING", ""))
        conditional = method in ("GET", "HEAD")
        tags = environ.get("HTTP_IF_NONE_MATCH") if conditional else None
        required = environ.get("HTTP_IF_MATCH") if conditional else None
        # with If-Match, If-Unmodified-Since is ignored (RFC 9110 §13.1.4)
        before = environ.get("HTTP_IF_UNMODIFIED_SINCE") if conditional and required is None \
            else None
        # with If-None-Match, If-Modified-Since is ignored (RFC 9110 §13.1.3)
        since = environ.get("HTTP_IF_MODIFIED_SINCE") if conditional and tags is None else None
        inner = environ
        if tags is not None or since is not None or required is not None or \
                before is not None or (wanted and method == "HEAD"):
            inner = dict(environ)  # the server's own (its access log's) stays as it came
            # both are answered here, against what would be sent (send_file answered
            # If-Modified-Since with the plain answer's tag and no Vary)
            inner.pop("HTTP_IF_NONE_MATCH", None)
            inner.pop("HTTP_IF_MODIFIED_SINCE", None)
            inner.pop("HTTP_IF_MATCH", None)
            inner.pop("HTTP_IF_UNMODIFIED_SINCE", None)
            if wanted and method == "HEAD":  # the headers of a gzipped answer are its body's
                inner["REQUEST_METHOD"] = "GET"
        start = _Start()
        result = self.app(inner, start)
        close = _closer(result)
        try:
            return self._answer(result, close, start, start_response, method=method,
                                wanted=wanted, tags=tags, since=since, required=required,
                                before=before, ranged="HTTP_RANGE" in environ)
        except BaseException:
            close()
            raise

    def _answer(self, result: Iterable[bytes], close: Callable[[], None], start: _Start,
                start_response: Callable[..., Any], *, method: str, wanted: bool,
                tags: str | None, since: str | None, required: str | None,
                before: str | None, ranged: bool) -> Iterable[bytes]:
        chunks = iter(result)
        first: list[bytes] = []
        while not start.status:  # an application may call start_response with its first chunk
            chunk = next(chunks, None)
            if chunk is None:
                raise RuntimeError("the application returned without calling start_response")
            first.append(chunk)
        status = start.status
        body: Iterator[bytes] = itertools.chain(start.written, first, chunks)
        # an answer left as it is goes back as the application's own iterable, when nothing
        # of it was read or written: gunicorn sends a file wrapper with sendfile()
        untouched = result if not first and not start.written else ClosingIterator(body, [close])
        if not wanted and tags is None and since is None and required is None and \
                before is None:  # nothing to do
            start_response(status, _varied(status, start.headers))
            return untouched
        headers = Headers(_varied(status, start.headers))
        textual = status[:3] in ("200", "206") and "Content-Encoding" not in headers and \
            compressible(headers.get("Content-Type", ""))
        length = headers.get("Content-Length")
        packable = (textual and wanted and status.startswith("200 ")
                    and not ("Accept-Ranges" in headers and ranged))
        # a whole answer is compressed at once; a streamed one (the sitemap) as it comes
        packing = packable and length is not None and MINIMUM <= int(length) <= MAXIMUM
        streaming = packable and length is None
        if packing or streaming:
            _packed_headers(headers)
        if required is not None and status[:3] in ("200", "206") and \
                not _matches_strongly(required, headers):
            close()
            return _precondition_failed(headers, method, start_response)
        if before is not None and status[:3] in ("200", "206") and \
                _modified_after(before, headers):
            close()
            return _precondition_failed(headers, method, start_response, (
                f"the current representation was modified at {headers['Last-Modified']}, "
                f"after the If-Unmodified-Since date, {before.strip()}\n"))
        if status[:3] in ("200", "206") and (
                _matches(tags, headers) if tags is not None else _unmodified(since, headers)):
            close()
            remove_entity_headers(headers)
            headers.remove("Accept-Ranges")
            start_response("304 Not Modified", headers.to_wsgi_list())
            return []
        if method == "HEAD":
            if packing:  # the length of the body GET would send
                headers["Content-Length"] = str(len(_compressed(body, close)))
            close()
            start_response(status, headers.to_wsgi_list())
            return []
        if packing:
            packed = _compressed(body, close)
            headers["Content-Length"] = str(len(packed))
            start_response(status, headers.to_wsgi_list())
            return [packed]
        start_response(status, headers.to_wsgi_list())
        return ClosingIterator(_streamed(body), [close]) if streaming else untouched


def _packed_headers(headers: Headers) -> None:
    """A gzipped answer's headers but its length: its own ETag, no byte ranges."""
    etag = headers.get("ETag")
    if etag is not None and etag.endswith('"'):
        headers["ETag"] = etag[:-1] + SUFFIX + '"'
    headers.remove("Accept-Ranges")
    headers["Content-Encoding"] = "gzip"


def _streamed(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """gzip of ``chunks`` as they come, ``STREAM_BLOCK`` bytes at a time (ISA-L handed one
    sitemap line at a time packed it to 57% of its size; whole, to a tenth)."""
    packer = isal_zlib.compressobj(LEVEL, isal_zlib.DEFLATED, 16 + isal_zlib.MAX_WBITS)
    block: list[bytes] = []
    size = 0
    for chunk in chunks:
        block.append(chunk)
        size += len(chunk)
        if size >= STREAM_BLOCK:
            if packed := packer.compress(b"".join(block)):
                yield packed
            block, size = [], 0
    yield packer.compress(b"".join(block)) + packer.flush()


def _compressed(body: Iterator[bytes], close: Callable[[], None]) -> bytes:
    try:
        return igzip.compress(b"".join(body), compresslevel=LEVEL, mtime=0)
    finally:
        close()


def _matches(tags: str, headers: Headers) -> bool:
    """Whether ``If-None-Match`` names the answer's tag (weak comparison), or is ``*``."""
    wanted = parse_etags(tags)
    if wanted.star_tag:
        return True
    etag = headers.get("ETag")
    return etag is not None and wanted.contains_weak(unquote_etag(etag)[0] or "")


def _matches_strongly(tags: str, headers: Headers) -> bool:
    """Whether ``If-Match`` names the answer's tag (strong comparison, RFC 9110 §13.1.1: a
    weak tag matches nothing), or is ``*`` (any current representation: it has one)."""
    wanted = parse_etags(tags)
    if wanted.star_tag:
        return True
    tag, weak = unquote_etag(headers.get("ETag"))
    return tag is not None and not weak and wanted.contains(tag)


def _precondition_failed(headers: Headers, method: str, start_response: Callable[..., Any],
                         message: str | None = None) -> Iterable[bytes]:
    """The 412 of an If-Match that names no current representation (or of ``message``: an
    If-Unmodified-Since before the answer's Last-Modified): the 200's headers but
    its content ones (CORS, Vary, its ETag), and a line saying which tag is current. Its
    ``Content-Disposition`` goes too: it names the 200's file, and ``curl -OJ`` saved the
    line under that name, as the download asked for. No cache keeps it (``no-store``): it
    answers the If-Match alone, which no ``Vary`` names, and a shared cache holding a
    download's (``public``) had the 412 confirmed by the 304 of its next check, since it bore
    the current ETag, and served it to every GET after."""
    current = headers.get("ETag") or "(none: this answer has no ETag)"
    body = (message or f"the current representation's ETag is {current}, which If-Match does "
            "not name (strongly)\n").encode()
    remove_entity_headers(headers)
    headers.remove("Accept-Ranges")
    headers.remove("Content-Encoding")
    headers.remove("Content-Disposition")
    headers["Cache-Control"] = "no-store"
    headers["Content-Type"] = "text/plain; charset=utf-8"
    headers["Content-Length"] = str(len(body))
    start_response("412 Precondition Failed", headers.to_wsgi_list())
    return [] if method == "HEAD" else [body]


def _unmodified(since: str | None, headers: Headers) -> bool:
    """Whether ``If-Modified-Since`` holds the answer's ``Last-Modified`` or a later date (a
    date that cannot be read, or an answer without one, never does: RFC 9110 §13.1.3)."""
    asked = parse_date(since) if since else None
    modified = parse_date(headers.get("Last-Modified"))
    return asked is not None and modified is not None and modified <= asked


def _modified_after(before: str, headers: Headers) -> bool:
    """Whether the answer's ``Last-Modified`` is later than an If-Unmodified-Since date (one
    that cannot be read, or an answer without a date, is ignored: RFC 9110 §13.1.4)."""
    asked = parse_date(before)
    modified = parse_date(headers.get("Last-Modified"))
    return asked is not None and modified is not None and modified > asked


def _varied(status: str, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """``headers`` with Accept-Encoding in Vary when the answer (200, 206) is of a type that
    could be compressed. Read without werkzeug's Headers: for a client that neither takes
    gzip nor revalidates (most requests) the layer then costs ~9 µs, not ~16."""
    if status[:3] not in ("200", "206"):
        return headers
    found = {name.lower(): value for name, value in headers}
    if "content-encoding" in found or not compressible(found.get("content-type", "")):
        return headers
    vary = found.get("vary")
    if vary is None:
        return [*headers, ("Vary", "Accept-Encoding")]
    if "accept-encoding" in vary.lower():
        return headers
    return [(n, f"{v}, Accept-Encoding" if n.lower() == "vary" else v) for n, v in headers]


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
