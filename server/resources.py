"""Every IRI under the base resolves at its path: an HTML page for browsers, else RDF.

``/article/37534210`` on any host answers for ``{base}article/37534210``. The view reads the IRI
from the request path, so one view serves all the rules below; the rules name the IRI patterns
(for OpenAPI and readers) and keep unrelated paths out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from urllib.parse import quote

from flask import Blueprint, Response, redirect, request, url_for
from pyoxigraph import Literal, NamedNode, Triple
from werkzeug.wrappers import Response as WerkzeugResponse

from kg import iris
from kg.examples import FORMS
from kg.namespaces import BIBO, EVKG, FABIO, MESHV, RDF, RDFS, SCHEMA
from server import graph
from server.citations import (
    CITATION_TYPES,
    article_record,
    bibtex,
    citation_key,
    csl_json,
    highwire_tags,
    ris,
)
from server.description import (
    INCOMING_LIMIT,
    INCOMING_PAGE,
    Description,
    describe,
    incoming_query,
    incoming_total,
    related_findings,
    resource_triples,
)
from server.editor import editor_link
from server.errors import ProtocolError, without_trailing_slash
from server.links import external_links, link_for_iri
from server.negotiation import NotAcceptable, choose_media_type
from server.pages import (
    DOCUMENT_TYPES,
    asked_query,
    format_values,
    page_response,
    rdf_response,
    wants_page,
)
from server.pasted import IDENTIFIER_PATHS, IDENTIFIER_SPELLINGS, identifier_path
from server.schemaorg import page_jsonld
from server.search import near_misses
from server.signposting import landing_links, link_header
from server.sparql import TRUNCATED_HEADER
from server.terms import (
    MESH_ID,
    MESH_ID_FORMS,
    MESH_IRI,
    RESOURCE_RULES,
    local_path,
    path_iri,
)

#: Alternate RDF forms offered from a page, as (label, ?format= value, media type).
ALTERNATES = (("Turtle", "ttl", "text/turtle"), ("N-Triples", "nt", "application/n-triples"),
              ("JSON-LD", "jsonld", "application/ld+json"), ("RDF/XML", "rdf", "application/rdf+xml"))


def not_found_response(iri: str) -> Response | WerkzeugResponse:
    """A 404 that says which IRI is unknown, as a page for browsers and as text otherwise; a
    redirect when the IRI without a trailing slash is known."""
    moved = without_trailing_slash(known_path)
    if moved is not None:
        return moved
    meant = near_misses(iri)
    if wants_page():
        return page_response("not_found.html", status=404, iri=iri, meant=meant)
    perhaps = "".join(f"perhaps you meant <{hit.iri}> ({hit.label})\n" for hit in meant)
    response = Response(f"nothing is known about <{iri}>\n{perhaps}", status=404,
                        content_type="text/plain; charset=utf-8")
    response.headers["Vary"] = "Accept"
    return response


#: The highest ``incoming_page`` read as asked (any page past the last one is empty; a larger
#: number made an OFFSET the query engine could not parse: a 500).
MAX_PAGE = 10**9


def _page_number() -> int:
    """``?incoming_page=``: a whole number from 1 (else a 400 saying so; it was page 1)."""
    asked = request.args.get("incoming_page", "1").strip() or "1"
    if not asked.isascii() or not asked.isdigit() or int(asked) < 1:
        raise ProtocolError(400, f"incoming_page={asked[:40]!r} is not a page number: pages of "
                                 "incoming links are numbered from 1")
    return min(MAX_PAGE, int(asked))


#: Most ``author`` links an article page's Link header gives (the first authors with an
#: ORCID): a consortium paper lists hundreds, and proxies refuse a header of some kilobytes.
SIGNPOSTED_AUTHORS = 20


def is_article(iri: str, triples: Iterable[Triple]) -> bool:
    """Whether ``triples`` (a resource's own) type ``iri`` a ``schema:ScholarlyArticle``: an
    article's page shows its citation, and only an article answers in a citation format."""
    node = NamedNode(iri)
    return any(t.subject == node and t.predicate == RDF.type and t.object == SCHEMA.ScholarlyArticle
               for t in triples)


def resource_page(iri: str) -> Response | WerkzeugResponse:
    description = describe(iri, _page_number())
    if description is None:
        return not_found_response(iri)
    article = is_article(iri, description.triples)
    citation = None
    highwire: list[tuple[str, str]] = []
    # the page's URL from the IRI: request.base_url is built from the decoded path, so an
    # escaped "%" (``%25``) came back as another IRI's escape
    page = request.url_root.rstrip("/") + (local_path(iri) or request.path)
    signposts = landing_links(iri, page, [(fmt, media) for _, fmt, media in ALTERNATES],
                              sorted(t for t in description.type_iris if t.startswith(SCHEMA.iri)))
    if not iri.startswith(iris.base_iri()):  # (a MeSH term: NLM's IRI cites NLM's page)
        signposts = [link for link in signposts if link[1] != "cite-as"]
    if article:
        record = article_record(description)
        # the page's citation blocks without the abstract the page shows above them (the
        # downloads carry it, for a reference manager)
        shown = replace(record, abstract="")
        citation = {"bibtex": bibtex(shown), "ris": ris(shown), "csl": csl_json(shown)}
        highwire = highwire_tags(record)
        signposts += [(orcid, "author", {}) for orcid in [
            url for person in record.authors for url in person.same_as
            if url.startswith("https://orcid.org/")][:SIGNPOSTED_AUTHORS]]
        signposts += [(url, "related", {}) for url in record.same_as]
    subject = NamedNode(iri)
    retracted = any(o.value == "true" for o in description.objects(subject, EVKG.retracted))
    links = external_links(subject, description.triples, description.labels)
    # an example query's page opens it in the editor, where it runs (as a /sparql link does)
    query = next((o.value for text, _ in FORMS.values()
                  for o in description.objects(subject, text) if isinstance(o, Literal)), "")
    own = link_for_iri(iri, "identifier") if iri.startswith(MESH_IRI) else None
    concept_kind = _concept_kind(iri)
    response = page_response(
        "resource.html", d=description, iri=iri, retracted=retracted,
        tree_of=_descriptors_at(description), concept_kind=concept_kind,
        related=related_findings(iri) if concept_kind else [],
        links=[own, *links] if own else links,
        jsonld=page_jsonld(description, page), citation=citation, alternates=ALTERNATES,
        page_size=INCOMING_PAGE, highwire=highwire,
        run_query=editor_link(query, description.label) if query else "")
    response.headers["Link"] = link_header(signposts)
    return response


#: Paths of the vocabulary's concepts that findings name, and what a page calls each.
CONCEPT_KINDS = {"cargo/": "cargo", "process/": "process", "disease/": "disease",
                 "ev-type/": "EV type"}


def _concept_kind(iri: str) -> str:
    """What a page of a vocabulary concept that findings name calls it ("" for other pages)."""
    local = local_path(iri) or ""
    return next((kind for path, kind in CONCEPT_KINDS.items() if local.startswith("/" + path)),
                "")


def _descriptors_at(description: Description) -> list[str]:
    """The names of the MeSH descriptors at a tree number the page is of (a review's: its
    heading was only the number, the descriptor's name only among the incoming links)."""
    if MESHV.TreeNumber.value not in description.type_iris:
        return []
    rows = graph.select(
        f"SELECT DISTINCT ?label WHERE {{ ?d {graph.ref(MESHV.treeNumber)} "
        f"{graph.ref(NamedNode(description.iri))} ; {graph.ref(RDFS.label)} ?label }} "
        "ORDER BY ?label LIMIT 5")
    return [row["label"].value for row in rows]


def article_by_identifier(path: str) -> str | None:
    """The page of the article a ``/article/doi/{doi}`` or ``/article/pmc/{pmcid}`` path names
    when that IRI is not one the graph has: an article with a PMID is ``article/{pmid}``, and a
    DOI is matched in any case (DOIs are case-insensitive; PubMed writes most in lower case)."""
    for prefix, predicate in zip(IDENTIFIER_PATHS, (BIBO.doi, FABIO.hasPubMedCentralId), strict=True):
        if path.startswith(prefix) and len(path) > len(prefix):
            given = path[len(prefix):]
            spellings = " ".join(graph.ref(Literal(v))
                                 for v in dict.fromkeys(IDENTIFIER_SPELLINGS[predicate](given)))
            rows = graph.select(f"SELECT ?a {{ VALUES ?id {{ {spellings} }} "
                                f"?a {identifier_path(predicate)} ?id }} ORDER BY ?a LIMIT 1")
            found = local_path(rows[0]["a"].value) if rows else None
            return found if found != path else None
    return None


def resource_view(**_: str) -> Response | WerkzeugResponse:
    """A resource under the base IRI: HTML for browsers, else Turtle, N-Triples, JSON-LD or RDF/XML.

    An article's DOI or PMCID path that is not its IRI redirects (303) to its IRI's page."""
    iri = path_iri(request.path).value
    if request.path.startswith(IDENTIFIER_PATHS) and not graph.ask(
            f"ASK {{ {{ {graph.ref(NamedNode(iri))} ?p ?o }} UNION "
            f"{{ ?s ?p {graph.ref(NamedNode(iri))} }} }}"):
        found = article_by_identifier(request.path)
        if found is not None:
            return redirect(request.script_root + found + asked_query(), code=303)
    return resource_answer(iri)


def resource_answer(iri: str) -> Response | WerkzeugResponse:
    if wants_page((*DOCUMENT_TYPES, *CITATION_TYPES)):
        return resource_page(iri)
    try:
        media_type = choose_media_type(request.headers.get("Accept"),
                                       (*DOCUMENT_TYPES, *CITATION_TYPES), format_values())
    except NotAcceptable as refused:
        triples = resource_triples(iri)
        if not triples:  # an unknown IRI is a 404 whatever was asked for
            return not_found_response(iri)
        # only an article is cited: another's 406 listed the citation formats, then refused them
        raise NotAcceptable(refused.wanted, ("text/html", *refused.offered)
                            if is_article(iri, triples)
                            else ("text/html", *DOCUMENT_TYPES)) from None
    if media_type in CITATION_TYPES:
        return citation_response(iri, media_type)
    triples = resource_triples(iri)
    if not triples:
        return not_found_response(iri)
    node = NamedNode(iri)
    shown = len({(t.subject, t.predicate) for t in triples
                 if t.object == node and isinstance(t.subject, NamedNode)})
    total = incoming_total(iri) if shown >= INCOMING_LIMIT else shown
    if total <= shown:
        return rdf_response(triples, DOCUMENT_TYPES)
    everything = request.url_root + "sparql?query=" + quote(incoming_query(iri), safe="")
    response = rdf_response(
        triples, DOCUMENT_TYPES,
        note=f"{shown} of the {total} links to <{iri}> from other resources are given here; "
             f"all of them:\n{everything}")
    response.headers[TRUNCATED_HEADER] = f"incoming={shown}; total={total}"
    response.headers["Link"] = f'<{everything}>; rel="related"; title="every incoming link"'
    response.headers["Access-Control-Expose-Headers"] = f"{TRUNCATED_HEADER}, Link"
    return response


def citation_response(iri: str, media_type: str) -> Response | WerkzeugResponse:
    """An article's citation in BibTeX, RIS or CSL-JSON (``media_type``); another resource has
    none (406, listing what it has)."""
    description = describe(iri, 1)
    if description is None:
        return not_found_response(iri)
    if not is_article(iri, description.triples):
        raise NotAcceptable(f"{media_type} (only articles are cited)",
                            ("text/html", *DOCUMENT_TYPES))
    record = article_record(description)
    extension, write = CITATION_TYPES[media_type]
    response = Response(write(record), content_type=media_type + "; charset=utf-8")
    response.headers["Vary"] = "Accept"
    response.headers["Content-Disposition"] = f'inline; filename="{citation_key(record)}.{extension}"'
    return response


def mesh_view(mesh_id: str) -> Response | WerkzeugResponse:
    """A MeSH term the graph describes (``graph/mesh``), at ``/mesh/{id}``: its labels, tree
    numbers and broader terms, and the articles indexed with it. A MeSH id the graph does not
    describe redirects (303) to NLM's IRI for it; one in lower case to its upper-case page
    (301), and one of no MeSH id's form is a 404 that says what one looks like."""
    iri = MESH_IRI + mesh_id
    if not MESH_ID.fullmatch(mesh_id):
        if MESH_ID.fullmatch(mesh_id.upper()):  # MeSH's ids are upper case: "d001943"
            return redirect(url_for(".mesh", mesh_id=mesh_id.upper()) + asked_query(), code=301)
        raise ProtocolError(404, f"{mesh_id[:60]} is no MeSH id: {MESH_ID_FORMS}")
    if not graph.ask(f"ASK {{ {graph.ref(NamedNode(iri))} ?p ?o }}"):
        return redirect(iri, code=303)
    return resource_answer(iri)


#: The endpoint of every resource rule.
RESOURCE_ENDPOINT = "resources.resource"


def known_path(path: str) -> bool:
    """Whether the graph says anything about the IRI a resource path names, or (a DOI or
    PMCID path) about the article it leads to."""
    return bool(graph.ask(f"ASK {{ {graph.ref(path_iri(path))} ?p ?o }}")) or (
        path.startswith(IDENTIFIER_PATHS) and article_by_identifier(path) is not None)


def create_resources_blueprint() -> Blueprint:
    bp = Blueprint("resources", __name__)
    for rule in RESOURCE_RULES:
        bp.add_url_rule(rule, RESOURCE_ENDPOINT.partition(".")[2], resource_view,
                        merge_slashes=False)
    bp.add_url_rule("/mesh/<mesh_id>", "mesh", mesh_view)
    return bp
