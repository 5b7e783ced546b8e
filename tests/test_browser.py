"""A person with a browser: headless Debian Chromium, driven by Playwright, against ``evkg serve``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
YASGUI = ROOT / "node_modules/@zazuko/yasgui/build/yasgui.min.js"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SEED_TITLE = "Extracellular vesicles in the treatment and diagnosis of breast cancer: a status update"

if not CHROMIUM.exists():
    pytest.skip("Debian's chromium is not installed at /usr/bin/chromium (make install-test "
                "installs it)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is in the test extra")


@pytest.fixture(scope="module")
def page() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(viewport={"width": 1300, "height": 1000})
        yield context.new_page()
        context.close()
        browser.close()


def test_editor_runs_an_example_and_shows_its_rows(page: sync_api.Page, live_server: str) -> None:
    if not YASGUI.is_file():
        pytest.skip("YASGUI is not installed: run `make install` (npm ci)")
    page.goto(live_server + "/")
    page.wait_for_selector("#yasgui .yasqe .CodeMirror")
    page.select_option("#example-select", "articles-per-year")
    assert "publication year" in page.inner_text("#example-description")
    panel = page.locator(".tabPanel.active")
    assert "GROUP BY ?year" in panel.locator(".CodeMirror").inner_text()
    panel.locator(".yasqe_queryButton").click()
    rows = panel.locator(".yasr table tbody tr")
    rows.first.wait_for(timeout=15_000)
    texts = rows.all_inner_texts()
    assert len(texts) == 16
    assert any("2023" in row and "13" in row for row in texts)
    page.screenshot(path="/tmp/evkg-editor.png", full_page=True)


def test_article_page_links_to_similar_article_and_cargo(page: sync_api.Page,
                                                         live_server: str) -> None:
    page.goto(live_server + "/article/37534210")
    assert page.inner_text("h1") == SEED_TITLE
    (script,) = page.locator('script[type="application/ld+json"]').all_text_contents()
    document = json.loads(script)
    assert document["@type"] == "ScholarlyArticle"
    assert document["name"] == SEED_TITLE
    page.screenshot(path="/tmp/evkg-article.png", full_page=True)

    page.click('a[href="/article/36521658"]')  # a similar article, listed under evkg:similarTo
    page.wait_for_url("**/article/36521658")
    assert page.inner_text("h1").strip()

    page.goto(live_server + "/article/24735924")
    page.locator('a[href="/cargo/hsa-miR-105"]').first.click()
    page.wait_for_url("**/cargo/hsa-miR-105")
    assert page.inner_text("h1") == "hsa-miR-105"
    assert "Findings" in page.inner_text("main")
    page.screenshot(path="/tmp/evkg-cargo.png", full_page=True)
