"""Checks a built graph: SHACL shapes (``ontology/shapes.ttl``) and SPARQL checks
(``ontology/checks/*-violation.rq``, each of which must return no rows).

Every problem is reported as one line naming the focus node, the shape or check, and the message.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import rdflib
from pyoxigraph import NamedNode, QuerySolutions, RdfFormat, Store, serialize
from pyshacl import validate as shacl_validate

from kg import iris
from kg.stopping import Stop

#: Above this many triples SHACL runs on a sample instead of the whole graph (the SPARQL checks
#: still read all of it). pyshacl's time grows with the graph: a 1,000-article build (124k
#: triples) took 42 s whole against 17 s for its sample (43k triples), so the whole graph is
#: only validated where that costs no more than a sample would (the default graph: ~15k). A
#: sample holds the MeSH descriptors its articles name, not the whole ``graph/mesh``.
SHACL_LIMIT = 50_000
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def store_graph(store: Store, graphs: Iterable[NamedNode] | None = None) -> rdflib.Graph:
    """The union of the store's named graphs (or of ``graphs``) as an rdflib graph (for
    pyshacl)."""
    quads = store if graphs is None else (
        quad for graph in graphs for quad in store.quads_for_pattern(None, None, None, graph))
    data = serialize((quad.triple for quad in quads), format=RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


def shacl_problems(data: rdflib.Graph, shapes_file: Path) -> list[str]:
    """One line per SHACL result: focus node, shape, path and message. ``data`` must hold the
    ontology (a build's graph/ontology): ``sh:targetClass`` and ``sh:class`` follow its
    ``rdfs:subClassOf``. No inference runs: the shapes also target the subjects and objects that
    the ontology's domains and ranges would type (owlrl's whole RDFS closure took 11.3 s of the
    11.5 s of SHACL on a 300-article sample of a 10k-article build)."""
    shapes = rdflib.Graph().parse(shapes_file, format="turtle")
    conforms, report, _ = shacl_validate(data, shacl_graph=shapes, inference="none",
                                         allow_warnings=True)
    if conforms:
        return []
    problems = []
    for result in report.subjects(rdflib.RDF.type, SH.ValidationResult):
        if report.value(result, SH.resultSeverity) != SH.Violation:
            continue
        focus = report.value(result, SH.focusNode)
        shape = report.value(result, SH.sourceShape)
        path = report.value(result, SH.resultPath)
        message = report.value(result, SH.resultMessage)
        # a property shape is a blank node: the node shape that holds it names it
        shape_name = shape if isinstance(shape, rdflib.URIRef) else shapes.value(
            None, SH.property, shape) or shape
        problems.append(f"{_named(data, focus, report.value(result, SH.value), shapes)}: "
                        f"shape {shape_name}"
                        + (f" (path {path})" if path is not None else "") + f": {message}")
    # a value can fail two constraints of one shape (a datatype and a pattern), which gave the
    # same line twice
    return sorted(set(problems))


def _named(data: rdflib.Graph, focus: rdflib.term.Node | None, value: rdflib.term.Node | None,
           shapes: rdflib.Graph) -> str:
    """How a problem names its focus node. A blank node's label (rdflib's, made up as it parsed
    the data) is nothing a user can look up: it is named by the IRI it hangs from (an article)
    and the properties leading to it ("…/article/1 evkg:abstractSection"), with the value at
    fault, which tells one of an article's sections or grants from another."""
    if not isinstance(focus, rdflib.BNode):
        return str(focus)
    node: rdflib.term.Node = focus
    path: list[str] = []
    seen = {node}
    while isinstance(node, rdflib.BNode):
        link = next(iter(data.subject_predicates(node)), None)
        if link is None or link[0] in seen:
            break
        node, step = link
        seen.add(node)
        path.append(step.n3(shapes.namespace_manager))
    owner = str(node) if isinstance(node, rdflib.URIRef) else "a blank node"
    return (f"{owner} {'/'.join(reversed(path))}".rstrip() + " (a blank node"
            + (f", value {value.n3(shapes.namespace_manager)}" if value is not None else "")
            + ")")


def _subject(problem: str) -> str:
    """The IRI a problem line names first (its focus, or the IRI a blank node hangs from)."""
    return problem.split(" ", 1)[0].removesuffix(":")


def named_articles(problems: Iterable[str]) -> set[str]:
    """The article IRIs the problem lines name first (``_subject``): only an article has a
    source record to find (a journal, a MeSH term, a check's row without ``?focus`` has
    none)."""
    articles = iris.mint("article/").value
    return {subject for problem in problems if (subject := _subject(problem)).startswith(articles)}


def located(problems: Iterable[str], records: dict[str, str]) -> list[str]:
    """``problems``, each naming the source record (``records``: IRI → where it was read,
    as the quarantine names it) of the IRI it names first."""
    return [problem + (f" (its record: {where})" if (where := records.get(_subject(problem)))
                       else "") for problem in problems]


def check_problems(store: Store, checks_dir: Path, stop: Stop | None = None) -> list[str]:
    """One line per row returned by a ``*-violation.rq`` check, in the order of the files.

    The checks run two at a time: each is a scan of the store in Rust, which lets go of the GIL.
    Once ``stop`` is set, the checks not yet started are left (a stopping build reads none).
    """
    checks = sorted(checks_dir.glob("*-violation.rq"))
    with ThreadPoolExecutor(max_workers=CHECK_THREADS) as pool:
        found = list(pool.map(lambda check: [] if stop is not None and stop.stopped
                              else _check_rows(store, check), checks))
    return [problem for rows in found for problem in rows]


#: How many checks run at once.
CHECK_THREADS = 2


def _check_rows(store: Store, check: Path) -> list[str]:
    solutions = store.query(check.read_text(encoding="utf-8"), use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    names = [v.value for v in solutions.variables]
    problems = []
    for row in solutions:
        values = dict(zip(names, row, strict=False))
        focus = values.get("focus")
        message = values.get("message")
        problems.append(f"{focus.value if focus else '?'}: check {check.name}: "
                        f"{message.value if message else 'violation'}")
    return problems


#: How many articles the SHACL sample of a large graph takes.
SAMPLE_ARTICLES = 300
#: The sample: some articles with everything that describes them, and the small graphs whole.
SAMPLE_QUERY = """
PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX fabio: <http://purl.org/spar/fabio/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX bibo: <http://purl.org/ontology/bibo/>
PREFIX evkg: <https://w3id.org/evkg/ontology#>
CONSTRUCT {{ ?s ?p ?o }} WHERE {{
  {{ {{ SELECT ?a {{ GRAPH <{articles}> {{ ?a a schema:ScholarlyArticle }} }} LIMIT {limit} }}
     {{ ?a a schema:ScholarlyArticle BIND(?a AS ?s) }}
     UNION {{ ?a dcterms:creator|dcterms:contributor|dcterms:isPartOf|fabio:hasSubjectTerm
                 |evkg:supplementaryConcept
                 |evkg:dataBankEntry|evkg:abstractSection ?s }}
     UNION {{ ?a bibo:authorList/rdf:rest* ?s }}
     UNION {{ ?s prov:wasDerivedFrom ?a }}
     ?s ?p ?o }}
  UNION {{ VALUES ?g {{ <{vocabulary}> <{ontology}> <{metadata}> }} GRAPH ?g {{ ?s ?p ?o }} }}
}}"""


def sample_graph(store: Store, limit: int = SAMPLE_ARTICLES) -> rdflib.Graph:
    """A sample of a large store for SHACL: ``limit`` articles and their descriptions, with the
    vocabulary, ontology and metadata graphs whole (pyshacl on the whole graph does not scale)."""
    query = SAMPLE_QUERY.format(limit=limit, **{name: iris.graph_iri(name).value for name in
                                                ("articles", "vocabulary", "ontology", "metadata")})
    triples = store.query(query, use_default_graph_as_union=True)
    data = serialize(triples, format=RdfFormat.N_TRIPLES)  # type: ignore[arg-type]
    return rdflib.Graph().parse(data=data, format="nt")


def check_store(store: Store, ontology_dir: Path, *, shacl: bool = True) -> list[str]:
    """Every problem in the store: the SPARQL checks on all of it, and SHACL on all of it when
    it is small, else on a sample of articles with everything that describes them."""
    problems = check_problems(store, ontology_dir / "checks")
    if shacl:
        problems += store_shacl_problems(store, ontology_dir)
    return problems


def description_shacl_problems(store: Store, ontology_dir: Path) -> list[str]:
    """SHACL on graph/metadata, which a build adds after the rest is validated
    (``kg.release.write_dumps``), with the graphs its nodes are described in (as a sample)."""
    graphs = [iris.graph_iri(name) for name in ("metadata", "ontology", "vocabulary")]
    return shacl_problems(store_graph(store, graphs), ontology_dir / "shapes.ttl")


def store_shacl_problems(store: Store, ontology_dir: Path) -> list[str]:
    """SHACL on the whole store when it is small, else on a sample (see ``check_store``)."""
    data = store_graph(store) if len(store) <= SHACL_LIMIT else sample_graph(store)
    return shacl_problems(data, ontology_dir / "shapes.ttl")
