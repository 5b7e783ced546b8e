"""gzip ``Content-Encoding`` for the answers a client would rather fetch compressed.

WSGI middleware outside the whole application (``AnswerMemo`` included, which keeps answers
uncompressed and per ``Accept`` only). A whole 200 answer to GET or POST (it has a
``Content-Length``) of a textual type, at least ``MINIMUM`` bytes long, goes out gzipped when
the request's ``Accept-Encoding`` allows gzip: SPARQL results, RDF, pages, the dataset description. Left as
they are: HEAD (its headers would have to be computed from a body it does not send), streamed
answers, files served by byte range (the release downloads: already gzip, or ``Accept-Ranges``
would have to range over the compressed bytes), and anything already encoded.

A compressed answer is another representation, so its ETag is the plain one with ``-gzip``
inside the quotes (``"abc"`` → ``"abc-gzip"``), as Apache's mod_deflate names it; the suffix is
taken off ``If-None-Match`` before the application compares tags, so a revalidation of the
compressed answer is a 304, which gets the suffix back. Every answer whose type could be
compressed says ``Vary: Accept-Encoding``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from isal import igzip
from werkzeug.http import parse_accept_header

#: A WSGI application.
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
#: Answers shorter than this are sent as they are (the gzip header and trailer alone are 18).
MINIMUM = 1024
#: Answers longer than this are sent as they are: read whole into memory to compress.
MAXIMUM = 64 * 1024 * 1024
#: ISA-L's level 2: ~1/6 of a SPARQL JSON answer's size at several hundred MB/s.
LEVEL = 2
SUFFIX = "-gzip"
#: Textual types besides ``text/*``, ``*+json`` and ``*+xml``.
_TEXTUAL = frozenset({"application/json", "application/xml", "application/javascript",
                      "application/n-triples", "application/n-quads", "application/trig",
                      "application/sparql-query", "application/geo+json"})


def compressible(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return (media.startswith("text/") or media in _TEXTUAL or media.endswith("+json")
            or media.endswith("+xml"))


def accepts_gzip(accept_encoding: str) -> bool:
    """Whether ``Accept-Encoding`` allows gzip (by name or ``*``, with a quality above 0)."""
    return bool(accept_encoding) and parse_accept_header(accept_encoding)["gzip"] > 0


def _with_suffix(etag: str) -> str:
    return etag[:-1] + SUFFIX + '"' if etag.endswith('"') else etag


class Gzip:
    """The middleware (``app.wsgi_app = Gzip(app.wsgi_app)``)."""

    def __init__(self, app: WSGIApp) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        tags = environ.get("HTTP_IF_NONE_MATCH", "")
        if SUFFIX in tags:
            environ["HTTP_IF_NONE_MATCH"] = tags.replace(SUFFIX + '"', '"')
        wanted = (environ.get("REQUEST_METHOD") in ("GET", "POST")
                  and accepts_gzip(environ.get("HTTP_ACCEPT_ENCODING", "")))
        seen: list[tuple[str, list[tuple[str, str]]]] = []

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            if exc_info is not None or not _may_compress(status, headers):
                return start_response(status, headers, exc_info)
            seen.append((status, headers))
            return _NO_WRITE

        result = self.app(environ, capture)
        if not seen:  # answered as it is (start_response was called through)
            return result
        status, headers = seen[0]
        headers = _vary(headers)
        length = int(_header(headers, "Content-Length") or 0)
        if status.startswith("304 "):
            if wanted and SUFFIX in tags:
                headers = _replaced(headers, "ETag", _with_suffix)
            start_response(status, headers)
            return result
        if not wanted or not MINIMUM <= length <= MAXIMUM:
            start_response(status, headers)
            return result
        try:
            body = b"".join(result)
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()
        packed = igzip.compress(body, compresslevel=LEVEL, mtime=0)
        headers = [(n, v) for n, v in _replaced(headers, "ETag", _with_suffix)
                   if n.lower() != "content-length"]
        headers += [("Content-Encoding", "gzip"), ("Content-Length", str(len(packed)))]
        start_response(status, headers)
        return [packed]


def _no_write(_: bytes) -> None:
    raise RuntimeError("the application wrote with start_response's write(): not supported")


_NO_WRITE = _no_write


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for n, v in headers if n.lower() == name.lower()), None)


def _may_compress(status: str, headers: list[tuple[str, str]]) -> bool:
    """A whole 200 (or its 304) of a textual type, not ranged nor encoded already."""
    if not (status.startswith("200 ") or status.startswith("304 ")):
        return False
    if _header(headers, "Content-Encoding") or _header(headers, "Accept-Ranges"):
        return False
    if status.startswith("304 "):
        return True
    return (_header(headers, "Content-Length") is not None
            and compressible(_header(headers, "Content-Type") or ""))


def _vary(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    vary = _header(headers, "Vary")
    if vary is None:
        return [*headers, ("Vary", "Accept-Encoding")]
    if "accept-encoding" in vary.lower():
        return headers
    return _replaced(headers, "Vary", lambda v: f"{v}, Accept-Encoding")


def _replaced(headers: list[tuple[str, str]], name: str,
              change: Callable[[str], str]) -> list[tuple[str, str]]:
    return [(n, change(v) if n.lower() == name.lower() else v) for n, v in headers]
