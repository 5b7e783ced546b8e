"""The query editor: YASGUI from npm (``node_modules``), our prefixes and the example queries.

Examples are the ``queries/*.rq`` files, read at each request (a handful of small files) so an
edited example shows without a restart. Each starts with ``# title:`` and ``# description:`` lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import current_app

#: The repository root (``queries/`` and ``node_modules/`` live there in a checkout).
ROOT = Path(__file__).resolve().parents[1]
#: Where npm puts YASGUI's built files, under the npm folder.
YASGUI_BUILD = Path("@zazuko/yasgui/build")
#: The files the editor page loads from that folder.
YASGUI_FILES = ("yasgui.min.js", "yasgui.min.css")


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
                   _without_checks(text))


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


def queries_dir() -> Path:
    configured = current_app.config.get("QUERIES_DIR")
    return Path(configured) if configured else ROOT / "queries"


def load_examples(directory: Path) -> list[Example]:
    """Every ``*.rq`` file in ``directory``, in the order of their titles (by file name the
    editor's list read "Cargo linked to angiogenesis…" before "Articles per year")."""
    if not directory.is_dir():
        return []
    return sorted((parse_example(path) for path in directory.glob("*.rq")),
                  key=lambda example: (example.title.casefold(), example.name))


def examples() -> list[Example]:
    return load_examples(queries_dir())


def examples_json() -> list[dict[str, str]]:
    return [asdict(example) for example in examples()]


def yasgui_dir() -> Path:
    """The folder YASGUI's built files are served from (``EVKG_YASGUI_DIR`` overrides it)."""
    configured = current_app.config.get("YASGUI_DIR")
    return Path(configured) if configured else ROOT / "node_modules" / YASGUI_BUILD


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
