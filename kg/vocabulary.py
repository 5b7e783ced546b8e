"""The curated vocabulary (``data/vocabulary/*.tsv``) → SKOS concepts in ``graph/vocabulary``.

Each file is one concept scheme: processes, diseases, EV types and cargo molecules. A row's
``mappings`` cell lists alignments as ``STRENGTH CURIE`` items; the strength picks the SKOS
mapping property, so the match strength recorded in ``../shared/vocab`` survives into the graph.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Quad

from kg import iris
from kg.effects import OPPOSITE_PHRASE
from kg.namespaces import CARGO_CLASSES, DCTERMS, EVKG, RDF, RDFS, SCHEMES, SKOS

#: Mapping strength (as written in the files) → SKOS mapping property.
STRENGTHS: dict[str, NamedNode] = {
    "exact": SKOS.exactMatch,
    "close": SKOS.closeMatch,
    "broad": SKOS.broadMatch,
    "narrow": SKOS.narrowMatch,
    "related": SKOS.relatedMatch,
}
#: The process a drug's resistance names ("cetuximab resistance"), for drugs the vocabulary's
#: phrases do not list (``kg.meshlinks.Vocabulary.drugs``, ``kg.textmining``).
DRUG_RESISTANCE = "drug_resistance"
#: The process of cargo moved between cells by vesicles (:mod:`kg.textmining` finds it by verbs too).
EV_COMMUNICATION = "ev_mediated_communication"
#: The vocabulary files, in build order (file stem → scheme).
VOCABULARY_FILES = ("processes", "diseases", "ev_types", "cargo")


@dataclass(frozen=True)
class Concept:
    scheme: str
    key: str
    label: str
    definition: str = ""
    alt_labels: tuple[str, ...] = ()
    phrases: tuple[str, ...] = ()
    mappings: tuple[tuple[str, str], ...] = ()
    broader: tuple[str, ...] = ()
    cargo_class: str = ""
    source: str = ""
    notes: str = ""

    @property
    def iri(self) -> NamedNode:
        return iris.CONCEPT_IRIS[self.scheme](self.key)


def _split(cell: str | None, sep: str = ";") -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split(sep) if part.strip())


def parse_mapping(item: str) -> tuple[str, str]:
    """``"exact GO:0001525"`` → ``("exact", "GO:0001525")``, checking the strength."""
    strength, _, curie = item.strip().partition(" ")
    if strength not in STRENGTHS or not curie:
        raise ValueError(f"bad mapping {item!r}: want 'STRENGTH CURIE' with STRENGTH one of "
                         f"{', '.join(STRENGTHS)}")
    return strength, curie.strip()


def read_concepts(directory: Path) -> Iterator[Concept]:
    """Every concept of every vocabulary file under ``directory``."""
    for scheme in VOCABULARY_FILES:
        path = directory / f"{scheme}.tsv"
        with path.open(encoding="utf-8", newline="") as handle:
            for number, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
                try:
                    yield Concept(
                        scheme=scheme,
                        key=row["key"],
                        label=row["label"],
                        definition=row.get("definition") or "",
                        alt_labels=_split(row.get("alt_labels")),
                        phrases=_split(row.get("phrases")),
                        mappings=tuple(parse_mapping(m) for m in _split(row.get("mappings"))),
                        broader=_split(row.get("broader")),
                        cargo_class=row.get("cargo_class") or "",
                        source=row.get("source") or "",
                        notes=row.get("notes") or "",
                    )
                except (KeyError, ValueError) as error:
                    raise ValueError(f"{path}, line {number}: {error}") from None


def concept_quads(concept: Concept) -> Iterator[Quad]:
    g = iris.graph_iri("vocabulary")
    c = concept.iri

    def t(p: NamedNode, o: NamedNode | Literal) -> Quad:
        return Quad(c, p, o, g)

    yield t(RDF.type, SKOS.Concept)
    if concept.scheme == "cargo":
        try:
            yield t(RDF.type, CARGO_CLASSES[concept.cargo_class])
        except KeyError:
            raise ValueError(f"cargo {concept.key!r} has unknown cargo class "
                             f"{concept.cargo_class!r}; known: {', '.join(CARGO_CLASSES)}") from None
    yield t(SKOS.inScheme, SCHEMES[concept.scheme])
    yield t(SKOS.prefLabel, Literal(concept.label, language="en"))
    yield t(RDFS.label, Literal(concept.label, language="en"))
    yield t(SKOS.notation, Literal(concept.key))
    if concept.definition:
        yield t(SKOS.definition, Literal(concept.definition, language="en"))
    for alt in concept.alt_labels:
        yield t(SKOS.altLabel, Literal(alt, language="en"))
    for phrase in concept.phrases:
        # "T cell activation" is a cue for immune evasion, not a name of it: no label
        named = EVKG.oppositePhrase if OPPOSITE_PHRASE.search(phrase) else SKOS.hiddenLabel
        yield t(named, Literal(phrase, language="en"))
    for parent in concept.broader:
        yield t(SKOS.broader, iris.CONCEPT_IRIS[concept.scheme](parent))
    if not concept.broader:
        yield t(SKOS.topConceptOf, SCHEMES[concept.scheme])
    for strength, curie in concept.mappings:
        yield t(STRENGTHS[strength], iris.curie_iri(curie))
    if concept.source:
        yield t(DCTERMS.source, Literal(concept.source))
    if concept.notes:
        yield t(SKOS.editorialNote, Literal(concept.notes, language="en"))


#: The names of the external terms the vocabulary and the ontology align to (``curie``,
#: ``label``, ``source``), beside the concept files.
EXTERNAL_LABELS = "external_labels.tsv"


def external_label_quads(directory: Path) -> Iterator[Quad]:
    """An ``rdfs:label`` for each aligned term ``external_labels.tsv`` names (GO:0001525
    "angiogenesis"), so pages, SPARQL answers and the SSSOM file show what a mapping points
    at. A folder without the file (an older ``data/``) gives none."""
    path = directory / EXTERNAL_LABELS
    if not path.exists():
        return
    g = iris.graph_iri("vocabulary")
    with path.open(encoding="utf-8", newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
            try:
                term = iris.curie_iri(row["curie"])
            except (KeyError, ValueError) as error:
                raise ValueError(f"{path}, line {number}: {error}") from None
            if row.get("label"):
                yield Quad(term, RDFS.label, Literal(row["label"], language="en"), g)


def vocabulary_quads(directory: Path) -> Iterator[Quad]:
    for concept in read_concepts(directory):
        yield from concept_quads(concept)
    yield from external_label_quads(directory)
