"""The SPARQL 1.1 Protocol endpoint at ``/sparql`` (read-only by default)."""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, request

from server.errors import ProtocolError
from server.meta import service_description_response
from server.negotiation import RDF_TYPES, RESULTS_TYPES, choose_media_type, wants_html
from server.pages import editor_response
from server.state import state

#: Content types a query POST may have.
QUERY_POST_TYPES = ("application/x-www-form-urlencoded", "application/sparql-query")
#: Content types an update POST may have.
UPDATE_POST_TYPES = ("application/x-www-form-urlencoded", "application/sparql-update")

_PROLOGUE = re.compile(
    r"""\A(?:\s+|\#[^\n]*(?:\n|\Z)|BASE\s*<[^>]*>|PREFIX\s*[A-Za-z0-9_.\-]*:\s*<[^>]*>)*""",
    re.IGNORECASE,
)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, read after the prologue; None when unclear."""
    prologue = _PROLOGUE.match(query)
    rest = query[prologue.end():] if prologue else query
    form = _FORM.match(rest)
    return form.group(1).upper() if form else None


def offered_types(query: str) -> tuple[str, ...]:
    return RDF_TYPES if query_form(query) in ("CONSTRUCT", "DESCRIBE") else RESULTS_TYPES


def _params() -> tuple[str | None, str | None, list[str], list[str]]:
    """(query, update, default-graph-uri list, named-graph-uri list) from the request."""
    if request.method == "GET":
        args = request.args
        return (args.get("query"), args.get("update"), args.getlist("default-graph-uri"),
                args.getlist("named-graph-uri"))
    content_type = (request.mimetype or "").lower()
    if content_type == "application/x-www-form-urlencoded":
        form = request.form
        return (form.get("query"), form.get("update"),
                form.getlist("default-graph-uri") + request.args.getlist("default-graph-uri"),
                form.getlist("named-graph-uri") + request.args.getlist("named-graph-uri"))
    if content_type == "application/sparql-query":
        return (request.get_data(as_text=True), None, request.args.getlist("default-graph-uri"),
                request.args.getlist("named-graph-uri"))
    if content_type == "application/sparql-update":
        return (None, request.get_data(as_text=True), request.args.getlist("using-graph-uri"),
                request.args.getlist("using-named-graph-uri"))
    raise ProtocolError(
        415, f"unsupported Content-Type {request.mimetype or '(none)'}; a query POST takes "
        f"{' or '.join(QUERY_POST_TYPES)}, an update POST takes {' or '.join(UPDATE_POST_TYPES)}")


def create_sparql_blueprint() -> Blueprint:
    bp = Blueprint("sparql", __name__)

    @bp.route("/sparql", methods=["GET", "POST"])
    def sparql() -> Response:
        query, update, default_graphs, named_graphs = _params()
        if update is not None:
            return _update(update)
        if query is None:
            if request.method == "GET" and wants_html(request.headers.get("Accept")):
                return editor_response()
            if request.method == "GET" and not request.args:
                return service_description_response()
            raise ProtocolError(400, "missing 'query' parameter: send a SPARQL query as ?query=, "
                                "as a form field, or as an application/sparql-query body")
        if len(request.args.getlist("query")) + len(request.form.getlist("query")) > 1:
            raise ProtocolError(400, "more than one 'query' parameter")
        media_type = choose_media_type(request.headers.get("Accept"), offered_types(query),
                                       request.args.get("format") or request.form.get("format"))
        answer = state().executor.execute(query, media_type, default_graphs, named_graphs)
        response = Response(answer.body, content_type=answer.content_type)
        response.headers["Vary"] = "Accept"
        if answer.truncated:
            response.headers["X-EVKG-Truncated"] = f"true; rows={answer.rows}"
        return response

    def _update(update: str) -> Response:
        token = current_app.config.get("UPDATE_TOKEN")
        if not token:
            raise ProtocolError(403, "this endpoint is read-only: SPARQL updates (INSERT, DELETE, "
                                "LOAD, CLEAR, …) are refused")
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if given != token:
            raise ProtocolError(403, "updates need the operator's token in an "
                                "'Authorization: Bearer …' header")
        state().executor.update(update)
        return Response(status=204)

    return bp
