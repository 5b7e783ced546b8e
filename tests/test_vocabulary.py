"""The vocabulary graph keeps every alignment of ../shared/vocab with its match strength."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from pyoxigraph import QuerySolutions, Store

from kg.iris import curie_iri
from kg.vocabulary import STRENGTHS, VOCABULARY_FILES, parse_mapping
from tests.conftest import ROOT, shared_path

SKOS = "http://www.w3.org/2004/02/skos/core#"
#: ../shared/vocab file → (key column, scheme path segment).
FILES = {
    "cancer_processes.tsv": ("process_key", "process"),
    "breast_cancer_terms.tsv": ("subtype_key", "disease"),
    "ev_terms.tsv": ("ev_key", "ev-type"),
}
#: Columns of ../shared/vocab files holding identifiers, with the column giving their strength.
ID_COLUMNS = {
    "go_id": "go_match", "ncit_id": "ncit_match", "mesh_ids": "mesh_match",
    "mondo_id": None, "doid_id": None,
}


def mappings(store: Store, concept: str) -> dict[str, str]:
    """External IRI → SKOS mapping property local name, for one concept."""
    solutions = store.query(f"SELECT ?p ?o {{ <{concept}> ?p ?o }}",
                            use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    found = {}
    for row in solutions:
        p, o = row[0].value, row[1].value  # type: ignore[union-attr]
        if p.startswith(SKOS) and p.endswith("Match"):
            found[o] = p.removeprefix(SKOS)
    return found


def vocab_rows(name: str) -> list[dict[str, str]]:
    with shared_path("vocab", name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def expected_alignments(name: str) -> list[tuple[str, str, str | None]]:
    """(key, CURIE, strength word or None) for every identifier the file gives."""
    key_column, _ = FILES[name]
    out = []
    for row in vocab_rows(name):
        for column, strength_column in ID_COLUMNS.items():
            ids = [i for i in (row.get(column) or "").split("|") if i]
            strength_text = (row.get(strength_column) or "") if strength_column else ""
            first_word = re.match(r"[a-z]+", strength_text.strip())
            word = first_word.group(0) if first_word else None
            if re.match(r"exact for ", strength_text.strip()):  # "exact for exosomes": exact
                word = "narrow"  # only within a narrower scope, so the term is narrower
            if word in ("none", "not"):
                continue
            for position, curie in enumerate(ids):
                out.append((row[key_column], curie, word if position == 0 else None))
    return out


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_alignment_is_kept_with_its_strength(default_store: Store, name: str) -> None:
    _, segment = FILES[name]
    missing, wrong = [], []
    for key, curie, word in expected_alignments(name):
        concept = f"https://w3id.org/evkg/{segment}/{key}"
        found = mappings(default_store, concept)
        iri = curie_iri(curie).value
        if iri not in found:
            missing.append(f"{key} {curie}")
        elif word in STRENGTHS and found[iri] != f"{word}Match":
            wrong.append(f"{key} {curie}: {found[iri]}, the file says {word}")
    assert not missing, f"alignments missing from the graph: {missing}"
    assert not wrong, f"alignments with the wrong strength: {wrong}"


def test_every_cargo_identifier_is_kept(default_store: Store) -> None:
    rows = vocab_rows("cargo_examples.tsv")
    solutions = default_store.query(
        "SELECT ?o { ?c <http://www.w3.org/2004/02/skos/core#inScheme> "
        "<https://w3id.org/evkg/ontology#CargoScheme>; ?p ?o }", use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    objects = {row[0].value for row in solutions}  # type: ignore[union-attr]
    missing = []
    for row in rows:
        for column, prefix in (("mirbase_precursor_MI", "mirbase"), ("hgnc_id", ""),
                               ("uniprot", "UNIPROT"), ("ensembl_gene", "ENSEMBL")):
            for local in (i.strip() for i in row[column].split(";") if i.strip()):
                curie = local if not prefix else f"{prefix}:{local}"
                if curie_iri(curie).value not in objects:
                    missing.append(f"{row['cargo_key']} {curie}")
        for item in (i for i in row["mirbase_mature_MIMAT"].split(";") if i):
            curie = "mirbase.mature:" + item.partition("=")[2]
            if curie_iri(curie).value not in objects:
                missing.append(f"{row['cargo_key']} {curie}")
    assert not missing, f"cargo identifiers missing from the graph: {missing}"


def test_project_vocabulary_files_use_known_strengths() -> None:
    for name in VOCABULARY_FILES:
        with (ROOT / "data" / "vocabulary" / f"{name}.tsv").open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                for item in filter(None, (m.strip() for m in row["mappings"].split(";"))):
                    strength, curie = parse_mapping(item)
                    assert strength in STRENGTHS
                    curie_iri(curie)


def test_vocabulary_concepts_have_definitions(default_store: Store) -> None:
    solutions = default_store.query("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?c { GRAPH <https://w3id.org/evkg/graph/vocabulary> {
                      ?c a skos:Concept FILTER NOT EXISTS { ?c skos:definition ?d } } }""")
    assert isinstance(solutions, QuerySolutions)
    assert [row[0].value for row in solutions] == []  # type: ignore[union-attr]


def test_a_phrase_naming_the_opposite_is_no_label_of_the_concept(default_store: Store) -> None:
    """A review: "T cell activation" was a skos:hiddenLabel of immune evasion (and "apoptosis" of
    apoptosis resistance), so the label search offered immune evasion for it. Text mining reads
    such phrases as the concept's opposite; the graph says so with evkg:oppositePhrase."""
    def objects(concept: str, predicate: str) -> set[str]:
        solutions = default_store.query(
            f"SELECT ?o {{ <https://w3id.org/evkg/process/{concept}> <{predicate}> ?o }}",
            use_default_graph_as_union=True)
        assert isinstance(solutions, QuerySolutions)
        return {row[0].value for row in solutions}  # type: ignore[union-attr]

    opposite = "https://w3id.org/evkg/ontology#oppositePhrase"
    assert {"T cell activation", "NK cell cytotoxicity"} <= objects("immune_evasion", opposite)
    assert "T cell activation" not in objects("immune_evasion", SKOS + "hiddenLabel")
    assert "tumor immune escape" in objects("immune_evasion", SKOS + "hiddenLabel")
    assert "apoptosis" in objects("apoptosis_resistance", opposite)
    assert "drug sensitivity" in objects("drug_resistance", opposite)
    assert "chemoresistance" in objects("drug_resistance", SKOS + "hiddenLabel")


def _obo_names(path: Path) -> dict[str, str]:
    """id → name of each stanza of an OBO file (read independently of the curation script)."""
    text = path.read_text(encoding="utf-8")
    return {m.group(1): m.group(2) for m in
            re.finditer(r"^id: (\S+)\nname: (.+)$", text, re.MULTILINE)}


def test_each_external_name_is_the_one_its_source_gives(default_store: Store) -> None:
    """The names of aligned terms (SSSOM object labels, the external links of pages) are
    copied from the file each row cites, beside the same identifier, and the graph has them."""
    with (ROOT / "data" / "vocabulary" / "external_labels.tsv").open(
            encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    go = {t["id"]: t.get("name") for t in json.loads(
        shared_path("data", "ontologies", "go.json").read_text(encoding="utf-8"))}
    gff = shared_path("data", "mirbase", "hsa.gff3").read_text(encoding="utf-8")
    obo = {"SO": _obo_names(shared_path("data", "ontologies", "so.obo")),
           "DOID": _obo_names(shared_path("data", "ontologies", "DO_cancer_slim.obo"))}
    for row in rows:
        curie, label, source = row["curie"], row["label"], row["source"]
        prefix, _, local = curie.partition(":")
        if source.endswith("go.json"):
            assert go[curie] == label, row
        elif source.endswith(".obo"):
            assert obo[prefix][curie] == label, row
        elif source.endswith("hsa.gff3"):
            assert f"ID={local};Alias={local};Name={label}\n" in gff or \
                f"ID={local};Alias={local};Name={label};" in gff, row
        else:
            name, _, column = source.removeprefix("../shared/vocab/").partition(", ")
            id_column = {"hgnc_symbol": "hgnc_id"}.get(column, column.replace("_label", "_id"))
            assert any((curie, label) in zip(r[id_column].split(";"), r[column].split(";"),
                                             strict=False) for r in vocab_rows(name)), row
    assert {"GO:0001525": "angiogenesis", "SO:0000276": "miRNA",
            "mirbase.mature:MIMAT0000102": "hsa-miR-105-5p", "HGNC:31492": "MIR105-1"}.items() \
        <= {r["curie"]: r["label"] for r in rows}.items()
    solutions = default_store.query(
        "SELECT ?l { GRAPH <https://w3id.org/evkg/graph/vocabulary> { "
        "<http://purl.obolibrary.org/obo/GO_0001525> <http://www.w3.org/2000/01/rdf-schema#label> "
        "?l } }")
    assert isinstance(solutions, QuerySolutions)
    assert [str(row[0]) for row in solutions] == ['"angiogenesis"@en']  # type: ignore[union-attr]


#: Numbers a note may write in words.
COUNTS = {"two": 2, "three": 3, "four": 4, "five": 5}


def test_a_notes_count_of_loci_is_the_count_of_its_hairpins(default_store: Store) -> None:
    """A miRNA gene of several loci says how many in its editorial note: hsa-miR-9, three
    loci by miRBase's file (MI0000466, MI0000467, MI0000468), said "Two identical loci"."""
    hairpin = curie_iri("mirbase:MI0000466").value.removesuffix("MI0000466")
    solutions = default_store.query(f"""
        PREFIX skos: <{SKOS}>
        SELECT ?c ?note (COUNT(DISTINCT ?m) AS ?n) {{
          GRAPH <https://w3id.org/evkg/graph/vocabulary> {{
            ?c skos:editorialNote ?note FILTER(CONTAINS(?note, " loci"))
            ?c skos:closeMatch ?m FILTER(STRSTARTS(STR(?m), "{hairpin}MI")) }} }}
        GROUP BY ?c ?note""")
    assert isinstance(solutions, QuerySolutions)
    found = {row[0].value: (row[1].value, int(row[2].value))  # type: ignore[union-attr]
             for row in solutions}
    assert "https://w3id.org/evkg/cargo/hsa-miR-9" in found, found
    for concept, (note, hairpins) in found.items():
        said = re.search(r"(\w+) (?:identical )?loci", note)
        assert said and COUNTS.get(said[1].lower()) == hairpins, (concept, note, hairpins)
