"""The query editor: YASGUI from npm (``node_modules``), our prefixes and the example queries.

Examples are the ``queries/*.rq`` files (``kg.examples``), read at each request (a handful of
small files) so an edited example shows without a restart.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path
from urllib.parse import quote

from flask import current_app, url_for

from kg.examples import Example, load_examples

#: The repository root (``queries/`` and ``node_modules/`` live there in a checkout).
ROOT = Path(__file__).resolve().parents[1]
#: Where npm puts YASGUI's built files, under the npm folder.
YASGUI_BUILD = Path("@zazuko/yasgui/build")
#: The files the editor page loads from that folder.
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css")


def queries_dir() -> Path:
    configured = current_app.config.get("QUERIES_DIR")
    return Path(configured) if configured else ROOT / "queries"


def examples() -> list[Example]:
    return load_examples(queries_dir())


def examples_json() -> list[dict[str, str]]:
    return [asdict(example) for example in examples()]


def editor_link(query: str, title: str = "") -> str:
    """The query editor opening ``query`` in a tab of its own and running it: YASGUI's share-link
    form (``/#query=…``), the tab named ``title`` (``tabTitle``; YASGUI's own name, "Query",
    when none is given)."""
    link = url_for("pages.editor") + "#query=" + quote(query, safe="")
    return link + "&tabTitle=" + quote(title, safe="") if title else link


def yasgui_dir() -> Path:
    """The folder YASGUI's built files are served from (``EVKG_YASGUI_DIR`` overrides it)."""
    configured = current_app.config.get("YASGUI_DIR")
    return Path(configured) if configured else ROOT / "node_modules" / YASGUI_BUILD


def yasgui_stamp() -> str:
    """What the editor's URLs of YASGUI's files carry (``?v=``): a digest of each file's size
    and modification time, so that another YASGUI (an ``npm ci`` of another version) is
    another URL, which no browser holds from the day it may keep the last one."""
    folder = yasgui_dir()
    seen = []
    for name in YASGUI_FILES:
        try:
            stat = (folder / name).stat()
        except OSError:
            continue
        seen.append(f"{name} {stat.st_size} {stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(seen).encode()).hexdigest()[:12]


def yasgui_available() -> bool:
    return all((yasgui_dir() / name).is_file() for name in YASGUI_FILES)


#: The query the editor opens with when the visitor has no saved tab.
DEFAULT_QUERY = """PREFIX schema: <https://schema.org/>
PREFIX dcterms: <http://purl.org/dc/terms/>

SELECT ?article ?title
WHERE {
  ?article a schema:ScholarlyArticle ;
           dcterms:title ?title .
}
LIMIT 20
"""
