"""The front door of repeated queries: whole ``GET /sparql`` answers kept per process, served
before Flask runs.

An answer the result cache gave once (``X-EVKG-Cache`` set: cacheable, no SERVICE call, status
200) is the answer to every later request to the same URL (scheme, host, path prefix) with the
same query string and ``Accept`` header in the same release. A process's release changes only
where a remote store is loaded with another one: ``release`` then gives the version served
(reading it again when due), which keys the answers as it keys the result cache. Reading the
protocol, negotiating, normalising and hashing the query cost more than the cache lookup
itself; this layer skips all of it for the hottest answers. Anything else (other methods and
paths, answers that were not cacheable) goes to the application unchanged. A conditional
request reaches this layer without its ``If-None-Match``: ``server.gzipping``, outside it,
compares the tags with the answer's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wsgi import get_host

from server.lru import BytesLRU

#: A WSGI application.
WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: Bytes of answers each process keeps; answers larger than ``ENTRY_LIMIT`` are never kept.
MEMO_BYTES = 16 * 1024 * 1024
ENTRY_LIMIT = 1024 * 1024
CACHE_HEADER = "X-EVKG-Cache"

_Entry = tuple[str, list[tuple[str, str]], bytes]
#: (release version, the URL the request was sent to (its scheme, host and path prefix),
#: query string, Accept header)
_Key = tuple[str, str, str, str]


#: What one header of a kept answer costs beyond its name's and value's lengths (their string
#: objects and the pair's tuple): a /sparql answer has about ten, more than a small body.
HEADER_OVERHEAD = 100


def _entry_bytes(key: _Key, entry: _Entry) -> int:
    headers = sum(len(name) + len(value) + HEADER_OVERHEAD for name, value in entry[1])
    return len(entry[2]) + sum(len(part) for part in key) + headers


class AnswerMemo:
    """WSGI middleware around the Flask application (``app.wsgi_app``)."""

    def __init__(self, app: WSGIApp, max_bytes: int = MEMO_BYTES,
                 release: Callable[[], str] | None = None) -> None:
        self.app = app
        self.release = release
        self._entries: BytesLRU[_Key, _Entry] = BytesLRU(
            max_bytes, _entry_bytes, max_entry=ENTRY_LIMIT)

    @property
    def weight(self) -> int:
        """What the answers kept now weigh (at most ``max_bytes``)."""
        return self._entries.weight

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]
                 ) -> Iterable[bytes]:
        if (environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != "/sparql"
                or not environ.get("QUERY_STRING")):
            return self.app(environ, start_response)
        # by the URL asked too: a Graph Store GET of ``?graph=http://HOST/graph/metadata`` is
        # the metadata graph asked of the server at HOST, and a graph of that IRI (none) asked
        # of it by another name (the URL as a reverse proxy in front says it, ProxyFix having
        # read its headers)
        root = (f"{environ.get('wsgi.url_scheme', '')}://{get_host(environ)}"
                f"{environ.get('SCRIPT_NAME', '')}")
        key = (self.release() if self.release is not None else "", root,
               environ["QUERY_STRING"], environ.get("HTTP_ACCEPT", ""))
        entry = self._entries.get(key)
        if entry is not None:
            status, headers, body = entry
            start_response(status, headers)
            return [body]
        return self._remember(key, environ, start_response)

    def _remember(self, key: _Key, environ: dict[str, Any],
                  start_response: Callable[..., Any]) -> Iterable[bytes]:
        seen: list[tuple[str, list[tuple[str, str]]]] = []

        def capture(status: str, headers: list[tuple[str, str]], *rest: Any) -> Any:
            seen.append((status, headers))
            return start_response(status, headers, *rest)

        result = self.app(environ, capture)
        if not seen or not seen[0][0].startswith("200 "):
            return result
        status, headers = seen[0]
        if not any(name == CACHE_HEADER for name, _ in headers):
            return result
        chunks = list(result)
        close = getattr(result, "close", None)
        if close is not None:
            close()
        body = b"".join(chunks)
        kept = [(n, "hit" if n == CACHE_HEADER else v) for n, v in headers]
        self._entries.put(key, (status, kept, body))  # not kept past ENTRY_LIMIT
        return [body]
