"""Findings: evidence-backed links from an article to cargo, processes and diseases.

A finding is never a bare triple (DESIGN.md, "The evidence model"): it names the article it was
derived from, what it links, the effect, the method that produced it and, for text mining, the
field and span. The shortcut triples (``evkg:mentionsCargo``, ``evkg:studiesProcess``) are
derived from the findings by the build once all are loaded (``kg.build.SHORTCUTS``).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad, RdfFormat, parse

from kg import iris
from kg.namespaces import CARGO_CLASSES, DCTERMS, EFFECTS, EVKG, FINDING, METHODS, PROV, RDF, RDFS, XSD
from kg.records import Provenance, Rejected
from kg.vocabulary import Concept


@dataclass(frozen=True)
class Finding:
    article: NamedNode
    method: str
    effect: str
    cargo: str = ""
    cargo_class: str = ""
    process: str = ""
    disease: str = ""
    evidence_note: str = ""
    source: str = ""
    field: str = ""
    span: tuple[int, int] | None = None
    sentence: str = ""
    retracted: bool = False
    #: the NLM category of the abstract section a text-mined finding was read in
    abstract_category: str = ""

    @property
    def iri(self) -> NamedNode:
        span = f"{self.span[0]}-{self.span[1]}" if self.span else ""
        return iris.finding_iri(self.method, self.article.value, self.cargo, self.cargo_class,
                                self.process, self.effect, self.disease, self.field, span)


#: Resolves a curated row's PMID or DOI to the article IRI in the graph, or None.
ArticleLookup = Callable[[str, str], NamedNode | None]


def curated_dois(path: Path) -> frozenset[str]:
    """The DOIs (lower case) the curated findings cite: the ones a build must resolve."""
    with path.open(encoding="utf-8", newline="") as handle:
        return frozenset(row["doi"].lower() for row in csv.DictReader(handle, delimiter="\t")
                         if row["doi"])


def read_curated_findings(path: Path, lookup: ArticleLookup) -> Iterator[Finding | Rejected]:
    """Curated findings from ``data/findings.tsv``; a row whose article is absent is rejected."""
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            where = Provenance(file=str(path), position=f"line {number}")
            if row["effect"] not in EFFECTS:
                yield Rejected(reason=f"unknown effect {row['effect']!r}; known: "
                               f"{', '.join(EFFECTS)}", provenance=where, pmid=row["pmid"])
                continue
            article = lookup(row["pmid"], row["doi"])
            if article is None:
                ids = " / ".join(x for x in (f"PMID {row['pmid']}" if row["pmid"] else "",
                                             f"DOI {row['doi']}" if row["doi"] else "") if x)
                yield Rejected(reason=f"finding for {row['cargo']} cites {ids}, which is not an "
                               "article in the graph", provenance=where, pmid=row["pmid"])
                continue
            yield Finding(
                article=article,
                method="curated",
                effect=row["effect"],
                cargo=row["cargo"],
                process=row["process"],
                disease=row["disease"],
                evidence_note=row["evidence_note"],
                source=row["source"],
                retracted=row["retracted"].strip().lower() == "true",
            )


#: An effect as the verb of a finding's label ("hsa-miR-105 promotes metastasis").
EFFECT_VERBS: dict[str, str] = {
    "promotes": "promotes",
    "inhibits": "inhibits",
    "biomarkerFor": "is a biomarker for",
    "associatedWith": "is associated with",
}


@dataclass(frozen=True)
class FindingNames:
    """The names a finding's label is made of: the vocabulary's labels of its cargo, process and
    disease, and the ontology's of its cargo class. A key without a name is named by itself."""

    concepts: Mapping[tuple[str, str], str] = field(default_factory=dict)
    classes: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_files(cls, concepts: Iterable[Concept], ontology: Path) -> FindingNames:
        # keyed as a finding names its class: the ontology's local name ("MitochondrialDNA")
        wanted = {iri.value: iri.value.removeprefix(EVKG.iri) for iri in CARGO_CLASSES.values()}
        classes = {wanted[t.subject.value]: t.object.value
                   for t in parse(path=ontology, format=RdfFormat.TURTLE)
                   if t.predicate == RDFS.label and t.subject.value in wanted}
        return cls({(c.scheme, c.key): c.label for c in concepts}, classes)

    def label(self, finding: Finding) -> str:
        """"hsa-miR-105-5p promotes metastasis", "microRNA is associated with apoptosis"."""
        what = (self.concepts.get(("cargo", finding.cargo), finding.cargo) if finding.cargo
                else self.classes.get(finding.cargo_class, finding.cargo_class))
        about = (self.concepts.get(("processes", finding.process), finding.process)
                 if finding.process
                 else self.concepts.get(("diseases", finding.disease), finding.disease))
        return " ".join(part for part in (what, EFFECT_VERBS[finding.effect], about) if part)


def finding_quads(finding: Finding, names: FindingNames) -> Iterator[Quad]:
    g = iris.graph_iri("findings")
    f = finding.iri

    def t(p: NamedNode, o: NamedNode | Literal) -> Quad:
        return Quad(f, p, o, g)

    yield t(RDF.type, FINDING)
    yield t(RDFS.label, Literal(names.label(finding), language="en"))
    yield t(PROV.wasDerivedFrom, finding.article)
    yield t(EVKG.method, METHODS[finding.method])
    yield t(EVKG.effect, EFFECTS[finding.effect])
    if finding.cargo:
        cargo = iris.cargo_iri(finding.cargo)
        yield t(EVKG.cargo, cargo)
    if finding.cargo_class:
        yield t(EVKG.cargoClass, EVKG[finding.cargo_class])
    if finding.process:
        process = iris.process_iri(finding.process)
        yield t(EVKG.process, process)
    if finding.disease:
        yield t(EVKG.diseaseContext, iris.disease_iri(finding.disease))
    if finding.evidence_note:
        yield t(EVKG.evidenceNote, Literal(finding.evidence_note))
    if finding.source:
        yield t(DCTERMS.source, Literal(finding.source))
    if finding.field:
        yield t(EVKG.field, Literal(finding.field))
    if finding.span:
        yield t(EVKG.spanStart, Literal(str(finding.span[0]), datatype=XSD.integer))
        yield t(EVKG.spanEnd, Literal(str(finding.span[1]), datatype=XSD.integer))
    if finding.sentence:
        yield t(EVKG.sentence, Literal(finding.sentence))
    if finding.abstract_category:
        yield t(EVKG.abstractCategory, Literal(finding.abstract_category))
    if finding.retracted:
        yield t(EVKG.fromRetractedArticle, Literal(True))
