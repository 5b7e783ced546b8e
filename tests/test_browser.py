"""A person with a browser: headless Debian Chromium, driven by Playwright, against ``evkg serve``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from pyoxigraph import NamedNode, Store

from kg.build import BuildReport, build
from kg.examples import load_examples
from kg.jsonrecords import write_records
from kg.records import Article, Author
from tests.conftest import serving

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
YASGUI = ROOT / "node_modules/@zazuko/yasgui/build/yasgui.min.js"
SEED_TITLE = "Extracellular vesicles in the treatment and diagnosis of breast cancer: a status update"


def test_editor_runs_an_example_and_shows_its_rows(browser_page: Any, live_server: str) -> None:
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    browser_page.goto(live_server + "/")
    browser_page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    browser_page.select_option("#example-select", "articles-per-year")
    assert "publication year" in browser_page.inner_text("#example-description")
    panel = browser_page.locator(".tabPanel.active")
    assert "GROUP BY ?year" in panel.locator(".CodeMirror").inner_text()
    panel.locator(".yasqe_queryButton").click()
    rows = panel.locator(".yasr table tbody tr")
    rows.first.wait_for(timeout=15_000)
    texts = rows.all_inner_texts()
    assert len(texts) == 16
    assert any("2023" in row and "13" in row for row in texts)
    browser_page.screenshot(path="/tmp/evkg-editor.png", full_page=True)


def test_article_page_links_to_similar_article_and_cargo(browser_page: Any,
                                                         live_server: str) -> None:
    browser_page.goto(live_server + "/article/37534210")
    assert browser_page.inner_text("h1") == SEED_TITLE
    (script,) = browser_page.locator('script[type="application/ld+json"]').all_text_contents()
    document = json.loads(script)
    assert document["@type"] == "ScholarlyArticle"
    assert document["name"] == SEED_TITLE
    browser_page.screenshot(path="/tmp/evkg-article.png", full_page=True)

    browser_page.click('a[href="/article/36521658"]')  # a similar article, listed under evkg:similarTo
    browser_page.wait_for_url("**/article/36521658")
    assert browser_page.inner_text("h1").strip()

    browser_page.goto(live_server + "/article/24735924")
    browser_page.locator('a[href="/cargo/hsa-miR-105"]').first.click()
    browser_page.wait_for_url("**/cargo/hsa-miR-105")
    assert browser_page.inner_text("h1") == "hsa-miR-105"
    assert "Findings" in browser_page.inner_text("main")
    browser_page.screenshot(path="/tmp/evkg-cargo.png", full_page=True)


def test_editor_results_link_to_this_server_and_say_when_cut(browser_page: Any,
                                                             live_server: str) -> None:
    """Result IRIs are under https://w3id.org/evkg/, which need not reach this server: their
    links open its own pages. An answer cut at the row cap (10,000) said so only in a header."""
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    browser_page.goto(live_server + "/")
    browser_page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    assert browser_page.locator("#truncation-note").is_hidden()
    browser_page.evaluate("q => { window.evkgYasgui.getTab().setQuery(q); }",
                          "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
    panel = browser_page.locator(".tabPanel.active")
    with browser_page.expect_response(lambda r: r.url.endswith("/sparql")
                                      and r.request.method == "POST", timeout=60_000):
        panel.locator(".yasqe_queryButton").click()
    note = browser_page.locator("#truncation-note")
    note.wait_for(state="visible", timeout=30_000)
    panel.locator(".yasr table tbody tr").first.wait_for(timeout=30_000)
    assert "cut at the endpoint's cap (rows: 10000)" in note.inner_text()
    links = panel.locator(".yasr table tbody a")
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(min(links.count(), 50))]
    assert hrefs and all(not h.startswith("https://w3id.org/evkg/") for h in hrefs)
    local = [h for h in hrefs if h.startswith(live_server + "/")]
    assert local
    browser_page.goto(local[0])
    assert browser_page.inner_text("h1").strip()


def result_links(browser_page: Any, root: str, query: str) -> Any:
    """The result links of ``query`` run in the editor at ``root`` (the server's root URL; the
    query is POSTed to ``root``/sparql), once the first is shown."""
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    browser_page.goto(root + "/")
    browser_page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    browser_page.evaluate("q => { window.evkgYasgui.getTab().setQuery(q); }", query)
    panel = browser_page.locator(".tabPanel.active")
    with browser_page.expect_response(lambda r: r.url == root + "/sparql"
                                      and r.request.method == "POST", timeout=60_000):
        panel.locator(".yasqe_queryButton").click()
    links = panel.locator(".yasr table tbody a")
    links.first.wait_for(timeout=30_000)
    return links


def mesh_result_link(browser_page: Any, root: str) -> Any:
    """The link of a result of the editor at ``root`` (the server's root URL) to a MeSH term,
    once the editor has made it this server's (the query is POSTed to ``root``/sparql)."""
    link = result_links(browser_page, root, "SELECT ?heading WHERE { VALUES ?heading "
                                            "{ <http://id.nlm.nih.gov/mesh/D001943> } }").first
    browser_page.wait_for_function(
        "() => document.querySelector('.tabPanel.active .yasr table tbody a')"
        ".href.indexOf('id.nlm.nih.gov') < 0", timeout=10_000)
    return link


def test_editor_results_link_mesh_terms_to_this_servers_pages(browser_page: Any,
                                                              live_server: str) -> None:
    """A review's: result links to MeSH's IRIs (NLM's) left the server, though /mesh/{id}
    describes them here, as resource pages link them."""
    link = mesh_result_link(browser_page, live_server)
    assert link.get_attribute("href") == live_server + "/mesh/D001943"
    browser_page.goto(live_server + "/mesh/D001943")
    assert browser_page.inner_text("h1").strip() == "Breast Neoplasms"


def test_editor_result_links_to_nlms_iris_land_on_pages_that_exist(browser_page: Any,
                                                                    pages: str) -> None:
    """A review's: the editor sent every IRI under NLM's MeSH namespace to /mesh/…, so a MeSH
    vocabulary term (``meshv:TopicalDescriptor``) linked to /mesh/vocab, a 404, and so did a
    year's descriptor IRI. Only the IRIs this server has a page for link to it; the rest to
    NLM, as resource pages link them."""
    links = result_links(
        browser_page, pages,
        "PREFIX meshv: <http://id.nlm.nih.gov/mesh/vocab#> SELECT ?class ?dated ?heading WHERE "
        "{ VALUES (?class ?dated ?heading) { (meshv:TopicalDescriptor "
        "<http://id.nlm.nih.gov/mesh/2024/D001943> <http://id.nlm.nih.gov/mesh/D001943>) } }")
    browser_page.wait_for_function(
        "() => document.querySelectorAll('.tabPanel.active .yasr tbody a[data-evkg-iri]')"
        ".length === 3", timeout=10_000)
    hrefs = links.evaluate_all("links => links.map(a => a.href)")
    assert hrefs == ["http://id.nlm.nih.gov/mesh/vocab#TopicalDescriptor",
                     "http://id.nlm.nih.gov/mesh/2024/D001943", pages + "/mesh/D001943"], hrefs
    browser_page.goto(hrefs[2])
    assert browser_page.inner_text("h1").strip() == "Breast Neoplasms"


@pytest.mark.parametrize("path", ["/article/24735924", "/cargo/hsa-miR-105", "/explore",
                                  "/dataset", "/downloads/", "/search?q=chemoresistance",
                                  "/query/articles-per-year", "/query/prefixes"])
def test_pages_fit_a_phone_screen(browser_page: Any, live_server: str, path: str) -> None:
    """At 375 px the article page was 1,045 px wide (long values did not wrap); a search's
    results were 507 px wide at 390 (a finding's or a DOI article's IRI under each did not);
    an example query's page was 395 px wide (its type, sh:SPARQLSelectExecutable, written as
    an IRI, did not wrap) and the page of its prefixes 542 (the property of each link to it,
    sh:prefixes, did not)."""
    browser_page.set_viewport_size({"width": 375, "height": 800})
    browser_page.goto(live_server + path)
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= 375


def test_the_editor_says_how_the_keyboard_leaves_it(browser_page: Any, live_server: str) -> None:
    """Tab indents in the editor, so a keyboard user needs another way out (WCAG 2.1.2): YASQE
    lets Esc leave it, which the page now says."""
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    browser_page.goto(live_server + "/")
    browser_page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    assert "Tab indents and Esc leaves it" in browser_page.inner_text("#editor-keys")
    browser_page.locator(".tabPanel.active .CodeMirror").click()
    typing = "() => document.activeElement.matches('.CodeMirror textarea')"
    query = "() => window.evkgYasgui.getTab().getYasqe().getValue()"
    before = browser_page.evaluate(query)
    browser_page.keyboard.press("Tab")  # indents: the text changes, the focus stays
    indented = browser_page.evaluate(query)
    assert indented != before and browser_page.evaluate(typing)
    browser_page.keyboard.press("Escape")
    assert not browser_page.evaluate(typing)
    browser_page.keyboard.press("Tab")  # on to another control, the text as it was
    assert not browser_page.evaluate(typing)
    assert browser_page.evaluate(query) == indented


def test_the_editor_leaves_the_focus_where_the_keyboard_is(browser_page: Any,
                                                           live_server: str) -> None:
    """A browser review's: YASGUI focused its editor when the page loaded and when it opened an
    example, so a keyboard user's first Tab indented the query, and the first arrow key on the
    examples opened one and moved into the editor, where the next arrows moved its cursor."""
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    browser_page.goto(live_server + "/")
    browser_page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    typing = "() => document.activeElement.matches('.CodeMirror textarea')"
    query = "() => window.evkgYasgui.getTab().getYasqe().getValue()"
    before = browser_page.evaluate(query)
    assert not browser_page.evaluate(typing)
    browser_page.keyboard.press("Tab")  # to the site's first link, the query as it was
    assert browser_page.evaluate("() => document.activeElement.matches('header a')")
    assert browser_page.evaluate(query) == before
    browser_page.focus("#example-select")
    browser_page.keyboard.press("ArrowDown")
    browser_page.keyboard.press("ArrowDown")  # the second example, not a line down the first
    assert browser_page.evaluate("() => document.activeElement.id") == "example-select"
    second = browser_page.locator("#example-select option").nth(2).inner_text()
    browser_page.wait_for_function(f"() => ({query})().indexOf({second!r}) >= 0", timeout=10_000)


def first_visit_editor(browser_page: Any, root: str) -> None:
    """The editor at ``root`` as a first visit finds it: YASGUI keeps its tabs in the origin's
    storage, which other tests' queries are left in."""
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    browser_page.goto(root + "/")
    browser_page.evaluate("() => window.localStorage.clear()")
    browser_page.reload()
    browser_page.wait_for_selector("#yasgui .yasqe .CodeMirror")


def test_arrowing_through_the_examples_opens_one_tab_not_one_each(browser_page: Any,
                                                                 pages: str) -> None:
    """A review's: the examples list opens the example chosen, and the keyboard chooses each
    one it passes (an arrow key on a closed list): arrowing down to the fifth opened five tabs,
    which the browser then kept for every later visit. An example the visitor has neither
    edited nor run gives its tab to the next one chosen; one edited or run stays."""
    first_visit_editor(browser_page, pages)
    tabs = browser_page.locator(".tabsList .tab")
    names = browser_page.locator("#example-select option").all_inner_texts()[1:]
    browser_page.focus("#example-select")
    for _ in range(5):
        browser_page.keyboard.press("ArrowDown")
    browser_page.wait_for_function("() => window.evkgYasgui.getTab().getName() === "
                                   f"{names[4]!r}", timeout=10_000)
    assert [t.split("\n")[0] for t in tabs.all_inner_texts()] == ["Query", names[4]]
    # edited, the example keeps its tab: the next one chosen opens another
    browser_page.evaluate("() => { window.evkgYasgui.getTab().setQuery('SELECT * { ?s ?p ?o }'); }")
    browser_page.keyboard.press("ArrowDown")
    browser_page.wait_for_function("() => window.evkgYasgui.getTab().getName() === "
                                   f"{names[5]!r}", timeout=10_000)
    assert [t.split("\n")[0] for t in tabs.all_inner_texts()] == ["Query", names[4], names[5]]


def test_choosing_an_example_already_open_leaves_the_query_one_was_writing(
        browser_page: Any, pages: str) -> None:
    """A review's: an example chosen again while its tab was still open (unchanged) showed that
    tab, but the editor wrote the example's query and title over the tab one had been in:
    YASGUI's addTab gives back the tab shown before, not the one it selects, and the query
    one was writing there was lost."""
    first_visit_editor(browser_page, pages)
    title = browser_page.locator('#example-select option[value="top-journals"]').inner_text()
    browser_page.select_option("#example-select", "top-journals")
    browser_page.wait_for_function(f"() => window.evkgYasgui.getTab().getName() === {title!r}")
    browser_page.select_option("#example-select", "")
    browser_page.locator(".tabsList .tab", has_text="Query").click()
    mine = "SELECT ?mine WHERE { ?mine ?p ?o } LIMIT 1"
    browser_page.evaluate("q => { window.evkgYasgui.getTab().setQuery(q); }", mine)
    browser_page.select_option("#example-select", "top-journals")
    browser_page.wait_for_function(f"() => window.evkgYasgui.getTab().getName() === {title!r}")
    tabs = browser_page.evaluate(
        "() => { const kept = window.evkgYasgui.persistentConfig; return kept.getTabs()"
        ".map(id => kept.getTab(id)).map(tab => [tab.name, tab.yasqe.value]); }")
    assert ["Query", mine] in tabs, tabs
    assert [name for name, _ in tabs] == ["Query", title], tabs


#: What a visitor does to an example's tab, neither editing its query nor seeing an answer:
#: each makes the tab theirs, which the next example chosen must not take.
MADE_ONE_S_OWN = {
    # a tab renamed (YASGUI's double-click on its name) is one the visitor means to keep
    "renamed": "tab => { tab.setName('my notes'); }",
    # the example asked of another endpoint: the next example would be asked of it too
    "endpoint changed": "tab => { tab.setEndpoint('https://query.wikidata.org/sparql'); }",
    # run, its answer not yet come: the next example's query would be shown with this answer
    "running": "tab => { tab.query().catch(() => {}); }",
}


@pytest.mark.parametrize("action", MADE_ONE_S_OWN.values(), ids=MADE_ONE_S_OWN.keys())
def test_an_example_tab_made_ones_own_is_not_taken_by_the_next(browser_page: Any, pages: str,
                                                               action: str) -> None:
    """A review's: an example's tab whose query was neither edited nor answered was given to
    the next example chosen, though the visitor had renamed it, asked another endpoint in it or
    run its query (not yet answered): the name, the endpoint or the running query's tab was
    lost under the next example."""
    first_visit_editor(browser_page, pages)
    names = browser_page.locator("#example-select option").all_inner_texts()[1:]
    values = browser_page.locator("#example-select option").evaluate_all(
        "options => options.map(o => o.value)")[1:]
    browser_page.select_option("#example-select", values[0])
    browser_page.wait_for_function("() => window.evkgYasgui.getTab().getName() === "
                                   f"{names[0]!r}", timeout=10_000)
    # what the visitor does, and their next choice at once (an answer could come in between)
    browser_page.evaluate(
        f"""([value]) => {{ ({action})(window.evkgYasgui.getTab());
        const select = document.getElementById('example-select');
        select.value = value; select.dispatchEvent(new Event('change')); }}""", [values[1]])
    browser_page.wait_for_function("() => window.evkgYasgui.getTab().getName() === "
                                   f"{names[1]!r}", timeout=10_000)
    tabs = browser_page.evaluate(
        "() => Object.values(window.evkgYasgui._tabs).map(tab => [tab.getName(), tab.getQuery()])")
    example = browser_page.evaluate(
        "name => JSON.parse(document.getElementById('evkg-examples').textContent).examples"
        ".find(e => e.name === name).query", values[0])
    assert len(tabs) == 3, tabs
    assert example in [query for _, query in tabs], tabs


def test_a_query_link_opened_in_the_browser_shows_its_results(browser_page: Any,
                                                              live_server: str) -> None:
    """A browser review's: opening a `/sparql?query=…` link downloaded a SPARQL XML file. The
    editor opens with the query and shows its results."""
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    from urllib.parse import quote

    query = ("SELECT ?year (COUNT(?a) AS ?articles) WHERE { ?a a <https://schema.org/"
             "ScholarlyArticle> ; <http://purl.org/spar/fabio/hasPublicationYear> ?year } "
             "GROUP BY ?year ORDER BY ?year")
    with browser_page.expect_navigation():
        browser_page.goto(live_server + "/sparql?query=" + quote(query, safe=""))
    panel = browser_page.locator(".tabPanel.active")
    panel.locator(".yasr table tbody tr").first.wait_for(timeout=15_000)
    assert "GROUP BY ?year" in panel.locator(".CodeMirror").inner_text()
    rows = panel.locator(".yasr table tbody tr").all_inner_texts()
    assert any("2023" in row and "13" in row for row in rows), rows


def test_a_graph_store_link_opened_in_the_browser_shows_the_graph(browser_page: Any,
                                                                  pages: str,
                                                                  default_store: Store) -> None:
    """A review's: opening a Graph Store link, `/sparql?graph=…`, downloaded an RDF/XML file
    (Chromium's Accept takes `application/xml;q=0.9`). The editor opens on the graph's
    CONSTRUCT, in a tab named for the graph, and shows its triples."""
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    graph = "https://w3id.org/evkg/graph/metadata"
    with browser_page.expect_navigation():
        browser_page.goto(pages + "/sparql?" + urlencode({"graph": graph}))
    panel = browser_page.locator(".tabPanel.active")
    panel.locator(".yasr table tbody tr").first.wait_for(timeout=15_000)
    assert f"GRAPH <{graph}>" in panel.locator(".CodeMirror").inner_text()
    held = sum(1 for _ in default_store.quads_for_pattern(None, None, None, NamedNode(graph)))
    assert f"Showing 1 to 50 of {held} entries" in panel.locator(".yasr").inner_text()
    assert "graph/metadata" in browser_page.locator(".tabsList .tab.active").inner_text()


#: Authors of a small release: 55 spell their family name "Sjögren", 5 "Sjogren".
SJOGRENS = {str(99999300 + n): "Sjögren" if n < 55 else "Sjogren" for n in range(60)}


@pytest.fixture(scope="module")
def authors_served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``evkg serve`` of a release of 60 articles, each by one author of ``SJOGRENS``."""
    folder = tmp_path_factory.mktemp("authors")
    write_records([Article(pmid=pmid, title=f"Article {pmid}", authors=(
        Author(family=family, given=f"Anna {pmid}", initials="A"),))
        for pmid, family in SJOGRENS.items()], folder / "authors.jsonl")
    build([folder / "authors.jsonl"], folder / "build", default_articles=False)
    with serving(folder / "build", {"EVKG_QUERY_TIMEOUT": "5"}) as served:
        yield served.base


@pytest.mark.parametrize("text", ["sjogren", "Sjögren"])
def test_the_every_match_link_gives_the_searchs_first_rows(browser_page: Any,
                                                           authors_served: str,
                                                           text: str) -> None:
    """A browser review's: the page of a search past its 50 results links the query of every
    match, which listed the resources whose label holds the text and not the people of that
    family name: "sjogren", 50 authors on the page, was "0 results" in the editor."""
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    browser_page.goto(authors_served + "/search?q=" + text)
    listed = [a.get_attribute("href") for a in browser_page.locator("ol.hits > li > a").all()]
    assert len(listed) == 50
    browser_page.click("#every-match")
    panel = browser_page.locator(".tabPanel.active")
    panel.locator(".yasr table tbody tr a").first.wait_for(timeout=30_000)
    assert "60 results" in panel.locator(".yasr_response_chip").inner_text()
    links = panel.locator(".yasr table tbody tr td:nth-child(2) a")
    browser_page.wait_for_function(  # (the editor's links to this server's pages)
        "() => document.querySelector('.tabPanel.active .yasr table tbody a')"
        ".href.indexOf('w3id.org') < 0", timeout=10_000)
    shown = [(links.nth(i).get_attribute("href") or "").removeprefix(authors_served)
             for i in range(links.count())]
    assert shown == listed


# --- axe-core, as a maintainer checking accessibility runs it --------------------------------------

AXE = ROOT / "node_modules/axe-core/axe.min.js"


@pytest.fixture(scope="module")
def pages(default_build: tuple[Path, BuildReport]) -> Iterator[str]:
    """``evkg serve`` of the default release from the embedded store alone: the pages' markup is
    the same on every backend, so their accessibility is checked once."""
    out, _ = default_build
    with serving(out, {"EVKG_QUERY_TIMEOUT": "5"}) as served:
        yield served.base


#: What a person opens: each kind of page, a search with and without results, the errors a
#: browser is shown (a 404 naming what was meant, a query that does not parse).
AXE_PAGES = ["/article/37534210", "/cargo/hsa-miR-105", "/process/metastasis", "/mesh/D001943",
             "/search?q=metastasis", "/search?q=no%20such%20label", "/search", "/dataset",
             "/downloads/", "/ontology", "/explore",
             pytest.param("/explore/findings?cargo_class=https://w3id.org/evkg/ontology%23MicroRNA"
                          "&process=https://w3id.org/evkg/process/metastasis",
                          id="/explore/findings"),
             "/cargo/hsa-mir-105", "/sparql?query=SELEC"]


def axe_violations(page: Any, rules: list[str] | None = None,
                   impacts: tuple[str, ...] = ("serious", "critical"),
                   known: set[tuple[str, str]] | None = None) -> list[str]:
    """axe-core's violations of these impacts on the page (of ``rules``, else of every rule),
    one line per element, but those ``known`` by rule and the end of the element's selector.
    Colour contrast is checked on single characters too, which axe leaves undecided by
    default."""
    if not AXE.is_file():
        pytest.skip("axe-core is not installed: run `make install-test` (npm ci)")
    # (run as the browser's own tools run a script: the page's Content-Security-Policy refuses
    # a script element of text written into it, as add_script_tag writes one)
    page.evaluate(AXE.read_text(encoding="utf-8"))
    options: dict[str, Any] = {"resultTypes": ["violations"],
                               "checks": {"color-contrast": {"options": {"ignoreLength": True}}}}
    if rules:
        options["runOnly"] = rules
    results = page.evaluate("options => axe.run(document, options)", options)
    found = []
    for rule in results["violations"]:
        for node in rule["nodes"] if rule["impact"] in impacts else []:
            target = " ".join(map(str, node["target"]))
            if not any(rule["id"] == r and target.endswith(end) for r, end in known or ()):
                found.append(f"{rule['impact']} {rule['id']} ({rule['help']}): {target}: "
                             f"{node['failureSummary']}".replace("\n", " "))
    return found


@pytest.mark.parametrize("path", AXE_PAGES)
def test_links_are_told_from_text_without_colour(browser_page: Any, pages: str,
                                                 path: str) -> None:
    """An accessibility review's: links were told from the text around them by their colour
    alone, on every page (the footer's, "search for …", the ontology's terms), which a reader who
    does not see the colours could not find (WCAG 1.4.1, axe's link-in-text-block)."""
    browser_page.goto(pages + path)
    violations = axe_violations(browser_page, ["link-in-text-block"])
    assert not violations, "\n".join(violations)


def screen_reader_links(page: Any) -> list[str]:
    """The names of the links Chromium's accessibility tree gives a screen reader."""
    tree = page.context.new_cdp_session(page).send("Accessibility.getFullAXTree")
    return [node.get("name", {}).get("value", "") for node in tree["nodes"]
            if not node.get("ignored") and node.get("role", {}).get("value") == "link"]


def test_the_citation_network_gives_screen_readers_its_links(browser_page: Any,
                                                              pages: str) -> None:
    """An accessibility review's: /explore drew the seed review's neighbourhood as one image
    (role img) holding its 11 article links, so a screen reader was given none of them while Tab
    still stopped on each (axe's nested-interactive); and only the colour of a node said whether
    it cites the review, is cited by it or is similar."""
    browser_page.goto(pages + "/explore")
    assert not axe_violations(browser_page, ["nested-interactive"])
    names = screen_reader_links(browser_page)
    seed = f"{SEED_TITLE} (2023): the seed review"
    assert seed in names
    assert sum(name.endswith(": cites the seed review") for name in names) >= 1
    assert sum(name.endswith("the seed review (PubMed)") for name in names) >= 1
    assert browser_page.locator("#network-svg a").count() == 11


def test_the_heatmap_counts_can_be_read(browser_page: Any, pages: str) -> None:
    """An accessibility review's: /explore wrote a heatmap cell's count in white from an opacity
    of 0.55 on, 2.97:1 on the blue of a cell of 3 findings and 3.5:1 on one of 4 (WCAG asks
    4.5:1; axe leaves single characters undecided unless told to check them)."""
    browser_page.goto(pages + "/explore")
    violations = axe_violations(browser_page, ["color-contrast"])
    assert not violations, "\n".join(violations)
    assert browser_page.locator("#heatmap-table td.cell a").count() == 23


def test_the_editors_controls_have_names(browser_page: Any, pages: str) -> None:
    """An accessibility review's: YASGUI's endpoint field and query editor, in each tab, and its
    results' page size had no name, so a screen reader said "edit text" and "combo box" (axe's
    label and select-name, critical)."""
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    browser_page.goto(pages + "/")
    browser_page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    violations = axe_violations(browser_page, ["label", "select-name"])
    browser_page.select_option("#example-select", "articles-per-year")  # a tab of its own
    panel = browser_page.locator(".tabPanel.active")
    panel.locator(".yasqe_queryButton").click()
    panel.locator(".yasr table tbody tr").first.wait_for(timeout=15_000)
    violations += axe_violations(browser_page, ["label", "select-name"])
    assert not violations, "\n".join(violations)
    assert panel.get_by_role("textbox", name="SPARQL query").count() == 1
    assert panel.get_by_role("combobox", name="Page size").count() == 1


def test_the_editors_query_can_be_read(browser_page: Any, pages: str) -> None:
    """An accessibility review's: the query editor wrote prefixed names (`schema:`) in #f50 on
    white, 3.2:1, line numbers in #999 on #f7f7f7, 2.65:1, and the name of a tab not shown in
    #888, 3.5:1 (WCAG asks 4.5:1)."""
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    browser_page.goto(pages + "/")
    browser_page.wait_for_selector("#yasgui .yasqe .CodeMirror .cm-string-2")
    browser_page.select_option("#example-select", "articles-per-year")  # the first tab, hidden
    browser_page.wait_for_selector(".tabPanel.active .CodeMirror .cm-string-2")
    violations = axe_violations(browser_page, ["color-contrast"])
    assert not violations, "\n".join(violations)


def test_an_editor_result_with_an_apostrophe_links_to_its_whole_iri(browser_page: Any,
                                                                     pages: str) -> None:
    """A fresh-eyes review's: YASGUI writes a result's link as ``href='…'``, so an IRI holding
    an apostrophe (a DOI may: an article known by its DOI alone has it in its IRI) linked to
    the IRI cut there, a 404, and what followed in the IRI became attributes of the link
    (``x'style='…'`` styled it)."""
    links = result_links(
        browser_page, pages,
        "PREFIX ex: <http://example.org/> SELECT ?here ?there ?short WHERE { "
        "VALUES (?here ?there ?short) { (<https://w3id.org/evkg/cargo/it's> "
        "<http://example.org/o'clock'style='color:red'> <http://example.org/x'y>) } }",
    ).evaluate_all("links => links.map(a => [a.href, a.getAttribute('style')])")
    assert links == [[pages + "/cargo/it's", None],
                     ["http://example.org/o'clock'style='color:red'", None],
                     ["http://example.org/x'y", None]], links


def test_an_editor_result_of_a_script_iri_is_no_link_that_runs_it(browser_page: Any,
                                                                     pages: str) -> None:
    """A review's: the editor made each result link again from its IRI, and a ``javascript:``
    IRI (one a query writes, ``BIND(<javascript:…> AS ?x)``, in a ``/#query=`` link someone is
    sent) was a link that ran its script on this server's origin when clicked. An IRI a browser
    opens as no page (``javascript:``, ``data:``) is shown, not linked; http(s) ones link."""
    links = result_links(
        browser_page, pages,
        "SELECT ?run ?data ?page WHERE { VALUES (?run ?data ?page) { "
        "(<javascript:document.title='run'> <data:text/html,x> <https://example.org/a>) } }",
    ).evaluate_all("links => links.map(a => [a.textContent, a.getAttribute('href')])")
    assert [href for _, href in links] == [None, None, "https://example.org/a"], links

@pytest.mark.parametrize("path", ["/ontology", "/disease/breast_cancer"])
def test_each_navigation_landmark_has_a_name(browser_page: Any, pages: str,
                                             path: str) -> None:
    """An accessibility review's: the ontology's list of terms and a resource's pages of incoming
    links were navigation landmarks beside the site's, all three unnamed, so a screen reader's
    list of landmarks said "navigation" twice (axe's landmark-unique, moderate)."""
    browser_page.goto(pages + path)
    violations = axe_violations(browser_page, ["landmark-unique"], ("moderate",))
    assert not violations, "\n".join(violations)
    names = [nav.get_attribute("aria-label") for nav in browser_page.locator("nav").all()]
    assert len(names) == 2 and names[0] == "Site" and names[1], names


def contrast(foreground: str, background: str) -> float:
    """WCAG's contrast ratio of two CSS colours given as ``rgb(r, g, b)``."""
    def luminance(colour: str) -> float:
        channels = [int(c) / 255 for c in colour[colour.index("(") + 1:-1].split(",")[:3]]
        r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_ontologys_term_links_can_be_seen_and_said(browser_page: Any,
                                                      pages: str) -> None:
    """An accessibility review's: each term of /ontology ends its heading with a link to itself,
    "#", drawn in #dde1e8 on white (1.3:1: a keyboard user's Tab stopped 82 times on marks hardly
    seen; axe skips a lone punctuation mark) and named "#" to a screen reader."""
    browser_page.goto(pages + "/ontology")
    anchor = browser_page.locator("#Cargo h3 a.anchor")
    colour = anchor.evaluate("a => getComputedStyle(a).color")
    assert contrast(colour, "rgb(255, 255, 255)") >= 4.5, colour
    assert browser_page.locator("#Cargo").get_by_role("link", name="link to this term",
                                                      exact=True).count() == 1


@pytest.mark.parametrize("path", ["/", "/article/37534210"])
def test_the_keyboard_can_skip_the_header(browser_page: Any, pages: str, path: str) -> None:
    """An accessibility review's: a keyboard user crossed the header's 9 stops (its links, the
    search field and button) on every page before reaching the page's own content. The first Tab
    now shows a link that skips them."""
    browser_page.goto(pages + path)
    browser_page.keyboard.press("Tab")
    skip = browser_page.locator(":focus")
    assert skip.inner_text() == "Skip to the content"
    box = skip.bounding_box()
    assert box is not None and box["y"] >= 0 and box["height"] > 10  # in sight while focused
    browser_page.keyboard.press("Enter")
    browser_page.keyboard.press("Tab")
    assert browser_page.evaluate("() => document.activeElement.closest('main') !== null")


def test_a_citation_fits_a_phone_screen(browser_page: Any, pages: str) -> None:
    """An accessibility review's: at 375 px an article's BibTeX box scrolled sideways (its `url`
    line did not wrap), a scroller no keyboard could reach (axe's scrollable-region-focusable)."""
    browser_page.set_viewport_size({"width": 375, "height": 800})
    browser_page.goto(pages + "/article/37534210")
    assert browser_page.evaluate("e => e.scrollWidth <= e.clientWidth",
                                 browser_page.locator("#bibtex").element_handle())
    violations = axe_violations(browser_page, ["scrollable-region-focusable"])
    assert not violations, "\n".join(violations)


#: Violations in YASGUI's own markup, which no markup of ours can mend, by rule and the end of the
#: element's selector: its tab list (role tablist) holds its "add a tab" button beside the tabs,
#: and its arrow keys count on that order; on a phone, CodeMirror's scroller holds no focusable
#: element (its text area, beside it, takes the keys, and moving the caret scrolls it).
YASGUI_OWN = {("aria-required-children", ".tabsList"),
              ("scrollable-region-focusable", ".CodeMirror-scroll")}
#: The widths the pages are checked at: a desktop's and a phone's.
WIDTHS = {"desktop": {"width": 1300, "height": 1000}, "phone": {"width": 375, "height": 800}}


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("path", AXE_PAGES)
def test_pages_pass_axe(browser_page: Any, pages: str, path: str, width: str) -> None:
    """axe-core finds no serious or critical violation on any kind of page, on a desktop or a
    phone: an accessibility review found, on `main`, links told by colour alone on all of them,
    the citation network's links hidden in an image, heatmap counts too pale to read and, on a
    phone, a citation that scrolled where no keyboard could reach (each has a test above)."""
    browser_page.set_viewport_size(WIDTHS[width])
    browser_page.goto(pages + path)
    violations = axe_violations(browser_page)
    assert not violations, "\n".join(violations)


@pytest.mark.parametrize("width", WIDTHS)
def test_the_editor_and_its_results_pass_axe(browser_page: Any, pages: str,
                                             width: str) -> None:
    """axe-core finds no serious or critical violation in the query editor, an example's tab and
    its results, but YASGUI's own (``YASGUI_OWN``): on `main` it found the endpoint field, the
    query and the page size unnamed, and the query's prefixed names, line numbers and hidden
    tabs too pale."""
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    browser_page.set_viewport_size(WIDTHS[width])
    browser_page.goto(pages + "/")
    # the editor as a first visit finds it: YASGUI keeps its tabs in the origin's storage, and
    # another test's query (one of no prefixed name) was shown here in its place
    browser_page.evaluate("() => localStorage.clear()")
    browser_page.reload()
    browser_page.wait_for_selector("#yasgui .yasqe .CodeMirror .cm-string-2")
    violations = axe_violations(browser_page, known=YASGUI_OWN)
    browser_page.select_option("#example-select", "articles-per-year")
    panel = browser_page.locator(".tabPanel.active")
    panel.locator(".yasqe_queryButton").click()
    panel.locator(".yasr table tbody tr").first.wait_for(timeout=15_000)
    violations += axe_violations(browser_page, known=YASGUI_OWN)
    assert not violations, "\n".join(violations)


def test_the_plain_query_form_has_a_label(browser_page: Any,
                                          default_build: tuple[Path, BuildReport],
                                          tmp_path: Path) -> None:
    """An accessibility review's: without YASGUI (no npm), the editor's plain form gave its query
    box no label, so a screen reader said "edit text" (axe's label, critical)."""
    out, _ = default_build
    with serving(out, {"EVKG_YASGUI_DIR": str(tmp_path)}) as served:  # no YASGUI there
        browser_page.set_viewport_size(WIDTHS["desktop"])
        browser_page.goto(served.base + "/")
        assert browser_page.locator("#plain-form").is_visible()
        violations = axe_violations(browser_page)
    assert not violations, "\n".join(violations)
    assert browser_page.get_by_label("SPARQL query").evaluate("e => e.id") == "plain-query"


def test_a_query_link_opens_its_query_in_the_plain_form(browser_page: Any,
                                                       default_build: tuple[Path, BuildReport],
                                                       tmp_path: Path) -> None:
    """A new user's: without YASGUI (no npm), a query link opened in a browser (`/sparql?query=`,
    sent on to `/#query=…`) or an example page's "run it in the query editor" link showed the
    plain form with the default query, the link's query lost. The form holds the link's."""
    out, _ = default_build
    query = "SELECT ?n WHERE { ?a <https://w3id.org/evkg/ontology#abstractSection> ?n } LIMIT 3"
    with serving(out, {"EVKG_YASGUI_DIR": str(tmp_path)}) as served:  # no YASGUI there
        browser_page.goto(served.base + "/sparql?" + urlencode({"query": query}))
        assert "#query=" in browser_page.url
        assert browser_page.locator("#plain-query").input_value() == query
        browser_page.goto(served.base + "/query/articles-per-year")
        browser_page.get_by_role("link", name=re.compile("query editor")).first.click()
        browser_page.wait_for_url(re.compile("#query="))
        assert browser_page.locator("#plain-query").input_value() == next(
            e.query for e in load_examples(ROOT / "queries") if e.name == "articles-per-year")


def test_an_example_query_opens_in_a_tab_of_its_title(browser_page: Any, pages: str) -> None:
    """An example query's page ran it in the editor in a tab named "Query", as every query
    opened so was, and two opened examples were two tabs of one name: the tab takes the
    example's title (YASGUI's share links carry it as ``tabTitle``)."""
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    title = next(e.title for e in load_examples(ROOT / "queries") if e.name == "top-journals")
    browser_page.goto(pages + "/query/top-journals")
    browser_page.click("text=Run this query in the query editor")
    panel = browser_page.locator(".tabPanel.active")
    panel.locator(".yasr table tbody tr").first.wait_for(timeout=30_000)
    assert browser_page.evaluate("() => window.evkgYasgui.getTab().getName()") == title


@pytest.mark.parametrize("where", ["/#", "/?"])
def test_a_share_link_naming_another_endpoint_runs_its_query_here(browser_page: Any, pages: str,
                                                                  where: str) -> None:
    """A security review's: YASGUI takes a share link's ``endpoint`` (in the hash, or in the
    query string of a link without one), so a link to this editor naming another host's
    endpoint ran its query there and showed that host's answer as this graph's, under the tab
    title the link chose, and YASGUI kept that endpoint for the tabs opened after it. The
    link's query runs on this server's endpoint; the rest of the link is taken."""
    first_visit_editor(browser_page, pages)
    browser_page.goto("about:blank")  # (a hash alone changed is no new visit)
    link = urlencode({"query": 'SELECT ?x WHERE { BIND("answered by evkg" AS ?x) }',
                      "endpoint": "http://127.0.0.1:9/sparql", "tabTitle": "Shared"})
    browser_page.goto(pages + where + link)
    panel = browser_page.locator(".tabPanel.active")
    assert panel.locator("input.autocomplete").input_value() == pages + "/sparql"
    panel.locator(".yasr table tbody tr").first.wait_for(timeout=30_000)
    assert "answered by evkg" in panel.locator(".yasr table tbody").inner_text()
    assert browser_page.evaluate("() => window.evkgYasgui.getTab().getName()") == "Shared"


#: Share links whose ``endpoint`` YASGUI reads as the editor's first parser did not: YASGUI's
#: (jsUri's) pairs are split at ``;`` as at ``&``, a leading ``?`` of the hash is no part of the
#: first name, and a hash that held an endpoint alone, once emptied, left YASGUI the query
#: string's.
FOREIGN = quote("http://127.0.0.1:9/sparql", safe="")
SHARED = quote('SELECT ?x WHERE { BIND("answered by evkg" AS ?x) }', safe="")
BYPASSES = {
    "semicolon": f"/#query={SHARED};endpoint={FOREIGN}",
    "question-mark": f"/#?endpoint={FOREIGN}&query={SHARED}",
    "emptied-hash": f"/?query={SHARED}&endpoint={FOREIGN}#endpoint={FOREIGN}",
}


@pytest.mark.parametrize("link", BYPASSES.values(), ids=BYPASSES.keys())
def test_a_share_link_spelt_as_yasgui_reads_it_runs_its_query_here(browser_page: Any, pages: str,
                                                                   link: str) -> None:
    """A review's: the editor dropped a share link's foreign ``endpoint`` by parsing the link
    itself, and YASGUI parses it otherwise (:data:`BYPASSES`), so such a link still ran its
    query on another host and left that host the endpoint of the tabs opened after it."""
    first_visit_editor(browser_page, pages)
    browser_page.goto("about:blank")
    browser_page.goto(pages + link)
    panel = browser_page.locator(".tabPanel.active")
    assert panel.locator("input.autocomplete").input_value() == pages + "/sparql"
    panel.locator(".yasr table tbody tr").first.wait_for(timeout=30_000)
    assert "answered by evkg" in panel.locator(".yasr table tbody").inner_text()


def link_note_of_editor_opened(browser_page: Any, url: str) -> str:
    """The editor's note on what it could not read, once it has opened at ``url`` (from a
    blank page, so that it starts afresh) with no error on the page."""
    errors: list[str] = []
    browser_page.on("pageerror", lambda error: errors.append(str(error)))
    browser_page.goto("about:blank")
    browser_page.goto(url)
    browser_page.wait_for_selector("#yasgui .yasqe .CodeMirror", timeout=10_000)
    assert errors == []
    return str(browser_page.inner_text("#link-note"))


#: Share links YASGUI cannot read: it threw as it started, and the page had no editor.
UNREADABLE = {
    "bad-escape-in-hash": "/#query=%E0%A4%A&tabTitle=Shared",
    "bad-escape-in-query-string": "/?query=%E0",
    "headers-not-json": f"/#query={SHARED}&headers=notjson",
}


@pytest.mark.parametrize("link", UNREADABLE.values(), ids=UNREADABLE.keys())
def test_an_unreadable_share_link_opens_the_editor_and_says_so(browser_page: Any, pages: str,
                                                               link: str) -> None:
    """A review's: a share link with a malformed %-escape or ``headers`` that are not JSON
    stopped YASGUI starting (an error in the console, a page without its editor). The editor
    starts without the link and says it was not read."""
    first_visit_editor(browser_page, pages)
    assert browser_page.locator("#link-note").is_hidden()
    assert "This link's query could not be read" in link_note_of_editor_opened(browser_page,
                                                                               pages + link)
    panel = browser_page.locator(".tabPanel.active")
    assert panel.locator("input.autocomplete").input_value() == pages + "/sparql"


#: What YASGUI keeps of its tabs in the browser's storage (``yagui_yasgui_config``, in its own
#: shape), in forms it cannot read again: a tab listed without its settings, a list of tabs
#: that is no list, settings that are no object.
UNREADABLE_TABS = {
    "tab-without-settings": '{"namespace":"triply","val":{"tabs":["a"],"active":"a","tabConfig":{}},'
                            '"time":9999999999999,"exp":99999999999}',
    "tabs-not-a-list": '{"namespace":"triply","val":{"tabs":5,"active":"a","tabConfig":{}},'
                       '"time":9999999999999,"exp":99999999999}',
    "settings-not-an-object": '{"namespace":"triply","val":5,"time":9999999999999,"exp":99999999999}',
}


@pytest.mark.parametrize("link", ["/", f"/#query={SHARED}"], ids=["no-link", "share-link"])
@pytest.mark.parametrize("kept", UNREADABLE_TABS.values(), ids=UNREADABLE_TABS.keys())
def test_tabs_the_browser_kept_unreadable_open_the_editor_and_say_so(browser_page: Any, pages: str,
                                                                     kept: str, link: str) -> None:
    """A review's: YASGUI throws as it starts on tabs its storage holds that it cannot read
    again, as on an unreadable share link; the editor started again without the link alone,
    which threw again, so the page had no editor (and opened with a link, said the link was
    at fault). The editor starts without the kept tabs, with the link's query if one was
    opened, and says the tabs were not read."""
    first_visit_editor(browser_page, pages)
    browser_page.evaluate("kept => window.localStorage.setItem('yagui_yasgui_config', kept)", kept)
    note = link_note_of_editor_opened(browser_page, pages + link)
    assert "The tabs this browser kept for the editor could not be read" in note
    assert "This link's query could not be read" not in note
    panel = browser_page.locator(".tabPanel.active")
    if link != "/":
        assert "answered by evkg" in panel.locator(".CodeMirror").inner_text()
        panel.locator(".yasr table tbody tr").first.wait_for(timeout=30_000)
    browser_page.select_option("#example-select", "articles-per-year")
    panel = browser_page.locator(".tabPanel.active")
    panel.locator(".yasqe_queryButton").click()
    panel.locator(".yasr table tbody tr").first.wait_for(timeout=30_000)
    assert "of 16 entries" in panel.locator(".yasr").inner_text()


#: The pages a person opens, each kind once: the editor, a resource page, the search, the
#: charts of /explore and the lists behind them.
CSP_PAGES = ["/", "/article/37534210", "/mesh/D001943", "/search?q=metastasis", "/explore",
             "/explore/findings?cargo_class=https://w3id.org/evkg/ontology%23MicroRNA",
             "/dataset", "/downloads/", "/ontology", "/sparql?query=SELEC"]


@pytest.mark.parametrize("path", CSP_PAGES)
def test_pages_work_under_their_content_security_policy(browser_page: Any, pages: str,
                                                        path: str) -> None:
    """A review's: the pages had no Content-Security-Policy, so a script that got into one
    (a label or query text written in a page) would run with nothing to stop it. Each HTML
    page says which scripts, styles and connections it uses, and works under it: the browser
    reports no violation of it, the editor runs a query, /explore draws its charts."""
    violations: list[str] = []
    browser_page.on("console", lambda message: violations.append(message.text)
                    if "Content Security Policy" in message.text else None)
    response = browser_page.goto(pages + path)
    policy = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in policy and "object-src 'none'" in policy
    if path == "/" and YASGUI.is_file():
        browser_page.wait_for_selector("#yasgui .yasqe .CodeMirror")
        browser_page.select_option("#example-select", "articles-per-year")
        panel = browser_page.locator(".tabPanel.active")
        panel.locator(".yasqe_queryButton").click()
        panel.locator(".yasr table tbody tr").first.wait_for(timeout=15_000)
    browser_page.wait_for_load_state("networkidle")
    assert violations == []


def test_a_tab_querying_another_endpoint_says_so(browser_page: Any, pages: str) -> None:
    """A review's: a tab's endpoint field is editable, and a browser that opened a link naming
    another host's endpoint before such links' endpoints were dropped keeps that tab, so a tab
    showed another host's answers as this graph's with nothing to tell them apart. While such
    a tab is shown, a note above the editor names its endpoint."""
    first_visit_editor(browser_page, pages)
    note = browser_page.locator("#endpoint-note")
    assert note.is_hidden()  # (this server's endpoint)
    field = browser_page.locator(".tabPanel.active input.autocomplete")
    field.fill("http://127.0.0.1:9/sparql")
    field.press("Enter")
    note.wait_for(state="visible", timeout=5_000)
    assert note.inner_text() == (
        "This tab queries http://127.0.0.1:9/sparql, not this server's endpoint ("
        + pages + "/sparql): its answers are that endpoint's, not this graph's. Put this "
        "server's endpoint in the tab's endpoint field to query the graph.")
    browser_page.reload()  # (the tab is kept in the browser's storage)
    browser_page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    assert "This tab queries http://127.0.0.1:9/sparql" in note.inner_text()
    browser_page.evaluate("endpoint => { window.evkgYasgui.addTab(true, "
                          "{requestConfig: {endpoint: endpoint}}); }", pages + "/sparql")
    note.wait_for(state="hidden")
    browser_page.locator(".tabsList .tab").first.click()
    note.wait_for(state="visible", timeout=5_000)
    assert "This tab queries http://127.0.0.1:9/sparql" in note.inner_text()
    field = browser_page.locator(".tabPanel.active input.autocomplete")
    field.fill(pages + "/sparql")
    field.press("Enter")
    note.wait_for(state="hidden")


def test_a_share_links_request_settings_are_its_tabs_alone(browser_page: Any, pages: str) -> None:
    """A review's: YASGUI wrote a share link's request settings (its graphs, ``headers``,
    ``requestMethod``, and any parameter it does not know, which it sends to the endpoint) into
    its defaults for every tab, so after a link naming one graph (``default-graph-uri``) each
    example chosen in that visit queried that graph alone: no rows where the dataset has them.
    The settings are the link's tab's alone."""
    first_visit_editor(browser_page, pages)
    browser_page.goto("about:blank")
    link = urlencode({"query": 'SELECT ?x WHERE { BIND("answered by evkg" AS ?x) }',
                      "default-graph-uri": "https://w3id.org/evkg/graph/none",
                      "tabTitle": "Shared"})
    browser_page.goto(pages + "/#" + link)
    panel = browser_page.locator(".tabPanel.active")
    panel.locator(".yasr table tbody tr").first.wait_for(timeout=30_000)
    browser_page.select_option("#example-select", "articles-per-year")
    panel = browser_page.locator(".tabPanel.active")
    assert "GROUP BY ?year" in panel.locator(".CodeMirror").inner_text()
    panel.locator(".yasqe_queryButton").click()
    panel.locator(".yasr table tbody tr").first.wait_for(timeout=30_000)
    shown = panel.locator(".yasr").inner_text()
    assert "No data available in table" not in shown
    assert "of 16 entries" in shown


def test_an_editor_error_wraps_and_offers_no_link_that_runs_it_again(browser_page: Any,
                                                                    pages: str) -> None:
    """A browser trial's: the server's message for a query past the time limit (its advice
    last) was one line running past the page's right edge, and YASR's "Try query in a new
    browser window" opened /sparql?query=…, which sends a browser to the editor: the failed
    query ran again in a new tab, another time limit of the server's time."""
    first_visit_editor(browser_page, pages)
    browser_page.set_viewport_size({"width": 1280, "height": 900})
    browser_page.goto("about:blank")
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    browser_page.goto(pages + "/#" + urlencode({"query": query}))
    error = browser_page.locator(".tabPanel.active .yasr .errorResult")
    error.wait_for(timeout=60_000)
    assert "narrower pattern" in error.inner_text()
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= 1280
    assert browser_page.locator(".yasr_tryQuery").evaluate_all(
        "links => links.filter(link => link.offsetParent !== null).length") == 0


@pytest.mark.parametrize("width", [1280, 800])
def test_a_findings_table_keeps_its_words_whole_and_the_page_its_width(
        browser_page: Any, pages: str, width: int) -> None:
    """A browser trial's: at 1280 px the findings of /cargo/hsa-miR-105 split their words
    ("promot|es", "angiogenes|is"), and at 800 px the table was 992 px wide and the page
    scrolled sideways. Words stay whole; a table wider than the page scrolls in its box."""
    browser_page.set_viewport_size({"width": width, "height": 900})
    browser_page.goto(pages + "/cargo/hsa-miR-105")
    assert browser_page.evaluate("document.documentElement.scrollWidth") <= width
    # the cargo, effect, process, disease and method of each finding: a cell on more lines
    # than it has words broke a word
    broken = browser_page.locator(
        "table.findings td:is(:nth-child(2), :nth-child(3), :nth-child(4), :nth-child(5), "
        ":nth-child(6))").evaluate_all("""cells => cells.filter(cell => {
          const range = document.createRange(); range.selectNodeContents(cell);
          const lines = new Set(Array.from(range.getClientRects(), r => Math.round(r.top)));
          return lines.size > cell.innerText.trim().split(/\\s+/).length;
        }).map(cell => cell.innerText)""")
    assert browser_page.locator("table.findings td").count() > 20
    assert broken == [], broken
