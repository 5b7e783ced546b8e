"""The build benchmark's synthetic PubMed XML is shaped like the real files it copies.

Both are read back by the project's reader and counted here, field by field, per article: the
synthetic articles' mean must be within a fifth of the real articles' (each synthetic article
copies the counts of one real article drawn at random, so the means meet as the draws grow).
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from pathlib import Path

import pytest

from benchmarks import synthetic
from kg.articles import REVIEW_TYPES
from kg.pubmed import read_pubmed_xml
from kg.records import Article
from tests.conftest import shared_path

#: How many synthetic articles are drawn (from the 729 real ones).
DRAWS = 2_000
#: How far a synthetic mean may be from the real one, as a share of it.
TOLERANCE = 0.2

#: Field → its count in one article.
FIELDS: dict[str, Callable[[Article], int]] = {
    "authors": lambda a: len(a.authors),
    "affiliations": lambda a: sum(len(author.affiliations) for author in a.authors),
    "MeSH headings": lambda a: len(a.mesh_headings),
    "qualifiers": lambda a: sum(len(h.qualifiers) for h in a.mesh_headings),
    "major topics": lambda a: sum(h.major + sum(q.major for q in h.qualifiers)
                                  for h in a.mesh_headings),
    "cited works": lambda a: (sum(bool(r.pmid or r.doi or r.pmcid) for r in a.references)
                              + sum(c.ref_type == "Cites" and bool(c.pmid)
                                    for c in a.comments_corrections)),
    "references by their text alone": lambda a: sum(
        not (r.pmid or r.doi or r.pmcid) and bool(r.citation) for r in a.references),
    "other comments and corrections": lambda a: sum(c.ref_type != "Cites"
                                                    for c in a.comments_corrections),
    "investigators": lambda a: len(a.investigators),
    "publication types": lambda a: len(a.publication_types),
    "reviews": lambda a: any(t.label in REVIEW_TYPES for t in a.publication_types),
    "article identifiers": lambda a: (bool(a.pmid) + bool(a.doi) + bool(a.pmcid)
                                      + len(a.other_ids)),
    "dates": lambda a: sum(map(bool, (a.pub_date, a.epub_date, a.revised_date, a.received_date,
                                      a.accepted_date))),
    "copyright notices": lambda a: bool(a.copyright),
    "conflict of interest statements": lambda a: bool(a.coi_statement),
    "keywords": lambda a: len(a.keywords),
    "substances": lambda a: len(a.substances),
    "grants": lambda a: len(a.grants),
    "abstract sections": lambda a: len(a.abstract),
    "labelled abstract sections": lambda a: sum(bool(s.label) for s in a.abstract),
    "abstract sections with NLM's category": lambda a: sum(bool(s.category) for s in a.abstract),
    "abstract characters": lambda a: len(a.abstract_text),
    "title characters": lambda a: len(a.title),
}


def articles_of(paths: list[Path]) -> list[Article]:
    return [r for path in paths for r in read_pubmed_xml(path) if isinstance(r, Article)]


def field_means(articles: list[Article]) -> dict[str, float]:
    return {name: statistics.fmean(map(count, articles)) for name, count in FIELDS.items()}


def real_files() -> list[Path]:
    return sorted(shared_path("data", "pubmed").rglob("*.xml*"))


@pytest.fixture(scope="module")
def real() -> dict[str, float]:
    return field_means(articles_of(real_files()))


@pytest.fixture(scope="module")
def drawn_articles(tmp_path_factory: pytest.TempPathFactory) -> list[Article]:
    shared_path("data", "pubmed")  # (without it the generator falls back to one shape)
    return articles_of(synthetic.write_files(tmp_path_factory.mktemp("synthetic"), DRAWS))


@pytest.fixture(scope="module")
def drawn(drawn_articles: list[Article]) -> dict[str, float]:
    return field_means(drawn_articles)


@pytest.mark.parametrize("name", FIELDS)
def test_synthetic_articles_have_the_real_files_counts(
        name: str, real: dict[str, float], drawn: dict[str, float]) -> None:
    assert drawn[name] == pytest.approx(real[name], rel=TOLERANCE), (
        f"{name}: {drawn[name]:.2f} an article in the synthetic files, {real[name]:.2f} in the "
        "real ones")


def test_as_many_synthetic_articles_as_real_ones_copy_each_real_article_once(
        tmp_path: Path) -> None:
    real = articles_of(real_files())
    drawn = articles_of(synthetic.write_files(tmp_path, len(real)))

    def counts(articles: list[Article]) -> list[tuple[int, ...]]:
        return sorted((len(a.authors), len(a.mesh_headings), len(a.references))
                      for a in articles)

    assert counts(drawn) == counts(real)


def test_synthetic_articles_repeat_nothing_a_real_one_does_not(
        drawn_articles: list[Article]) -> None:
    issns: dict[str, set[str]] = {}
    for a in drawn_articles:
        assert a.journal is not None
        issns.setdefault(a.journal.nlm_id, set()).add(a.journal.issn)
        assert len(set(a.keywords)) == len(a.keywords), a.keywords
        assert len({s.ui for s in a.substances}) == len(a.substances), a.substances
    assert {nlm_id: len(found) for nlm_id, found in issns.items() if len(found) > 1} == {}
