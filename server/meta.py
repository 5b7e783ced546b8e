"""Descriptions of the service itself: the SPARQL Service Description and ``/health``."""

from __future__ import annotations

import time

from flask import Blueprint, Response, current_app, jsonify, request
from pyoxigraph import BlankNode, Literal, NamedNode, RdfFormat, Triple, serialize

from kg import iris
from kg.backends import RESULTS_ACCEPT, RemoteStore, describe
from kg.namespaces import OWL, PREFIXES, RDF, RDFS, SD
from server.errors import ProtocolError
from server.executor import content_type
from server.limits import limit_triples
from server.negotiation import RDF_TYPES, RESULTS_TYPES, NotAcceptable, choose_media_type, wants_html
from server.pages import format_values
from server.querypool import QueryPool
from server.state import state

#: Longest wait for a remote store's answer to /health: a health probe gives up within
#: seconds, and the time limit of queries (30 s by default) is no measure of being up.
HEALTH_SECONDS = 5.0
#: A read of the store's release version this recent (the one this request began with, when
#: it was due) is /health's probe: asking again made a hung store's /health wait twice.
PROBED_SECONDS = 1.0
#: Result formats the endpoint can write (W3C format IRIs).
SD_FORMATS = ("SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV",
              "SPARQL_Results_TSV", "Turtle", "N-Triples", "N-Quads", "TriG", "JSON-LD",
              "RDF_XML")


def service_description_triples(endpoint: str) -> list[Triple]:
    service = NamedNode(endpoint)
    dataset = BlankNode("dataset")
    default_graph = BlankNode("defaultGraph")
    triples = [
        Triple(service, RDF.type, SD.Service),
        Triple(service, SD.endpoint, service),
        Triple(service, SD.supportedLanguage, SD.SPARQL11Query),
        Triple(service, SD.feature, SD.UnionDefaultGraph),
        Triple(service, SD.defaultDataset, dataset),
        Triple(dataset, RDF.type, SD.Dataset),
        Triple(dataset, SD.defaultGraph, default_graph),
        Triple(default_graph, RDF.type, SD.Graph),
    ]
    triples += [Triple(service, SD.resultFormat,
                       NamedNode(f"http://www.w3.org/ns/formats/{name}")) for name in SD_FORMATS]
    st = state()
    if st.limits.service_allowlist:  # SERVICE works only with an endpoint on the list
        triples.append(Triple(service, SD.feature, SD.BasicFederatedQuery))
    for name in iris.GRAPH_NAMES:
        named, graph = BlankNode(f"graph{name}"), BlankNode(f"graph{name}Graph")
        triples += [Triple(dataset, SD.namedGraph, named),
                    Triple(named, RDF.type, SD.NamedGraph),
                    Triple(named, SD.name, iris.graph_iri(name)),
                    Triple(named, SD.graph, graph),
                    Triple(graph, RDF.type, SD.Graph)]
    triples.append(Triple(dataset, NamedNode("http://purl.org/dc/terms/hasVersion"),
                          Literal(st.version)))
    # the endpoint's IRI under the base, which the dataset's void:sparqlEndpoint and every
    # example query's schema:target name, is this service; the dataset it serves is described
    # (VoID, DCAT, statistics) at its own IRI (a linked-data audit's: neither was said here)
    minted = iris.mint("sparql")
    if minted.value != endpoint:
        triples.append(Triple(service, OWL.sameAs, minted))
    triples.append(Triple(dataset, RDFS.seeAlso, iris.mint("dataset")))
    # (the longest answer is a query process's limit: a remote store's answers have none here)
    max_answer = st.executor.max_answer if isinstance(st.executor, QueryPool) else 0
    triples += limit_triples(endpoint, st.limits, timeout_enforced=st.executor.timeout is not None,
                             max_answer_bytes=max_answer,
                             max_request_bytes=int(current_app.config.get("MAX_CONTENT_LENGTH") or 0))
    return triples


def _takes_results(accept: str | None) -> bool:
    """Whether ``accept`` takes a type of a SELECT's or ASK's answer."""
    try:
        choose_media_type(accept, RESULTS_TYPES, [])
    except NotAcceptable:
        return False
    return True


def service_description_response(page: bool = False) -> Response:
    """The Service Description of this endpoint, in the RDF syntax the client asked for (a
    browser gets the Turtle as plain text to read, rather than a 406). ``page``: the route
    answers browsers with a page too (``/sparql``, the editor), which a 406 then lists."""
    browser = wants_html(request.headers.get("Accept")) and not format_values()
    try:
        media_type = "text/turtle" if browser else choose_media_type(
            request.headers.get("Accept"), RDF_TYPES, format_values())
    except NotAcceptable as refused:
        if page and _takes_results(request.headers.get("Accept")):  # a query left out
            raise ProtocolError(400, "no query: a GET of /sparql without one is the Service "
                                     "Description, in RDF; an answer in "
                                     f"{refused.wanted} is a query's: send it as ?query=, as "
                                     "a form field, or as an application/sparql-query body") \
                from None
        raise NotAcceptable(refused.wanted, ("text/html", *refused.offered) if page
                            else refused.offered) from None
    endpoint = request.url_root.rstrip("/") + "/sparql"
    fmt = RdfFormat.from_media_type(media_type)
    prefixes = {**PREFIXES, "sd": SD.iri} if fmt in (RdfFormat.TURTLE, RdfFormat.TRIG) else None
    body = serialize(service_description_triples(endpoint), format=fmt, prefixes=prefixes)
    # (with the charset every other answer of the endpoint names: requests reads text/* without
    # one as Latin-1)
    response = Response(body, content_type=content_type("text/plain" if browser else media_type))
    response.headers["Vary"] = "Accept"
    return response


def create_meta_blueprint() -> Blueprint:
    bp = Blueprint("meta", __name__)

    bp.add_url_rule("/sparql/service-description", "service_description",
                    service_description_response)

    @bp.route("/health")
    def health() -> Response:
        st = state()
        body: dict[str, str] = {"status": "ok", "version": st.version, **describe(st.store)}
        if st.base_warning:
            body["warning"] = st.base_warning
        elif st.version_problem:
            body["warning"] = (f"release version unknown ({st.version_problem}): no answer "
                               "cache, no downloads until the store states one")
        when, failed = st.probed
        if time.monotonic() - when < PROBED_SECONDS:
            if failed:
                body.update(status="unavailable", message=failed)
        else:
            try:
                if isinstance(st.store, RemoteStore):
                    limit = min(HEALTH_SECONDS, st.store.timeout or HEALTH_SECONDS)
                    st.store.send("ASK { ?s ?p ?o }", accept=RESULTS_ACCEPT, timeout=limit,
                                  probe=True)
                else:
                    st.store.query("ASK { ?s ?p ?o }")
            except OSError as error:
                body.update(status="unavailable", message=str(error))
        response = jsonify(body)
        response.status_code = 200 if body["status"] == "ok" else 503
        return response

    return bp
