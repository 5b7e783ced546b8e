"""Text mining: miRNA normalisation, names, context rules, sentences, findings, and the benchmark."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from benchmarks.textmining import SENTENCES, Score, Span, annotation_rows, documents, score
from kg.articles import subject_iri
from kg.hierarchy import narrowest
from kg.lexicons import trie_pattern
from kg.mirnas import normalise
from kg.records import AbstractSection, Article
from kg.textmining import Matcher, Mention, sentence_spans, text_findings
from kg.vocabulary import read_concepts
from tests.conftest import ROOT, SHARED


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    return Matcher.from_concepts(read_concepts(ROOT / "data" / "vocabulary"))


def found(matcher: Matcher, text: str, kind: str = "", context: str = "") -> list[tuple[str, str]]:
    """(mention text, key) of each mention, checking that every span points at its text."""
    mentions = matcher.mentions(text, context)
    for m in mentions:
        assert text[m.start:m.end] == m.text
    return [(m.text, m.key) for m in mentions if not kind or m.entity_type == kind]


@pytest.mark.parametrize(("text", "key"), [
    ("miR-21", "hsa-miR-21"),
    ("microRNA-21", "hsa-miR-21"),
    ("MicroRNA-21", "hsa-miR-21"),
    ("miRNA-21", "hsa-miR-21"),
    ("mir-21", "hsa-miR-21"),
    ("MIR21", "hsa-miR-21"),
    ("hsa-miR-21-5p", "hsa-miR-21-5p"),
    ("miR-21-5p", "hsa-miR-21-5p"),
    ("miR-21-3p", "hsa-miR-21"),  # the 3p arm is not listed: the gene
    ("miR-21*", "hsa-miR-21"),
    ("hsa-miR-105-5p", "hsa-miR-105-5p"),
    ("MIR105-1", "hsa-miR-105"),  # a paralogous precursor: the gene
    ("miR-200 family", "hsa-miR-200-family"),
    ("miR-200-family", "hsa-miR-200-family"),
    ("miR-200s", "hsa-miR-200-family"),
    ("miR-200", "hsa-miR-200-family"),  # no gene is called miR-200
    ("microRNA (miR)-200s", "hsa-miR-200-family"),
    ("micro-RNA (miR) 200a", "hsa-miR-200a"),
    ("MIR200A", "hsa-miR-200a"),
    ("miR-10b", "hsa-miR-10b"),
    ("pre-miR-21", "hsa-miR-21"),
])
def test_mirna_name_normalised_to_vocabulary_key(matcher: Matcher, text: str, key: str) -> None:
    assert found(matcher, f"We measured {text} in serum.", "cargo") == [(text, key)]


@pytest.mark.parametrize(("text", "keys"), [
    ("miR-221/222", ["hsa-miR-221", "hsa-miR-222"]),
    ("miR-200a/b/c", ["hsa-miR-200a", "hsa-miR-200b", "hsa-miR-200c"]),
    ("miR-221-3p/222-3p", ["hsa-miR-221-3p", "hsa-miR-222-3p"]),
    ("miR-200b/200a/429", ["hsa-miR-200b", "hsa-miR-200a", "hsa-miR-429"]),
])
def test_slashed_mirnas_are_one_span_per_molecule(matcher: Matcher, text: str, keys: list[str]) -> None:
    sentence = f"Exosomal {text} conferred resistance."
    mentions = [m for m in matcher.mentions(sentence) if m.entity_type == "cargo"]
    assert [m.key for m in mentions] == sorted(keys)
    assert {sentence[m.start:m.end] for m in mentions} == {text}


def test_mirna_slash_followed_by_a_gene_is_not_a_second_mirna(matcher: Matcher) -> None:
    assert found(matcher, "The miR-21/PTEN and miR-155/SOCS1 axes.", "cargo") == [
        ("miR-21", "hsa-miR-21"), ("miR-155", "hsa-miR-155")]


def test_unlisted_mirna_is_a_mention_but_not_listed(matcher: Matcher) -> None:
    mentions = matcher.mentions("miR-1234 and mmu-miR-21 and let-7a were low.")
    assert [(m.key, m.listed) for m in mentions] == [
        ("hsa-miR-1234", False), ("mmu-miR-21", False), ("hsa-let-7a", False)]


def test_mirna_host_gene_and_prefixed_words_are_not_mirnas(matcher: Matcher) -> None:
    assert found(matcher, "MIR155HG and admiR-21x were not studied.", "cargo") == []


def test_normalise_reads_whole_names_only() -> None:
    assert normalise("hsa-mir-105-2") == "hsa-miR-105-2"
    assert normalise("MIRN105 microRNA, human") == ""
    assert normalise("miR-221/222") == ""


@pytest.mark.parametrize(("text", "expected"), [
    ("HER2 and ERBB2 were amplified.", [("HER2", "ERBB2"), ("ERBB2", "ERBB2")]),
    ("Exosomal PD-L1 suppresses T cells.", [("PD-L1", "CD274")]),
    ("Survivin and survivin.", [("Survivin", "BIRC5"), ("survivin", "BIRC5")]),
    ("lncRNA H19 and lncRNA-SNHG14 and SNHG14.",
     [("lncRNA H19", "H19"), ("lncRNA-SNHG14", "SNHG14"), ("SNHG14", "SNHG14")]),
    ("TRPC5 and UCH-L1 and GSTP1.", [("TRPC5", "TRPC5"), ("UCH-L1", "UCHL1"), ("GSTP1", "GSTP1")]),
    ("Integrin β4, integrin beta 4, integrin β-4 and ITGB4.",
     [("Integrin β4", "ITGB4"), ("integrin beta 4", "ITGB4"), ("integrin β-4", "ITGB4"),
      ("ITGB4", "ITGB4")]),
    ("her2 and alix are lower case; CD90 and TSG1010 are other genes.", []),
])
def test_protein_and_lncrna_names(matcher: Matcher, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(matcher, text, "cargo") == expected


def test_process_names_are_case_insensitive_longest_first_at_word_boundaries(matcher: Matcher) -> None:
    text = ("Epithelial-Mesenchymal Transition, pre-metastatic niche formation and tumour "
            "angiogenesis; immigration and nonmetastatic are not processes.")
    assert found(matcher, text, "process") == [
        ("Epithelial-Mesenchymal Transition", "emt"),
        ("pre-metastatic niche formation", "premetastatic_niche"),
        ("tumour angiogenesis", "angiogenesis")]


def test_a_longer_disease_name_wins_over_the_process_inside_it(matcher: Matcher) -> None:
    assert found(matcher, "Patients with metastatic breast cancer.") == [
        ("metastatic breast cancer", "metastatic")]


def test_ev_short_form_needs_the_long_form_in_the_context(matcher: Matcher) -> None:
    vehicles = "The EV fleet and EVs on the road."
    assert found(matcher, vehicles, "ev") == []
    vesicles = "Extracellular vesicles (EVs) were isolated; EV cargo was profiled."
    assert found(matcher, vesicles, "ev") == [
        ("Extracellular vesicles", "extracellular_vesicle"), ("EVs", "extracellular_vesicle"),
        ("EV", "extracellular_vesicle")]
    assert found(matcher, vehicles, "ev", context="extracellular vesicles") == [
        ("EV", "extracellular_vesicle"), ("EVs", "extracellular_vesicle")]


def test_bc_and_met_need_their_long_forms(matcher: Matcher) -> None:
    """MET, the mesenchymal-epithelial transition, names EMT by its opposite (kg.effects reverses
    it), and only in a text that writes the long form: elsewhere MET is the gene."""
    assert found(matcher, "In BC, the province, the MET gene is amplified.") == []
    text = ("In breast cancer (BC), mesenchymal-epithelial transition (MET) follows EMT. "
            "BC cells undergo MET.")
    assert found(matcher, text) == [
        ("breast cancer", "breast_cancer"), ("BC", "breast_cancer"),
        ("mesenchymal-epithelial transition", "emt"), ("MET", "emt"), ("EMT", "emt"),
        ("BC", "breast_cancer"), ("MET", "emt")]
    assert found(matcher, "EVs raised vascular permeability.", "process") == []


@pytest.mark.parametrize("text", [
    "Exosomal miR-34a inhibited the mesenchymal-epithelial transition factor (c-MET) in cells.",
    "Mesenchymal-epithelial transition (MET) was assessed. Exosomal miR-1246 enhanced HGF/MET "
    "signalling, and MET amplification and c-MET were common.",
])
def test_the_met_gene_is_no_emt(matcher: Matcher, text: str) -> None:
    """A code review's: the gene's full name, "c-MET", "HGF/MET", "MET amplification" are the
    gene, in a text that also names the transition."""
    mets = [m.text for m in matcher.mentions(text) if m.key == "emt"]
    assert mets == (["Mesenchymal-epithelial transition", "MET"] if text.startswith("Mes") else [])


def test_spans_point_at_the_mention_in_every_benchmark_sentence(matcher: Matcher) -> None:
    for line in SENTENCES.read_text(encoding="utf-8").splitlines():
        for m in matcher.mentions(line):
            assert line[m.start:m.end] == m.text


def test_unicode_dashes_and_spaces_match_without_moving_spans(matcher: Matcher) -> None:
    text = "miR\u2011200\u2013containing EVs promote epithelial\u2013mesenchymal\u00a0transition."
    mentions = matcher.mentions(text)
    assert [(m.key, text[m.start:m.end]) for m in mentions] == [
        ("hsa-miR-200-family", "miR\u2011200"),
        ("emt", "epithelial\u2013mesenchymal\u00a0transition")]


def test_trie_pattern_prefers_the_longest_word() -> None:
    import re
    pattern = re.compile(trie_pattern(["EV", "EVs", "extracellular vesicle", "extra"]))
    assert pattern.findall("EVs extracellular vesicle extra EV") == [
        "EVs", "extracellular vesicle", "extra", "EV"]


@pytest.mark.parametrize(("text", "sentences"), [
    ("Exosomes, e.g. from MCF-7, carry miR-21. They act.",
     ["Exosomes, e.g. from MCF-7, carry miR-21.", "They act."]),
    ("As Zhou et al. showed, miR-105 acts (Fig. 2). Levels rose 3.5-fold vs. controls.",
     ["As Zhou et al. showed, miR-105 acts (Fig. 2).", "Levels rose 3.5-fold vs. controls."]),
    ("Cells were treated. miR-21 rose! lncRNA H19 fell? yes.",
     ["Cells were treated.", "miR-21 rose!", "lncRNA H19 fell? yes."]),
    ("BACKGROUND: EVs matter.\nRESULTS: miR-21 rose", ["BACKGROUND: EVs matter.", "RESULTS: miR-21 rose"]),
])
def test_sentence_spans(text: str, sentences: list[str]) -> None:
    assert [text[s:e] for s, e in sentence_spans(text)] == sentences


ARTICLE = Article(
    pmid="99000001",
    title="Exosomal miR-221/222 drives tamoxifen resistance in breast cancer",
    abstract=(
        AbstractSection("Triple-negative breast cancer (TNBC) is aggressive.", label="BACKGROUND"),
        AbstractSection("Exosomal miR-105 promoted lung metastasis and angiogenesis. "
                        "miR-1234 promoted migration. PD-L1 was found on EVs.", label="RESULTS"),
    ),
    keywords=("miR-21", "metastasis"),
)


def test_findings_pair_listed_cargo_with_processes_of_the_same_sentence(matcher: Matcher) -> None:
    findings = list(text_findings(ARTICLE, matcher))
    rows = [(f.field, f.cargo, f.process) for f in findings]
    assert rows == [
        ("title", "hsa-miR-221", "drug_resistance"),
        ("title", "hsa-miR-222", "drug_resistance"),
        ("abstract", "hsa-miR-105", "metastasis"),
        ("abstract", "hsa-miR-105", "angiogenesis"),
        ("keywords", "hsa-miR-21", "metastasis"),
    ]
    for f in findings:
        text = {"title": ARTICLE.title, "abstract": ARTICLE.abstract_text,
                "keywords": "; ".join(ARTICLE.keywords)}[f.field]
        assert f.span is not None
        assert f.sentence in text
        assert text[f.span[0]:f.span[1]] in f.sentence
        assert (f.method, f.disease) == ("text", "tnbc")
        assert f.article == subject_iri(ARTICLE)
    # the sentences say "drives" and "promoted"; a keyword list says nothing of an effect
    assert [f.effect for f in findings] == ["promotes"] * 4 + ["associatedWith"]
    assert findings[0].evidence_note == ('"miR-221/222" and "tamoxifen resistance" in one sentence;'
                                         ' promotes read from "drives"')
    assert findings[4].evidence_note == '"miR-21" and "metastasis" in the keywords'
    assert findings[2].sentence == "RESULTS: Exosomal miR-105 promoted lung metastasis and angiogenesis."
    start, end = findings[2].span or (0, 0)
    assert ARTICLE.abstract_text[start:end] == "miR-105"
    assert findings == list(text_findings(ARTICLE, matcher))  # deterministic


def test_keywords_that_repeat_a_sentence_make_no_second_finding(matcher: Matcher) -> None:
    """UCH-L1's title and keywords gave the same finding twice, the keywords' one saying "in
    one sentence"."""
    article = Article(pmid="4", title="Exosomal miR-21 promotes metastasis",
                      keywords=("miR-21", "metastasis", "miR-105", "exosomes"))
    assert [(f.field, f.cargo, f.process) for f in text_findings(article, matcher)] == [
        ("title", "hsa-miR-21", "metastasis"), ("keywords", "hsa-miR-105", "metastasis")]
    keyworded = list(text_findings(article, matcher))[1]
    assert keyworded.evidence_note == '"miR-105" and "metastasis" in the keywords'


@pytest.mark.parametrize(("scripted", "plain"), [
    ("Exosomes from HER2⁺ breast cancer cells deliver miR-21, which promotes proliferation.",
     "Exosomes from HER2+ breast cancer cells deliver miR-21, which promotes proliferation."),
    ("Exosomal integrin α₆β₄ promotes lung metastasis of breast cancer.",
     "Exosomal integrin α6β4 promotes lung metastasis of breast cancer."),
    ("CD63⁺ exosomes promote metastasis of breast cancer.",
     "CD63+ exosomes promote metastasis of breast cancer."),
    ("In ER⁻/PR⁻/HER2⁻ breast cancer, exosomal miR-10b promotes invasion.",
     "In ER-/PR-/HER2- breast cancer, exosomal miR-10b promotes invasion."),
])
def test_super_and_subscripts_are_read_as_their_plain_characters(
        matcher: Matcher, scripted: str, plain: str) -> None:
    """A review's: the PubMed reader writes a <sup> or <sub> of digits and signs as Unicode's
    super- or subscripts ("HER2<sup>+</sup>" is "HER2⁺"), which no name or phrase spells: HER2
    and CD63 became cargo, "ER⁻/PR⁻/HER2⁻" no longer named TNBC and "integrin α₆β₄" nothing."""
    def findings(text: str) -> list[tuple[str, str, str, str]]:
        article = Article(pmid="6", title="Extracellular vesicles in breast cancer",
                          abstract=(AbstractSection(text),))
        return [(f.cargo, f.process, f.disease, f.effect) for f in text_findings(article, matcher)]

    assert findings(scripted) == findings(plain)


@pytest.mark.parametrize(("text", "named"), [
    # the findings review's: "HER-2+" named no subtype, so findings in HER2-positive disease
    # carried breast_cancer
    ("in HER-2+ breast cancer", ("her2_positive", "HER-2+")),
    ("in HER-2-positive breast cancer", ("her2_positive", "HER-2-positive breast cancer")),
    ("the HER-2-negative subtype", ("her2_negative", "HER-2-negative")),
    ("exosomal HER-2 confers trastuzumab resistance", ("ERBB2", "HER-2")),
    ("exosomal TSG-101", ("TSG101", "TSG-101")),
])
def test_a_symbol_is_found_with_or_without_a_hyphen_before_its_number(
        matcher: Matcher, text: str, named: tuple[str, str]) -> None:
    """Papers write "HER-2" as often as "HER2" (and "TSG-101", "IL-6"): a symbol's capitals
    and number match with or without a hyphen between."""
    assert named in [(m.key, text[m.start:m.end]) for m in matcher.mentions(text)]


def test_a_drug_abbreviation_the_abstract_defines_names_its_resistance(matcher: Matcher) -> None:
    """The findings review's: "Tamoxifen (TAM) …; exosomal miR-9-5p promoted the cell resistance
    to TAM" made no drug resistance finding: "TAM" is no name the vocabulary knows, and a name
    of three letters alone is too ambiguous (tumour-associated macrophages). Defined in the
    text for a drug the vocabulary's phrases name, it names that drug there."""
    def findings(abstract: str) -> list[tuple[str, str, str]]:
        article = Article(pmid="7", title="Extracellular vesicles in breast cancer",
                          abstract=(AbstractSection(abstract),))
        return [(f.cargo, f.process, f.effect) for f in text_findings(article, matcher)]

    defined = ("Tamoxifen (TAM) is the standard endocrine therapy. Exosomal miR-221 promoted "
               "the resistance of MCF-7 cells to TAM.")
    assert findings(defined) == [("hsa-miR-221", "drug_resistance", "promotes")]
    undefined = "Exosomal miR-221 promoted the resistance of MCF-7 cells to TAM."
    assert findings(undefined) == []
    assert findings("Paclitaxel (PTX) was given. Exosomal miR-221 promoted PTX resistance.") \
        == [("hsa-miR-221", "drug_resistance", "promotes")]
    # a word in brackets after a drug's name is no abbreviation (a review's: a supplier)
    assert findings("Tamoxifen (Sigma) was used. Exosomal miR-221 promoted the resistance of "
                    "MCF-7 cells to Sigma.") == []


def test_no_findings_without_listed_cargo(matcher: Matcher) -> None:
    article = Article(pmid="1", title="miR-1234 and PD-1 drive metastasis of breast cancer")
    assert list(text_findings(article, matcher)) == []


def test_findings_have_no_disease_without_a_breast_cancer_term(matcher: Matcher) -> None:
    article = Article(pmid="2", title="Exosomal miR-21 promotes invasion of colon cancer cells",
                      retracted=True)
    (finding,) = text_findings(article, matcher)
    assert (finding.cargo, finding.process, finding.disease, finding.retracted) == (
        "hsa-miR-21", "invasion", "", True)


def test_a_question_after_a_colon_leaves_the_statement_before_it(matcher: Matcher) -> None:
    """A test review's: no test held a title that states a finding and then asks about it
    ("…: friend or foe?"); read as a question from its start, the finding lost its effect."""
    stated = Article(pmid="3", title="Exosomal miR-21 promotes metastasis of breast cancer: "
                                     "friend or foe?")
    assert [(f.cargo, f.process, f.effect, f.evidence_note) for f in text_findings(stated, matcher)] \
        == [("hsa-miR-21", "metastasis", "promotes",
             '"miR-21" and "metastasis" in one sentence; promotes read from "promotes"')]
    asked = Article(pmid="4", title="Does exosomal miR-21 promote metastasis of breast cancer?")
    assert [(f.effect, f.evidence_note) for f in text_findings(asked, matcher)] == [
        ("associatedWith", '"miR-21" and "metastasis" in one question')]


def test_a_biomarker_finding_of_a_retracted_article_is_marked_retracted(matcher: Matcher) -> None:
    """A test review's: only cargo–process findings were checked for the article's retraction."""
    article = Article(pmid="8", title="Exosomal hsa-miR-21-5p is a biomarker for breast cancer "
                                      "diagnosis", retracted=True)
    assert [(f.effect, f.cargo, f.retracted) for f in text_findings(article, matcher)] == [
        ("biomarkerFor", "hsa-miR-21-5p", True)]


def test_a_process_named_as_a_qualifier_and_a_biomarker_of_no_disease_make_no_finding(
        matcher: Matcher) -> None:
    """A test review's: no test held a process named as a qualifier of another noun ("apoptosis
    assays"), nor a biomarker sentence in an article that names no disease at all."""
    def found(title: str, abstract: str = "") -> list[tuple[str, str, str, str]]:
        article = Article(pmid="9", title=title,
                          abstract=(AbstractSection(abstract),) if abstract else ())
        return [(f.cargo, f.process, f.effect, f.disease) for f in text_findings(article, matcher)]

    assert found("Exosomal miR-21 raised the signal of apoptosis assays in breast cancer cells.") \
        == []
    assert found("Exosomal miR-21 promotes apoptosis in breast cancer cells.") == [
        ("hsa-miR-21", "apoptosis_resistance", "inhibits", "breast_cancer")]
    assert found("Extracellular vesicles", "Exosomal miR-21 was a prognostic marker.") == []


def test_the_headings_give_the_disease_the_text_does_not_name(matcher: Matcher) -> None:
    article = Article(pmid="5", title="Exosomal miR-21 promotes metastasis")
    assert [f.disease for f in text_findings(article, matcher)] == [""]
    assert [f.disease for f in text_findings(article, matcher,
                                             indexed_disease=lambda: "tnbc")] == ["tnbc"]
    named = replace(article, title="Exosomal miR-21 promotes metastasis of breast cancer")
    assert [f.disease for f in text_findings(named, matcher,
                                             indexed_disease=lambda: "tnbc")] == ["breast_cancer"]


def test_no_findings_from_an_article_that_is_not_about_evs(matcher: Matcher) -> None:
    """A miRNA and a process in an article on something else are no EV cargo finding (PubMed
    test records on colon cancer and beta cells gave 21 such findings); an EV named in any field,
    or a MeSH heading of an EV type, makes the article one about EVs."""
    article = Article(pmid="3", title="miR-21 promotes invasion of colon cancer cells")
    assert list(text_findings(article, matcher)) == []
    assert len(list(text_findings(article, matcher, ev_heading=True))) == 1
    keyworded = replace(article, keywords=("exosomes",))
    assert [f.field for f in text_findings(keyworded, matcher)] == ["title"]


def test_an_ev_named_inside_a_process_name_makes_an_article_about_evs(matcher: Matcher) -> None:
    """"Exosome-mediated transfer" is a name of EV-mediated communication, and names exosomes:
    such a title, the only one to name EVs, made no finding at all."""
    article = Article(pmid="4", title="Exosome-mediated transfer of miR-105 promotes metastasis")
    assert {(f.cargo, f.process, f.effect) for f in text_findings(article, matcher)} == {
        ("hsa-miR-105", "ev_mediated_communication", "associatedWith"),
        ("hsa-miR-105", "metastasis", "promotes")}


def test_disease_context_is_the_most_specific_or_the_common_ancestor(matcher: Matcher) -> None:
    def disease(*keys: str) -> str:
        return matcher.disease(Mention(0, 1, "disease", key, "x") for key in keys)
    assert disease("breast_cancer", "tnbc") == "tnbc"
    assert disease("luminal_a", "luminal") == "luminal_a"
    assert disease("tnbc", "luminal_a") == "breast_cancer"
    assert disease() == ""
    assert narrowest(["a", "b"], {}) == ""


def test_benchmark_score_on_a_tiny_example() -> None:
    gold = [Span("s", "title", 0, 6, "cargo", "hsa-miR-21"),
            Span("s", "title", 10, 20, "process", "metastasis"),
            Span("s", "title", 30, 33, "ev", "extracellular_vesicle")]
    predicted = [Span("s", "title", 0, 6, "cargo", "hsa-miR-21"),       # exact
                 Span("s", "title", 10, 25, "process", "metastasis"),    # overlap only
                 Span("s", "title", 40, 45, "disease", "breast_cancer")]  # wrong
    result = score(gold, predicted)
    assert result == Score(gold=3, predicted=3, exact=1, relaxed=2)
    assert (Score.ratio(result.exact, result.predicted), Score.ratio(result.relaxed, result.gold)) == (
        1 / 3, 2 / 3)
    assert score([], []) == Score(0, 0, 0, 0)
    # a relaxed hit needs the same concept, and each gold span matches one prediction only
    twice = [Span("s", "title", 0, 3, "cargo", "hsa-miR-21"), Span("s", "title", 3, 6, "cargo", "hsa-miR-21")]
    assert score(gold[:1], twice).relaxed == 1
    assert score(gold[:1], [Span("s", "title", 0, 6, "cargo", "hsa-miR-22")]).relaxed == 0


def test_annotations_point_at_their_text() -> None:
    rows = annotation_rows()
    assert len(rows) >= 40
    sources = {row["source"] for row in rows}
    if not (SHARED / "data" / "pubmed").exists():
        pytest.skip("../shared is absent: the PubMed abstracts cannot be read")
    docs = documents(sources)
    for row in rows:
        text = docs[(row["source"], row["field"])][0]
        assert text[int(row["start"]):int(row["end"])] == row["text"], row
        assert row["entity_type"] in {"cargo", "process", "ev", "disease"}


def test_annotated_concepts_exist_or_are_unlisted_mirnas() -> None:
    keys = {c.key for c in read_concepts(Path(ROOT / "data" / "vocabulary"))}
    for row in annotation_rows():
        assert row["concept"] in keys or normalise(row["concept"]) == row["concept"], row


def test_a_molecule_named_as_a_target_is_no_cargo_of_a_finding(matcher: Matcher) -> None:
    """The default graph had "ERBB2 associated with drug resistance" from a title where ERBB2 is
    the target of the EV cargo ("… activating ERBB2 translation")."""
    article = Article(pmid="99000006", title="Exosomal miR-21 promotes trastuzumab resistance by "
                      "activating ERBB2 translation and by targeting PD-L1.")
    assert [(f.cargo, f.process, f.effect) for f in text_findings(article, matcher, ev_heading=True)] \
        == [("hsa-miR-21", "drug_resistance", "promotes")]


def test_a_molecule_named_as_what_a_drug_class_acts_on_is_no_cargo(matcher: Matcher) -> None:
    """A findings review: the abstract of PMID 30015837 (lncRNA SNHG14) opens "resistance to
    trastuzumab, a human epidermal growth factor receptor 2 (HER2) inhibitor, …", which made
    "ERBB2 associated with drug resistance": HER2 is the drug's target there, no EV cargo. A
    miRNA's own inhibitors still undo the miRNA."""
    article = Article(pmid="99000007", title="Exosomal lncRNA SNHG14 in breast cancer",
                      abstract=(AbstractSection(
                          "Resistance to trastuzumab, a human epidermal growth factor receptor 2 "
                          "(HER2) inhibitor, limits treatment. Exosomal SNHG14 induced trastuzumab "
                          "resistance. Transfection of miR-21 inhibitors reduced the invasion of "
                          "exosome-treated cells."),))
    assert {(f.cargo, f.process, f.effect) for f in text_findings(article, matcher, ev_heading=True)
            if f.field == "abstract"} == {("SNHG14", "drug_resistance", "promotes"),
                                          ("hsa-miR-21", "invasion", "promotes")}


@pytest.mark.parametrize(("title", "abstract", "expected"), [
    ("Exosomal hsa-miR-21-5p is a biomarker for breast cancer diagnosis", "",
     [("hsa-miR-21-5p", "breast_cancer", '"hsa-miR-21-5p", "biomarker" and "breast cancer" in one '
                                         'sentence')]),
    ("Plasma extracellular vesicle miR-1246 as a potential diagnostic marker of triple-negative "
     "breast cancer", "",
     [("hsa-miR-1246", "tnbc", '"miR-1246", "diagnostic marker" and "triple-negative breast '
                               'cancer" in one sentence, hedged ("potential")')]),
    # the disease of the article where the sentence names none
    ("Extracellular vesicles in breast cancer", "Exosomal miR-21 was a prognostic marker.",
     [("hsa-miR-21", "breast_cancer", '"miR-21" and "prognostic marker" in one sentence; the '
                                      "disease is the article's")]),
    # markers of EVs, EVs sorted by a marker, a doubt: no biomarker findings
    ("Extracellular vesicles in breast cancer", "CD63, CD9 and CD81 were used as exosome markers.", []),
    ("Extracellular vesicles in breast cancer",
     "miRNAs of CD24+ plasma extracellular vesicles were biomarkers of early breast cancer.", []),
    ("Extracellular vesicles in breast cancer", "Exosomal miR-21 was not a useful diagnostic marker.", []),
    # a code review's: markers of EVs written otherwise, a diagnosis that is no biomarker claim
    ("Extracellular vesicles in breast cancer",
     "We detected the exosome-specific markers CD63 and TSG101 in breast cancer cells.", []),
    ("Extracellular vesicles in breast cancer",
     "CD63, CD9 and CD81, markers of exosomes, were found in plasma of breast cancer patients.", []),
    ("Extracellular vesicles in breast cancer",
     "Exosomal miR-21 was measured in women diagnosed with breast cancer.", []),
    # a fourth blind reviewer's: a prediction of the outcome is a prognostic claim; a question none
    ("Exosomal survivin is elevated in serum from breast cancer patients and predicts recurrence.", "",
     [("BIRC5", "breast_cancer", '"survivin", "predicts recurrence" and "breast cancer" in one '
                                 'sentence')]),
    ("Is serum exosomal miR-21 a diagnostic biomarker for breast cancer?", "", []),
    # a sixth's: an association with the outcome is one too
    ("Extracellular vesicles in breast cancer",
     "Low exosomal miR-200c was associated with poor overall survival in breast cancer.",
     [("hsa-miR-200c", "breast_cancer", '"miR-200c", "associated with poor overall survival" and '
                                        '"breast cancer" in one sentence')]),
    # a seventh's: a shorter survival, a hazard ratio, predicting chemoresistance are claims too
    ("Extracellular vesicles in breast cancer",
     "Patients with high exosomal HER2 levels had shorter progression-free survival in breast cancer.",
     [("ERBB2", "breast_cancer", '"HER2", "had shorter progression-free survival" and "breast '
                                 'cancer" in one sentence')]),
    ("Extracellular vesicles in breast cancer",
     "High exosomal miR-21 predicted death in breast cancer (HR = 2.14).",
     [("hsa-miR-21", "breast_cancer", '"miR-21", "HR = 2.14" and "breast cancer" in one sentence')]),
    ("Extracellular vesicles in breast cancer",
     "Exosomal UCH-L1 could be a useful indicator for predicting chemoresistance in breast cancer.",
     [("UCHL1", "breast_cancer", '"UCH-L1", "be a useful indicator for predicting '
                                 'chemoresistance" and "breast cancer" in one sentence, hedged '
                                 '("could")')]),
    # an eighth's: a marker or indicator of a clinical state, a shorter metastasis-free survival
    ("Extracellular vesicles in breast cancer",
     "Circulating exosomal GSTP1 was higher in patients with progressive breast cancer, suggesting "
     "its potential as a marker of chemotherapy resistance.",
     [("GSTP1", "breast_cancer", '"GSTP1", "as a marker of chemotherapy resistance" and '
                                 '"breast cancer" in one sentence, hedged ("potential")')]),
    ("Extracellular vesicles in breast cancer",
     "Plasma EV miR-141 levels may serve as non-invasive indicators of metastatic spread.",
     [("hsa-miR-141", "breast_cancer", '"miR-141" and "as non-invasive indicators of metastatic '
                                       'spread" in one sentence; the disease is the article\'s, '
                                       'hedged ("may")')]),
    ("Extracellular vesicles in breast cancer",
     "Serum exosomal miR-105 independently predicted shorter metastasis-free survival.",
     [("hsa-miR-105", "breast_cancer", '"miR-105" and "predicted shorter metastasis-free '
                                       'survival" in one sentence; the disease is the article\'s')]),
    # a ninth's: a prediction of a pathological response, an odds ratio
    ("Extracellular vesicles in breast cancer",
     "Higher serum exosomal miR-155 predicted a poor pathological response.",
     [("hsa-miR-155", "breast_cancer", '"miR-155" and "predicted a poor pathological response" in '
                                       "one sentence; the disease is the article's")]),
    ("Extracellular vesicles in breast cancer",
     "Serum exosomal miR-155 was associated with chemoresistance (OR = 3.2).",
     [("hsa-miR-155", "breast_cancer", '"miR-155" and "OR = 3.2" in one sentence; the disease is '
                                       "the article's")]),
    # a tenth's: a sensitivity or specificity in percent, a predicted resistance to a drug, a
    # marker of treatment failure; a sensitivity that is no percentage is none
    ("Extracellular vesicles in breast cancer",
     "Plasma exosomal miR-222 identified docetaxel-resistant tumours with a sensitivity of 81% and "
     "a specificity of 74%.",
     [("hsa-miR-222", "breast_cancer", '"miR-222" and "sensitivity of 81" in one sentence; the '
                                       "disease is the article's")]),
    ("Extracellular vesicles in breast cancer",
     "A cut-off of 2.3-fold of exosomal miR-105 identified these patients with 78% sensitivity.",
     [("hsa-miR-105", "breast_cancer", '"miR-105" and "78% sensitivity" in one sentence; the '
                                       "disease is the article's")]),
    ("Extracellular vesicles in breast cancer",
     "Higher serum exosomal H19 predicted doxorubicin resistance in patients.",
     [("H19", "breast_cancer", '"H19" and "predicted doxorubicin resistance" in one sentence; the '
                               "disease is the article's")]),
    ("Extracellular vesicles in breast cancer",
     "Exosomal HER2 could serve as a marker of treatment failure.",
     [("ERBB2", "breast_cancer", '"HER2" and "as a marker of treatment failure" in one sentence; '
                                 "the disease is the article's, hedged (\"could\")")]),
    ("Extracellular vesicles in breast cancer",
     "Exosomal miR-222 reduced the sensitivity of MCF-7 cells to docetaxel.", []),
    # an eleventh's: monitoring the response to therapy
    ("Extracellular vesicles in breast cancer",
     "Serum exosomal miR-155 fell in responders, suggesting its utility for monitoring response to "
     "neoadjuvant chemotherapy.",
     [("hsa-miR-155", "breast_cancer", '"miR-155" and "monitoring response to neoadjuvant '
                                       "chemotherapy\" in one sentence; the disease is the "
                                       "article's")]),
    ("Extracellular vesicles in breast cancer",
     "We monitored the response of MCF-7 cells to exosomal miR-21 by live-cell imaging.", []),
    # a code review's: an assay's sensitivity, another marker's statistic, predicted elements
    ("Extracellular vesicles in breast cancer",
     "Exosomal miR-21 was quantified by droplet digital PCR with a detection sensitivity of 95%.",
     []),
    ("Extracellular vesicles in breast cancer",
     "Serum CA15-3 had a sensitivity of 42% for early breast cancer, and exosomal miR-21 levels "
     "were measured.", []),
    ("Extracellular vesicles in breast cancer",
     "Nanoparticle tracking analysis detected exosomes with 90% sensitivity, and exosomal "
     "miR-1246 was then measured.", []),
    ("Extracellular vesicles in breast cancer",
     "TargetScan predicted miR-155 response elements in SOCS1, and exosomal miR-155 was abundant.",
     []),
    ("Extracellular vesicles in breast cancer",
     "Pathway analysis of exosomal miR-21 targets predicted drug response genes.", []),
    ("Extracellular vesicles in breast cancer",
     "Serum exosomal miR-222 predicted neoadjuvant chemotherapy response.",
     [("hsa-miR-222", "breast_cancer", '"miR-222" and "predicted neoadjuvant chemotherapy '
                                       'response" in one sentence; the disease is the article\'s')]),
    ("Extracellular vesicles in breast cancer",
     "Exosomal miR-21 identified breast cancer with a sensitivity and specificity of 0.81 and 0.74.",
     [("hsa-miR-21", "breast_cancer", '"miR-21", "sensitivity and specificity of 0.81" and '
                                      '"breast cancer" in one sentence')]),
    # a code review's: a marker named in an apposition to something else is none
    ("Extracellular vesicles in breast cancer",
     "Exosomal miR-155 upregulated P-glycoprotein, a marker of multidrug resistance, in breast "
     "cancer cells.", []),
    ("Extracellular vesicles in breast cancer",
     "Exosomal PD-L1 lowered IFN-gamma, an indicator of T cell response, in breast cancer.", []),
    # a cell's marker, a marker of a process of cells, are no biomarker claim
    ("Extracellular vesicles in breast cancer",
     "Exosomal CD24, a marker of cancer stem cells, rose in breast cancer patients.", []),
    ("Extracellular vesicles in breast cancer",
     "Exosomal annexin A6, a marker of EMT progression, rose in breast cancer patients.", []),
    # a code review's: cells surviving, genes related to prognosis are no biomarker claim
    ("Extracellular vesicles in breast cancer",
     "Exosomal survivin was associated with survival of breast cancer cells after paclitaxel.", []),
    ("Extracellular vesicles in breast cancer",
     "Exosomal miR-21 was associated with poor survival of breast cancer cells in mice.", []),
    ("Extracellular vesicles in breast cancer",
     "Exosomal miR-21 was correlated with prognosis-related genes in breast cancer cells.", []),
])
def test_a_sentence_that_calls_a_cargo_a_biomarker_makes_a_biomarker_finding(
        matcher: Matcher, title: str, abstract: str,
        expected: list[tuple[str, str, str]]) -> None:
    article = Article(pmid="99000007", title=title,
                      abstract=(AbstractSection(abstract),) if abstract else ())
    found = [(f.cargo, f.disease, f.evidence_note) for f in text_findings(article, matcher)
             if f.effect == "biomarkerFor"]
    assert found == expected
    assert all(not f.process for f in text_findings(article, matcher) if f.effect == "biomarkerFor")
