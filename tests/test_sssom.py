"""The SSSOM mapping set: valid under the ``sssom`` package, and the same alignments as the graph."""

from __future__ import annotations

import csv
import json
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from pyoxigraph import NamedNode, QuerySolutions, Store

from kg import iris
from kg import sssom as mapping_set
from kg.build import BuildReport
from kg.inputs import DATA_DIR, ONTOLOGY_DIR
from kg.namespaces import DCTERMS
from kg.release import CHECKSUMS, MANIFEST, current_release, sha256
from kg.vocabulary import STRENGTHS

Triple = tuple[str, str, str]


@contextmanager
def quiet_dependencies() -> Iterator[None]:
    """sssom 0.4.21 sets a pandas option that pandas 3 deprecates, on import and in use."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        warnings.filterwarnings("ignore", category=FutureWarning)
        yield


with quiet_dependencies():
    parsers = pytest.importorskip("sssom.parsers", reason="the sssom package is a test extra")
    validators = pytest.importorskip("sssom.validators")
    sssom_constants = pytest.importorskip("sssom.constants")


@pytest.fixture(scope="module")
def release_file(default_build: tuple[Path, BuildReport]) -> Path:
    out, _ = default_build
    return current_release(out) / mapping_set.SSSOM_FILE


@pytest.fixture(scope="module")
def files_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The mapping set written by ``write_sssom`` from data/ and ontology/."""
    path = tmp_path_factory.mktemp("sssom") / mapping_set.SSSOM_FILE
    mapping_set.write_sssom(path, "test-version", DATA_DIR, ONTOLOGY_DIR)
    return path


def read_file(path: Path) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """The YAML block (parsed with PyYAML, as sssom does) and the rows of an SSSOM/TSV file."""
    import yaml  # type: ignore[import-untyped]

    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    header = [line[1:] for line in lines if line.startswith("#")]
    table = [line for line in lines if not line.startswith("#")]
    return yaml.safe_load("".join(header)), list(csv.DictReader(table, delimiter="\t"))


def expand(curie: str, curie_map: dict[str, str]) -> str:
    prefix, _, local = curie.partition(":")
    builtin = {"skos": "http://www.w3.org/2004/02/skos/core#"}
    return (curie_map | builtin)[prefix] + local


def file_alignments(path: Path) -> set[Triple]:
    meta, rows = read_file(path)
    cmap = meta["curie_map"]
    return {(expand(r["subject_id"], cmap), expand(r["predicate_id"], cmap),
             expand(r["object_id"], cmap)) for r in rows}


def graph_alignments(store: Store) -> set[Triple]:
    values = " ".join(f"<{p.value}>" for p in STRENGTHS.values())
    solutions = store.query(f"SELECT ?s ?p ?o {{ VALUES ?p {{ {values} }} ?s ?p ?o }}",
                            use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    return {(row["s"].value, row["p"].value, row["o"].value) for row in solutions}


def parse_and_validate(path: Path, caplog: pytest.LogCaptureFixture) -> Any:
    """Parse with sssom's Python API, then run its validator; fail on any error or warning.

    ``strict=True`` is not used: in sssom 0.4.21 it inverts its own metadata check and rejects
    files whose metadata is all standard. The warnings it would turn into errors (non-standard
    metadata, redefined built-in prefixes, a malformed mapping dropped) are logged at WARNING,
    so any log record at that level fails the test instead.
    """
    kinds = sssom_constants.SchemaValidationType
    with quiet_dependencies(), caplog.at_level(logging.WARNING):
        msdf = parsers.parse_sssom_table(path)
        reports = validators.validate(msdf, [kinds.JsonSchema, kinds.PrefixMapCompleteness,
                                             kinds.StrictCurieFormat], fail_on_error=True)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert {kind: report.results for kind, report in reports.items()} == {
        kind: [] for kind in reports}
    return msdf


@pytest.mark.parametrize("which", ["release_file", "files_file"])
def test_mapping_set_passes_the_sssom_validator(which: str, request: pytest.FixtureRequest,
                                                caplog: pytest.LogCaptureFixture) -> None:
    path: Path = request.getfixturevalue(which)
    msdf = parse_and_validate(path, caplog)
    _, rows = read_file(path)
    assert len(msdf.df) == len(rows) > 0  # sssom drops malformed rows silently: none was
    assert msdf.metadata["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert msdf.metadata["mapping_set_id"] == "https://w3id.org/evkg/mappings/evkg.sssom.tsv"


def test_release_mapping_set_names_the_release_version(
        release_file: Path, default_build: tuple[Path, BuildReport]) -> None:
    _, report = default_build
    meta, _ = read_file(release_file)
    assert meta["mapping_set_version"] == report.version


def test_every_alignment_of_the_graph_is_a_mapping_and_vice_versa(
        release_file: Path, files_file: Path, default_store: Store) -> None:
    in_graph = graph_alignments(default_store)
    assert len(in_graph) > 250
    assert file_alignments(release_file) == in_graph
    assert file_alignments(files_file) == in_graph


def test_every_mapping_keeps_where_its_identifier_was_verified(
        release_file: Path, default_store: Store) -> None:
    meta, rows = read_file(release_file)
    for row in rows:
        subject = NamedNode(expand(row["subject_id"], meta["curie_map"]))
        sources = {str(getattr(q.object, "value", "")) for q in default_store.quads_for_pattern(
            subject, DCTERMS.source, None, None)}
        assert row["comment"], row
        assert row["comment"] in sources, row
        assert row["mapping_justification"] == "semapv:ManualMappingCuration"


def test_curie_map_uses_the_project_prefixes(release_file: Path) -> None:
    meta, rows = read_file(release_file)
    objects = {k: v for k, v in meta["curie_map"].items() if not k.startswith("evkg")}
    assert objects == iris.CURIE_NAMESPACES
    assert {r["subject_id"].partition(":")[0] for r in rows} == {
        "evkg", "evkg.process", "evkg.disease", "evkg.ev-type", "evkg.cargo"}
    assert meta["curie_map"]["evkg.ev-type"] == "https://w3id.org/evkg/ev-type/"


def test_cargo_class_alignments_are_owl_class_mappings(release_file: Path) -> None:
    _, rows = read_file(release_file)
    micro_rna = {(r["predicate_id"], r["object_id"]) for r in rows
                 if r["subject_id"] == "evkg:MicroRNA"}
    # SO:0000276 is the mature molecule only (so.obo): narrower than evkg:MicroRNA
    assert micro_rna == {("skos:narrowMatch", "SO:0000276"), ("skos:exactMatch", "NCIT:C25966"),
                         ("skos:exactMatch", "MESH:D035683")}
    assert {r["subject_type"] for r in rows if r["subject_id"].startswith("evkg:")} == {
        "owl class"}
    assert {r["subject_type"] for r in rows if r["subject_id"].startswith("evkg.")} == {
        "skos concept"}


def test_object_labels_come_from_the_mesh_tables_and_the_external_names(
        files_file: Path) -> None:
    """200 of 277 object labels were empty: only MeSH terms were named."""
    labels: dict[str, str] = {}
    for table in ("mesh.tsv", "mesh_supplementary.tsv"):
        with (DATA_DIR / table).open(encoding="utf-8", newline="") as handle:
            labels |= {"MESH:" + r["ui"]: r["label"]
                       for r in csv.DictReader(handle, delimiter="\t")}
    with (DATA_DIR / "vocabulary" / "external_labels.tsv").open(encoding="utf-8",
                                                                 newline="") as handle:
        labels |= {r["curie"]: r["label"] for r in csv.DictReader(handle, delimiter="\t")}
    _, rows = read_file(files_file)
    for row in rows:
        assert row["object_label"] == labels.get(row["object_id"], ""), row
    unnamed = {r["object_id"].partition(":")[0] for r in rows if not r["object_label"]}
    assert unnamed <= {"UNIPROT", "ENSEMBL", "NCIT"}  # no file in ../shared names these
    assert {"subject_id": "evkg.process:angiogenesis", "object_id": "GO:0001525",
            "object_label": "angiogenesis"}.items() <= next(
        r for r in rows if r["object_id"] == "GO:0001525").items()
    assert {"subject_id": "evkg.process:angiogenesis", "object_id": "MESH:D009389",
            "object_label": "Neovascularization, Pathologic"}.items() <= next(
        r for r in rows if r["object_id"] == "MESH:D009389").items()


def test_release_lists_the_mapping_set_in_manifest_and_checksums(
        default_build: tuple[Path, BuildReport]) -> None:
    out, _ = default_build
    directory = current_release(out)
    digest = sha256(directory / mapping_set.SSSOM_FILE)
    assert f"{digest}  {mapping_set.SSSOM_FILE}\n" in (directory / CHECKSUMS).read_text()
    manifest = json.loads((directory / MANIFEST).read_text())
    entry = next(f for f in manifest["files"] if f["name"] == mapping_set.SSSOM_FILE)
    assert entry["sha256"] == digest
    assert entry["media_type"] == "text/tab-separated-values"


def test_same_files_give_the_same_bytes(files_file: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.sssom.tsv"
    count = mapping_set.write_sssom(again, "test-version", DATA_DIR, ONTOLOGY_DIR)
    assert again.read_bytes() == files_file.read_bytes()
    assert count == len(read_file(again)[1])


def test_an_alignment_outside_the_curie_map_is_an_error() -> None:
    with pytest.raises(ValueError, match="no namespace of the mapping set"):
        mapping_set.contract("http://example.org/X_1", iris.CURIE_NAMESPACES)
    assert mapping_set.contract("https://identifiers.org/mirbase.mature:MIMAT0000076",
                                iris.CURIE_NAMESPACES) == "mirbase.mature:MIMAT0000076"


def test_a_cell_never_holds_a_tab_or_line_break(tmp_path: Path) -> None:
    path = tmp_path / "m.sssom.tsv"
    with path.open("w", encoding="utf-8", newline="") as out:
        mapping_set.write_table(out, [{"subject_id": "evkg:X", "comment": "a\tb\nc"}], "v")
    _, rows = read_file(path)
    assert rows[0]["comment"] == "a b c"


def test_release_and_files_give_the_same_mapping_set(release_file: Path, files_file: Path) -> None:
    assert read_file(release_file)[1] == read_file(files_file)[1]
