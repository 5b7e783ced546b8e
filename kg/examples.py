"""The example queries (``queries/*.rq``): read for the query editor, and described in
``graph/metadata`` as SIB's SPARQL examples describe theirs, so that tools which ask an endpoint
for its examples and prefixes find them.

Each file starts with ``# title:`` and ``# description:`` comment lines. In the graph an example
is ``query/{name}``, a SHACL ``sh:SPARQLExecutable`` (and ``sh:SPARQLSelectExecutable``, …) with
its title (``rdfs:label``), description (``rdfs:comment``), text (``sh:select``, ``sh:ask``,
``sh:construct``; a DESCRIBE's ``spex:describe``, as SIB's examples give it), the endpoint it is
for (``schema:target``) and the prefixes it may use (``sh:prefixes``, whose ``sh:declare`` list
the editor's prefixes, each a blank node with ``sh:prefix`` and ``sh:namespace``): the
convention of github.com/sib-swiss/sparql-examples (its README, "Querying for queries"), which
the UniProt, Bgee and OMA endpoints follow and SIB's sparql-editor reads (``SELECT ?sq ?comment
?query { ?sq a sh:SPARQLExecutable ; rdfs:comment ?comment ; sh:select|sh:ask|sh:construct|
sh:describe ?query }``, and ``[] sh:namespace ?namespace ; sh:prefix ?prefix`` for prefixes).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import BlankNode, Literal, NamedNode, Quad

from kg import iris
from kg.namespaces import PREFIXES, RDF, RDFS, SCHEMA, SH, XSD, Namespace
from kg.querytext import query_form

#: The project's example queries.
QUERIES_DIR = Path(__file__).resolve().parents[1] / "queries"
#: SIB's vocabulary for what SHACL has no term for (a DESCRIBE query's text).
SPEX = Namespace("https://purl.expasy.org/sparql-examples/ontology#")
#: The text property and the class of each query form.
FORMS = {"SELECT": (SH.select, SH.SPARQLSelectExecutable), "ASK": (SH.ask, SH.SPARQLAskExecutable),
         "CONSTRUCT": (SH.construct, SH.SPARQLConstructExecutable),
         "DESCRIBE": (SPEX.describe, SH.SPARQLExecutable)}


@dataclass(frozen=True)
class Example:
    name: str
    title: str
    description: str
    query: str


def header_fields(text: str) -> Iterator[tuple[str, str]]:
    """The ``# key: value`` comment lines that head a query file (key in lower case), up to its
    first line of SPARQL."""
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                return
            continue
        key, _, value = stripped.lstrip("#").strip().partition(":")
        yield key.strip().lower(), value.strip()


def parse_example(path: Path) -> Example:
    """An example query: its ``# title:`` and ``# description:`` header lines and its text."""
    text = path.read_text(encoding="utf-8")
    title = ""
    description: list[str] = []
    for key, value in header_fields(text):
        if key == "title" and not title:
            title = value
        elif key == "description":
            description.append(value)
    return Example(path.stem, title or path.stem.replace("-", " "), " ".join(description),
                   rebased(_without_checks(text), iris.base_iri()))


#: An IRI the examples write under the default base, but the ontology's (its namespace stays
#: where it is whatever the base: ``kg.namespaces``).
_MINTED_IN_TEXT = re.compile(re.escape(iris.DEFAULT_BASE) + r"(?!ontology\b)")


def rebased(text: str, base: str) -> str:
    """``text`` with the IRIs it writes under the default base (``<https://w3id.org/evkg/
    process/metastasis>``) written under ``base``: the examples are written for the default
    base, and under another (``EVKG_BASE_IRI``) they named resources the graph does not hold,
    and answered no rows."""
    return text if base == iris.DEFAULT_BASE else _MINTED_IN_TEXT.sub(base, text)


#: Header keys that are the test suite's (tests/test_queries.py), not the reader's (``# needs:
#: network`` stays: it tells a reader the query calls another endpoint).
CHECK_KEYS = ("expect",)


def _without_checks(text: str) -> str:
    """``text`` without its ``# expect:`` header lines: the editor shows a query, not the
    assertions the test suite checks its answer with."""
    lines = text.splitlines(keepends=True)
    kept: list[str] = []
    for number, line in enumerate(lines):
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            return "".join(kept + lines[number:])  # the header ends at the first SPARQL line
        key = stripped.lstrip("#").strip().partition(":")[0].strip().lower()
        if key not in CHECK_KEYS:
            kept.append(line)
    return "".join(kept)


def load_examples(directory: Path) -> list[Example]:
    """Every ``*.rq`` file in ``directory``, in the order of their titles (by file name the
    editor's list read "Cargo linked to angiogenesis…" before "Articles per year")."""
    if not directory.is_dir():
        return []
    return sorted((parse_example(path) for path in directory.glob("*.rq")),
                  key=lambda example: (example.title.casefold(), example.name))


def example_quads(graph: NamedNode, directory: Path = QUERIES_DIR) -> Iterator[Quad]:
    """The examples of ``directory`` and the prefixes they may use, in ``graph``."""
    prefixes = iris.prefixes_iri()
    target = NamedNode(iris.base_iri() + "sparql")
    for example in sorted(load_examples(directory), key=lambda example: example.name):
        form = query_form(example.query)
        if form is None:
            raise ValueError(f"{directory / example.name}.rq: no SELECT, ASK, CONSTRUCT or "
                             "DESCRIBE query in it")
        text, kind = FORMS[form]
        node = iris.example_iri(example.name)
        yield from (Quad(node, RDF.type, SH.SPARQLExecutable, graph),
                    Quad(node, RDF.type, kind, graph),
                    Quad(node, RDFS.label, Literal(example.title, language="en"), graph),
                    Quad(node, RDFS.comment, Literal(example.description or example.title,
                                                     language="en"), graph),
                    Quad(node, text, Literal(example.query), graph),
                    Quad(node, SH.prefixes, prefixes, graph),
                    Quad(node, SCHEMA.target, target, graph))
    for prefix, namespace in PREFIXES.items():
        # the page's own node, as SHACL's examples declare prefixes: an IRI of its own
        # (query/prefixes#dcterms) was described by no page, the prefixes' page listing links
        # back to itself (a fixed label: two builds write the same bytes)
        declaration = BlankNode(f"prefix-{prefix}")
        yield from (Quad(prefixes, SH.declare, declaration, graph),
                    Quad(declaration, SH.prefix, Literal(prefix), graph),
                    Quad(declaration, SH.namespace, Literal(namespace, datatype=XSD.anyURI),
                         graph))
