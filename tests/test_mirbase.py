"""``--mirbase``: every miRNA of a miRBase GFF3 file is cargo for text mining, and the ones the
findings name are described in graph/vocabulary with miRBase's identifiers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from pyoxigraph import QuerySolutions

from kg import mirbase
from kg.build import build, ingest
from kg.cli import main
from kg.release import current_release
from kg.store import open_read_only
from kg.textmining import Matcher
from kg.vocabulary import read_concepts
from tests.conftest import ROOT, shared_path

MEDLINE = """PMID- 99000201
TI  - Exosomal miR-124 suppresses the proliferation of endothelial cells in breast cancer.
AB  - Extracellular vesicles carry microRNAs. Exosomal miR-25-3p promoted angiogenesis.
      Exosomes delivering miR-21-3p increased migration.
DP  - 2024 Jan 5
LA  - eng
"""
PREFIXES = """PREFIX evkg: <https://w3id.org/evkg/ontology#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def rows(directory: Path, query: str) -> list[tuple[str, ...]]:
    found = open_read_only(current_release(directory) / "store").query(
        PREFIXES + query, use_default_graph_as_union=True)
    assert isinstance(found, QuerySolutions)
    return [tuple(term.value if term is not None else "" for term in row) for row in found]


@pytest.fixture(scope="module")
def builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The same record built with and without hsa.gff3."""
    gff3 = shared_path("data", "mirbase", "hsa.gff3")
    source = tmp_path_factory.mktemp("src") / "ev.txt"
    source.write_text(MEDLINE, encoding="utf-8")
    with_mirbase, without = tmp_path_factory.mktemp("with"), tmp_path_factory.mktemp("without")
    build([source], with_mirbase, mirbase_file=gff3, default_articles=False, shacl=False)
    build([source], without, default_articles=False, shacl=False)
    return with_mirbase, without


FINDINGS = """SELECT ?cargo ?process ?effect WHERE {
  ?f evkg:method evkg:TextMining ; evkg:cargo ?c ; evkg:process ?p ; evkg:effect ?e .
  BIND(STRAFTER(STR(?c), "cargo/") AS ?cargo) BIND(STRAFTER(STR(?p), "process/") AS ?process)
  BIND(STRAFTER(STR(?e), "#") AS ?effect) } ORDER BY ?cargo"""


def test_mirnas_the_vocabulary_lacks_make_findings_with_mirbase(builds: tuple[Path, Path]) -> None:
    with_mirbase, without = builds
    assert rows(with_mirbase, FINDINGS) == [
        ("hsa-miR-124", "proliferation", "inhibits"),
        ("hsa-miR-21-3p", "migration", "promotes"),
        ("hsa-miR-25-3p", "angiogenesis", "promotes"),
    ]
    # without it, miR-21-3p is taken for the vocabulary's gene, and the others are no cargo
    assert rows(without, FINDINGS) == [("hsa-miR-21", "migration", "promotes")]


def test_the_named_mirnas_and_their_genes_join_the_vocabulary(builds: tuple[Path, Path]) -> None:
    with_mirbase, _ = builds
    described = rows(with_mirbase, """SELECT ?label ?match ?broader ?source WHERE {
      ?c a evkg:MicroRNA ; skos:prefLabel ?label ; skos:exactMatch|skos:closeMatch ?match ;
         <http://purl.org/dc/terms/source> ?source .
      OPTIONAL { ?c skos:broader/skos:prefLabel ?broader }
      FILTER(STRSTARTS(?source, "miRBase v22")) } ORDER BY ?label ?match""")
    assert described == [
        *(("hsa-miR-124", f"https://identifiers.org/mirbase:{mi}", "", "miRBase v22 GFF3 hsa.gff3")
          for mi in ("MI0000443", "MI0000444", "MI0000445")),
        ("hsa-miR-21-3p", "https://identifiers.org/mirbase.mature:MIMAT0004494", "hsa-miR-21",
         "miRBase v22 GFF3 hsa.gff3"),
        ("hsa-miR-25", "https://identifiers.org/mirbase:MI0000082", "", "miRBase v22 GFF3 hsa.gff3"),
        ("hsa-miR-25-3p", "https://identifiers.org/mirbase.mature:MIMAT0000081", "hsa-miR-25",
         "miRBase v22 GFF3 hsa.gff3"),
    ]
    # hsa-miR-21, the vocabulary's own concept, is not described a second time
    assert rows(with_mirbase, """SELECT (COUNT(*) AS ?n) WHERE {
      <https://w3id.org/evkg/cargo/hsa-miR-21> skos:prefLabel ?l }""") == [("1",)]


def test_a_file_that_is_not_gff3_names_the_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "mature.fa"
    bad.write_text("##gff-version 3\n>hsa-let-7a-5p MIMAT0000062\nUGAGGUAGUAGGUUGUAUAGUU\n")
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "b"), "--mirbase", str(bad),
                                       "--without-default-articles", str(ROOT / "tests" / "data" /
                                                                         "medline_records.txt")])
    assert result.exit_code == 1
    assert f"{bad}, line 2: not GFF3 (want 9 tab-separated columns, found 1)" in result.output
    assert not (tmp_path / "b" / "current").exists()


def test_genes_gather_their_loci_and_armless_matures() -> None:
    made = mirbase.concepts(shared_path("data", "mirbase", "hsa.gff3"))
    assert made["hsa-miR-9"].mappings == (("close", "mirbase:MI0000466"),
                                          ("close", "mirbase:MI0000467"),
                                          ("close", "mirbase:MI0000468"))
    assert made["hsa-miR-9"].alt_labels == ("miR-9", "hsa-mir-9-1", "hsa-mir-9-2", "hsa-mir-9-3")
    assert made["hsa-miR-9-5p"].broader == ("hsa-miR-9",)
    assert made["hsa-let-7a-5p"].broader == ("hsa-let-7a",)
    # one precursor, one mature without an arm: one concept mapped to both
    assert made["hsa-miR-4521"].mappings == (("exact", "mirbase:MI0016887"),
                                             ("close", "mirbase.mature:MIMAT0019058"))


def test_an_ingest_with_mirbase_adds_what_its_records_name(tmp_path: Path) -> None:
    gff3 = shared_path("data", "mirbase", "hsa.gff3")
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(MEDLINE, encoding="utf-8")
    second.write_text(MEDLINE.replace("99000201", "99000202").replace("miR-124 ", "miR-124-3p "),
                      encoding="utf-8")
    out = tmp_path / "build"
    build([first], out, mirbase_file=gff3, default_articles=False, shacl=False)
    result = CliRunner().invoke(main, ["ingest", str(second), "--into", str(out),
                                       "--mirbase", str(gff3), "--quiet"])
    assert result.exit_code == 0, result.output
    labels = rows(out, """SELECT ?label (COUNT(?l) AS ?n) WHERE {
      ?c skos:prefLabel ?l ; <http://purl.org/dc/terms/source> "miRBase v22 GFF3 hsa.gff3" .
      BIND(STR(?l) AS ?label) } GROUP BY ?label ORDER BY ?label""")
    # the new mature miRNA joins beside its gene, which the build described
    assert labels == [("hsa-miR-124", "1"), ("hsa-miR-124-3p", "1"), ("hsa-miR-21-3p", "1"),
                      ("hsa-miR-25", "1"), ("hsa-miR-25-3p", "1")]


def test_an_ingest_takes_the_builds_mirbase_again(tmp_path: Path) -> None:
    """--mirbase was not remembered: an ingest without it read its records' miRNAs otherwise
    than the build had (a mature miRNA the vocabulary lacks made no finding). The manifest
    records the file, and an ingest not given one takes it again, if it is still there and
    unchanged."""
    gff3 = tmp_path / "hsa.gff3"
    gff3.write_bytes(shared_path("data", "mirbase", "hsa.gff3").read_bytes())
    first, second, third = (tmp_path / f"{n}.txt" for n in ("first", "second", "third"))
    first.write_text(MEDLINE, encoding="utf-8")
    second.write_text(MEDLINE.replace("99000201", "99000202").replace("miR-124 ", "miR-124-3p "),
                      encoding="utf-8")
    third.write_text(MEDLINE.replace("99000201", "99000203"), encoding="utf-8")
    out = tmp_path / "build"
    build([first], out, mirbase_file=gff3, default_articles=False, shacl=False)
    recorded = json.loads((current_release(out) / "manifest.json").read_text(encoding="utf-8"))
    assert recorded["inputs"]["mirbase"]["file"] == str(gff3)
    result = CliRunner().invoke(main, ["ingest", str(second), "--into", str(out)])
    assert result.exit_code == 0, result.output
    assert f"--mirbase {gff3}: the file the previous release was made with" in result.output
    assert ("hsa-miR-124-3p",) in rows(out, """SELECT ?key WHERE { ?f evkg:cargo ?c .
      BIND(STRAFTER(STR(?c), "cargo/") AS ?key) }""")
    released = current_release(out)

    with gff3.open("a", encoding="utf-8") as edited:
        edited.write("# a line added later\n")
    result = CliRunner().invoke(main, ["ingest", str(third), "--into", str(out)])
    assert result.exit_code == 1
    assert (f"Error: the current release {released.name} was made with --mirbase {gff3}, "
            f"which has changed since: give --mirbase {gff3} to take it as it is now "
            "(or another file)") in result.output
    result = CliRunner().invoke(main, ["ingest", str(third), "--into", str(out),
                                       "--mirbase", str(gff3)])
    assert result.exit_code == 0, result.output
    assert f"\n  --mirbase {gff3}\n" in result.output  # given: named too (it was not)
    released = current_release(out)
    gff3.unlink()
    result = CliRunner().invoke(main, ["ingest", str(third), "--into", str(out)])
    assert result.exit_code == 1
    assert "which is no longer there: give --mirbase FILE" in result.output
    assert current_release(out) == released  # nothing published


def test_an_ingest_into_a_release_that_records_no_inputs_says_so(tmp_path: Path) -> None:
    """A release made before manifests recorded --mesh / --mirbase may have been made with
    them: an ingest given neither cannot take them again, and says what it did."""
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text(MEDLINE, encoding="utf-8")
    second.write_text(MEDLINE.replace("99000201", "99000202"), encoding="utf-8")
    out = tmp_path / "build"
    build([first], out, default_articles=False, shacl=False)
    previous = current_release(out)
    manifest = json.loads((previous / "manifest.json").read_text(encoding="utf-8"))
    del manifest["inputs"]  # as an older evkg wrote it
    (previous / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", str(second), "--into", str(out)])
    assert result.exit_code == 0, result.output
    assert (f"release {previous.name} does not record whether it was made with --mesh or "
            "--mirbase (an older evkg made it): this ingest read its records without them; if "
            "it was, ingest these files again with them") in result.output
    result = CliRunner().invoke(main, ["ingest", str(first), "--into", str(out)])
    assert result.exit_code == 0, result.output
    assert "does not record" not in result.output  # the new release records its (no) inputs
    assert "inputs" in json.loads((current_release(out) / "manifest.json").read_text(encoding="utf-8"))


def test_a_file_given_to_an_ingest_that_changes_no_graph_is_still_recorded(tmp_path: Path) -> None:
    """Re-applying a file with --mirbase changed no graph, so no release was published and the
    file was forgotten: the next ingest read its miRNAs without it."""
    gff3 = shared_path("data", "mirbase", "hsa.gff3")
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    first.write_text("PMID- 99000209\nTI  - Exosomal miR-21 promotes invasion in breast cancer.\n"
                     "DP  - 2024 Jan 5\n", encoding="utf-8")  # no miRNA the vocabulary lacks
    second.write_text(MEDLINE.replace("99000201", "99000202"), encoding="utf-8")
    out = tmp_path / "build"
    build([first], out, default_articles=False, shacl=False)
    report = ingest([first], out, mirbase_file=gff3, shacl=False)
    assert not report.unchanged
    assert report.inputs["mirbase"]["file"] == str(gff3)
    assert ingest([second], out, shacl=False).remembered == ("mirbase",)
    assert ("hsa-miR-124",) in rows(out, """SELECT ?key WHERE { ?f evkg:cargo ?c .
      BIND(STRAFTER(STR(?c), "cargo/") AS ?key) }""")


@pytest.mark.parametrize(("text", "key", "listed"), [
    ("miR-16-2-3p", "hsa-miR-16-2-3p", True),  # was hsa-miR-16-1-3p: the other locus's arm
    ("let-7a-2-3p", "hsa-let-7a-2-3p", True),
    ("miR-92a-2-5p", "hsa-miR-92a-2-5p", True),
    ("miR-9", "hsa-miR-9", True),
    ("microRNA-9", "hsa-miR-9", True),
    ("hsa-miR-9-5p", "hsa-miR-9-5p", True),
    ("miR-17-92 cluster", "hsa-miR-17-92-cluster", False),  # was hsa-miR-17: one member
    ("miR-17~92", "hsa-miR-17-92-cluster", False),
    ("miR-106b~25", "hsa-miR-106b-25-cluster", False),
])
def test_mirbase_names_reach_their_own_molecule(text: str, key: str, listed: bool) -> None:
    vocabulary = list(read_concepts(ROOT / "data" / "vocabulary"))
    more = mirbase.concepts(shared_path("data", "mirbase", "hsa.gff3"),
                            listed=[c.key for c in vocabulary])
    matcher = Matcher.from_concepts([*vocabulary, *more.values()])
    cargo = [m for m in matcher.mentions(f"Exosomal {text} was measured.") if m.entity_type == "cargo"]
    assert [(m.text, m.key, m.listed) for m in cargo] == [(text, key, listed)]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "no miRNA in it (no line of type miRNA_primary_transcript or miRNA): not a miRBase GFF3 file"),
    (b"##gff-version 3\n# only comments\n",
     "no miRNA in it (no line of type miRNA_primary_transcript or miRNA): not a miRBase GFF3 file"),
    ("##gff-version 3\n".encode("utf-16"), "line 1: not UTF-8 text (invalid start byte at byte 1)"),
])
def test_a_file_without_mirnas_is_an_error_not_a_silent_build(tmp_path: Path, content: bytes,
                                                             message: str) -> None:
    """An empty file or one of another kind built as if no --mirbase were given."""
    bad = tmp_path / "hsa.gff3"
    bad.write_bytes(content)
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "b"), "--mirbase", str(bad),
                                       "--without-default-articles", str(ROOT / "tests" / "data" /
                                                                         "medline_records.txt")])
    assert result.exit_code == 1
    assert f"Error: {bad}" in result.output and message in result.output


def test_the_mapping_set_says_mirbase_accessions_are_stated_not_curated(
        builds: tuple[Path, Path]) -> None:
    with_mirbase, _ = builds
    lines = (current_release(with_mirbase) / "evkg.sssom.tsv").read_text().splitlines()
    rows = [dict(zip(lines[i].split("\t"), r.split("\t"), strict=True))
            for i in [next(n for n, line in enumerate(lines) if line.startswith("subject_id"))]
            for r in lines[i + 1:]]
    justification = {(r["subject_label"], r["object_id"]): r["mapping_justification"] for r in rows}
    assert justification[("hsa-miR-124", "mirbase:MI0000443")] == "semapv:UnspecifiedMatching"
    assert justification[("hsa-miR-21", "mirbase:MI0000077")] == "semapv:ManualMappingCuration"


def test_an_ingest_that_removes_a_mirnas_only_article_removes_the_mirna(tmp_path: Path) -> None:
    """The concepts --mirbase added for a record's findings stayed after the record was
    deleted (the README listed it as a limitation): the graph is now a build's of what remains."""
    gff3 = shared_path("data", "mirbase", "hsa.gff3")
    source = tmp_path / "ev.txt"
    source.write_text(MEDLINE, encoding="utf-8")
    out = tmp_path / "build"
    build([source], out, mirbase_file=gff3, default_articles=False, shacl=False)
    deletion = tmp_path / "update.xml"
    deletion.write_text('<PubmedArticleSet><DeleteCitation><PMID Version="1">99000201</PMID>'
                        "</DeleteCitation></PubmedArticleSet>", encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", str(deletion), "--into", str(out), "--quiet"])
    assert result.exit_code == 0, result.output
    assert rows(out, """SELECT ?c WHERE { ?c <http://purl.org/dc/terms/source> ?s
      FILTER(STRSTARTS(STR(?s), "miRBase")) }""") == []
    # the vocabulary's own concepts stay
    assert rows(out, """SELECT (COUNT(*) AS ?n) WHERE {
      <https://w3id.org/evkg/cargo/hsa-miR-21> skos:prefLabel ?l }""") == [("1",)]


def test_a_gff3_file_with_windows_line_ends_reads_the_same(tmp_path: Path) -> None:
    """The last column kept its carriage return: a CRLF copy lost 914 of 3,566 concepts."""
    gff3 = shared_path("data", "mirbase", "hsa.gff3")
    crlf = tmp_path / "hsa.gff3"
    crlf.write_bytes(gff3.read_bytes().replace(b"\n", b"\r\n"))
    assert mirbase.concepts(crlf) == mirbase.concepts(gff3)


def test_a_gff3_file_that_opens_with_a_byte_order_mark_reads_the_same(tmp_path: Path) -> None:
    """A file a Windows editor saved opens with a byte order mark, which the tables' reader
    (``read_lines``) now drops for every table, as it did for MeSH's alone."""
    gff3 = shared_path("data", "mirbase", "hsa.gff3")
    marked = tmp_path / "hsa.gff3"
    marked.write_bytes(b"\xef\xbb\xbf" + gff3.read_bytes())
    assert mirbase.concepts(marked) == mirbase.concepts(gff3)
