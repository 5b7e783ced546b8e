"""Every external identifier the project's files state is verified in a file under ../shared.

``scripts/audit_identifiers.py`` reads the ontology, the curated data, the example queries, the
READMEs, the page templates and the code, and checks each MeSH, GO, SO, ChEBI, NCIT, MONDO,
DOID, HGNC, UniProt, Ensembl and miRBase identifier, PMID, DOI, PMCID, ISSN, NLM journal id and
trial registration against ../shared, with the name the project gives it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, shared_path

SCRIPT = ROOT / "scripts" / "audit_identifiers.py"
#: What the audit reads of a project (scripts/audit_identifiers.py: PROJECT_FILES).
AUDITED = ("ontology", "data", "queries", "docs", "server", "kg", "scripts", "README.md")


def audit(root: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), "--root", str(root)],
                          capture_output=True, text=True, cwd=root,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_every_identifier_of_the_project_is_verified_in_shared() -> None:
    shared_path("vocab")
    result = audit()
    assert result.returncode == 0, result.stdout + result.stderr
    last = result.stdout.splitlines()[-1]
    assert last == "every identifier is verified in a file under ../shared"
    table = {line.split("  ")[0]: line.split()[-3:] for line in result.stdout.splitlines()[1:-1]}
    # every kind of identifier the project states was found and checked
    for kind in ("MeSH descriptor", "MeSH qualifier", "MeSH supplementary", "MeSH tree number",
                 "GO", "SO", "CHEBI", "NCIT", "MONDO", "DOID", "HGNC", "UniProt", "Ensembl",
                 "miRBase precursor", "miRBase mature", "PMID", "DOI", "PMCID", "ISSN",
                 "NLM journal id", "trial registration"):
        assert kind in table and int(table[kind][1]) > 0, (kind, result.stdout)


def copy_project(tmp_path: Path) -> Path:
    """The audited files of the project, beside a link to ../shared, under ``tmp_path``."""
    root = tmp_path / "project"
    root.mkdir()
    for name in AUDITED:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name,
                            ignore=shutil.ignore_patterns("__pycache__", "node_modules"))
        else:
            shutil.copy(source, root / name)
    (tmp_path / "shared").symlink_to(shared_path())
    return root


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_audit_names_each_identifier_that_names_something_else(tmp_path: Path) -> None:
    shared_path("vocab")
    root = copy_project(tmp_path)
    # a GO term given another term's name
    replace(root / "data/vocabulary/external_labels.tsv",
            "GO:0001525\tangiogenesis", "GO:0001525\tapoptotic process")
    # a finding whose DOI is another article's (the seed review's)
    replace(root / "data/findings.tsv", "24735924\t10.1016/j.ccr.2014.03.007",
            "24735924\t10.3389/fendo.2023.1202493")
    # a mature miRNA mapped to another miRNA's accession (hsa-miR-21-5p's)
    replace(root / "data/vocabulary/cargo.tsv", "exact mirbase.mature:MIMAT0000102",
            "exact mirbase.mature:MIMAT0000076")
    # a MeSH heading of an article under another descriptor's name
    replace(root / "data/articles.jsonl", '"descriptor_label": "Cell Communication"',
            '"descriptor_label": "Cell Movement"')
    # a note naming a MeSH descriptor by another's name, and a PMID no shared file gives
    replace(root / "ontology/evkg.ttl", "D020543 Proteome", "D020543 Neoplasm Proteins")
    replace(root / "kg/seedpage.py", "PMID: 40103824", "PMID: 40103825")
    # a journal whose provenance names a file that does not hold it
    replace(root / "data/articles.jsonl", "as in shared/data/pubmed/ncbiutils/pubmed22n1313.xml",
            "as in shared/data/pubmed/biopython/pubmed1.xml")
    result = audit(root)
    assert result.returncode == 1, result.stdout + result.stderr
    out = result.stdout
    assert ("GO GO:0001525: named 'apoptotic process' here, 'angiogenesis' in "
            "../shared/data/ontologies/go.json") in out
    assert "data/findings.tsv:2: DOI 10.3389/fendo.2023.1202493: ['10.1016/j.ccr.2014.03.007']" \
        in out
    assert "data/findings.tsv:2: PMID 24735924: its source row miR-105 gives PMID/DOI" in out
    assert ("miRBase mature MIMAT0000076: named 'hsa-miR-21-5p' in hsa.gff3, mapped from "
            "'hsa-miR-105-5p'") in out
    assert "MeSH descriptor MESH:D002450: named 'Cell Movement' here, 'Cell Communication'" in out
    note = next(number for number, line in enumerate(
        (root / "ontology/evkg.ttl").read_text(encoding="utf-8").splitlines(), start=1)
        if "D020543 Neoplasm Proteins" in line)
    assert (f"ontology/evkg.ttl:{note}: MeSH descriptor MESH:D020543: written 'neoplasm "
            "proteins' beside it, the name of MESH:D009363; its own: 'Proteome'") in out
    assert "kg/seedpage.py:8: PMID 40103825: no shared file names this PMID" in out
    assert ("NLM journal id 0410462: provenance names data/pubmed/biopython/pubmed1.xml; "
            "the journal is in ['../shared/data/pubmed/ncbiutils/pubmed22n1313.xml']") in out
    assert out.splitlines()[-1].endswith(" problems")
