"""Synthetic PubMed XML shaped like the real files in ../shared/data/pubmed.

The shape — authors, affiliations, MeSH headings and qualifiers, chemicals, keywords,
publication types, grants, references, abstract and title lengths per article — is drawn from the
real records' own distribution (each synthetic article copies the counts of one real article),
so the benchmark exercises the reader and mapping as real data would. The real articles are
copied in turns, each once a turn in a shuffled order, so that every size from one turn (729
articles) on has the real files' means. Drawn at random instead, a few articles with long
lists made the means wander: over 20 seeds at 10,000 articles, references by their text alone
(two of the 729 articles hold 214 of their 625) came out at 0.84-1.24 times the real mean, and
grants (one article has 56 of 651) at 0.90-1.07.

Counts that vary within an article are copied as they are, not as one figure for the whole
article: each author's affiliations, and each heading's qualifiers with its major topics. The
729 real articles have 1.50 qualifiers an article (0.47 a heading: 57% of headings have none);
giving every heading the article's most, as the generator once did, made 5.5 (max 135, against
22), and 51 graph/mesh lines an article for the real files' 23.

References are copied as the real records give them: a ReferenceList entry with an identifier
(the mapping's ``cito:cites``) or with its text alone (``evkg:unidentifiedReference``), and
the older records' ``CommentsCorrections RefType="Cites"`` with a PMID (``cito:cites`` too).
The real articles cite 11.6 works an article: 5.6 from reference lists, 0.9 by text alone, and
5.1 as comments (the 2016 baseline excerpt, 604 of the 729 articles, gives its references only
so); reading reference lists alone, the generator once made 6.4, each with a PMID.

The other fields the mapping turns into triples are copied too: the publication types
themselves (7.4% of the real articles are reviews; alternating "Journal Article" and "Review",
the generator once typed 40% as reviews), the abstract sections (2.2 an article) with their
labels and NLM's categories (``NlmCategory``: 1,117 of the 1,199 labelled sections, 1.53 an
article, 93%; the 2016 baseline excerpt gives 1,075 of them, the 2023 articles of seedtk 24 of
82; the generator once wrote none, so the build benchmark mapped no category), the
identifiers (a DOI on 96%, a PMCID on 60%, 0.49 others such as a PII), the dates (revised 78%,
electronic 69%, received and accepted 12%), the copyright notice (45%) and conflict of interest
statement (11%), the investigators (0.32 an article; one article lists 189) and the comments
and corrections other than citations (0.12). ORCIDs (5% of the authors), registry numbers of
substances and supplementary concepts are not.

Nothing repeats within an article or a journal, as in the real files: each keyword and
substance once (keywords and substances drawn with replacement once gave 9% of the keywords
twice), every grant and substance however many (they were cut at 5 and 8, so grants came to
0.7 an article for the real 0.89), and one ISSN for each journal (it followed the article, so
each synthetic journal had about one ISSN per article and was described again by each: 45,000
of the 1.15 million lines mapped from 10,000 articles were such repeats).
"""

from __future__ import annotations

import gzip
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parents[1]
PUBMED = ROOT.parent / "shared" / "data" / "pubmed"


@dataclass(frozen=True)
class Shape:
    """A real article's counts, which a synthetic article copies."""

    #: Each author's number of affiliations, in byline order.
    authors: tuple[int, ...] = ()
    #: Each MeSH heading: whether it is a major topic, and whether each of its qualifiers is.
    headings: tuple[tuple[bool, tuple[bool, ...]], ...] = ()
    investigators: int = 0
    chemicals: int = 0
    keywords: int = 0
    #: (UI, name) of each publication type, as the real article gives them.
    publication_types: tuple[tuple[str, str], ...] = (("D016428", "Journal Article"),)
    grants: int = 0
    #: References of the ReferenceList with an identifier, and with their text alone.
    references: int = 0
    unidentified: int = 0
    #: Works cited as ``CommentsCorrections RefType="Cites"`` (with a PMID).
    cites: int = 0
    #: Comments and corrections other than citations (each with a PMID here).
    comments: int = 0
    #: Each abstract section: its label ("" for none), NLM's category ("" for none) and the
    #: characters of its text.
    abstract: tuple[tuple[str, str, int], ...] = ()
    title: int = 100
    copyright: bool = False
    coi_statement: bool = False
    doi: bool = True
    pmc: bool = False
    #: The kinds of the article's other identifiers ("pii", "mid" …).
    other_ids: tuple[str, ...] = ()
    revised: bool = True
    electronic: bool = False
    received: bool = False
    accepted: bool = False


#: Used when ../shared is absent: about the real files' means (6 authors of one affiliation, 3
#: headings with 2 qualifiers, 12 cited works, 3 keywords, 1,290 abstract characters).
FALLBACK_SHAPES: list[Shape] = [Shape(
    authors=(1,) * 6, headings=((True, (False,)), (False, (True,)), (False, ())), chemicals=1,
    keywords=3, grants=1, references=6, unidentified=1, cites=5,
    abstract=(("BACKGROUND", "BACKGROUND", 400), ("METHODS", "METHODS", 400),
              ("RESULTS", "RESULTS", 490)), title=103, pmc=True,
    other_ids=("pii",), electronic=True)]
WORDS = ("extracellular vesicles exosomes breast cancer cells tumor microenvironment metastasis "
         "proliferation migration invasion chemoresistance angiogenesis microRNA protein cargo "
         "patients serum plasma biomarker expression signaling pathway macrophages").split()


@dataclass(frozen=True)
class MeshPool:
    descriptors: list[tuple[str, str]]
    qualifiers: list[tuple[str, str]]


def real_shapes() -> list[Shape]:
    """The counts of every real article under ../shared/data/pubmed."""
    from kg.pubmed import read_pubmed_xml
    from kg.records import Article

    shapes: list[Shape] = []
    if not PUBMED.exists():
        return FALLBACK_SHAPES
    for path in sorted(PUBMED.rglob("*.xml*")):
        for r in read_pubmed_xml(path):
            if isinstance(r, Article) and not r.is_book:
                shapes.append(Shape(
                    authors=tuple(len(a.affiliations) for a in r.authors),
                    headings=tuple((h.major, tuple(q.major for q in h.qualifiers))
                                   for h in r.mesh_headings),
                    investigators=len(r.investigators),
                    chemicals=len(r.substances), keywords=len(r.keywords),
                    publication_types=tuple((t.ui, t.label) for t in r.publication_types),
                    grants=len(r.grants),
                    references=sum(bool(ref.pmid or ref.doi or ref.pmcid)
                                   for ref in r.references),
                    unidentified=sum(not (ref.pmid or ref.doi or ref.pmcid) and bool(ref.citation)
                                     for ref in r.references),
                    cites=sum(c.ref_type == "Cites" and bool(c.pmid)
                              for c in r.comments_corrections),
                    comments=sum(c.ref_type != "Cites" for c in r.comments_corrections),
                    abstract=tuple((s.label, s.category, len(s.text)) for s in r.abstract),
                    title=len(r.title), copyright=bool(r.copyright),
                    coi_statement=bool(r.coi_statement), doi=bool(r.doi), pmc=bool(r.pmcid),
                    other_ids=tuple(i.split(":", 1)[0] for i in r.other_ids),
                    revised=bool(r.revised_date), electronic=bool(r.epub_date),
                    received=bool(r.received_date), accepted=bool(r.accepted_date)))
    return shapes or FALLBACK_SHAPES


def mesh_pool() -> MeshPool:
    """Real descriptor and qualifier UIs with labels (from the project's MeSH table)."""
    descriptors = []
    for line in (ROOT / "data" / "mesh.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        ui, label, *_ = line.split("\t")
        if ui.startswith("D"):
            descriptors.append((ui, label))
    qualifiers = []
    for line in (ROOT / "data" / "mesh_qualifiers.tsv").read_text(encoding="utf-8").splitlines()[1:]:
        ui, label, *_ = line.split("\t")
        if ui:
            qualifiers.append((ui, label))
    return MeshPool(descriptors, qualifiers)


def text(rng: random.Random, length: int) -> str:
    out: list[str] = []
    size = 0
    while size < length:
        word = rng.choice(WORDS)
        out.append(word)
        size += len(word) + 1
    return escape(" ".join(out).capitalize())


def article_xml(pmid: int, shape: Shape, rng: random.Random, pool: MeshPool) -> str:
    journal = pmid % 997
    doi = f"10.5555/synthetic.{pmid}"
    parts = [f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM">'
             f'<PMID Version="1">{pmid}</PMID>']
    if shape.revised:
        parts.append(date("DateRevised", pmid, 2024))
    parts.append(f'<Article PubModel="Print"><Journal><ISSN IssnType="Print">'
             f'{1000 + journal:04d}-{journal:03d}{journal % 10}</ISSN><JournalIssue '
             f'CitedMedium="Print"><Volume>{pmid % 50}</Volume><Issue>{pmid % 12}</Issue>'
             f'<PubDate><Year>{2000 + pmid % 25}</Year><Month>Mar</Month></PubDate>'
             f'</JournalIssue><Title>Journal {journal}</Title><ISOAbbreviation>J {journal}'
             f'</ISOAbbreviation></Journal><ArticleTitle>{text(rng, shape.title)}</ArticleTitle>'
             f'<Pagination><MedlinePgn>{pmid % 300}-{pmid % 300 + 9}</MedlinePgn></Pagination>')
    if shape.doi:
        parts.append(f'<ELocationID EIdType="doi" ValidYN="Y">{doi}</ELocationID>')
    if shape.abstract:
        parts.append("<Abstract>")
        for label, category, length in shape.abstract:
            parts.append(f"<AbstractText{f' Label={quoteattr(label)}' if label else ''}"
                         f"{f' NlmCategory={quoteattr(category)}' if category else ''}>"
                         f"{text(rng, length)}</AbstractText>")
        if shape.copyright:
            parts.append("<CopyrightInformation>© 2024 The Authors.</CopyrightInformation>")
        parts.append("</Abstract>")
    if shape.authors:
        parts.append('<AuthorList CompleteYN="Y">')
        for n, affiliations in enumerate(shape.authors):
            parts.append(f'<Author ValidYN="Y"><LastName>Author{n}x{pmid % 5000}</LastName>'
                         f'<ForeName>Given {n}</ForeName><Initials>G</Initials>')
            for a in range(affiliations):
                parts.append(f"<AffiliationInfo><Affiliation>Department {a}, University "
                             f"{(pmid + n) % 700}, City.</Affiliation></AffiliationInfo>")
            parts.append("</Author>")
        parts.append("</AuthorList>")
    parts.append("<Language>eng</Language><PublicationTypeList>")
    parts.extend(f'<PublicationType UI="{ui}">{escape(label)}</PublicationType>'
                 for ui, label in shape.publication_types)
    parts.append("</PublicationTypeList>")
    if shape.electronic:
        parts.append(date('ArticleDate DateType="Electronic"', pmid, 2000 + pmid % 25))
    if shape.grants:
        parts.append('<GrantList CompleteYN="Y">')
        for n in range(shape.grants):
            parts.append(f"<Grant><GrantID>R01 CA{pmid % 99999:05d}{n}</GrantID>"
                         "<Agency>NCI NIH HHS</Agency><Country>United States</Country></Grant>")
        parts.append("</GrantList>")
    parts.append("</Article><MedlineJournalInfo><Country>England</Country>"
                 f"<NlmUniqueID>{100000000 + journal}</NlmUniqueID></MedlineJournalInfo>")
    if shape.chemicals:
        parts.append("<ChemicalList>")
        for ui, label in rng.sample(pool.descriptors, min(shape.chemicals, len(pool.descriptors))):
            parts.append(f'<Chemical><RegistryNumber>0</RegistryNumber><NameOfSubstance UI="{ui}">'
                         f"{escape(label)}</NameOfSubstance></Chemical>")
        parts.append("</ChemicalList>")
    if shape.cites or shape.comments:
        parts.append("<CommentsCorrectionsList>")
        for n in range(shape.references, shape.references + shape.cites):  # (other works)
            parts.append(f'<CommentsCorrections RefType="Cites"><RefSource>Cited work {n} of '
                         f'{pmid}</RefSource><PMID Version="1">{cited_pmid(pmid, n)}</PMID>'
                         "</CommentsCorrections>")
        parts.extend(f'<CommentsCorrections RefType="CommentIn"><RefSource>Comment {n} on '
                     f'{pmid}</RefSource><PMID Version="1">{cited_pmid(pmid, -1 - n)}</PMID>'
                     "</CommentsCorrections>" for n in range(shape.comments))
        parts.append("</CommentsCorrectionsList>")
    if shape.headings:
        parts.append('<MeshHeadingList>')
        # (as many as the pool holds, each once: a record names a descriptor once)
        descriptors = rng.sample(pool.descriptors, min(len(shape.headings), len(pool.descriptors)))
        for (d_ui, d_label), (major, qualifiers) in zip(descriptors, shape.headings, strict=False):
            parts.append(f'<MeshHeading><DescriptorName UI="{d_ui}" MajorTopicYN="'
                         f'{"Y" if major else "N"}">{escape(d_label)}</DescriptorName>')
            chosen = rng.sample(pool.qualifiers, min(len(qualifiers), len(pool.qualifiers)))
            for (q_ui, q_label), q_major in zip(chosen, qualifiers, strict=False):
                parts.append(f'<QualifierName UI="{q_ui}" MajorTopicYN="{"Y" if q_major else "N"}">'
                             f"{escape(q_label)}</QualifierName>")
            parts.append("</MeshHeading>")
        parts.append("</MeshHeadingList>")
    if shape.keywords:
        parts.append('<KeywordList Owner="NOTNLM">')
        parts.extend(f'<Keyword MajorTopicYN="N">{keyword}</Keyword>'
                     for keyword in keywords(rng, shape.keywords))
        parts.append("</KeywordList>")
    if shape.coi_statement:
        parts.append("<CoiStatement>The authors declare no competing interests.</CoiStatement>")
    if shape.investigators:
        parts.append("<InvestigatorList>")
        parts.extend(f'<Investigator ValidYN="Y"><LastName>Investigator{n}x{pmid % 5000}'
                     f"</LastName><ForeName>Given {n}</ForeName><Initials>G</Initials>"
                     "</Investigator>" for n in range(shape.investigators))
        parts.append("</InvestigatorList>")
    parts.append("</MedlineCitation><PubmedData>")
    if shape.received or shape.accepted:
        parts.append("<History>")
        parts.extend(date(f'PubMedPubDate PubStatus="{status}"', pmid, 2000 + pmid % 25)
                     for status, given in (("received", shape.received),
                                           ("accepted", shape.accepted)) if given)
        parts.append("</History>")
    parts.append(f'<ArticleIdList><ArticleId IdType="pubmed">{pmid}</ArticleId>')
    if shape.doi:
        parts.append(f'<ArticleId IdType="doi">{doi}</ArticleId>')
    if shape.pmc:
        parts.append(f'<ArticleId IdType="pmc">PMC{pmid}</ArticleId>')
    parts.extend(f'<ArticleId IdType="{kind}">{kind.upper()}{pmid}</ArticleId>'
                 for kind in shape.other_ids)
    parts.append("</ArticleIdList>")
    if shape.references or shape.unidentified:
        parts.append("<ReferenceList>")
        for n in range(shape.references):
            parts.append(f"<Reference><Citation>Cited work {n} of {pmid}.</Citation><ArticleIdList>"
                         f'<ArticleId IdType="pubmed">{cited_pmid(pmid, n)}</ArticleId>'
                         "</ArticleIdList></Reference>")
        parts.extend(f"<Reference><Citation>Author A. Work {n} cited by {pmid}. J Other. 2010;"
                     f"{n}:1-9.</Citation></Reference>" for n in range(shape.unidentified))
        parts.append("</ReferenceList>")
    parts.append("</PubmedData></PubmedArticle>\n")
    return "".join(parts)


def in_turns(shapes: list[Shape], rng: random.Random) -> Iterator[Shape]:
    """The shapes over and over, each once a turn, shuffled afresh for each turn."""
    while True:
        turn = list(shapes)
        rng.shuffle(turn)
        yield from turn


def keywords(rng: random.Random, count: int) -> list[str]:
    """``count`` different keywords (words of ``WORDS``, numbered once they run out)."""
    chosen = rng.sample(WORDS, min(count, len(WORDS)))
    return chosen + [f"{rng.choice(WORDS)} {n}" for n in range(count - len(chosen))]


def date(element: str, pmid: int, year: int) -> str:
    """A PubMed date element (``element`` with its attributes) in ``year``."""
    name = element.split(" ", 1)[0]
    return (f"<{element}><Year>{year}</Year><Month>{1 + pmid % 12:02d}</Month>"
            f"<Day>{1 + pmid % 28:02d}</Day></{name}>")


def cited_pmid(pmid: int, n: int) -> int:
    """The PMID the ``n``-th work cited by ``pmid`` has."""
    return 1 + (pmid * 7919 + n * 104729) % 30_000_000


def write_files(directory: Path, records: int, per_file: int = 30_000, seed: int = 7) -> list[Path]:
    """Write ``records`` synthetic articles as baseline-like ``.xml.gz`` files."""
    rng = random.Random(seed)
    shapes = in_turns(real_shapes(), rng)
    pool = mesh_pool()
    directory.mkdir(parents=True, exist_ok=True)
    files = []
    for start in range(0, records, per_file):
        path = directory / f"synthetic{start // per_file + 1:04d}.xml.gz"
        with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
            out.write('<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n')
            for pmid in range(start + 1, min(start + per_file, records) + 1):
                out.write(article_xml(40_000_000 + pmid, next(shapes), rng, pool))
            out.write("</PubmedArticleSet>\n")
        files.append(path)
    return files


def write_update(path: Path, revised: int, deleted: int, seed: int = 11) -> Path:
    """A daily-update-like file: new versions of the first ``revised`` articles of
    ``write_files`` (drawn afresh: other headings, authors, journal), then a ``DeleteCitation``
    of the ``deleted`` articles after them."""
    rng = random.Random(seed)
    shapes = in_turns(real_shapes(), rng)
    pool = mesh_pool()
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<PubmedArticleSet>\n')
        for pmid in range(1, revised + 1):
            out.write(article_xml(40_000_000 + pmid, next(shapes), rng, pool))
        out.write("<DeleteCitation>\n")
        for pmid in range(revised + 1, revised + deleted + 1):
            out.write(f'<PMID Version="1">{40_000_000 + pmid}</PMID>\n')
        out.write("</DeleteCitation>\n</PubmedArticleSet>\n")
    return path
