"""Pages for people and RDF for machines: the ontology, the query editor."""

from __future__ import annotations

from flask import Blueprint, Response, request
from pyoxigraph import RdfFormat

from kg import iris
from kg.namespaces import PREFIXES
from server.negotiation import RDF_TYPES, choose_media_type
from server.state import state


def graph_document(graph_name: str, media_type: str) -> bytes:
    """One named graph of the store serialised as ``media_type``."""
    fmt = RdfFormat.from_media_type(media_type)
    assert fmt is not None
    prefixes = PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG, RdfFormat.RDF_XML) else None
    body = state().store.dump(format=fmt, from_graph=iris.graph_iri(graph_name),
                              prefixes=prefixes)
    return body or b""


def editor_response() -> Response:
    """The query editor page."""
    return Response(EDITOR_HTML, content_type="text/html; charset=utf-8")


def create_pages_blueprint() -> Blueprint:
    bp = Blueprint("pages", __name__)

    @bp.route("/ontology")
    def ontology() -> Response:
        media_type = choose_media_type(request.headers.get("Accept"), RDF_TYPES,
                                       request.args.get("format"))
        response = Response(graph_document("ontology", media_type), content_type=media_type)
        response.headers["Vary"] = "Accept"
        return response

    bp.add_url_rule("/", "editor", editor_response)

    return bp


EDITOR_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>evkg SPARQL</title></head>
<body><h1>evkg SPARQL endpoint</h1>
<form action="/sparql" method="post">
<textarea name="query" rows="12" cols="90">SELECT (COUNT(?a) AS ?articles)
WHERE { ?a a &lt;https://schema.org/ScholarlyArticle&gt; }</textarea><br>
<button type="submit">Run</button></form></body></html>
"""
