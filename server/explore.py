"""A picture of the graph at ``/explore``: articles per year, cargo class × process, MeSH headings,
and the seed review's citation network.

The counts are the release's statistics, computed once by the build into ``graph/metadata``
(``kg/statistics.py``), so the page runs no aggregate over the graph. The network is a look-up
around one article. Charts are drawn by Chart.js, served from npm's ``node_modules`` at
``/static/vendor/chartjs/…``; without it the page shows the same numbers as tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, request, send_from_directory
from pyoxigraph import NamedNode

from kg import iris
from kg.namespaces import EVKG, SCHEMA, VOID
from kg.remote import StoreError
from server import graph
from server.editor import ROOT
from server.errors import ProtocolError
from server.pages import page_response
from server.state import state
from server.terms import curie, href

#: The article whose neighbourhood is drawn (the review the default graph grew from).
SEED_ARTICLE = "article/37534210"
#: Headings shown in the chart; nodes drawn in the network at most.
TOP_HEADINGS = 15
NETWORK_MAX_NODES = 60
#: Chart.js's built files under npm's folder, and the one the page loads.
CHARTJS_DIST = Path("chart.js/dist")
CHARTJS_FILE = "chart.umd.min.js"


def chartjs_dir() -> Path:
    configured = current_app.config.get("CHARTJS_DIR")
    return Path(configured) if configured else ROOT / "node_modules" / CHARTJS_DIST


def _statistics(cls: NamedNode, columns: str, order: str, outside: str = "") -> list[graph.Row]:
    """The rows of one kind of statistic from ``graph/metadata`` (``?n`` is the count);
    ``outside`` is a pattern over the other graphs (labels)."""
    g = iris.graph_iri("metadata").value
    ds = iris.dataset_iri().value
    return graph.select(
        f"SELECT * WHERE {{ GRAPH <{g}> {{ <{ds}> <{EVKG.statistic.value}> ?s . "
        f"?s a <{cls.value}> ; <{EVKG.count.value}> ?n . {columns} }} {outside} }} ORDER BY {order}")


def year_counts() -> list[tuple[str, int]]:
    rows = _statistics(EVKG.YearCount, f"?s <{EVKG.year.value}> ?year", "?year")
    return [(r["year"].value, int(r["n"].value)) for r in rows]


def article_total() -> int | None:
    """How many articles the release holds, from its VoID class partition (graph/metadata)."""
    g = iris.graph_iri("metadata").value
    rows = graph.select(
        f"SELECT ?n WHERE {{ GRAPH <{g}> {{ <{iris.dataset_iri().value}> <{VOID.classPartition.value}> "
        f"?part . ?part <{VOID['class'].value}> <{SCHEMA.ScholarlyArticle.value}> ; "
        f"<{VOID.entities.value}> ?n }} }} LIMIT 1")
    return int(rows[0]["n"].value) if rows else None


@dataclass
class Heatmap:
    """Findings per cargo class (rows) and process (columns), with labels and totals."""

    classes: list[tuple[str, str]] = field(default_factory=list)
    processes: list[tuple[str, str]] = field(default_factory=list)
    cells: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def peak(self) -> int:
        return max(self.cells.values(), default=0)

    def shade(self, n: int) -> float:
        """Cell opacity: 0 for an empty cell, then 0.15-1 by the square root of the count."""
        return 0.0 if not n else round(0.15 + 0.85 * math.sqrt(n / self.peak), 2)


def heatmap() -> Heatmap:
    rows = _statistics(EVKG.CargoProcessCount,
                       f"?s <{EVKG.countedCargoClass.value}> ?class ; "
                       f"<{EVKG.countedProcess.value}> ?process", "?class ?process")
    result = Heatmap(cells={(r["class"].value, r["process"].value): int(r["n"].value) for r in rows})
    labels = graph.labels_for([iri for pair in result.cells for iri in pair])
    totals: dict[str, int] = {}
    for (cls, process), n in result.cells.items():
        totals[cls] = totals.get(cls, 0) + n
        totals[process] = totals.get(process, 0) + n

    def axis(iris_: set[str]) -> list[tuple[str, str]]:
        named = [(iri, labels.get(iri, curie(iri))) for iri in iris_]
        return sorted(named, key=lambda item: (-totals[item[0]], item[1]))

    result.classes = axis({cls for cls, _ in result.cells})
    result.processes = axis({process for _, process in result.cells})
    return result


def top_headings(limit: int = TOP_HEADINGS) -> list[tuple[str, str, int]]:
    """The most frequent MeSH descriptors: (IRI, label, articles), ties by label."""
    rows = _statistics(EVKG.HeadingCount, f"?s <{EVKG.countedHeading.value}> ?heading .",
                       f"DESC(?n) ?label LIMIT {int(limit)}",
                       "OPTIONAL { ?heading <http://www.w3.org/2000/01/rdf-schema#label> ?label }")
    return [(r["heading"].value, r["label"].value if "label" in r else curie(r["heading"].value),
             int(r["n"].value)) for r in rows]


# --- the citation network ------------------------------------------------------------------------

CITES = "http://purl.org/spar/cito/cites"
SIMILAR = EVKG.similarTo.value


def neighbours(seed: str) -> dict[str, str]:
    """The seed's neighbours and how each relates to it: citing, cited or similar."""
    rows = graph.select(
        f"SELECT ?n ?role WHERE {{ {{ ?n <{CITES}> <{seed}> BIND('citing' AS ?role) }} "
        f"UNION {{ <{seed}> <{CITES}> ?n BIND('cited' AS ?role) }} "
        f"UNION {{ <{seed}> <{SIMILAR}> ?n BIND('similar' AS ?role) }} }}")
    order = {"citing": 0, "cited": 1, "similar": 2}
    roles: dict[str, str] = {}
    for row in sorted(rows, key=lambda r: order[r["role"].value]):
        if row["n"].value != seed:
            roles.setdefault(row["n"].value, row["role"].value)
    return roles


def network_edges(seed: str, around: list[str]) -> list[tuple[str, str, str]]:
    """Every cites / similar-to edge among the seed and ``around`` (as the .rq example gives)."""
    nodes = [seed, *around]
    targets = ", ".join(f"<{iri}>" for iri in nodes)
    rows = graph.select(
        f"SELECT DISTINCT ?source ?relation ?target WHERE {{ VALUES ?source {{ {graph.values(nodes)} }} "
        f"?source ?relation ?target . FILTER(?relation IN (<{CITES}>, <{SIMILAR}>) "
        f"&& ?target IN ({targets})) }}")
    return sorted((r["source"].value, r["relation"].value, r["target"].value) for r in rows)


@dataclass(frozen=True)
class Node:
    iri: str
    role: str  # seed, citing, cited, similar
    x: float
    y: float
    label: str
    title: str
    year: str

    @property
    def link(self) -> str | None:
        return href(self.iri)


@dataclass
class Network:
    nodes: list[Node]
    edges: list[tuple[Node, str, Node]]
    omitted: int = 0
    width: int = 720
    height: int = 460


def _has_seed() -> bool:
    """Whether the served graph describes the seed review: asked once for a store that does
    not change (a release), on every page for one that may (updates, a remote store)."""
    current = state()
    if "seed" not in current.asked:
        try:
            found = graph.ask(f"ASK {{ <{iris.mint(SEED_ARTICLE).value}> ?p ?o }}")
        except StoreError:  # a remote store that is down: no link this time
            return False
        if current.cache is None:
            return found
        current.asked["seed"] = found
    return current.asked["seed"]


def citation_network(seed: str | None = None) -> Network:
    """The seed review and its neighbours on a circle, grouped by how they relate to it."""
    seed = seed or iris.mint(SEED_ARTICLE).value
    roles = neighbours(seed)
    order = {"citing": 0, "cited": 1, "similar": 2}
    around = sorted(roles, key=lambda iri: (order[roles[iri]], iri))
    omitted = max(0, len(around) - NETWORK_MAX_NODES)
    around = around[:NETWORK_MAX_NODES]
    roles[seed] = "seed"
    edges = network_edges(seed, around)
    facts = graph.select(
        f"SELECT ?a ?title ?year WHERE {{ VALUES ?a {{ {graph.values([seed, *around])} }} "
        "OPTIONAL { ?a <http://purl.org/dc/terms/title> ?title } "
        "OPTIONAL { ?a <http://purl.org/spar/fabio/hasPublicationYear> ?year } }")
    info: dict[str, tuple[str, str]] = {}
    for r in facts:  # the first title and year of each article
        info.setdefault(r["a"].value, (r["title"].value if "title" in r else "",
                                       r["year"].value if "year" in r else ""))
    width, height = 720, 460
    cx, cy, radius = width / 2, height / 2, min(width, height) / 2 - 60

    def node(iri: str, x: float, y: float) -> Node:
        title, year = info.get(iri, ("", ""))
        return Node(iri, roles[iri], round(x, 1), round(y, 1), iri.rsplit("/", 1)[-1], title, year)

    nodes = {seed: node(seed, cx, cy)}
    for k, iri in enumerate(around):
        angle = 2 * math.pi * k / max(len(around), 1) - math.pi / 2
        nodes[iri] = node(iri, cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    drawn = [(nodes[s], r, nodes[t]) for s, r, t in edges if s in nodes and t in nodes]
    return Network(list(nodes.values()), drawn, omitted, width, height)


# --- the findings behind a heatmap cell ----------------------------------------------------------

def _known(cargo_class: NamedNode, process: NamedNode) -> None:
    """A 404 naming each of a cell's IRIs that the graph holds nothing of."""
    unknown = [f"{name}=<{iri.value}>" for name, iri in (("cargo_class", cargo_class),
                                                        ("process", process))
               if not graph.ask(f"ASK {{ {graph.ref(iri)} ?p ?o }}")]
    if unknown:
        raise ProtocolError(404, f"/explore/findings: the graph holds no {' nor '.join(unknown)} "
                                 "(the heatmap's cells link its cargo classes and processes)")


def _iri_argument(name: str) -> NamedNode:
    value = request.args.get(name, "")
    try:
        return NamedNode(value)
    except ValueError:
        abort(400, f"/explore/findings needs {name}= an IRI (a cargo class and a process, as the "
                   f"heatmap's cells link them); got {value!r}")


#: Findings a heatmap cell's page lists at most (it says how many there are and links a query
#: for all: a cell of a graph of 20,000 articles listed 5,923, 2.5 MB of HTML).
CELL_LIMIT = 200


def cell_query(cargo_class: NamedNode, process: NamedNode, limit: int | None = None) -> str:
    """The query of the findings counted in one heatmap cell (the statistic's own pattern, one
    cell); with ``limit``, of that many findings, unordered. A finding that names the class
    itself lists the class as its cargo (an unbound ?cargo in the label's OPTIONAL joined
    every label of the graph: 86 rows for 3 findings)."""
    counted = (f"?finding a evkg:Finding ; evkg:process {graph.ref(process)} ; "
               "prov:wasDerivedFrom ?article ; evkg:effect ?effect ; evkg:method ?method .")
    if limit is not None:
        # the page's few findings first, in the store's order: ordering all of a cell's
        # findings to list some of them sorted thousands for each view
        counted = (f"{{ SELECT DISTINCT ?finding WHERE {{ {counted} "
                   f"{{ ?finding evkg:cargo ?c . ?c a {graph.ref(cargo_class)} }} UNION "
                   f"{{ ?finding evkg:cargoClass {graph.ref(cargo_class)} }} }} LIMIT {int(limit)} }}\n"
                   f"  {counted}")
    return f"""PREFIX evkg: <{EVKG.iri}>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT DISTINCT ?finding ?article ?title ?cargo ?cargoLabel ?effect ?method ?note ?retracted WHERE {{
  {counted}
  {{ ?finding evkg:cargo ?cargo . ?cargo a {graph.ref(cargo_class)}
     OPTIONAL {{ ?cargo skos:prefLabel ?cargoLabel }} }}
  UNION {{ VALUES ?cargo {{ {graph.ref(cargo_class)} }} ?finding evkg:cargoClass ?cargo
           OPTIONAL {{ ?cargo rdfs:label ?cargoLabel }} }}
  OPTIONAL {{ ?article <http://purl.org/dc/terms/title> ?title }}
  OPTIONAL {{ ?finding evkg:evidenceNote ?note }}
  OPTIONAL {{ ?finding evkg:fromRetractedArticle ?retracted }}
}}{"" if limit is not None else " ORDER BY ?cargoLabel ?article ?method ?finding"}"""


def cell_findings(cargo_class: NamedNode, process: NamedNode) -> list[graph.Row]:
    """Up to ``CELL_LIMIT`` findings of one heatmap cell, ordered as ``cell_query`` orders all."""
    rows = graph.select(cell_query(cargo_class, process, CELL_LIMIT))

    def order(row: graph.Row) -> tuple[bool, str, str, str, str]:
        label = row.get("cargoLabel")  # (unbound first, as ORDER BY has it)
        return (label is not None, label.value if label is not None else "",
                row["article"].value, row["method"].value, row["finding"].value)

    return sorted(rows, key=order)


def cell_total(cargo_class: NamedNode, process: NamedNode) -> int:
    """How many findings one heatmap cell counts: the release's statistic, which the heatmap
    shows (counted live where the graph has none, as a store a test builds)."""
    stated = _statistics(EVKG.CargoProcessCount,
                         f"?s <{EVKG.countedCargoClass.value}> {graph.ref(cargo_class)} ; "
                         f"<{EVKG.countedProcess.value}> {graph.ref(process)}", "?n")
    if stated:
        return int(stated[0]["n"].value)
    # (FILTER EXISTS: the same count joined as one pattern took 2.4 s for a cell of 5,923)
    return graph.count(
        f"SELECT (COUNT(DISTINCT ?finding) AS ?n) WHERE {{ ?finding <{EVKG.process.value}> "
        f"{graph.ref(process)} ; a <{EVKG.Finding.value}> . FILTER EXISTS {{ ?finding "
        f"<http://www.w3.org/ns/prov#wasDerivedFrom> ?article ; <{EVKG.effect.value}> ?effect ; "
        f"<{EVKG.method.value}> ?method }} FILTER EXISTS {{ {{ ?finding <{EVKG.cargo.value}> ?c . "
        f"?c a {graph.ref(cargo_class)} }} UNION "
        f"{{ ?finding <{EVKG.cargoClass.value}> {graph.ref(cargo_class)} }} }} }}")


def create_explore_blueprint() -> Blueprint:
    bp = Blueprint("explore", __name__)

    @bp.app_context_processor
    def navigation() -> dict[str, object]:
        """Whether the nav links the seed review: a graph built without the default articles
        lacks it, and the link was a 404 there."""
        return {"seed_path": f"{request.script_root}/{SEED_ARTICLE}" if _has_seed() else None}

    @bp.route("/explore")
    def explore() -> Response:
        """The picture of the graph, from the release's statistics."""
        return page_response(
            "explore.html", years=year_counts(), heat=heatmap(), headings=top_headings(),
            articles=article_total(),
            network=citation_network(), chartjs=(chartjs_dir() / CHARTJS_FILE).is_file(),
            chartjs_file=CHARTJS_FILE, href=href, curie=curie)

    @bp.route("/explore/findings")
    def findings() -> Response:
        """The findings behind one heatmap cell (``cargo_class`` and ``process`` IRIs)."""
        cargo_class, process = _iri_argument("cargo_class"), _iri_argument("process")
        rows = cell_findings(cargo_class, process)
        if not rows:  # (a page titled "Findings: evkg:Nope × metastasis" listed none)
            _known(cargo_class, process)
        shown = len({row["finding"].value for row in rows})
        total = cell_total(cargo_class, process) if shown >= CELL_LIMIT else shown
        # (the effects and methods by their labels, as the other pages name them: the cell's
        # page showed evkg:promotes and evkg:TextMining, a browser trial's)
        labels = graph.labels_for([cargo_class.value, process.value,
                                   *(row[name].value for row in rows for name in ("effect", "method"))])

        def label(iri: str) -> str:
            return labels.get(iri, curie(iri))

        return page_response("explore.html", cell=True, rows=rows, href=href, curie=curie, label=label,
                             total=max(total, shown), shown=shown, all_query=cell_query(cargo_class, process),
                             cargo_class=cargo_class.value, process=process.value,
                             class_label=labels.get(cargo_class.value, curie(cargo_class.value)),
                             process_label=labels.get(process.value, curie(process.value)))

    @bp.route("/static/vendor/chartjs/<path:filename>")
    def chartjs_asset(filename: str) -> Response:
        """Chart.js's built files, read from npm's ``node_modules`` (``make install``)."""
        folder = chartjs_dir()
        if not folder.is_dir():
            abort(404)
        response: Response = send_from_directory(folder, filename, max_age=86400)
        return response

    return bp
