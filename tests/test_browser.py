"""A person with a browser: headless Debian Chromium, driven by Playwright, against ``evkg serve``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

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
