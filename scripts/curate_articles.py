"""Write data/articles.jsonl, the default articles, from the facts in ../shared.

Sources: the corpus of real EV-in-breast-cancer articles (../shared/corpus), the seed PubMed
page (../shared/seeds, read with the project's own page reader) and the seed review's MeSH
headings (../shared/vocab/seed_article_mesh.tsv); a PMID the corpus lacks where
../shared/vocab/cargo_examples.tsv verified it for the article's DOI (evidence_pmid). A
journal the corpus names by title in one article and by abbreviation in another is one
journal: the names are joined where one corpus article gives both, or where a PubMed XML
record in ../shared/data/pubmed (read with the project's reader) gives both, which also gives
its NLM unique id and ISSNs. MeSH UIs for publication types, substances and qualifiers are
looked up by exact name in data/mesh.tsv, data/mesh_supplementary.tsv and
data/mesh_qualifiers.tsv (written by scripts/curate_vocabulary.py). The corpus's facts win
where both give one; the seed page fills in what the corpus lacks (abstract, e-publication
dates, the conflict of interest statement, the copyright notice).

Run from the repository root: ``.venv/bin/python scripts/curate_articles.py``.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import re
import sys
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from kg.jsonrecords import write_records  # noqa: E402
from kg.pubmed import read_pubmed_xml  # noqa: E402
from kg.records import (  # noqa: E402
    Article,
    Author,
    CommentCorrection,
    Journal,
    MeshHeading,
    Provenance,
    PublicationType,
    Qualifier,
    Substance,
)
from kg.seedpage import parse_page  # noqa: E402

SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "ev-breast-cancer-articles.jsonl"
SEED = SHARED / "seeds" / "000_daba7e9a812b13d6.txt"
SEED_URL = "http://www.pubmed.gov/37534210/"
PUBMED = SHARED / "data" / "pubmed"
CARGO_EXAMPLES = SHARED / "vocab" / "cargo_examples.tsv"


def read_table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def name_index() -> dict[str, str]:
    """Exact MeSH name → UI, from the project's MeSH tables."""
    index = {row["label"]: row["ui"] for row in read_table(ROOT / "data" / "mesh.tsv")}
    supplementary = ROOT / "data" / "mesh_supplementary.tsv"
    if supplementary.exists():
        index |= {row["label"]: row["ui"] for row in read_table(supplementary)}
    return index


def qualifier_index() -> dict[str, str]:
    return {row["label"]: row["ui"] for row in read_table(ROOT / "data" / "mesh_qualifiers.tsv")
            if row["ui"]}


#: Query parameters a publisher's site added for one visitor (a cookie check's session code, a
#: tracking id): the page is the same without them, and they name nothing of the article.
VISIT_PARAMETERS = ("error", "code", "elqTrackId")


def source_url(text: str) -> str:
    """The corpus names the seed page by its file; the page is PubMed's page of PMID 37534210.
    Another address loses the parameters of the visit it was read on."""
    if text.startswith("seed page "):
        return SEED_URL
    url = urlsplit(text)
    if not any(name in VISIT_PARAMETERS for name, _ in parse_qsl(url.query)):
        return text
    kept = [(k, v) for k, v in parse_qsl(url.query, keep_blank_values=True)
            if k not in VISIT_PARAMETERS]
    return urlunsplit(url._replace(query=urlencode(kept)))


def author(text: str) -> Author:
    """"Surname Initials" (as the corpus writes names) → Author."""
    family, _, initials = text.rpartition(" ")
    if family and initials.isupper() and initials.isalpha():
        return Author(family=family, initials=initials)
    return Author(family=text)


def corpus_article(row: dict, names: dict[str, str], qualifiers: dict[str, str]) -> Article:
    notes = list(row.get("notes", []))
    if row.get("mesh_headings_truncated"):
        notes.append("Only part of the MeSH headings was seen on the source page.")
    retracted = "Retracted Publication" in row.get("publication_types", []) or any(
        re.search(r"\bretract(ed|ion notice)", n, re.IGNORECASE) for n in notes)
    corrections = tuple(
        CommentCorrection("RetractionIn", note=f"doi:{m.group(1)}")
        for n in notes for m in re.finditer(r"Retraction notice doi (10\.\d+/\S+?)\.?(?:\s|$)", n))
    # the corpus's "major" says the heading is a major topic; where it names major qualifiers
    # the stars were theirs ("Breast Neoplasms / genetics*"), not the descriptor's: PubMed's
    # records under ../shared/data/pubmed never star both
    headings = tuple(
        MeshHeading(
            descriptor_label=h["descriptor"],
            descriptor_ui=h["descriptor_ui"],
            major=bool(h.get("major")) and not h.get("major_qualifiers"),
            qualifiers=tuple(Qualifier(label=q, ui=qualifiers.get(q, ""),
                                       major=q in h.get("major_qualifiers", []))
                             for q in h.get("qualifiers", [])),
        )
        for h in row.get("mesh_headings", [])
    )
    journal = Journal(title=row.get("journal", ""), iso_abbrev=row.get("journal_abbrev", ""))
    return Article(
        pmid=row.get("pmid", ""),
        pmcid=row.get("pmcid", ""),
        doi=row.get("doi", ""),
        title=row["title"],
        journal=journal if journal.title or journal.iso_abbrev else None,
        volume=row.get("volume", ""),
        issue=row.get("issue", ""),
        pages=row.get("pages", ""),
        pub_date=row.get("pub_date", ""),
        authors=tuple(author(a) for a in row.get("authors", [])),
        publication_types=tuple(PublicationType(t, names.get(t, ""))
                                for t in row.get("publication_types", [])),
        article_types=tuple(row.get("publisher_article_types", [])),
        keywords=tuple(row.get("keywords", [])),
        substances=tuple(Substance(s, names.get(s, "")) for s in row.get("substances", [])),
        mesh_headings=headings,
        similar_pmids=tuple(row.get("similar_pmids", [])),
        cited_by_pmids=tuple(row.get("cited_by_pmids", [])),
        comments_corrections=corrections,
        retracted=retracted,
        provenance=Provenance(urls=tuple(source_url(u) for u in row.get("source_urls", [])),
                              notes=tuple(notes)),
    )


def name_key(name: str) -> str:
    """A journal name compared with others: case, dots, "&"/"and", a leading "The" and a
    subtitle after " : " (PubMed's "Clinical cancer research : an official journal …") ignored."""
    name = name.split(" : ")[0].casefold().replace("&", " and ")
    return re.sub(r"^the ", "", " ".join(re.findall(r"[0-9a-z]+", name)))


def journal_keys(journal: Journal) -> list[str]:
    return [f"{kind}:{name_key(name)}" for kind, name in
            (("title", journal.title), ("abbrev", journal.iso_abbrev)) if name_key(name)]


class Groups:
    """Union-find over journal name keys."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def join(self, keys: list[str]) -> None:
        root = self.find(keys[0])
        for key in keys[1:]:
            self.parent[self.find(key)] = root


def pubmed_journals() -> list[tuple[Journal, str]]:
    """Every journal (with its NLM unique id) of the PubMed XML files, and the file it came from."""
    found: dict[Journal, str] = {}
    for path in sorted(PUBMED.rglob("*.xml*")):
        for record in read_pubmed_xml(path):
            journal = getattr(record, "journal", None)
            if journal is not None and journal.nlm_id:
                found.setdefault(journal, str(path.relative_to(SHARED.parent)))
    return list(found.items())


def preferred(names: list[str]) -> str:
    """The most given name, one without dots first (NLM's abbreviations lost their dots)."""
    names = [n for n in names if n]
    return max(names, key=lambda n: ("." not in n, names.count(n)), default="")


def undotted(abbreviation: str) -> str:
    """"Proc. Natl. Acad. Sci. U.S.A." → "Proc Natl Acad Sci U S A" (NLM's current style)."""
    return " ".join(abbreviation.replace(".", " ").split())


def unify_journals(articles: list[Article]) -> list[Article]:
    """Give every article of one journal the same title, abbreviation, ISSNs and NLM id: those
    of a PubMed record of the journal where one is found, else the names the corpus gives."""
    groups = Groups()
    for article in articles:
        if article.journal is not None:
            groups.join(journal_keys(article.journal))
    known = [(j, source) for j, source in pubmed_journals()
             if any(k in groups.parent for k in journal_keys(j))]
    for journal, _ in known:
        groups.join(journal_keys(journal))
    members: dict[str, list[Journal]] = {}
    nlm: dict[str, tuple[Journal, str]] = {}
    for article in articles:
        if article.journal is not None:
            members.setdefault(groups.find(journal_keys(article.journal)[0]), []).append(
                article.journal)
    for journal, source in known:
        nlm.setdefault(groups.find(journal_keys(journal)[0]), (journal, source))
    unified = []
    for article in articles:
        if article.journal is None:
            unified.append(article)
            continue
        group = groups.find(journal_keys(article.journal)[0])
        given = members[group]
        journal, source = nlm.get(group, (Journal(), ""))
        notes = article.provenance.notes
        if source:  # NLM's own names, so that journal/{nlm-id} has one description
            notes += (f"Journal's title, abbreviation, ISSNs and NLM unique id as in {source}.",)
        else:
            abbreviation = preferred([j.iso_abbrev for j in given])
            if "." in abbreviation:
                notes += (f"Journal abbreviation {abbreviation!r} written without dots, NLM's "
                          "current style.",)
            journal = Journal(title=preferred([j.title for j in given]),
                              iso_abbrev=undotted(abbreviation))
        unified.append(dataclasses.replace(
            article, journal=journal,
            provenance=dataclasses.replace(article.provenance, notes=notes)))
    return unified


def verified_pmids() -> dict[str, tuple[str, str]]:
    """DOI (lower case) → (PMID, where it was verified), from the evidence columns of
    ../shared/vocab/cargo_examples.tsv (a row citing another row's check says "as ITGB4")."""
    found: dict[str, tuple[str, str]] = {}
    with CARGO_EXAMPLES.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            doi, pmid = row["evidence_doi"].strip().lower(), row["evidence_pmid"].strip()
            if doi and pmid.isdigit() and not row["pmid_source"].startswith("as "):
                found.setdefault(doi, (pmid, f"row {row['cargo_key']}: {row['pmid_source']}"))
    return found


def with_verified_pmid(article: Article, pmids: dict[str, tuple[str, str]]) -> Article:
    """The article with the PMID cargo_examples.tsv verified for its DOI, if the corpus has none."""
    if article.pmid or article.doi.lower() not in pmids:
        return article
    pmid, where = pmids[article.doi.lower()]
    note = f"PMID from ../shared/vocab/cargo_examples.tsv, {where}."
    return dataclasses.replace(article, pmid=pmid, provenance=dataclasses.replace(
        article.provenance, notes=(*article.provenance.notes, note)))


def fill_from_page(article: Article, page: Article) -> Article:
    """Fields the corpus left empty, taken from the seed page's record of the same article."""
    changes = {}
    for f in dataclasses.fields(Article):
        if f.name in ("provenance", "version", "partial"):
            continue
        mine, theirs = getattr(article, f.name), getattr(page, f.name)
        if f.name == "journal" and mine and theirs:
            theirs = dataclasses.replace(mine, iso_abbrev=mine.iso_abbrev or theirs.iso_abbrev)
            changes[f.name] = theirs
        elif not mine and theirs:
            changes[f.name] = theirs
    urls = article.provenance.urls + tuple(
        u for u in (SEED_URL,) if u not in article.provenance.urls)
    note = ("Abstract, keywords, similar and citing articles read from the saved PubMed page "
            "of PMID 37534210." if page.pmid == "37534210" else
            "Listed on the PubMed page of PMID 37534210 (similar or citing article).")
    prov = dataclasses.replace(article.provenance, urls=urls,
                               notes=(*article.provenance.notes, note))
    return dataclasses.replace(article, **changes, provenance=prov)


def main() -> None:
    names, qualifiers, pmids = name_index(), qualifier_index(), verified_pmids()
    page = {a.pmid: a for a in parse_page(SEED.read_text(encoding="utf-8"), file="")}
    articles = []
    with CORPUS.open(encoding="utf-8") as lines:
        for line in lines:
            article = with_verified_pmid(corpus_article(json.loads(line), names, qualifiers),
                                         pmids)
            if article.pmid in page:
                article = fill_from_page(article, page.pop(article.pmid))
            articles.append(article)
    if page:
        raise SystemExit(f"seed-page articles missing from the corpus: {sorted(page)}")
    count = write_records(unify_journals(articles), ROOT / "data" / "articles.jsonl")
    print(f"wrote {count} articles to data/articles.jsonl")


if __name__ == "__main__":
    main()
