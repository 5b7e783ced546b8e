"""How RDF terms show on a page: local paths for our IRIs, CURIEs, labels, safe links."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from pyoxigraph import BlankNode, Literal, NamedNode

from kg import iris
from kg.namespaces import EVKG, ONTOLOGY_IRI, PREFIXES, RDFS, SKOS, XSD

#: Label properties, most preferred first (a page shows the first one a resource has).
LABEL_PROPERTIES = (SKOS.prefLabel, RDFS.label, NamedNode("http://purl.org/dc/terms/title"),
                    NamedNode("http://xmlns.com/foaf/0.1/name"))

Term = NamedNode | BlankNode | Literal

#: NLM's MeSH IRIs that graph/mesh describes: descriptors, qualifiers, supplementary records,
#: descriptor-qualifier pairs and tree numbers. Their pages are ``/mesh/{id}``.
MESH_IRI = "http://id.nlm.nih.gov/mesh/"
MESH_ID = re.compile(r"[DCQ]\d+(?:Q\d+)?|[A-Z]\d{2}(?:\.\d{3})*")


def path_iri(path: str) -> NamedNode:
    """The IRI a request path stands for: the base IRI plus the path, escaped as ``kg.iris`` mints.

    Werkzeug hands views the decoded path; quoting it again with the characters ``kg.iris``
    keeps gives back the minted IRI (``%25`` stays ``%25``, non-ASCII is UTF-8 escaped).
    """
    return iris.mint(path.lstrip("/"))


def local_path(iri: str) -> str | None:
    """The path at which this server answers for ``iri``, or None when it is not ours."""
    if iri == ONTOLOGY_IRI:
        return "/ontology"
    if iri.startswith(EVKG.iri):
        return "/ontology#" + iri[len(EVKG.iri):]
    base = iris.base_iri()
    if iri.startswith(base) and len(iri) > len(base):
        return "/" + iri[len(base):]
    if iri.startswith(MESH_IRI) and MESH_ID.fullmatch(iri, len(MESH_IRI)):
        return "/mesh/" + iri[len(MESH_IRI):]
    return None


def is_web_iri(iri: str) -> bool:
    """Whether ``iri`` may be a link on a page (http or https only: never ``javascript:``)."""
    return iri.lower().startswith(("http://", "https://"))


def href(iri: str) -> str | None:
    """Where a link to ``iri`` points on our pages: our own path, a web address, or nothing."""
    local = local_path(iri)
    if local is not None:
        return local
    return iri if is_web_iri(iri) else None


@lru_cache(maxsize=4096)
def curie(iri: str) -> str:
    """``prefix:local`` for an IRI under one of our prefixes (longest namespace wins), else the IRI."""
    best = ""
    name = ""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(namespace) > len(best):
            best, name = namespace, prefix
    local = iri[len(best):]
    if best and local and all(c.isalnum() or c in "_-." for c in local):
        return f"{name}:{local}"
    return iri


@dataclass(frozen=True)
class Value:
    """A term ready for a template: text to show, an optional link, and what kind of term it is."""

    text: str
    link: str | None = None
    kind: str = "iri"  # "iri", "literal" or "blank"
    note: str = ""  # a literal's language or datatype, an IRI's CURIE
    iri: str = ""

    @property
    def local(self) -> bool:
        return self.link is not None and self.link.startswith("/")


def literal_note(literal: Literal) -> str:
    if literal.language:
        return f"@{literal.language}"
    datatype = literal.datatype.value
    if datatype in (XSD.string.value, "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"):
        return ""
    return curie(datatype)


def value_of(term: Term, labels: dict[str, str]) -> Value:
    """A template value for ``term``, labelled from ``labels`` (IRI → label) when it can be."""
    if isinstance(term, Literal):
        return Value(term.value, None, "literal", literal_note(term))
    if isinstance(term, BlankNode):
        return Value("(anonymous)", None, "blank", "", term.value)
    label = labels.get(term.value)
    short = curie(term.value)
    local = local_path(term.value)
    if short == term.value and local is not None:
        short = local.lstrip("/")  # e.g. finding/2b34042e5e9bc115
    note = short if label and short != term.value else ""
    return Value(label or short, href(term.value), "iri", note, term.value)


def best_label(candidates: list[tuple[str, Literal]]) -> str | None:
    """The label to show from (label property IRI, literal) pairs: preferred property, English."""
    def rank(item: tuple[str, Literal]) -> tuple[int, int]:
        prop, literal = item
        order = [p.value for p in LABEL_PROPERTIES]
        position = order.index(prop) if prop in order else len(order)
        language = literal.language or ""
        return position, 0 if language in ("", "en") or language.startswith("en-") else 1

    if not candidates:
        return None
    return min(candidates, key=rank)[1].value
