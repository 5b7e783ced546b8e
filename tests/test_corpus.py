"""The default graph says what ../shared says of its articles: every field of every record of
the corpus, the seed page's entries and the seed review's MeSH headings, compared by SPARQL with
what the graph states of that article, and nothing that no source gives.

The corpus (``../shared/corpus/ev-breast-cancer-articles.jsonl``) is the authority for what it
saw; the seed page (``../shared/seeds``) gives its review's abstract and the citations of the
articles it lists. A difference the project decided on is in ``KNOWN``, with its reason; every
other one is a fault, listed with all the others in one assertion message.
"""

from __future__ import annotations

import csv
import datetime
import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any

from pyoxigraph import QuerySolutions, Store

from kg import iris
from tests.conftest import shared_path

CORPUS = ("corpus", "ev-breast-cancer-articles.jsonl")
SEED = ("seeds", "000_daba7e9a812b13d6.txt")
#: The seed page's own address (a few corpus records name it by its file).
SEED_URL = "http://www.pubmed.gov/37534210/"
#: The review the seed page is the PubMed page of.
SEED_PMID = "37534210"

PREFIXES = {
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "dcterms": "http://purl.org/dc/terms/",
    "fabio": "http://purl.org/spar/fabio/",
    "bibo": "http://purl.org/ontology/bibo/",
    "cito": "http://purl.org/spar/cito/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "schema": "https://schema.org/",
    "meshv": "http://id.nlm.nih.gov/mesh/vocab#",
    "evkg": "https://w3id.org/evkg/ontology#",
}

#: Differences from the corpus the project decided on: (record's PMID or DOI, field) → reason.
#: An entry that no longer differs is reported too, so the table stays true.
KNOWN: dict[tuple[str, str], str] = {
    **{(key, "source_urls"): "the address lost the parameters of one visit (a cookie check's "
                             "session code, a tracking id): data/README.md, curate_articles.py"
       for key in ("10.1038/s41556-018-0256-3", "10.1007/s13277-015-4402-2", "31685984",
                   "10.3389/fonc.2022.898605")},
    **{(key, "journal"): "the journal takes the title its PubMed XML record under "
                         "../shared/data/pubmed writes (data/README.md), named in provenance"
       for key in ("26603257", "29073103")},
    **{("10.1038/nature15756", field): "../shared/vocab/cargo_examples.tsv verified the PMID of "
                                       "this DOI (row ITGB4), noted in the provenance: "
                                       "curate_articles.py"
       for field in ("iri", "pmid (cargo_examples.tsv)")},
}

#: Properties the graph derives from the fields compared here (an IRI's web links, the
#: publication year, the first and last pages, a DOI in lower case), and the findings' shortcuts.
DERIVED = {"rdf:type", "rdfs:seeAlso", "fabio:hasPublicationYear", "bibo:pageStart", "bibo:pageEnd",
           "evkg:doiLowerCase", "evkg:mentionsCargo", "evkg:studiesProcess",
           "evkg:retractionNotice", "evkg:commentOrCorrection"}
#: Properties only the seed page gives, of its own review.
SEED_ONLY = {"dcterms:abstract", "evkg:conflictOfInterestStatement", "dcterms:rights"}
#: Publisher article types that make an article a review (README, "Data model").
REVIEW_TYPES = {"review", "mini review"}


def corpus_records() -> list[dict[str, Any]]:
    with shared_path(*CORPUS).open(encoding="utf-8") as lines:
        return [json.loads(line) for line in lines if line.strip()]


def identified(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in records if r.get("pmid") or r.get("doi") or r.get("pmcid")]


def record_key(record: dict[str, Any]) -> str:
    return str(record.get("pmid") or record.get("doi") or record.get("pmcid") or record["title"])


def verified_pmids() -> dict[str, str]:
    """DOI (lower case) → PMID, where ../shared/vocab/cargo_examples.tsv verified the PMID of an
    article the corpus knows by DOI alone (its own check, not a row citing another's)."""
    found: dict[str, str] = {}
    with shared_path("vocab", "cargo_examples.tsv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            doi, pmid = row["evidence_doi"].strip().lower(), row["evidence_pmid"].strip()
            if doi and pmid.isdigit() and not row["pmid_source"].startswith("as "):
                found.setdefault(doi, pmid)
    return found


def seed_entries() -> dict[str, list[str]]:
    """The summary lines the seed page lists under "Similar articles" and "Cited by"."""
    lists: dict[str, list[str]] = {"Similar articles": [], "Cited by": []}
    heading = ""
    for line in shared_path(*SEED).read_text(encoding="utf-8").splitlines():
        if line.strip() in lists or line.strip() == "References":
            heading = line.strip()
        elif heading in lists and "PMID: " in line:
            lists[heading].append(line.strip())
    return lists


ENTRY = re.compile(
    r"(?P<date>\d{4}(?: \w{3})?(?: \d{1,2})?);(?P<volume>[^(:;]*)(?:\((?P<issue>[^)]*)\))?"
    r":(?P<pages>[^.]+)\. doi: (?P<doi>\S+)\.(?: Epub (?P<epub>[\w ]+)\.)?")
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def page_date(text: str) -> str:
    """"2025 Mar 4" → "2025-03-04" (a year alone, or a year and month, as far as given)."""
    year, *rest = text.split()
    month = [f"{MONTHS.index(rest[0]) + 1:02d}"] if rest else []
    return "-".join([year, *month, *(f"{int(d):02d}" for d in rest[1:])])


def seed_entry(line: str) -> dict[str, str]:
    """The facts of a summary line: "Title.Abbrev. 2025 Mar 4;16:1548535. doi: …. Abbrev. 2025.
    PMID: 40103824 Free PMC article. Review." """
    found = re.search(r"\. ([^.]+)\. \d{4}\. PMID: (\d+)", line)
    assert found, line
    abbreviation, pmid = found[1], found[2]
    title, _, rest = line.partition(f".{abbreviation}. ")
    citation = ENTRY.match(rest)
    assert citation, line
    fields = {k: v for k, v in citation.groupdict().items() if v}
    fields |= {"pmid": pmid, "title": title, "journal_abbrev": abbreviation,
               "pub_date": page_date(fields["date"])}
    if "epub" in fields:
        fields["epub"] = page_date(fields["epub"])
    return fields


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def select(store: Store, query: str) -> list[list[str]]:
    header = "".join(f"PREFIX {p}: <{n}>\n" for p, n in PREFIXES.items())
    solutions = store.query(header + query, use_default_graph_as_union=True)
    assert isinstance(solutions, QuerySolutions)
    return [[t.value if t is not None else "" for t in row] for row in solutions]


def short(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace):
            return f"{prefix}:{iri[len(namespace):]}"
    return iri


def journal_key(name: str) -> str:
    """A journal name compared with another: case, dots, "&"/"and" and a leading "The" aside."""
    name = nfc(name).casefold().replace("&", " and ")
    return re.sub(r"^the ", "", " ".join(re.findall(r"\w+", name)))


def corpus_iri(record: dict[str, Any]) -> str:
    """The article's IRI by the identifiers the corpus gives (DESIGN.md, "IRIs")."""
    return iris.article_iri(record.get("pmid", ""), record.get("doi", ""),
                            record.get("pmcid", "")).value


def find_article(store: Store, record: dict[str, Any]) -> str:
    """The graph's article of a record: by its PMID, else the one article that holds its DOI
    (or PMCID), whatever the graph names it; else the IRI its identifiers give."""
    if record.get("pmid"):
        return corpus_iri(record)
    for prop, value in (("bibo:doi", record.get("doi")),
                        ("fabio:hasPubMedCentralId", record.get("pmcid"))):
        if value:
            found = select(store, f"SELECT DISTINCT ?a {{ ?a {prop} {json.dumps(value)} }}")
            if len(found) == 1:
                return found[0][0]
    return corpus_iri(record)


def facts(store: Store, article: str) -> dict[str, set[str]]:
    """Every property of the article in the graph, with its values (IRIs and literals' text)."""
    found: dict[str, set[str]] = {}
    for p, o in select(store, f"SELECT ?p ?o {{ <{article}> ?p ?o }}"):
        found.setdefault(short(p), set()).add(o)
    return found


def authors(store: Store, article: str) -> list[str]:
    """The byline in the order of ``bibo:authorList``: "Surname Initials", as the corpus."""
    rows = select(store, f"""
        SELECT ?family ?initials (COUNT(?before) AS ?position) {{
          <{article}> bibo:authorList ?list .
          ?list rdf:rest* ?before . ?before rdf:rest* ?cell . ?cell rdf:first ?author .
          OPTIONAL {{ ?author foaf:familyName ?family }}
          OPTIONAL {{ ?author evkg:initials ?initials }} }}
        GROUP BY ?author ?family ?initials ORDER BY ?position""")
    return [" ".join(part for part in (family, initials) if part) for family, initials, _ in rows]


def journals(store: Store, article: str) -> list[tuple[str, str]]:
    return [(title, abbreviation) for title, abbreviation in select(store, f"""
        SELECT ?title ?abbreviation {{
          <{article}> dcterms:isPartOf ?journal .
          OPTIONAL {{ ?journal dcterms:title ?title }}
          OPTIONAL {{ ?journal fabio:hasNLMJournalTitleAbbreviation ?abbreviation }} }}""")]


def headings(store: Store, article: str) -> tuple[set[str], set[str], set[str]]:
    """The article's MeSH headings as "UI" and "UI/qualifier label", its major ones, and its
    descriptors as "UI label"."""
    rows = select(store, f"""
        SELECT ?descriptor ?qualifier ?major ?label {{
          <{article}> fabio:hasSubjectTerm ?term .
          OPTIONAL {{ ?term meshv:hasDescriptor/meshv:identifier ?d ;
                            meshv:hasQualifier/rdfs:label ?qualifier }}
          OPTIONAL {{ ?term meshv:identifier ?own ; rdfs:label ?label }}
          BIND(COALESCE(?d, ?own) AS ?descriptor)
          BIND(EXISTS {{ <{article}> fabio:hasPrimarySubjectTerm ?term }} AS ?major) }}""")
    terms = {f"{d}/{q}" if q else d for d, q, _, _ in rows}
    major = {f"{d}/{q}" if q else d for d, q, m, _ in rows if m == "true"}
    return terms, major, {f"{d} {label}" for d, q, _, label in rows if not q}


def major_terms(heading: dict[str, Any]) -> set[str]:
    """The major topics of a corpus heading, as PubMed stars them: the descriptor ("Breast
    Neoplasms* / diagnosis") or the starred qualifiers' pairs ("Breast Neoplasms / genetics*").

    The corpus's ``major`` says the heading is a major topic; where it names
    ``major_qualifiers``, the stars were on those qualifiers, not on the descriptor: each of its
    12 headings with major qualifiers is ``major``, while of the 665 major headings in the XML
    files of ../shared/data/pubmed none stars both the descriptor and a qualifier.
    """
    ui = heading["descriptor_ui"]
    if starred := heading.get("major_qualifiers", []):
        return {f"{ui}/{q}" for q in starred}
    return {ui} if heading.get("major") else set()


def labels(store: Store, article: str, prop: str) -> set[str]:
    return {label for (label,) in select(store, f"""
        SELECT ?label {{ <{article}> {prop} ?term . ?term rdfs:label ?label }}""")}


def compare(store: Store, record: dict[str, Any], pmids: dict[str, str],
            entries: dict[str, dict[str, str]]) -> Iterator[str]:
    """Every difference between the record and the graph's article, as "field: …" lines."""
    article = find_article(store, record)
    got = facts(store, article)
    if not got:
        yield f"article: not in the graph as <{article}>"
        return
    if article != corpus_iri(record):
        yield f"iri: the corpus's identifiers give <{corpus_iri(record)}>, the graph <{article}>"
    seed = record.get("pmid") == SEED_PMID
    checked = set(DERIVED) | (SEED_ONLY if seed else set())

    def same(field: str, prop: str, expected: set[str]) -> Iterator[str]:
        checked.add(prop)
        if got.get(prop, set()) != expected:
            yield f"{field}: corpus {sorted(expected)}, graph {sorted(got.get(prop, set()))}"

    pmid = record.get("pmid", "")
    if not pmid and (given := got.get("fabio:hasPubMedId")):
        # the one kind of PMID the corpus lacks that the graph may give: one verified beside
        # the article's DOI in ../shared/vocab/cargo_examples.tsv (KNOWN lists each)
        verified = given == {pmids.get(record.get("doi", "").lower())}
        pmid = next(iter(given))
        yield f"pmid{' (cargo_examples.tsv)' * verified}: corpus [], graph {sorted(given)}"
    yield from same("pmid", "fabio:hasPubMedId", {pmid} - {""})
    yield from same("pmcid", "fabio:hasPubMedCentralId", {record.get("pmcid", "")} - {""})
    yield from same("doi", "bibo:doi", {record.get("doi", "")} - {""})
    yield from same("title", "dcterms:title", {nfc(record["title"])})
    yield from same("pub_date", "dcterms:issued", {record.get("pub_date", "")} - {""})
    yield from same("epub_date (seed page)", "evkg:electronicPublicationDate",
                    {entries.get(pmid, {}).get("epub", "")} - {""})
    for field, prop in (("volume", "bibo:volume"), ("issue", "bibo:issue"),
                        ("pages", "bibo:pages")):
        yield from same(field, prop, {record.get(field, "")} - {""})
    types = set(record.get("publication_types", []))
    yield from same("publication_types", "evkg:publicationTypeLabel", types)
    if (named := labels(store, article, "evkg:publicationType")) != types:
        yield f"publication_types (MeSH): corpus {sorted(types)}, graph {sorted(named)}"
    checked.add("evkg:publicationType")
    kinds = set(record.get("publisher_article_types", []))
    yield from same("publisher_article_types", "evkg:publisherArticleType", kinds)
    review = "Review" in types or any(k.casefold() in REVIEW_TYPES for k in kinds)
    if review != (PREFIXES["fabio"] + "ReviewArticle" in got["rdf:type"]):
        yield f"publication_types: a review by {sorted(types | kinds)}? graph says {not review}"
    yield from same("keywords", "schema:keywords", {nfc(k) for k in record.get("keywords", [])})
    corpus_authors = [nfc(a) for a in record.get("authors", [])]
    if (byline := authors(store, article)) != corpus_authors:
        at = next((n for n, (a, b) in enumerate(zip(byline, corpus_authors, strict=False))
                   if a != b), min(len(byline), len(corpus_authors)))
        yield (f"authors: {len(corpus_authors)} in the corpus, {len(byline)} in the graph; "
               f"author {at + 1}: corpus {corpus_authors[at:at + 1]}, graph {byline[at:at + 1]}")
    if len(got.get("dcterms:creator", set())) != len(corpus_authors):
        yield (f"authors: corpus {len(corpus_authors)}, graph "
               f"{len(got.get('dcterms:creator', set()))} dcterms:creator")
    checked |= {"bibo:authorList", "dcterms:creator", "dcterms:isPartOf"}
    yield from compare_journal(journals(store, article), record)
    names = {nfc(s) for s in record.get("substances", [])}
    given = labels(store, article, "evkg:substance") | got.get("evkg:substanceName", set())
    checked |= {"evkg:substance", "evkg:substanceName"}
    if given != names:
        yield f"substances: corpus {sorted(names)}, graph {sorted(given)}"
    yield from compare_headings(store, article, record)
    checked |= {"fabio:hasSubjectTerm", "fabio:hasPrimarySubjectTerm"}
    yield from same("similar_pmids", "evkg:similarTo",
                    {iris.article_iri(p).value for p in record.get("similar_pmids", [])})
    citing = {iris.article_iri(p).value for p in record.get("cited_by_pmids", [])}
    yield from same("cited_by_pmids", "cito:isCitedBy", citing)
    cites = {a for (a,) in select(store, f"SELECT ?a {{ ?a cito:cites <{article}> }}")}
    if cites != citing:
        yield f"cited_by_pmids: corpus {sorted(citing)}, graph cito:cites from {sorted(cites)}"
    if cited := got.get("cito:cites", set()) - {a for a in got.get("cito:cites", set())
                                               if iris.article_iri(SEED_PMID).value == a}:
        yield f"cites: no source gives {sorted(cited)}"
    checked.add("cito:cites")
    retracted = any(re.search(r"retract", n, re.IGNORECASE) for n in record.get("notes", []))
    yield from same("retracted", "evkg:retracted", {"true"} if retracted else set())
    yield from compare_provenance(got, record)
    checked |= {"dcterms:source", "evkg:provenanceNote"}
    if unsourced := sorted(got.keys() - checked):
        yield f"stated without a source: {unsourced}"


def compare_journal(found: list[tuple[str, str]], record: dict[str, Any]) -> Iterator[str]:
    title, abbreviation = record.get("journal", ""), record.get("journal_abbrev", "")
    if not (title or abbreviation):
        if found:
            yield f"journal: corpus none, graph {found}"
        return
    if len(found) != 1:
        yield f"journal: corpus {title!r} / {abbreviation!r}, graph {found}"
        return
    (got_title, got_abbreviation), = found
    if title and journal_key(title) != journal_key(got_title):
        yield f"journal: corpus title {title!r}, graph {got_title!r}"
    if abbreviation and journal_key(abbreviation) != journal_key(got_abbreviation):
        yield f"journal_abbrev: corpus {abbreviation!r}, graph {got_abbreviation!r}"


def compare_headings(store: Store, article: str, record: dict[str, Any]) -> Iterator[str]:
    terms, major, descriptors = headings(store, article)
    want_terms: set[str] = set()
    want_major: set[str] = set()
    want_descriptors: set[str] = set()
    for heading in record.get("mesh_headings", []):
        ui = heading["descriptor_ui"]
        want_terms |= {ui} | {f"{ui}/{q}" for q in heading.get("qualifiers", [])}
        want_major |= major_terms(heading)
        want_descriptors.add(f"{ui} {heading['descriptor']}")
    if terms != want_terms:
        yield (f"mesh_headings: only corpus {sorted(want_terms - terms)}, "
               f"only graph {sorted(terms - want_terms)}")
    if major != want_major:
        yield (f"mesh_headings (major): only corpus {sorted(want_major - major)}, "
               f"only graph {sorted(major - want_major)}")
    if descriptors != want_descriptors:
        yield (f"mesh_headings (names): only corpus {sorted(want_descriptors - descriptors)}, "
               f"only graph {sorted(descriptors - want_descriptors)}")


def compare_provenance(got: dict[str, set[str]], record: dict[str, Any]) -> Iterator[str]:
    sources = got.get("dcterms:source", set())
    for url in record["source_urls"]:
        url = SEED_URL if url.startswith("seed page ") else url
        if iris.web_iri(url).value not in sources:
            yield f"source_urls: {url} not a dcterms:source"
    notes = got.get("evkg:provenanceNote", set())
    for note in record.get("notes", []):
        if nfc(note) not in notes:
            yield f"notes: {note!r} not an evkg:provenanceNote"
    if record.get("mesh_headings_truncated") and not any("Only part of the MeSH headings" in n
                                                         for n in notes):
        yield "mesh_headings_truncated: no evkg:provenanceNote says so"


def differences(store: Store) -> list[str]:
    """Every difference between ../shared's articles and the graph that ``KNOWN`` does not list,
    and every entry of ``KNOWN`` that no longer differs."""
    records = identified(corpus_records())
    pmids = verified_pmids()
    entries = {e["pmid"]: e for lines in seed_entries().values() for e in map(seed_entry, lines)}
    found: list[tuple[str, str, str]] = []
    for record in records:
        key = record_key(record)
        found += [(key, line.split(":", 1)[0], line)
                  for line in compare(store, record, pmids, entries)]
    faults = [f"{key}: {line}" for key, field, line in found if (key, field) not in KNOWN]
    seen = {(key, field) for key, field, _ in found}
    faults += [f"{key}: {field}: listed in KNOWN, but the graph agrees" for key, field in KNOWN
               if (key, field) not in seen]
    expected = {find_article(store, r) for r in records}
    articles = {a for (a,) in select(store, "SELECT ?a { ?a a schema:ScholarlyArticle }")}
    faults += [f"article: <{a}> is no corpus record's" for a in sorted(articles - expected)]
    return faults


def test_every_corpus_record_is_what_the_graph_says(default_store: Store) -> None:
    faults = differences(default_store)
    assert not faults, f"{len(faults)} differences:\n" + "\n".join(faults)


def test_the_seed_page_and_the_corpus_agree_in_the_graph(default_store: Store) -> None:
    """What the seed page says of its review (identifiers, title, keywords, the similar and
    citing articles) and of each article it lists (its summary line) is what the graph says;
    the corpus copied these, so the graph must agree with both."""
    text = shared_path(*SEED).read_text(encoding="utf-8")
    seed = iris.article_iri(SEED_PMID).value
    got = facts(default_store, seed)
    lists = seed_entries()
    faults = []
    own = {"fabio:hasPubMedId": re.findall(r"^- PMID: (\S+)", text, re.M),
           "fabio:hasPubMedCentralId": re.findall(r"^- PMCID: (\S+)", text, re.M),
           "bibo:doi": re.findall(r"^- DOI: (\S+)", text, re.M),
           "dcterms:title": [text.splitlines()[0]],
           "schema:keywords": re.findall(r"^Keywords: (.*)\.$", text, re.M)[0].split("; "),
           "evkg:similarTo": [iris.article_iri(seed_entry(e)["pmid"]).value
                              for e in lists["Similar articles"]],
           "cito:isCitedBy": [iris.article_iri(seed_entry(e)["pmid"]).value
                              for e in lists["Cited by"]]}
    faults += [f"{SEED_PMID}: {prop}: page {sorted(values)}, graph {sorted(got.get(prop, []))}"
               for prop, values in own.items() if set(values) != got.get(prop, set())]
    for line in lists["Similar articles"] + lists["Cited by"]:
        entry = seed_entry(line)
        article = iris.article_iri(entry["pmid"]).value
        got = facts(default_store, article)
        page = {"bibo:doi": entry["doi"], "dcterms:title": entry["title"],
                "dcterms:issued": entry["pub_date"], "bibo:volume": entry["volume"],
                "bibo:issue": entry.get("issue", ""), "bibo:pages": entry["pages"],
                "evkg:electronicPublicationDate": entry.get("epub", "")}
        faults += [f"{entry['pmid']}: {prop}: page {value!r}, graph {sorted(got.get(prop, []))}"
                   for prop, value in page.items() if {value} - {""} != got.get(prop, set())]
        if ("Review." in line) != ("Review" in got.get("evkg:publicationTypeLabel", set())):
            faults.append(f"{entry['pmid']}: Review: page {line!r}, graph "
                          f"{sorted(got.get('evkg:publicationTypeLabel', []))}")
        abbreviations = [a for _, a in journals(default_store, article)]
        if abbreviations != [entry["journal_abbrev"]]:
            faults.append(f"{entry['pmid']}: journal: page {entry['journal_abbrev']!r}, "
                          f"graph {abbreviations}")
    assert not faults, "\n".join(faults)


def test_the_seed_reviews_mesh_headings_are_its_pages(default_store: Store) -> None:
    """../shared/vocab/seed_article_mesh.tsv (the seed review's headings as its PubMed page
    starred them) and the graph give the same headings and major topics."""
    with shared_path("vocab", "seed_article_mesh.tsv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f, delimiter="\t"))
    terms = {r["descriptor_ui"] for r in rows} | {
        f"{r['descriptor_ui']}/{r['qualifier_label']}" for r in rows if r["qualifier_label"]}
    major = set()
    for r in rows:
        starred = r["source_heading"].split(" / ")
        if starred[0].endswith("*"):
            major.add(r["descriptor_ui"])
        if len(starred) > 1 and starred[1].endswith("*"):
            major.add(f"{r['descriptor_ui']}/{r['qualifier_label']}")
    got_terms, got_major, _ = headings(default_store, iris.article_iri(SEED_PMID).value)
    assert (got_terms, got_major) == (terms, major)


def test_seed_page_dates_read_as_iso() -> None:
    assert [page_date(d) for d in ("2025 Mar 4", "2022 Dec 12", "2019")] == [
        "2025-03-04", "2022-12-12", "2019"]
    assert datetime.date.fromisoformat(page_date("2024 Feb 27"))
