"""The citations a build derives rather than loads, and how an ingest keeps them true.

Two kinds of ``cito:cites`` do not come from the citing article's record as it is mapped:

- **By DOI.** A reference that gives only a DOI cites ``article/doi/{doi}``; when the graph
  holds that paper by its PMID, the citation is pointed at the PMID's article, so that one
  paper is one node and "who cites it" finds every citation.
- **From a "cited by" list.** The cited article's record may list who cites it (PubMed's pages,
  which ``evkg fetch`` reads); ``cito:cites`` is materialised from those so that one direction
  answers every query.

Each release lists both (``doi-citations.tsv``, ``cited-by-citations.tsv``), and an ingest
undoes what of them no longer holds before deriving them again. A citation only a list gave
goes with the list (the listing article's next version without it, or its deletion); the
loader removes one whose citing article arrives or is replaced before that article's lines
load, as they may give the same triple as the record's own (``ArticleLoader.listed_citing``).
A citation by DOI whose article no longer holds the DOI alone (a new version gives another
DOI, the article is deleted, or another article comes to give the same DOI) points at
``article/doi/{doi}`` again before the links are pointed anew. After an ingest the graph's
citations are a build's of the records that remain.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, Store

from kg import iris
from kg.namespaces import BIBO, CITO, EVKG

#: The release file listing the citations pointed at an article by its DOI.
DOI_CITATIONS = "doi-citations.tsv"
#: The release file listing the citations that only a "cited by" list gives.
LISTED_CITATIONS = "cited-by-citations.tsv"
#: Both, as a release lists them.
LISTS = (DOI_CITATIONS, LISTED_CITATIONS)
#: Their media type.
MEDIA_TYPE = "text/tab-separated-values"
#: The columns of ``DOI_CITATIONS``: the citing article, the DOI its reference gave (in lower
#: case), the article it now cites, and whether the citing article's record cites that article
#: otherwise too (by PMID), which pointing the citation back must keep.
DOI_COLUMNS = ("citing", "doi", "cited", "cited_otherwise")
#: The columns of ``LISTED_CITATIONS``.
LISTED_COLUMNS = ("citing", "cited")

#: The citations that a list gave in a release made before they were listed, whose citing
#: article is not in the graph.
UNLISTED_BEFORE = """
SELECT ?citing ?cited {{ GRAPH <{articles}> {{
  ?cited <http://purl.org/spar/cito/isCitedBy> ?citing .
  ?citing <http://purl.org/spar/cito/cites> ?cited
  FILTER NOT EXISTS {{ ?citing a <https://schema.org/ScholarlyArticle> }} }} }}
"""
#: The pairs a "cited by" list gives whose ``cito:cites`` is not in the graph yet.
UNLISTED = """
SELECT ?citing ?cited {{ GRAPH <{articles}> {{
  ?cited <http://purl.org/spar/cito/isCitedBy> ?citing
  FILTER NOT EXISTS {{ ?citing <http://purl.org/spar/cito/cites> ?cited }} }} }}
"""


@dataclass(frozen=True, order=True)
class DoiCitation:
    citing: str
    doi: str
    cited: str
    cited_otherwise: bool = False

    @property
    def reference(self) -> NamedNode:
        """What the reference named: ``article/doi/{doi}``."""
        return iris.article_iri(doi=self.doi)


@dataclass
class DerivedCitations:
    """The derived citations of the release being made, and the citing articles whose lines
    deriving them changed (for the dumps)."""

    by_doi: list[DoiCitation] = field(default_factory=list)
    #: (citing, cited) IRIs of the citations only a "cited by" list gives.
    listed: set[tuple[str, str]] = field(default_factory=set)
    touched: set[str] = field(default_factory=set)

    def write(self, directory: Path) -> None:
        """Write both lists, sorted, into a release folder."""
        by_doi = sorted(set(self.by_doi))
        own = {(c.citing, c.cited) for c in by_doi}
        _write_rows(directory / DOI_CITATIONS, DOI_COLUMNS, (
            (c.citing, c.doi, c.cited, str(c.cited_otherwise).lower()) for c in by_doi))
        _write_rows(directory / LISTED_CITATIONS, LISTED_COLUMNS,
                    sorted(self.listed - own))  # a citation by DOI is the record's own


def previous_listed(store: Store, previous: Path) -> list[tuple[str, str]]:
    """The citations only a "cited by" list gave in the ``previous`` release (an ingest, before
    it loads anything). A release made before it listed them (4 Dec) tells only those whose
    citing article is not in the graph: no record of its own can give them; the others are
    taken for the record's own."""
    if (previous / LISTED_CITATIONS).is_file():
        return read_listed_citations(previous)
    solutions = store.query(UNLISTED_BEFORE.format(articles=iris.graph_iri("articles").value))
    assert isinstance(solutions, QuerySolutions)
    return [(citing.value, cited.value) for citing, cited in solutions
            if isinstance(citing, NamedNode) and isinstance(cited, NamedNode)]


def point_citations(store: Store, by_doi: Iterable[DoiCitation],
                    listed: Iterable[tuple[str, str]], rewritten: Set[str]) -> DerivedCitations:
    """Undo what of the previous release's derived citations (an ingest's: ``by_doi``, and
    ``listed`` from ``previous_listed``) no longer holds, then point the links by DOI.
    ``rewritten``: the citing articles among them whose lines were removed (replaced or
    deleted records, and the citing articles of ``listed`` that arrived): their new lines
    name their citations again."""
    derived = DerivedCitations()
    derived.listed = _undo_listed(store, listed, rewritten, derived)
    derived.by_doi = _undo_by_doi(store, by_doi, rewritten, derived)
    relinked = relink_doi_links(store, listed=derived.listed)
    derived.by_doi += relinked
    derived.touched.update(c.citing for c in relinked)  # those kept are as they were
    return derived


def materialise_listed(store: Store, derived: DerivedCitations) -> None:
    """``cito:cites`` from every "cited by" list, noting the pairs it adds (``derived``): those
    no record gives."""
    articles = iris.graph_iri("articles")
    solutions = store.query(UNLISTED.format(articles=articles.value))
    assert isinstance(solutions, QuerySolutions)
    for citing, cited in solutions:
        if isinstance(citing, NamedNode) and isinstance(cited, NamedNode):
            store.add(Quad(citing, CITO.cites, cited, articles))
            derived.listed.add((citing.value, cited.value))
            derived.touched.add(citing.value)


def relink_doi_links(store: Store, listed: Set[tuple[str, str]] = frozenset()
                     ) -> list[DoiCitation]:
    """Points every link of the articles graph to ``article/doi/{doi}`` at the article the
    graph holds by PMID with that DOI, whichever record was read first. A DOI that two articles
    give is left alone (which one is meant is unclear), and so is a paper's own DOI among its
    references (no paper cites itself). ``listed``: the citations in the graph that only a
    "cited by" list gives (an ingest's; a build points links before it makes those), which are
    not the citing record's own. Returns the citations it pointed.

    One pass over the articles' DOIs with a lookup each: ~15 µs an article on a 10k synthetic
    build here (~1.5 s at 100k, ~15 s at 1M). The same join in one SPARQL query, the DOI's
    IRI made with BIND, ran as a nested loop over the graph: 520 s at 10k."""
    articles = iris.graph_iri("articles")
    solutions = store.query(f"SELECT ?paper ?doi {{ GRAPH <{articles.value}> "
                            f"{{ ?paper <{BIBO.doi.value}> ?doi }} }}")
    assert isinstance(solutions, QuerySolutions)
    papers: dict[NamedNode, set[Any]] = {}
    dois: dict[NamedNode, str] = {}
    for paper, doi in solutions:
        by_doi = iris.article_iri(doi=doi.value)
        if by_doi != paper and next(store.quads_for_pattern(None, None, by_doi, articles), None):
            papers.setdefault(by_doi, set()).add(paper)
            dois[by_doi] = doi.value.lower()
    relinked = []
    for by_doi, found in papers.items():
        if len(found) == 1:
            (paper,) = found
            for quad in list(store.quads_for_pattern(None, None, by_doi, articles)):
                if quad.subject == paper:
                    continue  # a paper listing its own DOI among its references cites no self
                pointed = Quad(quad.subject, quad.predicate, paper, articles)
                if quad.predicate == CITO.cites and isinstance(quad.subject, NamedNode):
                    own = pointed in store and (quad.subject.value, paper.value) not in listed
                    relinked.append(DoiCitation(quad.subject.value, dois[by_doi], paper.value,
                                                own))
                store.remove(quad)
                store.add(pointed)
    return relinked


def _undo_by_doi(store: Store, citations: Iterable[DoiCitation], rewritten: Set[str],
                 derived: DerivedCitations) -> list[DoiCitation]:
    """Points each citation by DOI back at ``article/doi/{doi}`` when the article it cites no
    longer holds the DOI alone; ``relink_doi_links`` then points it at the article that does, if
    one does. Returns the citations that stay."""
    articles = iris.graph_iri("articles")
    kept = []
    for citation in citations:
        if citation.citing in rewritten:
            continue
        if _holders(store, citation) == {citation.cited}:
            kept.append(citation)
            continue
        citing, cited = NamedNode(citation.citing), NamedNode(citation.cited)
        if not citation.cited_otherwise:
            store.remove(Quad(citing, CITO.cites, cited, articles))
        store.add(Quad(citing, CITO.cites, citation.reference, articles))
        derived.touched.add(citation.citing)
    return kept


def _undo_listed(store: Store, pairs: Iterable[tuple[str, str]], rewritten: Set[str],
                 derived: DerivedCitations) -> set[tuple[str, str]]:
    """Removes each citation that only a "cited by" list gave when the cited article's record
    no longer lists the citing one (a new version without it, or deleted). Returns the pairs
    that stay listed. (A citation by DOI is never listed: ``DerivedCitations.write``.)"""
    articles = iris.graph_iri("articles")
    kept = set()
    for citing, cited in pairs:
        if citing in rewritten:  # its lines went, and a list makes the link again
            continue
        if Quad(NamedNode(cited), CITO.isCitedBy, NamedNode(citing), articles) in store:
            kept.add((citing, cited))
        else:
            store.remove(Quad(NamedNode(citing), CITO.cites, NamedNode(cited), articles))
            derived.touched.add(citing)
    return kept


def _holders(store: Store, citation: DoiCitation) -> set[str]:
    """The articles that give the citation's DOI, in any case (but a paper known only by it,
    ``article/doi/{doi}``, which the relinking leaves alone too)."""
    articles, reference = iris.graph_iri("articles"), citation.reference
    return {quad.subject.value for predicate in (BIBO.doi, EVKG.doiLowerCase)
            for quad in store.quads_for_pattern(None, predicate, Literal(citation.doi), articles)
            if isinstance(quad.subject, NamedNode) and quad.subject != reference}


def _write_rows(path: Path, columns: tuple[str, ...], rows: Iterable[tuple[str, ...]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        # the csv module quotes a field holding "\n" but not one holding "\r" (a DOI from a
        # hand-written record), which reading it back then splits: such rows are quoted whole
        quoted = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(columns)
        for row in rows:
            (quoted if any("\r" in value for value in row) else writer).writerow(row)


def _read_rows(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a release's list (none for a release made before the list was)."""
    if path.is_file():
        with path.open(encoding="utf-8", newline="") as handle:
            yield from csv.DictReader(handle, delimiter="\t")


def read_doi_citations(release_dir: Path) -> list[DoiCitation]:
    """The citations a release pointed by DOI."""
    return [DoiCitation(row["citing"], row["doi"], row["cited"], row["cited_otherwise"] == "true")
            for row in _read_rows(release_dir / DOI_CITATIONS)]


def read_listed_citations(release_dir: Path) -> list[tuple[str, str]]:
    """The citations only a "cited by" list gave in a release."""
    return [(row["citing"], row["cited"]) for row in _read_rows(release_dir / LISTED_CITATIONS)]
