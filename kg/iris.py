"""Every IRI the project mints, built here and nowhere else (DESIGN.md, "IRIs")."""

from __future__ import annotations

import hashlib
import os
import unicodedata
from urllib.parse import quote

from pyoxigraph import NamedNode

from kg.namespaces import MESH

#: Default base of every minted IRI; EVKG_BASE_IRI overrides it.
DEFAULT_BASE = "https://w3id.org/evkg/"
#: The named graphs, by short name.
GRAPH_NAMES = ("articles", "mesh", "vocabulary", "findings", "ontology", "metadata")

_SAFE = "/:@!$&'()*+,;=-._~"  # RFC 3987 path characters kept as they are


def base_iri() -> str:
    """The base IRI in force (``EVKG_BASE_IRI`` or the default), always ending in a slash."""
    base = os.environ.get("EVKG_BASE_IRI") or DEFAULT_BASE  # (set empty, as a shell clears it)
    return base if base.endswith("/") else base + "/"


def base_problem() -> str | None:
    """Why ``EVKG_BASE_IRI`` cannot be the base of the IRIs evkg mints, or None: an operator's
    ``EVKG_BASE_IRI=notaurl`` stopped `evkg build` with pyoxigraph's "No scheme found in an
    absolute IRI", which named neither the setting nor its value."""
    base = os.environ.get("EVKG_BASE_IRI")
    if not base:
        return None
    try:
        NamedNode(base_iri() + "x")
    except ValueError as error:
        return (f"EVKG_BASE_IRI={base!r} is no absolute IRI ({error}): give one such as "
                f"{DEFAULT_BASE} (unset, that one)")
    return None


def escaped_path(path: str) -> str:
    """A path (as a server reads it, decoded) escaped the one way every minted IRI is."""
    return quote(path, safe=_SAFE)


def mint(path: str) -> NamedNode:
    """The IRI of a path under the base, escaped the one way every minted IRI is."""
    return NamedNode(base_iri() + escaped_path(path))


def article_iri(pmid: str = "", doi: str = "", pmcid: str = "") -> NamedNode:
    """``article/{pmid}``, else ``article/doi/{doi}``, else ``article/pmc/{pmcid}``."""
    if pmid:
        return mint(f"article/{pmid}")
    if doi:
        return mint(f"article/doi/{doi.lower()}")
    if pmcid:
        return mint(f"article/pmc/{pmcid.upper()}")
    raise ValueError("an article IRI needs a PMID, a DOI or a PMCID")


def doi_url(doi: str) -> NamedNode:
    """The DOI resolver's IRI for a DOI."""
    return NamedNode("https://doi.org/" + quote(doi, safe=_SAFE))


def web_iri(url: str) -> NamedNode:
    """A web address as an IRI, percent-encoding the characters IRIs cannot hold (spaces)."""
    return NamedNode(quote(url, safe=_SAFE + "?#%[]"))


def title_key(title: str) -> str:
    """A journal title as an IRI key: lower case, each run of characters other than letters
    and digits a hyphen. Letters of any script count, with their marks ("revue-médicale-suisse",
    percent-encoded in the IRI): only ASCII's did, so "Deutsches Ärzteblatt" was
    "deutsches-rzteblatt" and a title in Chinese had no key (its article was quarantined)."""
    lowered = unicodedata.normalize("NFC", title.lower())
    kept = "".join(c if c.isalnum() or unicodedata.category(c)[0] == "M" else " " for c in lowered)
    return "-".join(kept.split())


def journal_iri(nlm_id: str = "", issn: str = "", title: str = "") -> NamedNode:
    """``journal/{nlm-unique-id}``, else ``journal/issn/{issn}``, else ``journal/title/{key}``."""
    if nlm_id:
        return mint(f"journal/{nlm_id}")
    if issn:
        return mint(f"journal/issn/{issn.upper()}")
    if title_key(title):
        return mint(f"journal/title/{title_key(title)}")
    raise ValueError("a journal IRI needs an NLM id, an ISSN or a title")


def author_iri(article: NamedNode, position: int, orcid: str = "") -> NamedNode:
    """``author/{orcid}``, else ``{article}/author/{position}`` (1-based)."""
    if orcid:
        return mint(f"author/{orcid}")
    return NamedNode(f"{article.value}/author/{position}")


def investigator_iri(article: NamedNode, position: int, orcid: str = "") -> NamedNode:
    """``author/{orcid}`` (one person, whether an article lists them as an author or as an
    investigator), else ``{article}/investigator/{position}`` (1-based)."""
    if orcid:
        return author_iri(article, position, orcid)
    return NamedNode(f"{article.value}/investigator/{position}")


def example_iri(name: str) -> NamedNode:
    """``query/{name}``: the example query of ``queries/{name}.rq`` (``kg.examples``)."""
    return mint(f"query/{name}")


def prefixes_iri() -> NamedNode:
    """``query/prefixes``, the prefixes the examples may use (``kg.examples``)."""
    return mint("query/prefixes")


def cargo_iri(key: str) -> NamedNode:
    return mint(f"cargo/{key}")


def process_iri(key: str) -> NamedNode:
    return mint(f"process/{key}")


def disease_iri(key: str) -> NamedNode:
    return mint(f"disease/{key}")


def ev_type_iri(key: str) -> NamedNode:
    return mint(f"ev-type/{key}")


#: Vocabulary file stem → IRI minting function.
CONCEPT_IRIS = {
    "processes": process_iri,
    "diseases": disease_iri,
    "ev_types": ev_type_iri,
    "cargo": cargo_iri,
}


def finding_iri(*parts: str) -> NamedNode:
    """``finding/{hash}``: the first 16 hex digits of SHA-256 over the finding's defining parts."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]
    return mint(f"finding/{digest}")


def graph_iri(name: str) -> NamedNode:
    if name not in GRAPH_NAMES:
        raise ValueError(f"unknown graph {name!r}; the graphs are {', '.join(GRAPH_NAMES)}")
    return mint(f"graph/{name}")


def named_graph(name_or_iri: str) -> NamedNode:
    """One of the release's graphs, given by name (``articles``) or by its IRI."""
    for name in GRAPH_NAMES:
        if name_or_iri in (name, mint(f"graph/{name}").value):
            return mint(f"graph/{name}")
    return graph_iri(name_or_iri)  # the error that lists them


def release_iri(version: str) -> NamedNode:
    return mint(f"release/{version}")


def dataset_iri() -> NamedNode:
    return mint("dataset")


def mesh_iri(ui: str) -> NamedNode:
    """NLM's IRI for a descriptor, qualifier, supplementary concept or tree number."""
    return MESH[ui]


def mesh_pair_iri(descriptor_ui: str, qualifier_ui: str) -> NamedNode:
    """NLM's descriptor–qualifier pair IRI, e.g. ``mesh:D001943Q000378``."""
    return MESH[descriptor_ui + qualifier_ui]


#: CURIE prefix (as written in data/vocabulary) → IRI namespace (../shared/vocab/prefixes.tsv).
CURIE_NAMESPACES = {
    "GO": "http://purl.obolibrary.org/obo/GO_",
    "MONDO": "http://purl.obolibrary.org/obo/MONDO_",
    "DOID": "http://purl.obolibrary.org/obo/DOID_",
    "NCIT": "http://purl.obolibrary.org/obo/NCIT_",
    "CHEBI": "http://purl.obolibrary.org/obo/CHEBI_",
    "SO": "http://purl.obolibrary.org/obo/SO_",
    "MESH": "http://id.nlm.nih.gov/mesh/",
    "mirbase": "https://identifiers.org/mirbase:",
    "mirbase.mature": "https://identifiers.org/mirbase.mature:",
    "HGNC": "https://identifiers.org/hgnc:",
    "UNIPROT": "http://purl.uniprot.org/uniprot/",
    "ENSEMBL": "https://identifiers.org/ensembl:",
}


def curie_iri(curie: str) -> NamedNode:
    """Expand a CURIE such as ``GO:0001525`` or ``mirbase.mature:MIMAT0000076``."""
    prefix, _, local = curie.partition(":")
    try:
        return NamedNode(CURIE_NAMESPACES[prefix] + local)
    except KeyError:
        known = ", ".join(CURIE_NAMESPACES)
        raise ValueError(f"unknown CURIE prefix in {curie!r}; known: {known}") from None
