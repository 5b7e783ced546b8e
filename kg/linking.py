"""Everything one article contributes: its bibliographic record and the findings drawn from it
by MeSH indexing and text mining (DESIGN.md, "The evidence model")."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from pyoxigraph import Quad

from kg.articles import article_quads
from kg.findings import finding_quads
from kg.meshlinks import Vocabulary, mesh_findings
from kg.records import Article
from kg.textmining import Matcher, text_findings
from kg.vocabulary import read_concepts

#: MeSH mappings strong enough to make a finding: a broad match (e.g. Apoptosis for apoptosis
#: resistance) says too little about what the article found.
MESH_FINDING_STRENGTHS = ("exact", "close", "narrow")


@dataclass(frozen=True)
class ArticleLinker:
    """Maps an article to its quads; built once per build from the vocabulary and ontology."""

    matcher: Matcher
    vocabulary: Vocabulary

    @classmethod
    def from_files(cls, data_dir: Path, ontology_dir: Path) -> ArticleLinker:
        concepts = list(read_concepts(data_dir / "vocabulary"))
        return cls(Matcher.from_concepts(concepts),
                   Vocabulary.from_concepts(concepts, ontology=ontology_dir / "evkg.ttl",
                                            strengths=MESH_FINDING_STRENGTHS))

    def __call__(self, article: Article) -> Iterator[Quad]:
        yield from article_quads(article)
        for finding in (*mesh_findings(article, self.vocabulary),
                        *text_findings(article, self.matcher)):
            if article.retracted:
                finding = replace(finding, retracted=True)
            yield from finding_quads(finding)
