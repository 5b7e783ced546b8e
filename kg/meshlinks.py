"""MeSH indexing: an article's MeSH headings and substances → findings, through the vocabulary.

A :class:`Vocabulary` (built once per build) knows which concept each MeSH UI stands for, from
the ``MESH:D…``/``MESH:C…`` mappings of ``data/vocabulary`` and the ontology's alignments of
cargo classes. :func:`mesh_findings` turns one article's UIs into findings. The decisions:

- Per UI, only the concepts with its strongest mapping count (exact > close > narrow > broad >
  related): Neoplasm Metastasis (D009362) is metastasis (exact), not also organotropism and
  pre-metastatic niche (related). The UI, its label and the strength go in ``evidence_note``, e.g.
  "MeSH D009362 Neoplasm Metastasis (exact match of metastasis)". Every strength counts unless
  ``strengths`` says otherwise; a broad or related match is weak evidence (Apoptosis is only
  broader than apoptosis resistance).
- A finding needs a cargo or a cargo class (``ontology/checks/finding-incomplete-violation.rq``),
  so a process heading alone makes none. Each cargo concept is paired with each process concept
  of the article; a cargo with no process makes a cargo-only finding. With no cargo concept, a
  heading the ontology aligns to a cargo class (``skos:exactMatch``/``closeMatch``; D035683
  MicroRNAs ↔ ``evkg:MicroRNA``) stands in as ``cargo_class`` for each process; a class with no
  process makes nothing (nearly every miRNA paper carries MicroRNAs).
- Disease context: the most specific disease concept mapped from the UIs (Breast Neoplasms →
  breast_cancer, Triple Negative Breast Neoplasms → tnbc), else none.
- EV-type headings name no slot of a finding, so they make none. The effect is ``associatedWith``.
- Headings that NLM's algorithm chose (PubMed XML's ``IndexingMethod``, ``INDEXING_NOTES``) are
  said so at the end of the note: a machine's reading of the title and abstract, not an
  indexer's of the article.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from pyoxigraph import NamedNode, RdfFormat, parse

from kg.articles import subject_iri
from kg.findings import Finding
from kg.hierarchy import narrowest, parent_keys
from kg.namespaces import EVKG, MESH, RDFS, SKOS
from kg.records import Article
from kg.vocabulary import DRUG_RESISTANCE, Concept

#: The ontology whose cargo classes are aligned to MeSH descriptors.
ONTOLOGY = Path(__file__).resolve().parents[1] / "ontology" / "evkg.ttl"
#: Mapping strengths, strongest first; an article indexed with a narrower term implies the
#: concept, one indexed with a broader or related term does less.
STRENGTH_ORDER = ("exact", "close", "narrow", "broad", "related")
_CLASS_STRENGTHS = {SKOS.exactMatch.value: "exact", SKOS.closeMatch.value: "close"}
#: What a finding's note adds for each IndexingMethod by which a machine chose the headings
#: (NLM Technical Bulletin 2018 Jul-Aug, "Incorporating Values for Indexing Method"); an
#: indexer's ("Manual"), or a record that does not say, adds nothing.
INDEXING_NOTES = {
    "Automated": "MeSH headings chosen by NLM's algorithm alone (IndexingMethod Automated)",
    "Curated": "MeSH headings chosen by NLM's algorithm, reviewed by an indexer "
               "(IndexingMethod Curated)",
}


@dataclass(frozen=True)
class MeshLink:
    """A concept (or, with scheme "class", a cargo class) that a MeSH UI stands for."""

    scheme: str
    key: str
    strength: str

    def note(self, ui: str, label: str) -> str:
        what = f"cargo class {self.key}" if self.scheme == "class" else self.key
        return f"MeSH {ui} {label} ({self.strength} match of {what})"


#: The qualifiers of a heading that index its substance as a drug (NLM's labels).
DRUG_QUALIFIERS = frozenset({"pharmacology", "therapeutic use", "administration & dosage",
                             "adverse effects", "toxicity", "pharmacokinetics"})


@dataclass(frozen=True)
class Vocabulary:
    """What each MeSH UI stands for (its strongest links), and the concepts' ``broader`` keys."""

    links: dict[str, tuple[MeshLink, ...]]
    parents: dict[str, tuple[str, ...]]

    @classmethod
    def from_concepts(cls, concepts: Iterable[Concept], ontology: Path = ONTOLOGY,
                      strengths: Iterable[str] = STRENGTH_ORDER) -> Vocabulary:
        """The MeSH links of ``concepts`` and of the ontology's cargo classes; ``strengths``
        limits them (("exact", "close", "narrow") keeps only matches the heading implies)."""
        concepts, strengths = list(concepts), set(strengths)
        found: dict[str, list[MeshLink]] = {}
        for concept in concepts:
            for strength, curie in concept.mappings:
                prefix, _, ui = curie.partition(":")
                if prefix == "MESH" and strength in strengths:
                    found.setdefault(ui, []).append(MeshLink(concept.scheme, concept.key, strength))
        for ui, link in cargo_class_links(ontology):
            if link.strength in strengths:
                found.setdefault(ui, []).append(link)
        return cls({ui: strongest(links) for ui, links in found.items()}, parent_keys(concepts))

    def uis(self, article: Article) -> Iterator[tuple[str, str, MeshLink]]:
        """(UI, label, link) for each heading and substance the vocabulary maps, in article order."""
        seen: set[str] = set()
        named = [(h.descriptor_ui, h.descriptor_label) for h in article.mesh_headings]
        named += [(s.ui, s.name) for s in article.substances]
        for ui, label in named:
            if ui in self.links and ui not in seen:
                seen.add(ui)
                for link in self.links[ui]:
                    yield ui, label, link


    def disease(self, article: Article) -> str:
        """The disease context the article's headings give (the narrowest), or ""."""
        return narrowest((link.key for _, _, link in self.uis(article)
                          if link.scheme == "diseases"), self.parents)

    def drugs(self, article: Article) -> tuple[str, ...]:
        """The article's substances whose resistance its text may name ("cetuximab
        resistance"), when a heading maps to drug resistance (Drug Resistance, Neoplasm): names
        in natural order ("Cetuximab"; not "Receptor, ErbB-2", "ERBB2 protein, human"), and not
        a substance indexed only as something else than a drug (a heading of it with
        qualifiers, none of them a drug's: "Insulin/metabolism", "Glucose/metabolism"). None
        for an article not indexed with drug resistance."""
        if not any(link.scheme == "processes" and link.key == DRUG_RESISTANCE
                   for _, _, link in self.uis(article)):
            return ()
        qualified = {h.descriptor_ui: {q.label for q in h.qualifiers} for h in article.mesh_headings}
        return tuple(s.name for s in article.substances if s.name and ", " not in s.name
                     and (not qualified.get(s.ui) or qualified[s.ui] & DRUG_QUALIFIERS))

    def names_ev(self, article: Article) -> bool:
        """Whether a heading or substance of the article maps to an EV type."""
        return any(link.scheme == "ev_types" for _, _, link in self.uis(article))


def strongest(links: Iterable[MeshLink]) -> tuple[MeshLink, ...]:
    """The links that share the strongest strength among ``links``."""
    links = sorted(links, key=lambda link: STRENGTH_ORDER.index(link.strength))
    return tuple(link for link in links if link.strength == links[0].strength)


def cargo_class_links(ontology: Path) -> Iterator[tuple[str, MeshLink]]:
    """(MeSH UI, link) for each exact or close MeSH alignment of a subclass of evkg:Cargo."""
    triples = list(parse(path=ontology, format=RdfFormat.TURTLE))
    parents: dict[str, set[str]] = {}
    for t in triples:
        if t.predicate == RDFS.subClassOf and isinstance(t.object, NamedNode):
            parents.setdefault(t.subject.value, set()).add(t.object.value)
    for t in triples:
        strength = _CLASS_STRENGTHS.get(t.predicate.value)
        target = t.object.value if isinstance(t.object, NamedNode) else ""
        if strength and target.startswith(MESH.iri) and _is_cargo(t.subject.value, parents):
            name = t.subject.value.removeprefix(EVKG.iri)
            yield target.removeprefix(MESH.iri), MeshLink("class", name, strength)


def _is_cargo(iri: str, parents: dict[str, set[str]]) -> bool:
    seen, stack = set(), [iri]
    while stack:
        current = stack.pop()
        if current == EVKG.Cargo.value:
            return True
        if current not in seen:
            seen.add(current)
            stack.extend(parents.get(current, ()))
    return False


def mesh_findings(article: Article, vocabulary: Vocabulary) -> Iterator[Finding]:
    """Findings from the article's MeSH headings and substances (see the module notes)."""
    ranked: dict[str, dict[str, tuple[int, str]]] = {
        "cargo": {}, "processes": {}, "diseases": {}, "class": {}}
    for ui, label, link in vocabulary.uis(article):
        known = ranked.get(link.scheme, {})
        rank = STRENGTH_ORDER.index(link.strength)
        if link.key not in known or rank < known[link.key][0]:  # a concept named twice: the stronger UI
            known[link.key] = (rank, link.note(ui, label))
    named = {scheme: {key: note for key, (_, note) in known.items()} for scheme, known in ranked.items()}
    cargo, processes = named["cargo"], named["processes"]
    if not cargo and not processes:
        return
    disease = narrowest(named["diseases"], vocabulary.parents)
    iri = subject_iri(article)
    indexing = INDEXING_NOTES.get(article.mesh_indexing_method)
    how = f"; {indexing}" if indexing else ""

    def finding(note: str, cargo_key: str = "", cargo_class: str = "", process: str = "") -> Finding:
        return Finding(article=iri, method="mesh", effect="associatedWith", cargo=cargo_key,
                       cargo_class=cargo_class, process=process, disease=disease,
                       evidence_note=note + how, retracted=article.retracted)

    for key, note in cargo.items():
        if not processes:
            yield finding(note, cargo_key=key)
        for process, process_note in processes.items():
            yield finding(f"{note}; {process_note}", cargo_key=key, process=process)
    if not cargo:
        for name, note in named["class"].items():
            for process, process_note in processes.items():
                yield finding(f"{note}; {process_note}", cargo_class=name, process=process)
