"""The search index a release holds (``kg/searchindex.py``): written by build and ingest, beside
the store it indexes, never beside another release's."""

from __future__ import annotations

import dataclasses
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kg import release
from kg.build import build, ingest
from kg.jsonrecords import write_records
from kg.records import Article, Author, Journal
from kg.release import CHECKSUMS, MANIFEST, current_release
from kg.searchindex import INDEX_FILE, folded, ranked_labels
from server import create_app

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://w3id.org/evkg/"


def titled(pmid: str, title: str) -> Article:
    return Article(pmid=pmid, title=title, pub_date="2024-05-01",
                   journal=Journal(title="Journal of Invented Results"))


def deletion(path: Path, pmid: str) -> Path:
    path.write_text('<?xml version="1.0"?>\n<PubmedArticleSet><DeleteCitation>'
                    f'<PMID Version="1">{pmid}</PMID></DeleteCitation></PubmedArticleSet>\n',
                    encoding="utf-8")
    return path


def found(release_dir: Path, word: str) -> list[tuple[str, str]]:
    """(IRI, label) of what the release's index finds for ``word`` (a plain word: the index's
    candidates tested as the search tests a label without diacritics or scripts)."""
    needle = folded(word)
    return [(iri, label) for iri, label, _ in ranked_labels(
        release_dir / INDEX_FILE, needle, lambda label: needle in label.lower(),
        lambda label: label.lower() == needle, lambda label: label.lower().startswith(needle),
        50)]


def test_a_build_and_an_ingest_write_the_search_index_of_their_release(tmp_path: Path) -> None:
    """The server's search scanned every label of the graph by SPARQL (1.2 s at 20,000
    articles, growing with the graph): a release now holds an index of its labels beside its
    store, written by a build and again by each ingest, so that an ingested article is found
    by a word of its title and a deleted one is not."""
    write_records([titled("99999971", "Axolotl exosomes in regeneration"),
                   titled("99999972", "Vesicles of the quokka")], tmp_path / "first.jsonl")
    out = tmp_path / "b"
    build([tmp_path / "first.jsonl"], out, default_articles=False)
    first = current_release(out)
    assert found(first, "axolotl") == [(BASE + "article/99999971",
                                        "Axolotl exosomes in regeneration")]
    manifest = json.loads((first / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["search_index"]["file"] == INDEX_FILE and manifest["search_index"]["labels"] > 0
    # kept like the store: SQLite's bytes are no release file to check against a sum
    assert INDEX_FILE not in (first / CHECKSUMS).read_text(encoding="utf-8")
    assert INDEX_FILE not in [f["name"] for f in manifest["files"]]

    write_records([titled("99999973", "Pangolin extracellular vesicles")], tmp_path / "new.jsonl")
    ingest([tmp_path / "new.jsonl", deletion(tmp_path / "gone.xml", "99999971")], out)
    second = current_release(out)
    assert second != first
    assert found(second, "pangolin") == [(BASE + "article/99999973",
                                          "Pangolin extracellular vesicles")]
    assert found(second, "axolotl") == []
    assert found(second, "quokka") == [(BASE + "article/99999972", "Vesicles of the quokka")]
    assert found(first, "axolotl") and not found(first, "pangolin")  # each release its own


def test_an_ingest_that_fails_after_its_index_leaves_the_current_releases_own(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An ingest that fails once it has written its index (here, in writing the release's
    files) leaves the current release and its index as they were: the new index stays in the
    staging folder, which goes."""
    write_records([titled("99999974", "Capybara exosomes")], tmp_path / "first.jsonl")
    out = tmp_path / "b"
    build([tmp_path / "first.jsonl"], out, default_articles=False)
    before = current_release(out)
    write_records([titled("99999975", "Narwhal exosomes")], tmp_path / "new.jsonl")

    def failing(*args: object, **kwargs: object) -> None:
        assert list(out.glob(f".staging-*/{INDEX_FILE}")), "the index is written first"
        raise OSError("the release files failed")

    monkeypatch.setattr(release, "write_release", failing)
    with pytest.raises(OSError, match="the release files failed"):
        ingest([tmp_path / "new.jsonl"], out)
    assert current_release(out) == before
    assert found(before, "narwhal") == [] and found(before, "capybara")
    assert not list(out.glob(".staging-*"))


def test_a_killed_ingest_leaves_no_index_beside_the_current_store_but_its_own(
        tmp_path: Path) -> None:
    """An ingest killed (SIGKILL) once its index is written, before it publishes its release:
    the current release keeps its own index, and the next ingest removes the killed one's
    staging folder, index and all."""
    write_records([titled("99999976", "Okapi exosomes")], tmp_path / "first.jsonl")
    out = tmp_path / "b"
    build([tmp_path / "first.jsonl"], out, default_articles=False)
    before = current_release(out)
    write_records((titled(str(90_000_000 + n), f"Synthetic vesicles of the tapir {n}")
                   for n in range(1_000)), tmp_path / "many.jsonl")
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "ingest",
                                str(tmp_path / "many.jsonl"), "--into", str(out), "--quiet"],
                               cwd=ROOT, stderr=subprocess.DEVNULL)
    try:
        while not list(out.glob(f".staging-*/{INDEX_FILE}")):
            assert process.poll() is None, "the ingest ended before its index was seen"
            time.sleep(0.001)
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait()
    assert current_release(out) == before
    assert found(before, "tapir") == [] and found(before, "okapi")
    assert list(out.glob(f".staging-*/{INDEX_FILE}"))  # (what the kill left, until the next)
    write_records([titled("99999977", "Tapir vesicles")], tmp_path / "next.jsonl")
    ingest([tmp_path / "next.jsonl"], out)
    assert not list(out.glob(".staging-*"))
    assert found(current_release(out), "tapir") == [(BASE + "article/99999977", "Tapir vesicles")]


def test_an_author_is_found_by_family_name_whatever_its_diacritics(tmp_path: Path) -> None:
    """A text review's: search looked a family name up only as typed (and with a capital), so
    "Sjogren" found no author Sjögren, as PubMed's author search does, and "muller" no Müller.
    The index holds the family names folded: either spelling finds the author, with the name
    as the release writes it; "Mueller" (another spelling, not a folding) finds no one."""
    authors = (Author(family="Sjögren", given="Anna", initials="A"),
               Author(family="Müller", given="Jonas", initials="J"))
    write_records([dataclasses.replace(titled("99999974", "Vesicles of the axolotl"),
                                       authors=authors)], tmp_path / "one.jsonl")
    out = tmp_path / "b"
    build([tmp_path / "one.jsonl"], out, default_articles=False)
    client = create_app({"STORE_DIR": str(out), "TESTING": True}).test_client()

    def authors_found(text: str) -> list[tuple[str, str]]:
        results = client.get("/search", query_string={"q": text},
                             headers={"Accept": "application/json"}).get_json()["results"]
        return [(r["iri"], r["matched"]) for r in results if "/author/" in r["iri"]]

    first = BASE + "article/99999974/author/1"
    assert authors_found("Sjogren") == authors_found("SJÖGREN") == [(first, "Sjögren")]
    assert authors_found("muller") == [(BASE + "article/99999974/author/2", "Müller")]
    assert authors_found("Mueller") == []
