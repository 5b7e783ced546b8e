"""`evkg serve` answers SPARQL and serves the ontology, to real clients over HTTP."""

from __future__ import annotations

import rdflib
import requests
from SPARQLWrapper import JSON, XML, SPARQLWrapper

COUNT = """SELECT (COUNT(DISTINCT ?a) AS ?n)
WHERE { ?a a <https://schema.org/ScholarlyArticle> }"""


def test_sparqlwrapper_get_json_counts_articles(live_server: str) -> None:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(COUNT)
    client.setReturnFormat(JSON)
    result = client.query().convert()
    assert result["results"]["bindings"][0]["n"]["value"] == "93"  # type: ignore[index]


def test_sparqlwrapper_post_xml_counts_articles(live_server: str) -> None:
    client = SPARQLWrapper(live_server + "/sparql")
    client.setQuery(COUNT)
    client.setMethod("POST")
    client.setReturnFormat(XML)
    document = client.query().convert()
    literals = [n.firstChild.data for n in document.getElementsByTagName("literal")]  # type: ignore[union-attr]
    assert literals == ["93"]


def test_post_sparql_query_body(live_server: str) -> None:
    response = requests.post(live_server + "/sparql", data=COUNT.encode(),
                             headers={"Content-Type": "application/sparql-query",
                                      "Accept": "application/sparql-results+json"}, timeout=10)
    assert response.headers["Content-Type"].startswith("application/sparql-results+json")
    assert response.json()["results"]["bindings"][0]["n"]["value"] == "93"


def test_ontology_is_turtle_that_rdflib_reads(live_server: str) -> None:
    response = requests.get(live_server + "/ontology", timeout=10)
    assert response.headers["Content-Type"].startswith("text/turtle")
    graph = rdflib.Graph().parse(data=response.text, format="turtle")
    ontology = rdflib.URIRef("https://w3id.org/evkg/ontology")
    assert (ontology, rdflib.RDF.type, rdflib.OWL.Ontology) in graph


def test_bad_query_is_400_with_parser_message(live_server: str) -> None:
    response = requests.get(live_server + "/sparql", params={"query": "SELECT ?x WHERE {"},
                            timeout=10)
    assert response.status_code == 400
    assert "bad query" in response.text


def test_other_content_type_is_415_listing_accepted(live_server: str) -> None:
    response = requests.post(live_server + "/sparql", data="{}",
                             headers={"Content-Type": "application/json"}, timeout=10)
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


def test_update_is_refused_on_public_endpoint(live_server: str) -> None:
    response = requests.post(live_server + "/sparql",
                             data={"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"},
                             timeout=10)
    assert response.status_code == 403
    assert "read-only" in response.text
