"""``/openapi.json``: an OpenAPI 3.1 description of every route, generated from the URL map.

Summaries come from the table below, else from the view's docstring, so a route added later is
described without touching this file.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, Response, current_app, jsonify, request

from server.negotiation import RDF_TYPES, RESULTS_TYPES
from server.pages import DOCUMENT_TYPES, LISTING_TYPES

#: Endpoint → (summary, query parameters: a name ending in "!" is required); endpoints not
#: listed use their view's docstring.
ENDPOINTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "sparql.sparql": ("SPARQL 1.1 query (GET ?query= or POST form / application/sparql-query); "
                      "a graph by the Graph Store Protocol (GET ?graph= or ?default); the "
                      "Service Description without a query; the query editor for browsers",
                      ("query", "default-graph-uri", "named-graph-uri", "graph", "default",
                       "format", "output")),
    "meta.service_description": ("The SPARQL Service Description (RDF, negotiated)", ("format",)),
    "meta.health": ("Store reachable and the release version (JSON)", ()),
    "pages.editor": ("The query editor (YASGUI) with example queries; RDF of the base IRI "
                     "when RDF is asked for", ("format",)),
    "pages.ontology": ("The OWL ontology: documentation page for browsers, else RDF", ("format",)),
    "pages.search_page": ("Resources whose label contains q (HTML or JSON)", ("q", "format")),
    "resources.resource": ("A resource under the base IRI: HTML page for browsers, else Turtle, "
                           "N-Triples, JSON-LD or RDF/XML", ("format", "incoming_page")),
    "resources.mesh": ("A MeSH term of graph/mesh (descriptor, qualifier, pair, supplementary "
                       "record, tree number) with the articles indexed with it: HTML page for "
                       "browsers, else RDF; a term the graph lacks redirects (303) to NLM's IRI",
                       ("format", "incoming_page")),
    "explore.findings": ("The findings behind one cell of the overview's heatmap: a cargo "
                         "class and a process, each an IRI (both required)",
                         ("cargo_class!", "process!")),
    "dataset.dataset": ("The dataset's DCAT/VoID description (graph/metadata)", ("format",)),
    "dataset.void": ("The dataset's VoID description (graph/metadata)", ("format",)),
    "downloads.listing": ("The release files with size, SHA-256 and format (HTML or JSON)",
                          ("format",)),
    "downloads.download": ("A release file (ETag, Last-Modified, Range, conditional requests)", ()),
    "static": ("The site's own CSS and JavaScript", ()),
    "pages.favicon": ("No icon: an empty answer (204) a browser may keep a day", ()),
}
#: Endpoints whose success is no 200: (status, description).
SUCCESS: dict[str, tuple[str, str]] = {
    "pages.favicon": ("204", "No Content: the site has no icon"),
}
#: Media types a route answers with, for the responses section.
RESPONSE_TYPES: dict[str, tuple[str, ...]] = {
    "resources.resource": ("text/html", "text/turtle", "application/n-triples",
                           "application/ld+json", "application/rdf+xml", "application/x-bibtex",
                           "application/x-research-info-systems",
                           "application/vnd.citationstyles.csl+json"),
    "resources.mesh": ("text/html", "text/turtle", "application/n-triples",
                       "application/ld+json", "application/rdf+xml"),
    "dataset.dataset": ("text/html", *DOCUMENT_TYPES),
    "dataset.void": ("text/html", *DOCUMENT_TYPES),
    "pages.ontology": ("text/html", *RDF_TYPES),
    "meta.service_description": RDF_TYPES,
    "meta.health": ("application/json",),
    "pages.search_page": LISTING_TYPES,  # (JSON, or the page)
    "downloads.listing": LISTING_TYPES,
    "pages.editor": ("text/html", "text/turtle", "application/n-triples", "application/ld+json",
                     "application/rdf+xml"),
    "sparql.sparql": RESULTS_TYPES + RDF_TYPES,  # (SELECT and ASK; CONSTRUCT and DESCRIBE)
}
_VARIABLE = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>[^<>]+)>")


def openapi_path(rule: str) -> str:
    """``/article/doi/<path:doi>`` → ``/article/doi/{doi}``."""
    return _VARIABLE.sub(lambda m: "{" + m.group("name") + "}", rule)


def _summary(app: Flask, endpoint: str) -> tuple[str, tuple[str, ...]]:
    if endpoint in ENDPOINTS:
        return ENDPOINTS[endpoint]
    view = app.view_functions.get(endpoint)
    doc = (view.__doc__ or "").strip().splitlines() if view is not None else []
    return (doc[0] if doc else endpoint.replace("_", " ")), ()


def openapi_document(app: Flask) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        summary, query = _summary(app, rule.endpoint)
        parameters: list[dict[str, Any]] = [
            {"name": m.group("name"), "in": "path", "required": True, "schema": {"type": "string"},
             **({"description": "may contain slashes"} if m.group("converter") == "path" else {})}
            for m in _VARIABLE.finditer(rule.rule)]
        parameters += [{"name": name.rstrip("!"), "in": "query", "required": name.endswith("!"),
                        "schema": {"type": "string"}} for name in query]
        content: dict[str, Any] = {t: {} for t in RESPONSE_TYPES.get(rule.endpoint, ())}
        status, description = SUCCESS.get(rule.endpoint, ("200", "OK"))
        responses: dict[str, Any] = {status: {"description": description,
                                              **({"content": content} if content else {})}}
        if parameters and any(p["in"] == "path" for p in parameters):
            responses["404"] = {"description": "nothing at this path"}
        item = paths.setdefault(openapi_path(rule.rule), {})
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            item[method.lower()] = {
                "summary": summary,
                "operationId": re.sub(r"\W+", "_", f"{rule.endpoint}_{method}_{rule.rule}").strip("_"),
                "parameters": parameters, "responses": responses}
    return {"openapi": "3.1.0",
            "info": {"title": "evkg linked-data server", "version": "1",
                     "description": "SPARQL endpoint, resource pages, downloads and dataset "
                                    "description of evkg, a knowledge graph of extracellular "
                                    "vesicles in breast cancer."},
            "paths": paths}


def create_openapi_blueprint() -> Blueprint:
    bp = Blueprint("openapi", __name__)

    @bp.route("/openapi.json")
    def openapi() -> Response:
        """This OpenAPI description of every route."""
        document = openapi_document(current_app)
        if request.script_root:  # a proxy's path prefix: clients take the host's root without it
            document["servers"] = [{"url": request.script_root}]
        return jsonify(document)

    return bp
