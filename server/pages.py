"""Pages for people and RDF for machines: the query editor, the ontology, search.

``/`` (and ``/sparql`` for browsers, through ``editor_response``) is the query editor; YASGUI's
built files are served from npm's folder at ``/static/vendor/yasgui/…``, never copied here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import quote, urlencode

from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, send_from_directory
from pyoxigraph import NamedNode, RdfFormat, Triple, serialize
from werkzeug.wrappers import Response as WerkzeugResponse

from kg import iris
from kg.namespaces import EVKG, MESH, OWL, PREFIXES
from kg.results import rdf_xml
from server import editor, graph
from server.negotiation import (
    RDF_TYPES,
    NotAcceptable,
    choose_media_type,
    first_named_type,
    prefers_rdf,
    wants_html,
)
from server.ontology import ontology_doc, ontology_triples
from server.pasted import names_identifier, search_list, searched_text
from server.schemaorg import script_json
from server.search import (
    MAX_LISTED,
    SEARCH_LIMIT,
    every_match_query,
    label_pattern,
    search,
    unfound,
)
from server.terms import MESH_ID

#: RDF syntaxes a resource or document is offered in, preferred first.
DOCUMENT_TYPES = ("text/turtle", "application/n-triples", "application/ld+json",
                  "application/rdf+xml")


def asked_query() -> str:
    """The request's query string with its ``?`` (or nothing), for a redirect to carry on:
    without it a ``?format=`` asked of a DOI's path was lost on the way to the article."""
    query = request.query_string.decode("utf-8", "replace")
    return f"?{query}" if query else ""


def format_values() -> list[str]:
    """The request's ``?format=`` values that are not blank, in order (a client may send
    several: the first this server knows decides, as on the SPARQL endpoint)."""
    return [value for value in request.args.getlist("format") if value.strip()]


def wants_page(offered: Sequence[str] = RDF_TYPES) -> bool:
    """Whether to answer with HTML: ``?format=html`` (the first known ``?format=`` value), or a
    browser's ``Accept`` with no ``?format``: HTML before the types the page's data is also
    given in (``offered``; only those compete: a results type listed first beat HTML, and a
    page that gives none was a 406)."""
    values = format_values()
    if values:
        return first_named_type(values) == "text/html"
    return wants_html(request.headers.get("Accept"), offered)


#: What a listing (``/downloads/``, ``/search``) answers with: JSON, else its page.
LISTING_TYPES = ("application/json", "text/html")


def wants_listing_page() -> bool:
    """Whether to answer a listing with its page rather than JSON: as ``wants_page``, or for
    an ``Accept`` that takes HTML and not JSON (``text/*``); ``NotAcceptable`` (a 406) for
    one that takes neither or a ``?format=`` that names neither, as every page answers."""
    if wants_page(LISTING_TYPES[:1]):
        return True
    accept = request.headers.get("Accept")
    return choose_media_type(accept, LISTING_TYPES, format_values()) == "text/html"


def rdf_response(triples: list[Triple], offered: tuple[str, ...] = DOCUMENT_TYPES,
                 note: str = "") -> Response:
    """Triples in the RDF syntax the client asked for (``Accept`` or ``?format=``); ``note``,
    a line for people, opens a Turtle or N-Triples body as a comment (an XML comment in
    RDF/XML; JSON-LD has no comments)."""
    try:
        media_type = choose_media_type(request.headers.get("Accept"), offered, format_values())
    except NotAcceptable as refused:  # (every document served so has a page as well)
        raise NotAcceptable(refused.wanted, ("text/html", *refused.offered)) from None
    fmt = RdfFormat.from_media_type(media_type)
    assert fmt is not None
    prefixes = PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.RDF_XML, RdfFormat.JSON_LD) else None
    body = serialize(triples, format=fmt, prefixes=prefixes) or b""
    if fmt == RdfFormat.RDF_XML:
        body = rdf_xml(body)
    if note and fmt in (RdfFormat.TURTLE, RdfFormat.N_TRIPLES):
        body = b"".join(b"# " + line.encode() + b"\n" for line in note.splitlines()) + body
    elif note and fmt == RdfFormat.RDF_XML:
        declaration, _, rest = body.partition(b"?>")
        # no "--" in a comment: each hyphen before another is spaced ("---" is "- - -")
        comment = b"<!-- " + re.sub("-(?=-)", "- ", note).encode() + b" -->"
        body = (declaration + b"?>\n" + comment + rest if rest else comment + b"\n" + body)
    charset = "; charset=utf-8" if media_type.startswith("text/") else ""
    response = Response(body, content_type=media_type + charset)
    response.headers["Vary"] = "Accept"
    return response


def page_response(template: str, status: int = 200, **context: object) -> Response:
    response = Response(render_template(template, **context), status=status,
                        content_type="text/html; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response


def editor_response() -> Response:
    """The query editor page (YASGUI, or a plain form when YASGUI is not installed)."""
    examples = editor.examples()
    return page_response(
        "editor.html", examples=examples,
        examples_json=script_json({"examples": editor.examples_json()}),
        prefixes_json=script_json(dict(PREFIXES)), yasgui=editor.yasgui_available(),
        yasgui_stamp=editor.yasgui_stamp(),
        default_query=editor.DEFAULT_QUERY, base=iris.base_iri(), mesh=MESH.iri,
        mesh_id=MESH_ID.pattern)


def asks_for_rdf() -> bool:
    """Whether a request of ``/`` asks for RDF rather than a page: ``?format=`` names an RDF
    syntax, or ``Accept`` prefers one to HTML (``*/*`` and no ``Accept`` get the editor)."""
    values = format_values()
    if values:
        return first_named_type(values) not in (None, "text/html")
    return prefers_rdf(request.headers.get("Accept"), DOCUMENT_TYPES)


def home() -> Response | WerkzeugResponse:
    """The query editor; for a client that asks for RDF, the description of the base IRI.

    The base IRI is a resource of the graph, the dataset's ``dcterms:publisher``: a
    linked-data client that follows it gets RDF, as at every other IRI under the base; one
    whose ``Accept`` names neither (N-Quads, a citation format) gets 406, as there too."""
    if asks_for_rdf():
        from server.resources import resource_answer  # (resources imports this module)
        return resource_answer(iris.base_iri())
    accept, values = request.headers.get("Accept"), format_values()
    if values or (accept and accept.strip()):  # NotAcceptable (a 406) for a type not offered
        choose_media_type(accept, ("text/html", *DOCUMENT_TYPES), values)
    return editor_response()


def create_pages_blueprint() -> Blueprint:
    bp = Blueprint("pages", __name__)

    bp.add_url_rule("/", "editor", home)

    @bp.route("/ontology")
    def ontology() -> Response:
        """The OWL ontology: a documentation page for browsers, else RDF (Turtle by default)."""
        if wants_page():
            return page_response("ontology.html", doc=ontology_doc())
        return rdf_response(ontology_triples(), tuple(RDF_TYPES))

    @bp.route("/ontology/<term>")
    def ontology_term(term: str) -> WerkzeugResponse:
        """An ontology term's own path: redirects to its place in the ontology document (a name
        the ontology does not define is a 404, not a redirect to a page without it). The
        ontology's owl:versionIRI (``/ontology/0.1.0``) redirects to the ontology itself."""
        ontology_graph = f"<{iris.graph_iri('ontology').value}>"
        try:
            named: NamedNode | None = NamedNode(EVKG.iri + term)
        except ValueError:
            named = None
        if named is not None and graph.ask(
                f"ASK {{ GRAPH {ontology_graph} {{ {graph.ref(named)} ?p ?o }} }}"):
            return redirect(f"{request.script_root}/ontology{asked_query()}#{quote(term, safe='')}",
                            code=303)
        version = NamedNode(iris.base_iri() + "ontology/" + quote(term, safe=""))
        if graph.ask(f"ASK {{ GRAPH {ontology_graph} {{ ?o {graph.ref(OWL.versionIRI)} "
                     f"{graph.ref(version)} }} }}"):
            return redirect(request.script_root + "/ontology" + asked_query(), code=303)
        abort(404)

    @bp.route("/search")
    def search_page() -> Response:
        """Resources whose label contains ``q`` (case-insensitive): HTML for browsers, else JSON."""
        from server.sparql import check_encoded_utf8  # (sparql imports this module)
        # text in another encoding than UTF-8 was searched as U+FFFD, where /sparql refuses it
        check_encoded_utf8(request.query_string, "query string", "search text")
        text = request.args.get("q", "")
        page = wants_listing_page()  # (a 406 before the search)
        # a list pasted: its first MAX_LISTED identifiers looked up, which of them the graph
        # lacks, and those past them, which a link searches
        listing = search_list(text)
        hits = search(text, listing)
        missing = unfound(listing[:MAX_LISTED]) if listing else []
        rest = listing[MAX_LISTED:]  # (joined by spaces: ", " is 4 bytes in an address)
        following = (request.script_root + "/search?" + urlencode({"q": " ".join(rest)})
                     if rest else "")
        if page:
            return page_response("search.html", q=text, hits=hits, limit=SEARCH_LIMIT,
                                 every=every_match_query(text)
                                 if len(hits) >= SEARCH_LIMIT and not listing else "",
                                 identifier=not hits and names_identifier(text),
                                 words=searched_text(text).split(), missing=missing,
                                 listed=len(listing), rest=rest, following=following,
                                 max_listed=MAX_LISTED,
                                 # (no "matched “breast tumor”" under breast cancer, whose
                                 # name holds the text too: a browser trial's)
                                 holds=label_pattern(searched_text(text)).tests()[0])
        response = jsonify({"q": text, **({"missing": missing} if listing else {}),
                            **({"next": following} if following else {}), "results": [
            {"iri": h.iri, "label": h.label, "matched": h.matched, "page": h.link,
             **({"author_of": h.author_of} if h.author_of else {}),
             **({"investigator_of": h.investigator_of} if h.investigator_of else {}),
             **({"derived_from": h.derived_from} if h.derived_from else {}),
             **({"method": h.method} if h.method else {})}
            for h in hits]})
        response.headers["Vary"] = "Accept"
        return response

    @bp.route("/favicon.ico")
    def favicon() -> Response:
        """No icon (204): what a browser asks for beside a raw answer (SPARQL results, a
        download), where no page of ours says there is none; it keeps that a day."""
        response = Response(status=204)
        response.cache_control.max_age = 86400
        response.cache_control.public = True
        return response

    @bp.route("/static/vendor/yasgui/<path:filename>")
    def yasgui_asset(filename: str) -> Response:
        """YASGUI's built files, read from npm's ``node_modules`` (``make install`` puts them there)."""
        folder = editor.yasgui_dir()
        if not folder.is_dir():
            abort(404)
        response: Response = send_from_directory(folder, filename, max_age=86400)
        return response

    return bp
