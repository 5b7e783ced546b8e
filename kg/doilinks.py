"""Citations by DOI: a reference that gives only a DOI cites ``article/doi/{doi}``; when the
graph holds that paper by its PMID, the citation is pointed at the PMID's article, so that one
paper is one node and "who cites it" finds every citation.

The release remembers each citation it pointed so (``doi-citations.tsv``): an ingest points one
back at ``article/doi/{doi}`` when the article no longer holds the DOI alone (a new version
gives another DOI, the article is deleted, or another article comes to give the same DOI), as a
build of the remaining records would have it.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator, Set
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Quad, QuerySolutions, Store

from kg import iris
from kg.namespaces import BIBO, CITO, EVKG

#: The release file listing the citations pointed at an article by its DOI.
DOI_CITATIONS = "doi-citations.tsv"
#: Its media type.
MEDIA_TYPE = "text/tab-separated-values"
#: Its columns: the citing article, the DOI its reference gave (in lower case), the article it
#: now cites, and whether the citing article's record cited that article otherwise too (by
#: PMID; a "cited by" list of the cited article's record does not count, it makes its own
#: link), which pointing the citation back must keep.
COLUMNS = ("citing", "doi", "cited", "cited_otherwise")


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


def relink_doi_links(store: Store) -> list[DoiCitation]:
    """Points every link of the articles graph to ``article/doi/{doi}`` at the article the
    graph holds by PMID with that DOI, whichever record was read first. A DOI that two articles
    give is left alone (which one is meant is unclear), and so is a paper's own DOI among its
    references (no paper cites itself). Returns the citations it pointed.

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
                    # a citation that the cited record's "cited by" list gives is not the
                    # citing record's own (a build points links before making those; an
                    # ingest finds the previous release's)
                    listed = Quad(paper, CITO.isCitedBy, quad.subject, articles) in store
                    relinked.append(DoiCitation(quad.subject.value, dois[by_doi], paper.value,
                                                pointed in store and not listed))
                store.remove(quad)
                store.add(pointed)
    return relinked


def unlink_doi_citations(store: Store, citations: Iterable[DoiCitation],
                         rewritten: Set[str]) -> tuple[list[DoiCitation], list[DoiCitation]]:
    """Points each of a previous release's ``citations`` back at ``article/doi/{doi}`` when the
    article it cites no longer holds the DOI alone; ``relink_doi_links`` then points it at the
    article that does, if one does. Citations of articles whose lines were ``rewritten``
    (replaced or deleted) are dropped: a new version's lines name the DOI again.

    Returns the citations that stay and those pointed back."""
    articles = iris.graph_iri("articles")
    kept, unlinked = [], []
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
        unlinked.append(citation)
    return kept, unlinked


def _holders(store: Store, citation: DoiCitation) -> set[str]:
    """The articles that give the citation's DOI, in any case (but a paper known only by it,
    ``article/doi/{doi}``, which the relinking leaves alone too)."""
    articles, reference = iris.graph_iri("articles"), citation.reference
    return {quad.subject.value for predicate in (BIBO.doi, EVKG.doiLowerCase)
            for quad in store.quads_for_pattern(None, predicate, Literal(citation.doi), articles)
            if isinstance(quad.subject, NamedNode) and quad.subject != reference}


def write_doi_citations(directory: Path, citations: Iterable[DoiCitation]) -> None:
    """Write the citations, sorted, as ``doi-citations.tsv`` in a release folder."""
    with (directory / DOI_CITATIONS).open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        # the csv module quotes a field holding "\n" but not one holding "\r" (a DOI from a
        # hand-written record), which reading it back then splits: such rows are quoted whole
        quoted = csv.writer(out, delimiter="\t", lineterminator="\n", quoting=csv.QUOTE_ALL)
        writer.writerow(COLUMNS)
        for c in sorted(set(citations)):
            row = (c.citing, c.doi, c.cited, str(c.cited_otherwise).lower())
            (quoted if "\r" in c.doi else writer).writerow(row)


def read_doi_citations(release_dir: Path) -> Iterator[DoiCitation]:
    """The citations a release pointed by DOI (none for a release made before the file was)."""
    path = release_dir / DOI_CITATIONS
    if not path.is_file():
        return
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            yield DoiCitation(row["citing"], row["doi"], row["cited"],
                              row["cited_otherwise"] == "true")
