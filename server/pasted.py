"""Reading what a user pasted into the search: an identifier as PubMed, PMC or a DOI writes it,
the address of a page or of a search at PubMed, PMC, Europe PMC or identifiers.org, a compact
identifier, a prefixed name, an accession, an IRI."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import parse_qs, unquote

from flask import has_request_context, request
from pyoxigraph import NamedNode

from kg import iris
from kg.namespaces import BIBO, EVKG, FABIO, PREFIXES, SCHEMA, SKOS
from server import graph
from server.run import REQUEST_LINE_LIMIT
from server.terms import page_iri

#: Longest query text taken (longer text is cut).
MAX_QUERY_LENGTH = 200
#: Longest search address read for its term: PubMed's, with its filters and order, passes
#: ``MAX_QUERY_LENGTH``.
MAX_ADDRESS_LENGTH = 4096
#: Longest list of identifiers read (``search_list``): all a request line ``evkg serve`` takes
#: can carry.
MAX_LIST_LENGTH = REQUEST_LINE_LIMIT
#: Identifiers looked up whole before the label search: (pattern, property, spellings).
IDENTIFIER_SPELLINGS: dict[NamedNode, Callable[[str], tuple[str, ...]]] = {
    # "0024735924" is PMID 24735924, as the readers take it
    FABIO.hasPubMedId: lambda text: (text.lstrip("0") or text,),
    # DOIs ignore case: the lower-cased text finds any spelling (``identifier_path``)
    BIBO.doi: lambda text: (text, text.lower(), text.upper()),
    FABIO.hasPubMedCentralId: lambda text: (text.upper(),),
}
IDENTIFIERS = tuple((pattern, p, IDENTIFIER_SPELLINGS[p]) for pattern, p in (
    (re.compile(r"0*\d{1,9}"), FABIO.hasPubMedId),
    (re.compile(r"10\.\d{4,9}/\S+"), BIBO.doi),
    (re.compile(r"PMC\d+", re.IGNORECASE), FABIO.hasPubMedCentralId)))
#: How an identifier is written before itself where it is pasted from: PubMed's "PMID: 24735924"
#: and "PMCID: PMC…", a DOI as "doi:10.…" or as its resolver's address.
#: identifiers.org's "pubmed:24735924" too.
IDENTIFIER_LABEL = re.compile(r"(?:PMID|PMCID|pubmed)\s*:?\s*|doi:\s*|(?:https?://)?(?:dx\.)?doi\.org/",
                              re.IGNORECASE)
#: What has an identifier's shape after its label, whether or not it is one: a number, "PMC"
#: and a number, a DOI's "10." and more.
IDENTIFIER_SHAPE = re.compile(r"(?:PMC)?\d+|10\.\S+", re.IGNORECASE | re.ASCII)
#: A page's address as it is pasted, around the identifier of the article it shows: PubMed's
#: and Europe PMC's by PMID, PMC's and Europe PMC's by PMCID ("PMC" written or not: the number
#: of a PMC address is never a PMID), with or without the scheme, a closing slash or a query
#: string; a PMC article's address goes on to its PDF (``…/PMC…/pdf/name.pdf``).
PAGE_ADDRESS = re.compile(r"(?:https?://)?(?:www\.)?(?:(?:pubmed\.ncbi\.nlm\.nih\.gov/|ncbi\.nlm\.nih"
                          r"\.gov/pubmed/|europepmc\.org/(?:article|abstract)/MED/)(?P<pmid>\d++)"
                          r"|(?:ncbi\.nlm\.nih\.gov/pmc/articles/|pmc\.ncbi\.nlm\.nih\.gov/articles/"
                          r"|europepmc\.org/(?:articles/|(?:article|abstract)/PMC/))(?:PMC)?(?P<pmc>\d++)"
                          r"(?:/pdf(?:/[^/?#\s]*)?)?)/?(?:[?#]\S*)?",
                          re.IGNORECASE | re.ASCII)
#: A search's address at PubMed (also its older one, with no slash before the query string),
#: PMC or Europe PMC: its ``term`` (Europe PMC's ``query``) is what was searched (a PMID, a
#: name, words).
PUBMED_SEARCH = re.compile(r"(?:https?://)?(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov|ncbi\.nlm\.nih"
                           r"\.gov/(?:pubmed|pmc)|pmc\.ncbi\.nlm\.nih\.gov/search|europepmc\.org/search)"
                           r"/?\?(?P<query>\S*)", re.IGNORECASE | re.ASCII)
#: A field of Europe PMC's search (``EXT_ID:24735924``, ``title:"…"``, ``SRC:MED``), after a
#: space or a bracket: its name, and its value unless that is a phrase in quotes.
EUROPE_PMC_FIELD = re.compile(r"(?<![^\s(])(?P<field>[A-Za-z_]++):(?P<value>[^\s()\"]*+)")
#: Europe PMC's fields that say where it looks ("EXT_ID", a PMID's), and those that filter
#: what it finds (its source, "SRC:MED"), dropped with their value.
EUROPE_PMC_FIELDS = frozenset({"EXT_ID", "PMCID", "DOI", "TITLE", "ABSTRACT", "TITLE_ABS", "AUTH",
                               "KW", "JOURNAL"})
EUROPE_PMC_FILTERS = frozenset({"SRC", "OPEN_ACCESS", "HAS_FT", "PUB_TYPE", "LANG"})
#: PubMed's field tags, as its "Search details" write them after a term ("24735924[pmid]",
#: "Hoshino A[Author]", "cancer[mh:noexp]"): they say where PubMed looks, not what is sought.
#: Named one by one, so that a title PubMed writes in brackets (a translated one) is kept.
PUBMED_FIELD_TAG = re.compile(r"\[(?P<tag>[A-Za-z1][A-Za-z /:-]{0,23}+)\]")
PUBMED_FIELD_TAGS = frozenset({
    "pmid", "uid", "doi", "aid", "lid", "pmc", "pmcid", "au", "author", "1au", "lastau", "fau",
    "full author name", "ti", "title", "tiab", "title/abstract", "tw", "text word", "all",
    "all fields", "mh", "mesh", "mesh terms", "majr", "mesh major topic", "sh", "subheading",
    "nm", "ad", "affiliation", "ta", "journal", "dp", "pdat", "publication date", "pt",
    "publication type", "la", "language", "ot", "other term", "ir", "investigator", "sb",
    "subset", "gr", "grant number", "vi", "ip", "pg", "so",
    # and as "Search details" write filters, dates and other fields
    "filter", "date - publication", "date - entry", "date - create", "date - completion",
    "date - mesh", "date - modification", "edat", "crdt", "mhda", "dcom", "lr",
    "mesh subheading", "supplementary concept", "pharmacological action", "pa", "volume",
    "issue", "pagination", "transliterated title", "tt", "corporate author", "cn", "editor",
    "publisher", "secondary source id", "si", "location id", "isbn"})
#: PubMed's operators, which it reads in capitals alone, and the colon of a range
#: ("2020"[dp] : "2024"[dp]).
PUBMED_OPERATORS = frozenset({"AND", "OR", "NOT", ":"})
#: Quotation marks around a phrase, as typed or as a word processor writes them.
QUOTES = "\"\u201c\u201d"
#: identifiers.org's address of a compact identifier (``https://identifiers.org/uniprot:P04626``),
#: and a compact identifier: a registry's prefix, a colon and the registry's accession.
REGISTRY_ADDRESS = re.compile(r"(?:https?://)?(?:www\.)?identifiers\.org/(?P<curie>\S+?)/?",
                              re.IGNORECASE | re.ASCII)
COMPACT_IDENTIFIER = re.compile(r"(?P<prefix>[A-Za-z][\w.]*+):(?P<local>\S+)")
#: The compact identifier of identifiers.org's address, also as its older addresses (MIRIAM's
#: URIs, in models and older RDF) write it, a slash after the prefix: ``pubmed/24735924``.
REGISTRY_CURIE = re.compile(r"(?P<prefix>[A-Za-z][\w.]*+)[:/](?P<local>\S+)")
#: Registries (identifiers.org's prefixes) whose accessions the search reads bare: a compact
#: identifier of one (``uniprot:P04626``, ``mirbase.mature:MIMAT…``, ``pmc:PMC…``) is
#: searched as its accession.
REGISTRY_PREFIXES = frozenset({"uniprot", "mirbase", "mirbase.mature", "pubmed", "pmc", "doi"})
#: A prefixed name (``mesh:D001943``): a prefix, a colon and no "//" after it.
PREFIXED_NAME = re.compile(r"(?P<prefix>[A-Za-z][\w.-]*+):(?!//)(?P<local>\S+)")
#: What a sentence may put after an identifier copied from it: "(doi:10.1172/JCI75695)."
SENTENCE_MARKS = ".,;:)]>\"'"
#: The paths of an article's IRI by its DOI or PMCID (``article/doi/{doi}``), which the graph
#: need not hold: an article with a PMID is ``article/{pmid}``.
IDENTIFIER_PATHS = ("/article/doi/", "/article/pmc/")


def pasted_iris(text: str) -> tuple[str, ...]:
    """The IRI ``text`` is, if it is one (pasted whole, or in the angle brackets SPARQL and
    Turtle write it in), and the same by the other scheme: a browser shows NLM's MeSH IRIs,
    or an OBO PURL, by https, the graph holds them by http (and its own by https). The
    address of one of this server's pages is the IRI it answers for."""
    if text.startswith("<") and text.endswith(">"):
        text = text[1:-1]
    scheme, _, rest = text.partition(":")
    if not rest.startswith("//") or scheme.lower() not in ("http", "https"):
        return ()
    text = _host_lowered(text)
    scheme, _, rest = text.partition(":")
    here = _host_lowered(request.url_root) if has_request_context() else ""
    if here and text.startswith(here):
        return (page_iri(text[len(here) - 1:]),)
    try:
        return tuple(NamedNode(either + ":" + rest).value for either in ("https", "http"))
    except ValueError:  # (not an IRI: "https://a b")
        return ()


def _host_lowered(url: str) -> str:
    """``url`` (``scheme://host/…``) with its scheme and host in lower case: they are the same
    in any case ("https://W3ID.ORG/evkg/…"), as a browser reads them; the path is not."""
    scheme, _, rest = url.partition("://")
    host, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{host.lower()}{slash}{path}"


def prefixed_iris(text: str) -> tuple[str, ...]:
    """The IRI ``text`` names if it is a prefixed name of the editor's prefixes (``mesh:D001943``,
    ``obo:GO_0001525``, ``evkg:MicroRNA``), the prefix in any case, and an accession after it
    too (``mesh:d001943``)."""
    name = PREFIXED_NAME.fullmatch(text)
    namespace = name and PREFIXES.get(name["prefix"].lower())
    if not name or not namespace:
        return ()
    # an accession in any case, as it is searched bare: "mesh:d001943" is mesh:D001943
    accessions = [iri for iri in accession_iris(name["local"]) if iri.startswith(namespace)]
    if accessions:
        return tuple(accessions)
    try:
        return (NamedNode(namespace + name["local"]).value,)
    except ValueError:  # (not an IRI: "mesh:a<b")
        return ()


def searched_text(text: str) -> str:
    """What ``text`` asks for: the term of a search's address pasted (PubMed's,
    ``https://pubmed.ncbi.nlm.nih.gov/?term=…``, PMC's, Europe PMC's) or a term in PubMed's
    syntax, read as `pubmed_words` reads it; the accession of a registry's compact identifier,
    bare or as identifiers.org's address (its older one too, ``…/pubmed/…``); a phrase in
    quotes without them; else ``text``. Each read of its runs of white space as one space, and
    cut (`_cut`) to ``MAX_QUERY_LENGTH`` characters ("breast   cancer", pasted, found nothing);
    a search's address is read whole, up to ``MAX_ADDRESS_LENGTH``, and its term cut."""
    spaced = " ".join(text.split())
    text = _cut(spaced)
    term = _address_term(spaced)
    if term:
        return _cut(pubmed_words(term)) or text
    registry = REGISTRY_ADDRESS.fullmatch(text)
    compact = (REGISTRY_CURIE.fullmatch(registry["curie"]) if registry
               else COMPACT_IDENTIFIER.fullmatch(text))
    if compact and compact["prefix"].lower() == "pmc" and compact["local"].isdecimal():
        return "PMC" + compact["local"]  # (a PMCID written without "PMC" is no PMID)
    if compact and compact["prefix"].lower() in REGISTRY_PREFIXES:
        return compact["local"]
    # a prefixed name ("mesh:D001943") or an accession read with its prefix ("GO:0001525")
    named = f"{compact['prefix']}:{compact['local']}" if compact and registry else ""
    if compact and named and (compact["prefix"].lower() in PREFIXES or accession_iris(named)):
        return named
    if any(_is_field_tag(tag) for tag in PUBMED_FIELD_TAG.finditer(text)):
        return pubmed_words(text) or text
    if len(text) > 2 and text[0] in QUOTES and text[-1] in QUOTES:
        if any(quote in text[1:-1] for quote in QUOTES):  # ('"a" AND "b"': phrases, not one)
            return pubmed_words(text) or text
        return " ".join(text[1:-1].split()) or text
    return text


def _address_term(spaced: str, length: int = MAX_ADDRESS_LENGTH) -> str:
    """The term of the search's address ``spaced`` is (PubMed's, PMC's, Europe PMC's), read up
    to ``length`` characters, or ""."""
    search = PUBMED_SEARCH.fullmatch(spaced[:length])
    asked = parse_qs(search["query"]) if search else {}
    terms = asked.get("term") or [EUROPE_PMC_FIELD.sub(_europe_pmc_value, query)
                                  for query in asked.get("query", [])]
    return terms[0] if terms and terms[0].strip() else ""


def search_list(text: str) -> list[str]:
    """The identifiers of a list ``text`` pastes (``listed_identifiers``), each once: as it is
    ("24735924, 37534210"), as a search's address gives it, or in PubMed's syntax
    ("24735924[pmid] OR 37534210[pmid]"); read whole, up to ``MAX_LIST_LENGTH`` characters,
    where the search reads ``MAX_QUERY_LENGTH`` (a list of 60 PMIDs was one of 20, the rest
    unsaid); else none."""
    spaced = _cut(" ".join(text.split()), MAX_LIST_LENGTH)
    term = _address_term(spaced, MAX_LIST_LENGTH)
    if not term and any(_is_field_tag(tag) for tag in PUBMED_FIELD_TAG.finditer(spaced)):
        term = spaced
    if term and re.search(r"\bNOT\b", term):  # (A NOT B asks for A alone: no list)
        return []
    return list(dict.fromkeys(listed_identifiers(pubmed_words(term) if term else spaced)))


def _cut(text: str, length: int = MAX_QUERY_LENGTH) -> str:
    """``text`` cut to ``length`` characters, before the word the cut would split when there
    is a space to cut at (a PMID cut short is another PMID)."""
    if len(text) <= length:
        return text
    cut = text[:length]
    if text[length] != " " and " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip()


def pubmed_words(term: str) -> str:
    """The words of a PubMed search's ``term``, without its field tags, quotes, brackets and
    operators: "(24735924[pmid]) OR (37534210[pmid])" is "24735924 37534210", which the
    search finds whole (a PMID alone, a phrase) or offers word by word."""
    untagged = PUBMED_FIELD_TAG.sub(lambda tag: " " if _is_field_tag(tag) else tag.group(), term)
    words = [w.lstrip("(").rstrip(")")
             for w in untagged.translate({ord(q): " " for q in QUOTES}).split()]
    return " ".join(w for w in words if w and w not in PUBMED_OPERATORS)


def _europe_pmc_value(field: re.Match[str]) -> str:
    """What a field of Europe PMC's search seeks: its value ("EXT_ID:24735924" seeks 24735924),
    nothing of a filter ("SRC:MED"); a name that is no field of it is kept ("HER2:…")."""
    name = field["field"].upper()
    if name in EUROPE_PMC_FILTERS:
        return " "
    return field["value"] if name in EUROPE_PMC_FIELDS else field.group()


def _is_field_tag(tag: re.Match[str]) -> bool:
    """Whether a bracketed word is one of PubMed's field tags (``mh:noexp`` too)."""
    return tag["tag"].lower().removesuffix(":noexp") in PUBMED_FIELD_TAGS


def pasted_identifier(text: str) -> str:
    """The identifier ``text`` names as pasted: PubMed's "PMID: 24735924", "doi:10.…", the
    address of a page of it (doi.org's, PubMed's, PMC's) or the graph's IRI of an article by its
    DOI or PMCID; else ``text`` itself."""
    page = PAGE_ADDRESS.fullmatch(text)
    if page:
        return page["pmid"] or "PMC" + page["pmc"]
    base = iris.base_iri()
    for iri in pasted_iris(text):
        for prefix in IDENTIFIER_PATHS:
            if iri.startswith(base + prefix[1:]):
                return unquote(iri[len(base) + len(prefix) - 1:])
    label = IDENTIFIER_LABEL.match(text)
    return text[label.end():] if label else text


#: What separates the identifiers of a list pasted: "24735924, 37534210", or PubMed's search of
#: several PMIDs ("24735924 OR 37534210", its term read by `pubmed_words`).
LIST_SEPARATOR = re.compile(r"[\s,;]+")


def listed_identifiers(text: str) -> list[str]:
    """The identifiers of ``text`` if it is a list of two or more PMIDs, DOIs or PMCIDs as
    pasted ("PMID: 24735924, 37534210"), separated by commas, semicolons or spaces; else none."""
    parts = [part.rstrip(SENTENCE_MARKS) for part in LIST_SEPARATOR.split(text)]
    bares = [pasted_identifier(part) for part in parts
             if part and part != "OR" and not IDENTIFIER_LABEL.fullmatch(part)]
    if len(bares) < 2 or not all(_is_identifier(bare) for bare in bares):
        return []
    return bares


def _is_identifier(text: str) -> bool:
    """Whether ``text`` is a PMID, DOI or PMCID, bare."""
    return any(pattern.fullmatch(text) for pattern, _, _ in IDENTIFIERS)


def names_identifier(text: str) -> bool:
    """Whether ``text`` (as searched) is an identifier or an address: a PMID, DOI or PMCID as
    pasted (or a list of them), an accession, an IRI or a prefixed name. One that finds nothing is not in the
    graph; it is no phrase whose words may be found alone."""
    listed = bool(search_list(text))
    text = searched_text(text)
    bares = {pasted_identifier(t) for t in (text, text.rstrip(SENTENCE_MARKS))}
    # "PMID: " and a number too long for one; not "PubMed exosome studies"
    labelled = IDENTIFIER_LABEL.match(text)
    return (bool(labelled and IDENTIFIER_SHAPE.fullmatch(text[labelled.end():].rstrip(SENTENCE_MARKS)))
            or any(_is_identifier(bare) for bare in bares) or listed
            or bool(listed_identifiers(text))
            or bool(accession_iris(text) or pasted_iris(text) or prefixed_iris(text)))


def identifier_path(predicate: NamedNode) -> str:
    """The property path an identifier is looked up on: a DOI as its record writes it
    (``bibo:doi``) or in lower case (``evkg:doiLowerCase``, which the graph adds to a DOI with
    capitals), so that "10.1172/jci75695" finds 10.1172/JCI75695."""
    if predicate == BIBO.doi:
        return f"({graph.ref(BIBO.doi)}|{graph.ref(EVKG.doiLowerCase)})"
    return graph.ref(predicate)


#: An accession as people write it → the IRI the graph's mappings use for it: the concept
#: mapped to that IRI (skos:exactMatch, closeMatch …) is found, and the IRI itself when the
#: graph describes it (a MeSH descriptor or tree number).
ACCESSION_IRIS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"MIMAT\d{7}", re.IGNORECASE), "https://identifiers.org/mirbase.mature:{0}"),
    (re.compile(r"MI\d{7}", re.IGNORECASE), "https://identifiers.org/mirbase:{0}"),
    (re.compile(r"HGNC:(\d+)", re.IGNORECASE), "https://identifiers.org/hgnc:{1}"),
    (re.compile(r"ENS[A-Z]*G\d{11}", re.IGNORECASE), "https://identifiers.org/ensembl:{0}"),
    # UniProt's accession format (its documentation's pattern)
    (re.compile(r"[OPQ]\d[A-Z\d]{3}\d|[A-NR-Z]\d(?:[A-Z][A-Z\d]{2}\d){1,2}", re.IGNORECASE),
     "http://purl.uniprot.org/uniprot/{0}"),
    (re.compile(r"(GO|SO|DOID|MONDO|NCIT|CHEBI):([A-Z]?\d+)", re.IGNORECASE),
     "http://purl.obolibrary.org/obo/{1}_{2}"),
    (re.compile(r"[CDMQ]\d{6,9}(?:Q\d{6})?|[A-Z]\d\d(?:\.\d{3})*", re.IGNORECASE),
     "http://id.nlm.nih.gov/mesh/{0}"),
    # an ORCID iD (its check character X in either case: ``/author/…-009x`` was a bare 404)
    (re.compile(r"\d{4}-\d{4}-\d{4}-\d{3}[\dX]", re.IGNORECASE | re.ASCII),
     "https://orcid.org/{0}"),
)
#: The mappings an accession is looked up through, and the ORCID iD of an author.
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.relatedMatch, SKOS.broadMatch,
            SKOS.narrowMatch, SCHEMA.sameAs)


def accession_iris(text: str) -> list[str]:
    """The IRIs ``text`` names if it is an accession (``MIMAT0000076``, ``HGNC:3430``,
    ``P04626``, ``GO:0006915``, ``D001943``, ``C04.588.180``) or an ORCID iD, prefixes (and
    an ORCID iD's X) in upper case."""
    found = []
    for pattern, template in ACCESSION_IRIS:
        match = pattern.fullmatch(text)
        if match:
            groups = [g.upper() for g in (match.group(), *match.groups())]
            found.append(template.format(*groups))
    return found
