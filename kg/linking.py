"""Everything one article contributes: its bibliographic record and the findings drawn from it
by MeSH indexing and text mining (DESIGN.md, "The evidence model"), the findings only from an
article about extracellular vesicles (its text or its MeSH headings name an EV type)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache, partial
from pathlib import Path

from pyoxigraph import Quad

from kg.articles import SharedTerms, article_lines
from kg.findings import FindingNames, finding_quads
from kg.meshlinks import Vocabulary, mesh_findings
from kg.records import Article
from kg.textmining import Matcher, article_fields, text_findings
from kg.vocabulary import Concept, read_concepts

#: MeSH mappings strong enough to make a finding: a broad match (e.g. Apoptosis for apoptosis
#: resistance) says too little about what the article found.
MESH_FINDING_STRENGTHS = ("exact", "close", "narrow")


@dataclass(frozen=True)
class ArticleLinker:
    """Maps an article to its quads; built once per build from the vocabulary and ontology.

    The record's own quads come as N-Quads lines (``article_lines``), the cheap form the loader
    bulk-loads; the descriptions of MeSH terms and journals that an earlier article of the same
    build wrote are left out. The findings, a few per article, come as ``Quad``s.
    """

    matcher: Matcher
    vocabulary: Vocabulary
    #: The labels the findings' own labels are made of.
    names: FindingNames = field(default_factory=FindingNames)
    shared: SharedTerms = field(default_factory=SharedTerms, compare=False)
    #: Source files collected as articles on EVs (the default articles: ../shared/corpus holds
    #: "articles on EVs in breast cancer"), whose records count as about EVs even where their
    #: title, keywords and headings do not say so (most come without an abstract).
    ev_collections: frozenset[str] = frozenset()

    @classmethod
    def from_files(cls, data_dir: Path, ontology_dir: Path,
                   ev_collections: Iterable[str] = (),
                   more_cargo: Iterable[Concept] = ()) -> ArticleLinker:
        """From the vocabulary of ``data_dir``; text mining also names ``more_cargo`` (the
        miRNAs of ``--mirbase``)."""
        concepts = list(read_concepts(data_dir / "vocabulary"))
        named = [*concepts, *more_cargo]
        ontology = ontology_dir / "evkg.ttl"
        return cls(Matcher.from_concepts(named),
                   Vocabulary.from_concepts(concepts, ontology=ontology,
                                            strengths=MESH_FINDING_STRENGTHS),
                   FindingNames.from_files(named, ontology),
                   ev_collections=frozenset(map(_real_path, ev_collections)))

    def __call__(self, article: Article) -> list[Quad | str]:
        # a list, not a generator: the loader extends its buffer by ~100 items an article, and
        # a generator resumed once for each cost ~4 µs an article more than filling a list
        items: list[Quad | str] = [*article_lines(article, self.shared)]
        ev_heading = (_real_path(article.provenance.file) in self.ev_collections
                      or self.vocabulary.names_ev(article))
        indexed = list(mesh_findings(article, self.vocabulary))
        if indexed and not ev_heading and not self.matcher.names_ev(article_fields(article)):
            indexed = []  # a miRNA and a process indexed on an article that is not about EVs
        mined = text_findings(article, self.matcher, ev_heading=ev_heading,
                              indexed_disease=partial(self.vocabulary.disease, article),
                              indexed_drugs=partial(self.vocabulary.drugs, article))
        for finding in (*indexed, *mined):
            if article.retracted:
                finding = replace(finding, retracted=True)
            items.extend(finding_quads(finding, self.names))
        return items


@lru_cache(maxsize=256)
def _real_path(name: str) -> str:
    """A source file's name as one spelling (records name the file as the build was given it)."""
    return os.path.realpath(name) if name else ""
