"""Errors as values: a status and a message a client can act on; only 5xx are logged."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, Response, current_app, g, redirect, request
from gunicorn.http.errors import NoMoreData, ParseException
from werkzeug.exceptions import (
    BadHost,
    ClientDisconnected,
    HTTPException,
    MethodNotAllowed,
    RequestedRangeNotSatisfiable,
    SecurityError,
)
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Response as WerkzeugResponse

from kg import iris
from server.editor import editor_link
from server.executor import Failure
from server.logs import query_note
from server.negotiation import NotAcceptable, wants_html
from server.pages import asked_query, page_response
from server.search import Hit, near_misses
from server.terms import RESOURCE_RULES, path_iri
from server.workers import read_timeout


class ProtocolError(Exception):
    """A request the server refuses, with the HTTP status and a plain-words reason."""

    def __init__(self, status: int, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers


#: The methods a Graph Store Protocol URL (``/sparql?graph=…``) takes: its graphs are read-only.
GRAPH_STORE_ALLOW = "GET, HEAD, OPTIONS"


def names_a_graph() -> bool:
    """Whether the request is one of the Graph Store Protocol's (indirect identification): it
    names its graph by ``?graph=IRI`` or ``?default``."""
    return "graph" in request.args or "default" in request.args


def graph_store_write() -> ProtocolError:
    """The 405 of a Graph Store Protocol POST, PUT or DELETE (``/sparql?graph=…`` or
    ``?default``): the graphs are read-only."""
    return ProtocolError(405, "this endpoint's graphs are read-only: the Graph Store Protocol's "
                              "GET and HEAD are answered, not its POST, PUT or DELETE",
                         {"Allow": GRAPH_STORE_ALLOW})


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    """A plain-text error (CORS-readable), logged when it is the server's fault; a client's
    error is a page of the site for a browser that asks for HTML first (a person following a
    link or typing a URL), as a 404 is."""
    if status >= 500:
        current_app.logger.error("%s %s %d: %s%s", request.method, request.path, status,
                                 message.rstrip(), query_note())
    if status < 500 and wants_html(request.headers.get("Accept")):
        response = page_response("bad_request.html", status=status, message=message.rstrip(),
                                 title=HTTP_STATUS_CODES.get(status, "Error").capitalize(),
                                 query_link=sent_query_link())
    else:
        response = Response(message.rstrip() + "\n", status=status,
                            content_type="text/plain; charset=utf-8")
    response.headers["Access-Control-Allow-Origin"] = "*"
    if status < 500:  # the answer depends on Accept (a page or text): so must caches' copy
        response.headers["Vary"] = "Accept"
    if headers:  # (Retry-After, Allow: a page on another origin may read them too)
        response.headers.update(headers)
        response.headers["Access-Control-Expose-Headers"] = ", ".join(headers)
    return response


def sent_query_link() -> str | None:
    """The query editor opening the query the request sent (``note_query``), for the error page
    of a query a browser followed (a link's ``/sparql?query=``): its link to the editor opened
    the default query, and the link's was to be copied from the address bar to be mended."""
    query = g.get("evkg_query")
    return editor_link(query) if query and query.strip() else None


def without_trailing_slash(answers: Callable[[str], bool]) -> WerkzeugResponse | None:
    """A redirect (308) from ``/explore/`` to ``/explore`` when the path without its trailing
    slash ``answers`` (a review's: ``/explore/`` and ``/article/24735924/`` were 404s)."""
    path = request.path
    if len(path) < 2 or not path.endswith("/") or path.endswith("//") or not answers(path[:-1]):
        return None
    # the path escaped again: "%23" decoded is "#", which in a Location begins a fragment
    return redirect(request.script_root + iris.escaped_path(path[:-1]) + asked_query(),
                    code=308)


#: The first segments of the IRIs minted under the base (kg/iris.py).
MINTED = frozenset(rule.split("/")[1] for rule in RESOURCE_RULES)


def unrouted_near_misses() -> list[Hit]:
    """What a path under a minted IRI's first segment that no route takes may have meant (a
    DOI pasted after ``/article/``); none elsewhere (``/static/…``, ``/favicon.ico``), so
    that such a 404 asks the store nothing."""
    first, _, rest = request.path.strip("/").partition("/")
    if first not in MINTED or not rest:
        return []
    return near_misses(path_iri(request.path).value)


def _routed(app: Flask, path: str) -> bool:
    """Whether a GET of ``path`` reaches a view of ``app`` (other than by a redirect) that
    answers it: a resource's path only when the graph knows the resource."""
    from server.resources import RESOURCE_ENDPOINT, known_path  # (resources imports this)

    try:
        endpoint, _ = app.url_map.bind_to_environ(request.environ).match(path, method="GET")
    except HTTPException:  # NotFound, MethodNotAllowed, RequestRedirect
        return False
    return endpoint != RESOURCE_ENDPOINT or known_path(path)


def bad_host_message() -> str:
    """Why the request's Host header cannot be used (links this server writes are built on it)."""
    return (f"the Host header {request.headers.get('Host', '')[:100]!r} is not a host name (and "
            "port): the links this server writes are built on it")


def failure_response(failure: Failure) -> Response:
    response = error_response(failure.status, failure.message, failure.headers)
    if failure.reason:
        response.status = f"{failure.status} {failure.reason}"
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ProtocolError)
    def protocol_error(error: ProtocolError) -> Response:
        return error_response(error.status, error.message, error.headers)

    @app.errorhandler(ClientDisconnected)
    def stalled_body(_: Exception) -> Response:
        return error_response(400, "the request body ended before it was whole (its "
                                   "Content-Length, or its last chunk): the client went away or "
                                   f"sent nothing for {read_timeout():g} s (EVKG_READ_TIMEOUT)")

    # gunicorn reads a chunked body as the application reads it: a broken one raised through
    # the handler (500)
    @app.errorhandler(ParseException)
    def broken_body(error: Exception) -> Response:
        return error_response(400, f"the request body is not valid chunked transfer coding "
                                   f"(Transfer-Encoding: chunked): {error}")

    @app.errorhandler(NoMoreData)
    def body_cut_short(_: Exception) -> Response:
        return error_response(400, "the request body ended before its last chunk (Transfer-"
                                   "Encoding: chunked): the client went away")

    @app.errorhandler(NotAcceptable)
    def not_acceptable(error: NotAcceptable) -> Response:
        return error_response(406, str(error))

    @app.errorhandler(404)
    def not_found(_: Exception) -> Response | WerkzeugResponse:
        if (moved := without_trailing_slash(lambda path: _routed(app, path))) is not None:
            return moved
        meant = unrouted_near_misses()
        if wants_html(request.headers.get("Accept")):  # a person following a link
            return page_response("not_found.html", status=404, path=request.path, meant=meant)
        perhaps = "".join(f"\nperhaps you meant <{hit.iri}> ({hit.label})" for hit in meant)
        response = error_response(404, f"nothing at {request.path}{perhaps}")
        response.headers["Vary"] = "Accept"
        return response

    @app.errorhandler(400)
    def bad_request(error: Exception) -> Response:
        message = (error.description if isinstance(error, HTTPException) and error.description
                   else "the request is not one this server can answer")
        if isinstance(error, BadHost):  # routing could not take the Host (it said only that)
            message = bad_host_message()
        if isinstance(error, BadHost | SecurityError):  # (SecurityError: a host not trusted)
            # in plain text to a browser too: a page links this server's URLs, which cannot be
            # built for a host it refuses (with EVKG_TRUSTED_HOSTS set, the page was a 500)
            return Response(message + "\n", status=400,
                            content_type="text/plain; charset=utf-8",
                            headers={"Access-Control-Allow-Origin": "*", "Vary": "Accept"})
        if wants_html(request.headers.get("Accept")):  # a person following a link
            return page_response("bad_request.html", status=400, message=message)
        response = error_response(400, message)
        response.headers["Vary"] = "Accept"
        return response

    @app.errorhandler(405)
    def method_not_allowed(error: Exception) -> Response:
        if request.path == "/sparql" and names_a_graph():
            write = graph_store_write()  # a GSP PUT or DELETE: not the POST Allow names
            return error_response(write.status, write.message, write.headers)
        methods = sorted(error.valid_methods or []) if isinstance(error, MethodNotAllowed) else []
        headers = {"Allow": ", ".join(methods)} if methods else None
        allowed = f"; use {', '.join(methods)}" if methods else ""
        return error_response(405, f"{request.method} is not allowed on {request.path}{allowed}",
                              headers)

    @app.errorhandler(416)
    def range_outside(error: Exception) -> Response:
        length = error.length if isinstance(error, RequestedRangeNotSatisfiable) else None
        if length is None:
            return error_response(416, f"the range {request.headers.get('Range', '')!r} cannot "
                                       "be served")
        return error_response(416, f"the range {request.headers.get('Range', '')!r} is outside "
                                   f"the file, whose {length} bytes are 0-{length - 1}",
                              {"Content-Range": f"bytes */{length}"})

    @app.errorhandler(413)
    def too_large(_: Exception) -> Response:
        limit = app.config.get("MAX_CONTENT_LENGTH")
        return error_response(413, f"the request body is larger than the limit of {limit} bytes "
                                   "(EVKG_MAX_CONTENT_LENGTH); send a shorter query")
