"""The picture of the graph: statistics the build stores, the /explore page that reads them, and
the live example queries that must give the same numbers."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pyoxigraph import NamedNode, Quad, QuerySolutions, Store

from kg import iris
from kg.build import BuildReport
from kg.namespaces import EVKG
from kg.statistics import statistics_quads
from server import create_app, graph
from tests.conftest import Backend, just_loaded, live_settings, serving

ROOT = Path(__file__).resolve().parents[1]
HTML = {"Accept": "text/html"}
BASE = "https://w3id.org/evkg/"
CHARTJS = ROOT / "node_modules/chart.js/dist/chart.umd.min.js"
RDF_TYPE = NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def rows(store: Store, query: str) -> list[dict[str, str]]:
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    names = [v.value for v in solutions.variables]
    return [{n: s[n].value for n in names if s[n] is not None} for s in solutions]  # type: ignore[union-attr]


def example(name: str) -> str:
    return (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")


def stored(store: Store, cls: str, dimensions: tuple[str, ...]) -> dict[tuple[str, ...], int]:
    """The statistics of one class in graph/metadata, by their dimension values."""
    columns = " ".join(f"<{EVKG[d].value}> ?{d} ;" for d in dimensions)
    found = rows(store, f"""SELECT * WHERE {{ GRAPH <{iris.graph_iri('metadata').value}> {{
        <{iris.dataset_iri().value}> <{EVKG.statistic.value}> ?s .
        ?s a <{EVKG[cls].value}> ; {columns} <{EVKG.count.value}> ?n }} }}""")
    return {tuple(r[d] for d in dimensions): int(r["n"]) for r in found}


# --- the build's statistics agree with the live example queries -----------------------------------

def test_year_statistics_match_articles_per_year(default_store: Store) -> None:
    live = {(r["year"],): int(r["articles"]) for r in rows(default_store, example("articles-per-year"))}
    assert stored(default_store, "YearCount", ("year",)) == live
    assert live[("2023",)] == 13


def test_cargo_process_statistics_match_the_example(default_store: Store) -> None:
    live = {(r["class"], r["process"]): int(r["findings"])
            for r in rows(default_store, example("cargo-class-process-counts"))}
    assert stored(default_store, "CargoProcessCount", ("countedCargoClass", "countedProcess")) == live
    assert live[(EVKG.MicroRNA.value, BASE + "process/metastasis")] == 9


def test_heading_statistics_match_the_top_headings(default_store: Store) -> None:
    statistics = stored(default_store, "HeadingCount", ("countedHeading",))
    live = rows(default_store, example("top-mesh-headings"))
    assert live and all(statistics[(r["heading"],)] == int(r["articles"]) for r in live)
    everything = example("top-mesh-headings").replace("LIMIT 20", "")
    assert len(statistics) == len(rows(default_store, everything))


def test_statistics_are_the_same_quads_every_time(default_store: Store) -> None:
    first, second = list(statistics_quads(default_store)), list(statistics_quads(default_store))
    assert first == second
    assert all(q.graph_name == iris.graph_iri("metadata") for q in first)


def test_release_void_file_holds_the_statistics(default_build: tuple[Path, BuildReport]) -> None:
    _, report = default_build
    assert report.release_dir is not None
    void = (report.release_dir / "void.ttl").read_text(encoding="utf-8")
    assert "evkg:YearCount" in void and "evkg:HeadingCount" in void


# --- the page --------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def app(default_build: tuple[Path, BuildReport]) -> Flask:
    out, _ = default_build
    return create_app({"STORE_DIR": str(out), "TESTING": True})


@pytest.fixture(scope="module")
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def page(client: FlaskClient) -> str:
    response = client.get("/explore", headers=HTML)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_page_shows_the_year_counts(page: str, default_store: Store) -> None:
    for row in rows(default_store, example("articles-per-year")):
        assert f'data-label="{row["year"]}" data-value="{row["articles"]}"' in page


def test_page_says_what_its_counts_rest_on(page: str, default_store: Store) -> None:
    """A review's: "Publications per year: 83 articles" did not say 10 of 93 have no year; the
    heading chart did not say few articles carry MeSH indexing; the heatmap counted one claim
    once a method without saying so."""
    total = int(next(iter(default_store.query(
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { GRAPH ?g { "
        "?a a <https://schema.org/ScholarlyArticle> } }")))["n"].value)
    dated = sum(int(r["articles"]) for r in rows(default_store, example("articles-per-year")))
    assert dated < total
    assert (f"{dated} of the release's {total} articles have a publication year; {total - dated} "
            "have none.") in page
    assert "only articles read from a PubMed record or page carry them" in page
    assert "each method makes its own" in page


def test_heatmap_cells_are_the_statistics_and_link_to_their_findings(
        page: str, client: FlaskClient, default_store: Store) -> None:
    cells = {(c, p): int(n) for c, p, n in re.findall(
        r'data-class="([^"]+)" data-process="([^"]+)" data-value="(\d+)"', page)}
    live = {(r["class"], r["process"]): int(r["findings"])
            for r in rows(default_store, example("cargo-class-process-counts"))}
    assert {k: v for k, v in cells.items() if v} == live
    links = {}
    for link in re.findall(r'href="(/explore/findings\?[^"]+)"', page):
        query = parse_qs(urlsplit(html.unescape(link)).query)
        links[(query["cargo_class"][0], query["process"][0])] = html.unescape(link)
    assert set(links) == set(live)
    for (cls, process), n in live.items():
        listing = client.get(links[(cls, process)], headers=HTML).get_data(as_text=True)
        body = listing.split('<table class="findings" id="cell-findings">')[1]
        assert body.count("<tr") - 1 == n, (cls, process)


def test_cell_listing_names_its_findings(client: FlaskClient) -> None:
    link = "/explore/findings?" + urlencode({"cargo_class": EVKG.LongNoncodingRNA.value,
                                             "process": BASE + "process/drug_resistance"})
    html = client.get(link, headers=HTML).get_data(as_text=True)
    assert 'href="/cargo/SNHG14"' in html and "retracted" in html
    # a browser trial's: effects and methods were CURIEs (evkg:promotes, evkg:TextMining)
    # where every other page names them, and the lead named the class so
    body = html.split('<table class="findings" id="cell-findings">')[1].split("</table>")[0]
    rows = re.findall(r"<tr[^>]*>\s*<td>.*?</td>\s*<td>([^<]*)</td>.*?<a href=\"/finding/[^\"]+\">"
                      r"([^<]*)</a></td>", body, re.S)
    assert rows and all(not effect.startswith("evkg:") and not method.startswith("evkg:")
                        for effect, method in rows), rows
    assert ("promotes", "curated evidence") in rows
    assert "evkg:LongNoncodingRNA</a> to the process" not in html


def test_cell_listing_names_a_class_level_finding_by_its_class(client: FlaskClient) -> None:
    """MeSH indexing of DNA, Mitochondrial makes a finding about the class (Sansone 2017): its
    row names the class, and the listing holds only the cell's findings."""
    link = "/explore/findings?" + urlencode({"cargo_class": EVKG.MitochondrialDNA.value,
                                             "process": BASE + "process/drug_resistance"})
    html = client.get(link, headers=HTML).get_data(as_text=True)
    body = html.split('<table class="findings" id="cell-findings">')[1].split("</table>")[0]
    cargo = re.findall(r"<tr[^>]*>\s*<td>(?:<a href=\"([^\"]+)\">([^<]+)</a>)?</td>", body)
    assert len(cargo) == 3
    assert sorted(label for _, label in cargo) == [
        "mitochondrial DNA", "mitochondrial genome", "mitochondrial genome"]
    assert {link for link, label in cargo if label == "mitochondrial genome"} == {"/cargo/mtDNA"}
    assert "MitochondrialDNA" in next(link for link, label in cargo if label == "mitochondrial DNA")


def test_a_big_cells_listing_says_how_many_it_lists_and_links_a_query_for_all() -> None:
    """The microRNA × proliferation cell of a synthetic graph of 20,000 articles listed all
    its 5,923 findings on one page (2.5 MB of HTML); the listing has a cap, says so, and links
    the query that gives them all."""
    cls, process = EVKG.MicroRNA, iris.process_iri("proliferation")
    store = Store()
    graph_iri = iris.graph_iri("findings")
    prov_derived = NamedNode("http://www.w3.org/ns/prov#wasDerivedFrom")
    cargo = iris.cargo_iri("hsa-miR-hub")
    store.add(Quad(cargo, RDF_TYPE, cls, graph_iri))
    for n in range(230):
        finding = iris.finding_iri(f"hub{n}")
        for p, o in ((RDF_TYPE, EVKG.Finding), (EVKG.process, process), (EVKG.cargo, cargo),
                     (prov_derived, iris.article_iri(str(1000 + n))),
                     (EVKG.effect, EVKG.promotes), (EVKG.method, EVKG.TextMining)):
            store.add(Quad(finding, p, o, graph_iri))
    client = create_app(store=store).test_client()
    link = "/explore/findings?" + urlencode({"cargo_class": cls.value, "process": process.value})
    page = client.get(link, headers=HTML).get_data(as_text=True)
    assert "230 findings link cargo of the class" in page
    body = page.split('<table class="findings" id="cell-findings">')[1].split("</table>")[0]
    assert body.count("<tr") - 1 == 200
    assert "200 of the 230 are listed here." in page
    everything = html.unescape(re.search(
        r'<a href="(/sparql\?query=[^"]+)">All 230 in the query editor', page).group(1))
    answer = client.get(everything, headers={"Accept": "application/sparql-results+json"})
    listed = [row["finding"]["value"] for row in answer.get_json()["results"]["bindings"]]
    assert sorted(listed) == sorted(iris.finding_iri(f"hub{n}").value for n in range(230))


@pytest.mark.parametrize("cargo_class,process,unknown", [
    ("https://w3id.org/evkg/ontology#Nope", "https://w3id.org/evkg/process/metastasis",
     "cargo_class=<https://w3id.org/evkg/ontology#Nope>"),
    ("https://w3id.org/evkg/ontology#MicroRNA", "https://w3id.org/evkg/process/nope",
     "process=<https://w3id.org/evkg/process/nope>")])
def test_cell_listing_of_an_iri_the_graph_lacks_is_a_404_naming_it(
        client: FlaskClient, cargo_class: str, process: str, unknown: str) -> None:
    """A new user's: a class or process IRI mistyped gave a page titled "Findings: evkg:Nope ×
    metastasis" listing none, as if the graph held the pair with no findings."""
    answer = client.get("/explore/findings", query_string={"cargo_class": cargo_class,
                                                           "process": process},
                        headers={"Accept": "text/plain"})
    assert answer.status_code == 404
    assert answer.text.startswith(f"/explore/findings: the graph holds no {unknown} (the heatmap")
    page = client.get("/explore/findings", query_string={"cargo_class": cargo_class,
                                                         "process": process},
                      headers={"Accept": "text/html"})
    assert page.status_code == 404 and html.escape(unknown) in page.text
    known = client.get("/explore/findings", query_string={
        "cargo_class": "https://w3id.org/evkg/ontology#MicroRNA",
        "process": "https://w3id.org/evkg/process/metastasis"}, headers={"Accept": "text/html"})
    assert known.status_code == 200
    assert "<h1>Findings: microRNA × metastasis</h1>" in known.text
    assert 'href="/finding/' in known.text  # its findings listed


@pytest.mark.parametrize("query", ["", "cargo_class=%3Cx%3E&process=y", "process=x"])
def test_cell_listing_refuses_what_is_not_an_iri(client: FlaskClient, query: str) -> None:
    text = client.get("/explore/findings?" + query, headers={"Accept": "text/plain"})
    assert text.status_code == 400 and "/explore/findings needs cargo_class= an IRI" in text.text
    page = client.get("/explore/findings?" + query, headers={"Accept": "text/html"})
    assert page.status_code == 400  # the site's page, not werkzeug's bare one
    assert '<a href="/explore">' in page.text and "needs cargo_class= an IRI" in page.text


def test_page_lists_the_top_headings(page: str, default_store: Store) -> None:
    live = rows(default_store, example("top-mesh-headings"))[:15]
    shown = re.findall(r'data-label="[^"]*" data-value="(\d+)" data-iri="([^"]+)"', page)
    assert [(iri, int(n)) for n, iri in shown] == [(r["heading"], int(r["articles"])) for r in live]


def test_network_draws_the_edges_of_the_example(page: str, default_store: Store) -> None:
    live = {(r["source"], r["target"]) for r in rows(default_store, example("seed-review-citation-network"))}
    drawn = set(re.findall(r'<line class="\w+"[^>]* data-source="([^"]+)" data-target="([^"]+)"', page))
    assert drawn == live and len(live) == 10
    assert 'href="/article/37534210" class="seed"' in page
    assert page.count('class="citing"') == 5


def test_network_legend_lists_only_what_is_drawn(page: str) -> None:
    """A review's: "cited by it" was in the legend with no such node (the seed cites nothing
    in the graph)."""
    assert "cites it</span>" in page and "similar (PubMed), dashed</span>" in page
    assert ('class="cited"' in page) == ("cited by it</span>" in page)


def test_page_runs_no_aggregate(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """Counts come from graph/metadata: no query of the page counts or groups."""
    seen: list[str] = []
    original = graph.select

    def recording(query: str) -> list[graph.Row]:
        seen.append(query)
        return original(query)

    monkeypatch.setattr(graph, "select", recording)
    assert app.test_client().get("/explore", headers=HTML).status_code == 200
    assert seen and not [q for q in seen if re.search(r"COUNT\s*\(|GROUP\s+BY", q, re.I)]


def test_page_degrades_to_tables_without_chartjs(default_build: tuple[Path, BuildReport],
                                                  tmp_path: Path) -> None:
    out, _ = default_build
    app = create_app({"STORE_DIR": str(out), "CHARTJS_DIR": str(tmp_path)})
    html = app.test_client().get("/explore", headers=HTML).get_data(as_text=True)
    assert "chart.umd.min.js" not in html and 'id="no-charts"' in html
    assert 'data-label="2023" data-value="13"' in html
    assert app.test_client().get("/static/vendor/chartjs/chart.umd.min.js").status_code == 404


def test_chartjs_comes_from_node_modules(client: FlaskClient, page: str) -> None:
    if not CHARTJS.is_file():
        pytest.skip("Chart.js is not installed: run `make install` (npm ci)")
    assert '<script src="/static/vendor/chartjs/chart.umd.min.js" defer></script>' in page
    with client.get("/static/vendor/chartjs/chart.umd.min.js") as response:
        assert response.status_code == 200
    assert client.get("/static/vendor/chartjs/../../package.json").status_code == 404


# --- in a browser ------------------------------------------------------------------------------------

#: Non-blank pixels of a canvas (Chart.js draws on a transparent canvas).
INKED = """c => { const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""


@pytest.fixture(scope="module")
def explore_server(default_build: tuple[Path, BuildReport], backend: Backend,
                   tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``evkg serve`` on each backend, as ``live_server``, but on a Virtuoso just loaded: the
    page counts the seed review's citation network, which the suite's long-running Virtuoso
    answered with 11 lines of 10 in a run (``just_loaded``)."""
    out, _ = default_build
    with just_loaded(backend, out, tmp_path_factory.mktemp("virtuoso-explore")) as fresh, \
            serving(out, live_settings(fresh), workers=2) as served:
        yield served.base


@pytest.mark.browser
def test_explore_page_draws_its_charts(browser_page: Any, explore_server: str,
                                       default_store: Store) -> None:
    if not CHARTJS.is_file():
        pytest.skip("Chart.js is not installed: run `make install` (npm ci)")
    page = browser_page  # a playwright Page
    page.goto(explore_server + "/explore")
    years = page.locator("#years-chart")
    years.wait_for(state="visible", timeout=15_000)
    live = rows(default_store, example("articles-per-year"))
    assert years.get_attribute("data-drawn") == str(len(live))
    assert years.evaluate(INKED) > 500
    headings = page.locator("#headings-chart")
    assert headings.get_attribute("data-drawn") == "15" and headings.evaluate(INKED) > 500
    cell = page.locator("#years-table tr[data-label='2023']")
    assert cell.get_attribute("data-value") == "13"
    # one linked cell per cargo class and process with findings (23 in the default graph)
    assert page.locator("#heatmap-table td.cell a").count() == len(
        rows(default_store, example("cargo-class-process-counts"))) == 23
    assert page.locator("#network-svg line").count() == 10
    page.screenshot(path="/tmp/evkg-explore.png", full_page=True)
    page.locator("#heatmap-table td.cell a").first.click()
    page.wait_for_url("**/explore/findings?**")
    assert page.locator("#cell-findings tbody tr").count() >= 1
