"""The effect a text-mined finding reads from its sentence (kg/effects.py): what the user sees as
the finding's evkg:effect and in its evidence note."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.records import Article
from kg.textmining import Matcher, text_findings
from kg.vocabulary import read_concepts

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.from_concepts(read_concepts(ROOT / "data" / "vocabulary"))


def effects(matcher: Matcher, sentence: str) -> dict[tuple[str, str], str]:
    """(cargo, process) → effect of the findings of an EV article with ``sentence`` as title."""
    article = Article(pmid="99000002", title=sentence)
    return {(f.cargo, f.process): f.effect for f in text_findings(article, matcher, ev_heading=True)}


@pytest.mark.parametrize(("sentence", "expected"), [
    # the effect word nearest the process decides
    ("Exosomal miR-105 promoted lung metastasis.", {("hsa-miR-105", "metastasis"): "promotes"}),
    ("EV-delivered miR-200c inhibited epithelial-mesenchymal transition and reduced invasion.",
     {("hsa-miR-200c", "emt"): "inhibits", ("hsa-miR-200c", "invasion"): "inhibits"}),
    ("miR-105 destroys endothelial barriers, which promotes metastasis.",
     {("hsa-miR-105", "metastasis"): "promotes"}),
    ("Exosomes carrying miR-939 led to increased migration of tumour cells.",
     {("hsa-miR-939", "migration"): "promotes"}),
    # a form of "be" before the word: something happened to the cargo
    ("Exosomal miR-21 levels were increased in patients with lymph node metastasis.",
     {("hsa-miR-21", "metastasis"): "associatedWith"}),
    # process first: only a passive with "by"
    ("Lung metastasis was markedly enhanced by exosomes enriched in miR-105.",
     {("hsa-miR-105", "metastasis"): "promotes"}),
    ("Metastasis is a major cause of death; exosomal miR-105 was measured.",
     {("hsa-miR-105", "metastasis"): "associatedWith"}),
    ("Angiogenesis in the pre-metastatic niche was promoted by exosomal miR-105.",  # a place
     {("hsa-miR-105", "angiogenesis"): "promotes", ("hsa-miR-105", "premetastatic_niche"): "associatedWith"}),
    ("Exosomal miR-105 led to an increase in migration.", {("hsa-miR-105", "migration"): "promotes"}),
    ("Exosomal miR-222-3p lowered chemoresistance.", {("hsa-miR-222-3p", "drug_resistance"): "inhibits"}),
    # negation, correlation, another clause
    ("Exosomal miR-155 did not promote angiogenesis.", {("hsa-miR-155", "angiogenesis"): "associatedWith"}),
    ("Exosomal miR-10b, whose expression correlated with invasion, promoted nothing else.",
     {("hsa-miR-10b", "invasion"): "associatedWith"}),
    ("Exosomal survivin was associated with increased metastasis.",
     {("BIRC5", "metastasis"): "associatedWith"}),
    ("The miR-200s suppress ZEB1, whereas miR-21-5p targets PDCD4 to promote invasion.",
     {("hsa-miR-200-family", "invasion"): "associatedWith", ("hsa-miR-21-5p", "invasion"): "promotes"}),
    ("Neither exosomal miR-1246 nor miR-10b induced invasion in MCF-10A cells.",
     {("hsa-miR-1246", "invasion"): "associatedWith", ("hsa-miR-10b", "invasion"): "associatedWith"}),
    # a phrase of the process that carries its own effect word
    ("Tumour-derived exosomes carrying PD-L1 suppress T cell killing.",
     {("CD274", "immune_evasion"): "promotes"}),
    # reversals: the cargo undone, the process named by its opposite, both
    ("Knockdown of exosomal miR-21 reduced the migration of MDA-MB-231 cells.",
     {("hsa-miR-21", "migration"): "promotes"}),
    ("Transfection of miR-200a, miR-200b and miR-429 inhibitors promoted EMT in exosome donors.",
     {("hsa-miR-200a", "emt"): "inhibits", ("hsa-miR-200b", "emt"): "inhibits",
      ("hsa-miR-429", "emt"): "inhibits"}),
    ("Anti-miR-21 oligonucleotides loaded into exosomes attenuated tumour growth.",
     {("hsa-miR-21", "proliferation"): "promotes"}),
    ("Exosomal miR-222-3p reduced drug sensitivity of recipient cells.",
     {("hsa-miR-222-3p", "drug_resistance"): "promotes"}),
    ("Silencing of exosomal miR-222-3p restored drug sensitivity.",  # two reversals cancel
     {("hsa-miR-222-3p", "drug_resistance"): "promotes"}),
])
def test_the_sentence_gives_the_effect(matcher: Matcher, sentence: str,
                                       expected: dict[tuple[str, str], str]) -> None:
    assert effects(matcher, sentence) == expected


def test_names_of_one_process_that_disagree_give_no_effect(matcher: Matcher) -> None:
    sentence = "Exosomal miR-105 promoted proliferation of fibroblasts and inhibited tumour growth."
    assert effects(matcher, sentence) == {("hsa-miR-105", "proliferation"): "associatedWith"}


def test_the_evidence_note_says_what_the_effect_was_read_from(matcher: Matcher) -> None:
    article = Article(pmid="99000003", title="Knockdown of exosomal miR-21 reduced migration.",
                      keywords=("miR-21", "invasion"))
    notes = {f.field: (f.effect, f.evidence_note)
             for f in text_findings(article, matcher, ev_heading=True)}
    assert notes == {
        "title": ("promotes", '"miR-21" and "migration" in one sentence; promotes read from '
                              '"reduced", reversed by "Knockdown of exosomal"'),
        "keywords": ("associatedWith", '"miR-21" and "invasion" in the keywords'),
    }
