"""The dataset's description: DCAT at ``/dataset``, VoID at ``/.well-known/void`` (graph/metadata)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import Blueprint, Response, request, url_for
from pyoxigraph import BlankNode, Literal, NamedNode, Triple

from kg import iris
from kg.citations import DOI_CITATIONS, LISTED_CITATIONS
from kg.metadata import DUMPS, LICENSE, MEDIA_TYPES, media_type_iri
from kg.namespaces import DCAT, DCTERMS, RDF, SPDX, VOID, XSD
from kg.release import QUARANTINE, VOID_FILE
from kg.sssom import SSSOM_FILE
from server import graph
from server.downloads import release_files
from server.pages import DOCUMENT_TYPES, page_response, rdf_response, wants_page
from server.schemaorg import BIOSCHEMAS_DATASET, conforms_to, script_json
from server.signposting import landing_links, link_header
from server.state import state
from server.terms import Value, is_web_iri, value_of

#: schema.org's class of the dataset (its page's ``type`` link).
SCHEMA_DATASET = "https://schema.org/Dataset"
#: Per-graph statistics shown, as (VoID property local name, column heading).
STATISTICS = (("triples", "triples"), ("distinctSubjects", "subjects"),
              ("properties", "properties"), ("classes", "classes"))


def metadata_triples() -> list[Triple]:
    """Every triple of ``graph/metadata``: the VoID and DCAT description of the release."""
    g = iris.graph_iri("metadata").value
    return graph.construct(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{g}> {{ ?s ?p ?o }} }}")


@dataclass
class DatasetSummary:
    iri: str
    facts: dict[str, list[str]]
    subsets: list[tuple[Value, dict[str, int]]] = field(default_factory=list)
    classes: list[tuple[Value, int]] = field(default_factory=list)
    distributions: list[dict[str, str]] = field(default_factory=list)

    def first(self, local_name_or_iri: str) -> str:
        found = self.facts.get(local_name_or_iri, [])
        return found[0] if found else ""


def dataset_summary() -> DatasetSummary:
    """What the dataset page shows, from graph/metadata (four queries)."""
    g = f"<{iris.graph_iri('metadata').value}>"
    ds = iris.dataset_iri().value
    facts: dict[str, list[str]] = {}
    for row in graph.select(f"SELECT ?p ?o WHERE {{ GRAPH {g} {{ <{ds}> ?p ?o }} }}"):
        facts.setdefault(row["p"].value, []).append(row["o"].value)
    summary = DatasetSummary(ds, {k: sorted(set(v)) for k, v in facts.items()})
    columns = " ".join(f"OPTIONAL {{ ?g <{VOID[name].value}> ?{name} }}" for name, _ in STATISTICS)
    rows = graph.select(f"SELECT DISTINCT * WHERE {{ GRAPH {g} {{ <{ds}> <{VOID.subset.value}> ?g "
                        f"{columns} }} }} ORDER BY ?g")
    classes = graph.select(
        f"SELECT DISTINCT ?class ?n WHERE {{ GRAPH {g} {{ <{ds}> <{VOID.classPartition.value}> ?part . "
        f"?part <{VOID['class'].value}> ?class ; <{VOID.entities.value}> ?n }} }} ORDER BY DESC(?n) ?class")
    labels = graph.labels_for([r["g"].value for r in rows] + [r["class"].value for r in classes])
    summary.subsets = [(value_of(r["g"], labels),
                        {name: int(r[name].value) for name, _ in STATISTICS if name in r})
                       for r in rows]
    summary.classes = [(value_of(r["class"], labels), int(r["n"].value)) for r in classes]
    for row in graph.select(
            f"SELECT DISTINCT ?url ?media ?title WHERE {{ GRAPH {g} {{ "
            f"<{ds}> <{DCAT.distribution.value}> ?d . ?d <{DCAT.downloadURL.value}> ?url . "
            f"OPTIONAL {{ ?d <{DCAT.mediaType.value}> ?media }} "
            f"OPTIONAL {{ ?d <{DCTERMS.title.value}> ?title }} }} }} ORDER BY ?url"):
        found = {k: v.value for k, v in row.items()}
        found["media"] = found.get("media", "").removeprefix(MEDIA_TYPES)
        summary.distributions.append(found)
    return summary


#: What each release file that is no dump holds (graph/metadata describes the dumps).
OTHER_FILES = {
    VOID_FILE: "the VoID and DCAT description of the release (graph/metadata)",
    QUARANTINE: "the records the release could not take, each with its file, place and reason",
    SSSOM_FILE: "the vocabulary's mappings to other ontologies, as SSSOM",
    DOI_CITATIONS: "the citations by DOI a build pointed at the article holding the DOI",
    LISTED_CITATIONS: "the citations only a \"cited by\" list gave",
}


def file_triples() -> list[Triple]:
    """Each distribution's size and SHA-256, from the release manifest. A dump holds
    graph/metadata, so it cannot state its own checksum: these are added when serving, and
    so are the release's other files as distributions of the dataset (only their size and
    checksum were given, of subjects nothing typed nor linked: a linked-data audit's)."""
    base = iris.base_iri()
    dataset = NamedNode(f"{base}dataset")
    dumps = {name for name, _ in DUMPS.values()}
    version = state().manifest.get("version", "")
    triples: list[Triple] = []
    for entry in release_files():
        dist = NamedNode(f"{base}downloads/{entry.name}")
        if entry.name not in dumps:
            what = OTHER_FILES.get(entry.name, "a release file")
            triples += [
                Triple(dataset, DCAT.distribution, dist), Triple(dist, RDF.type, DCAT.Distribution),
                Triple(dist, DCAT.downloadURL, dist),
                Triple(dist, DCAT.accessURL, NamedNode(f"{base}downloads/")),
                Triple(dist, DCTERMS.license, LICENSE),
                Triple(dist, DCAT.mediaType, media_type_iri(entry.media_type)),
                Triple(dist, DCTERMS.title, Literal(f"evkg release {version}, {entry.name}: {what}"))]
        checksum = BlankNode(f"checksum{len(triples)}")
        triples += [
            Triple(dist, DCAT.byteSize, Literal(str(entry.bytes), datatype=XSD.nonNegativeInteger)),
            Triple(dist, SPDX.checksum, checksum),
            Triple(checksum, RDF.type, SPDX.Checksum),
            Triple(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256),
            Triple(checksum, SPDX.checksumValue, Literal(entry.sha256, datatype=XSD.hexBinary)),
        ]
    return triples


def dataset_jsonld(summary: DatasetSummary) -> dict[str, Any]:
    """A schema.org ``Dataset`` (Google Dataset Search) for the release, meeting Bioschemas'
    Dataset profile (its minimum properties; the dataset's IRI is its identifier)."""
    doc: dict[str, Any] = {"@context": "https://schema.org", "@type": "Dataset",
                           **conforms_to(BIOSCHEMAS_DATASET), "@id": summary.iri,
                           "identifier": summary.iri, "url": summary.iri,
                           "name": summary.first(DCTERMS.title.value),
                           "description": summary.first(DCTERMS.description.value),
                           "isAccessibleForFree": True}
    optional = {"license": summary.first(DCTERMS.license.value),
                "version": summary.first(DCTERMS.hasVersion.value),
                "keywords": summary.facts.get(DCAT.keyword.value, [])}
    doc.update({k: v for k, v in optional.items() if v})
    publisher = summary.first(DCTERMS.publisher.value)
    if publisher:
        doc["publisher"] = {"@type": "Organization", "@id": publisher, "name": "evkg"}
    doc["distribution"] = [{"@type": "DataDownload", "contentUrl": d["url"],
                            "encodingFormat": d.get("media", ""), "name": d.get("title", "")}
                           for d in summary.distributions]
    return doc


def dataset_view() -> Response:
    """The DCAT/VoID description of the dataset: a page for browsers, else RDF (Turtle by default)."""
    if wants_page():
        summary = dataset_summary()
        # the licence is a link only to a web address, as every link of the pages (graph/metadata
        # is the store operator's on a remote store: a javascript: IRI was a link)
        licence = summary.first(DCTERMS.license.value)
        files = release_files()
        response = page_response("dataset.html", s=summary, files=files,
                                 licence_link=licence if is_web_iri(licence) else None,
                                 version=state().version, statistics=STATISTICS,
                                 jsonld=script_json(dataset_jsonld(summary)))
        # the release files are the dataset's content, sent as they are (a dump gzipped)
        signposts = [*landing_links(iris.dataset_iri().value, request.base_url,
                                    [("ttl", "text/turtle"), ("jsonld", "application/ld+json")],
                                    [SCHEMA_DATASET]),
                     *((url_for("downloads.download", name=f.name, _external=True), "item",
                        {"type": "application/gzip" if f.name.endswith(".gz") else f.media_type})
                       for f in files),
                     *([(licence, "license", {})] if is_web_iri(licence) else [])]
        response.headers["Link"] = link_header(signposts)
        return response
    return rdf_response(metadata_triples() + file_triples(), DOCUMENT_TYPES)


def create_dataset_blueprint() -> Blueprint:
    bp = Blueprint("dataset", __name__)
    bp.add_url_rule("/dataset", "dataset", dataset_view)
    bp.add_url_rule("/.well-known/void", "void", dataset_view)
    return bp
