"""Checks a built graph: SHACL shapes (``ontology/shapes.ttl``) and SPARQL checks
(``ontology/checks/*-violation.rq``, each of which must return no rows).

Every problem is reported as one line naming the focus node, the shape or check, and the message.
"""

from __future__ import annotations

from pathlib import Path

import rdflib
from pyoxigraph import QuerySolutions, RdfFormat, Store, serialize
from pyshacl import validate as shacl_validate

#: Above this many triples SHACL is skipped on the whole graph (the SPARQL checks still run).
SHACL_LIMIT = 500_000
SH = rdflib.Namespace("http://www.w3.org/ns/shacl#")


def store_graph(store: Store) -> rdflib.Graph:
    """The union of the store's named graphs as an rdflib graph (for pyshacl)."""
    data = serialize((quad.triple for quad in store), format=RdfFormat.N_TRIPLES)
    return rdflib.Graph().parse(data=data, format="nt")


def shacl_problems(data: rdflib.Graph, shapes_file: Path) -> list[str]:
    """One line per SHACL result: focus node, shape, path and message."""
    shapes = rdflib.Graph().parse(shapes_file, format="turtle")
    conforms, report, _ = shacl_validate(data, shacl_graph=shapes, inference="rdfs",
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
        shape_name = shape if isinstance(shape, rdflib.URIRef) else report.value(
            None, SH.property, shape) or shape
        problems.append(f"{focus}: shape {shape_name}"
                        + (f" (path {path})" if path is not None else "") + f": {message}")
    return sorted(problems)


def check_problems(store: Store, checks_dir: Path) -> list[str]:
    """One line per row returned by a ``*-violation.rq`` check."""
    problems = []
    for check in sorted(checks_dir.glob("*-violation.rq")):
        solutions = store.query(check.read_text(encoding="utf-8"),
                                use_default_graph_as_union=True)
        assert isinstance(solutions, QuerySolutions)
        names = [v.value for v in solutions.variables]
        for row in solutions:
            values = dict(zip(names, row, strict=False))
            focus = values.get("focus")
            message = values.get("message")
            problems.append(f"{focus.value if focus else '?'}: check {check.name}: "
                            f"{message.value if message else 'violation'}")
    return problems


def check_store(store: Store, ontology_dir: Path, *, shacl: bool = True) -> list[str]:
    """Every problem in the store: the SPARQL checks, and SHACL when the graph is small enough."""
    problems = check_problems(store, ontology_dir / "checks")
    if shacl and len(store) <= SHACL_LIMIT:
        problems += shacl_problems(store_graph(store), ontology_dir / "shapes.ttl")
    return problems
