"""Finding resources by label: a case-insensitive substring over the label properties."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import parse_qs, unquote

from flask import current_app, has_request_context, request
from pyoxigraph import Literal, NamedNode

from kg import iris
from kg.mirnas import find_names, name_keys
from kg.namespaces import BIBO, EVKG, FABIO, FOAF, MESH, PREFIXES, PROV, SKOS, VOID
from kg.records import SCRIPTABLE, SUBSCRIPTS, SUPERSCRIPTS
from kg.searchindex import (
    ACCENTED,
    BASES,
    SCRIPTS_FOLDED,
    SEARCHED,
    family_named,
    folded,
    ranked_labels,
)
from server import graph
from server.state import state
from server.terms import href, page_iri

#: Most results a search returns.
SEARCH_LIMIT = 50
#: Longest query text taken (longer text is cut).
MAX_QUERY_LENGTH = 200
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
REGISTRY_ADDRESS = re.compile(r"(?:https?://)?(?:www\.)?identifiers\.org/(?P<curie>\S+)",
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
#: A miRNA name typed with a space where papers write a hyphen ("miR 21", "hsa-miR 21-5p",
#: "let 7a"): the search reads it as written with one; text mining does not (in running text
#: "MIR 2" may be anything).
_SPACED_MIRNA = re.compile(r"\A((?:pr[ei]-)?(?:[a-z]{3}-)?(?:mi[Rr]|Mi[Rr]|MIR|[Ll]et))\s+(?=\d)")


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
    ``obo:GO_0001525``, ``evkg:MicroRNA``), the prefix in any case."""
    name = PREFIXED_NAME.fullmatch(text)
    namespace = name and PREFIXES.get(name["prefix"].lower())
    if not name or not namespace:
        return ()
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
    of its first ``MAX_QUERY_LENGTH`` characters ("breast   cancer", pasted, found nothing)."""
    text = " ".join(text.split())[:MAX_QUERY_LENGTH]
    search = PUBMED_SEARCH.fullmatch(text)
    asked = parse_qs(search["query"]) if search else {}
    terms = asked.get("term") or [EUROPE_PMC_FIELD.sub(_europe_pmc_value, query)
                                  for query in asked.get("query", [])]
    if terms and terms[0].strip():
        return pubmed_words(terms[0]) or text
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


def names_identifier(text: str) -> bool:
    """Whether ``text`` (as searched) is an identifier or an address: a PMID, DOI or PMCID as
    pasted, an accession, an IRI or a prefixed name. One that finds nothing is not in the
    graph; it is no phrase whose words may be found alone."""
    text = searched_text(text)
    bares = {pasted_identifier(t) for t in (text, text.rstrip(SENTENCE_MARKS))}
    # "PMID: " and a number too long for one; not "PubMed exosome studies"
    labelled = IDENTIFIER_LABEL.match(text)
    return (bool(labelled and IDENTIFIER_SHAPE.fullmatch(text[labelled.end():].rstrip(SENTENCE_MARKS)))
            or any(pattern.fullmatch(bare) for bare in bares for pattern, _, _ in IDENTIFIERS)
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
)
#: The mappings an accession is looked up through.
MAPPINGS = (SKOS.exactMatch, SKOS.closeMatch, SKOS.relatedMatch, SKOS.broadMatch,
            SKOS.narrowMatch)


def accession_iris(text: str) -> list[str]:
    """The IRIs ``text`` names if it is an accession (``MIMAT0000076``, ``HGNC:3430``,
    ``P04626``, ``GO:0006915``, ``D001943``, ``C04.588.180``), prefixes in upper case."""
    found = []
    for pattern, template in ACCESSION_IRIS:
        match = pattern.fullmatch(text)
        if match:
            groups = [g.upper() for g in (match.group(), *match.groups())]
            found.append(template.format(*groups))
    return found


@dataclass(frozen=True)
class Hit:
    iri: str
    label: str
    matched: str
    link: str | None
    #: the title of the article an author is one of, when the author is named under it
    author_of: str = ""
    #: the same of an investigator (a member of a study group PubMed lists beside the byline)
    investigator_of: str = ""
    #: the title of the article a finding was drawn from, and how it was found (its method's
    #: label): findings are named by cargo, effect and process alone
    derived_from: str = ""
    method: str = ""


#: What a regular expression (XPath's syntax, which SPARQL's REGEX takes) gives a meaning.
_META = frozenset("\\|.-^?*+{}()[]$")


def _escaped(char: str) -> str:
    return "\\" + char if char in _META else char


#: Each digit, sign and bracket a reader may write as a super- or subscript (``kg.records``),
#: as a regular expression matching any of its three forms.
_FORMS = {forms[0]: "(" + "|".join(map(_escaped, forms)) + ")"
          for forms in zip(SCRIPTABLE, SUPERSCRIPTS, SUBSCRIPTS, strict=True)}
_FOLD = SCRIPTS_FOLDED
_SCRIPTABLE_RUN = re.compile(f"[{re.escape(SCRIPTABLE)}]+")
#: What ends a name in a regular expression: a character other than a letter or digit (of any
#: script: super- and subscript digits are digits), or the end.
_NOT_ALPHANUMERIC = r"([^\p{L}\p{N}]|$)"
#: Each Latin letter as a regular expression matching it with any diacritic ("o": ó, ö, ø …).
_LETTERS = {base: "(" + "|".join((base, *chars)) + ")" for base, chars in ACCENTED.items()}


def _folded(text: str, *, scripts: bool = True) -> str:
    """``text`` lower-cased, Latin letters without their diacritics and (``scripts``) super-
    and subscripts as their characters: "Sjögren" and "SJOGREN" are "sjogren", "CO₂" "co2"."""
    lowered = text.lower().translate(_FOLD) if scripts else text.lower()
    return "".join(BASES.get(char, char) for char in unicodedata.normalize("NFC", lowered))


@dataclass(frozen=True)
class LabelPattern:
    """What a label must hold for a search text: ``plain`` (CONTAINS) when ``regex`` is
    None, else that regular expression (XPath's syntax, which Python's ``re`` reads alike)."""

    plain: str
    regex: str | None

    def sparql(self) -> tuple[str, str]:
        """SPARQL expressions true when the label ``?l`` holds the text, and when it is the
        text whole."""
        label = "LCASE(STR(?l))"
        if self.regex is None:
            needle = graph.ref(Literal(self.plain))
            return f"CONTAINS({label}, {needle})", f"{label} = {needle}"
        return (f"REGEX({label}, {graph.ref(Literal(self.regex))})",
                f"REGEX({label}, {graph.ref(Literal(f'^{self.regex}$'))})")

    def tests(self) -> tuple[Callable[[str], bool], Callable[[str], bool]]:
        """The same two tests in Python, of a label's text (for the search index's
        candidates): lower case as SPARQL's LCASE, and the regular expression anchored at
        both ends as REGEX's "^…$" (no line of a label with a line break is whole)."""
        if self.regex is None:
            plain = self.plain
            return (lambda label: plain in label.lower()), (lambda label: label.lower() == plain)
        pattern = re.compile(self.regex)
        return (lambda label: pattern.search(label.lower()) is not None,
                lambda label: pattern.fullmatch(label.lower()) is not None)

    def named_sparql(self) -> str:
        """A SPARQL expression true when the label ``?l`` holds the text not followed by a
        letter or digit (what ``_names_whole`` takes: "miR-21" in "miR-21 and miR-210")."""
        holds = self.regex or "".join(map(_escaped, self.plain))
        return f"REGEX(LCASE(STR(?l)), {graph.ref(Literal(holds + _NOT_ALPHANUMERIC))})"

    @property
    def indexed(self) -> str:
        """The text the search index finds the candidates by: ``plain`` folded as the index
        folds labels (every form the pattern allows for a character folds to one)."""
        return folded(self.plain)


def label_pattern(text: str) -> LabelPattern:
    """What a label must hold to hold ``text``, case and diacritics aside: "Sjogren" finds
    "Sjögren" and "sjögren" "Sjogren", as PubMed's search does (and a SKOS browser on Fuseki
    folding both sides, as Skosmos's does). Digits, signs and brackets beside other text match
    as written, as superscripts and as subscripts, which the readers write for PubMed's <sup>
    and <sub>: "HER2+" finds "HER2⁺", "co2" "CO₂", and "CO₂" finds "CO2". Both by a regular
    expression of alternatives, which every store runs alike; text with neither is found by
    CONTAINS."""
    plain = _folded(text)
    others = [part for part in _SCRIPTABLE_RUN.split(plain) if part.strip()]
    scripted = bool(others) and others != [plain]  # a digit or sign, and something else
    if not scripted:  # "²" alone is found as itself
        plain = _folded(text, scripts=False)
    pattern = "".join((_FORMS.get(char) if scripted else None) or _LETTERS.get(char)
                      or _escaped(char) for char in plain)
    if pattern == "".join(map(_escaped, plain)):  # no letter with diacritics, no script
        return LabelPattern(plain, None)
    return LabelPattern(plain, pattern)


def label_match(text: str) -> tuple[str, str]:
    """SPARQL expressions true when the label ``?l`` holds ``text``, and when it is ``text``
    whole (``label_pattern``)."""
    return label_pattern(text).sparql()


def search_query(text: str, limit: int | None = SEARCH_LIMIT, *, named: bool = False,
                 family_names: bool = False) -> str:
    """The SPARQL for a search (every match with ``limit`` None); ``text`` goes in as escaped
    literals, never as syntax. ``named``: ``text`` is a miRNA's name, taken only whole
    (``_names_whole``) before the limit. ``family_names``: the people whose family name is
    ``text`` whole, case and diacritics aside, come first (rank "-"), by name and IRI, as
    ``_family_named`` gives them."""
    pattern = label_pattern(text)
    holds, whole = pattern.sparql()
    if named:
        holds += f" && {pattern.named_sparql()}"
    props = "|".join(f"<{p.value}>" for p in SEARCHED)
    base = graph.ref(Literal(iris.base_iri()))
    mesh = graph.ref(Literal(MESH.iri))
    people = ""
    if family_names:
        people = f"""{{ ?s {graph.ref(FOAF.familyName)} ?l .
          FILTER(isIRI(?s) && {whole}) BIND(CONCAT("-00000", STR(?l)) AS ?key) }} UNION"""
    # The grouping is a subquery so that ORDER BY sees plain variables: Virtuoso refuses an
    # expression over an aggregate's alias in ORDER BY (a remote store may be Virtuoso).
    # a label that is the text whole comes first ("apoptosis": MeSH's Apoptosis before our
    # apoptosis resistance), then our own resources, then shorter labels; only resources with
    # a page here (ours and MeSH's), not an aligned GO or NCIT term named for the mapping tables.
    # Each resource is ranked by its best label, which is the one shown: the least of "rank,
    # length, label" as one string (a SAMPLE was any label, so the order, the label shown and
    # which resources made the limit differed between stores: a review's)
    return f"""SELECT ?s ?matched ?rank WHERE {{ {{
      SELECT ?s (MIN(?key) AS ?best) WHERE {{ {people} {{
        ?s {props} ?l .
        FILTER(isIRI(?s) && {holds})
        BIND(IF({whole}, 0, 2) + IF(STRSTARTS(STR(?s), {base}), 0, 1) AS ?local)
        BIND(CONCAT(STR(?local), SUBSTR(STR(100000 + STRLEN(STR(?l))), 2), STR(?l)) AS ?key) }}
        FILTER(STRSTARTS(STR(?s), {base}) || STRSTARTS(STR(?s), {mesh}))
      }} GROUP BY ?s
    }} BIND(SUBSTR(?best, 1, 1) AS ?rank) BIND(SUBSTR(?best, 7) AS ?matched)
    }} ORDER BY ?best ?s{"" if limit is None else f" LIMIT {limit}"}"""


def _hyphened(text: str) -> str:
    """``text``, a miRNA's name typed with a space for its hyphen ("miR 21") written with it."""
    return _SPACED_MIRNA.sub(r"\1-", text)


def exact_query(text: str, *, family_names: bool = True) -> str | None:
    """The SPARQL for what ``text`` names whole: an article by PMID, DOI or PMCID, a miRNA by
    any way of writing it (``microRNA-105``, ``mir105``), an author by family name as typed
    and with a capital (``family_names``: the search index finds them all, in its order);
    None when, without family names, ``text`` can name nothing whole (no query to run)."""
    # as typed, and without the punctuation of the sentence it was copied from (a DOI may end
    # with a full stop, so both are looked up)
    bares = dict.fromkeys(pasted_identifier(t) for t in (text, text.rstrip(SENTENCE_MARKS)))
    pairs = [(p, spelling) for bare in bares for pattern, p, spellings in IDENTIFIERS
             if pattern.fullmatch(bare) for spelling in spellings(bare)]
    if family_names:
        pairs += [(FOAF.familyName, name)
                  for name in dict.fromkeys((text, text[:1].upper() + text[1:]))]
    parts = [f"{{ ?s {identifier_path(p)} {value} BIND({value} AS ?matched) }}"
             for p, v in pairs for value in (graph.ref(Literal(v)),)]
    hyphened = _hyphened(text)
    mirnas = [key for match in find_names(hyphened) if match.group() == hyphened
              for keys in name_keys(match) for key in keys[:1]]
    if mirnas:
        parts.append(f"{{ VALUES ?s {{ {graph.values(iris.cargo_iri(k).value for k in mirnas)} }} "
                     f"?s a {graph.ref(SKOS.Concept)} BIND({graph.ref(Literal(text))} AS ?matched) }}")
    # an IRI pasted is looked up as an accession's: the resource itself or what maps to it,
    # or the dataset whose endpoint it is (``<base>sparql``, the address of /sparql here)
    accessions = accession_iris(text) + list(pasted_iris(text)) + list(prefixed_iris(text))
    if accessions:
        mapped = "|".join(graph.ref(p) for p in MAPPINGS)
        matched = graph.ref(Literal(text))
        parts.append(f"{{ VALUES ?m {{ {graph.values(accessions)} }} {{ ?s {mapped} ?m }} UNION "
                     f"{{ ?m a ?type BIND(?m AS ?s) }} UNION "
                     f"{{ ?s {graph.ref(VOID.sparqlEndpoint)} ?m }} BIND({matched} AS ?matched) }}")
    if not parts:  # (only without family names)
        return None
    return f"SELECT DISTINCT ?s ?matched WHERE {{ {' UNION '.join(parts)} }} LIMIT {SEARCH_LIMIT}"


def every_match_query(text: str) -> str:
    """The query of every person whose family name is ``text`` and every resource whose label
    holds it, as the search ranks them (the page lists ``SEARCH_LIMIT``): it listed the labels
    alone, so "Sjogren", 50 authors on the page, was no row in the editor."""
    text = searched_text(text)
    hyphened = _hyphened(text)
    named = _names_a_mirna(hyphened)
    return search_query(hyphened, limit=None, named=named, family_names=not named)


def _names_a_mirna(text: str) -> bool:
    """Whether ``text`` is a miRNA's name whole, which is no part of a longer one's: miR-21
    found the titles that name miR-217."""
    return any(match.group() == text for match in find_names(text))


def search(text: str) -> list[Hit]:
    """Resources ``text`` names whole (identifiers, miRNA names, family names), then those with
    a label containing it (our own resources first, then shorter labels)."""
    text = searched_text(text)
    if not text:
        return []
    # with an index, the people of that family name come from it alone, in its order (by name
    # and IRI), which the every-match query gives; without one, as typed, in that order too
    # (the store's order differed from the query's, and between stores)
    indexed = state().search_index is not None
    exact = exact_query(text, family_names=not indexed)
    rows = sorted(_once_each(graph.select(exact) if exact else [], text),
                  key=lambda row: (row["matched"].value, row["s"].value))
    found = {row["s"] for row in rows}
    rows += [row for row in _family_named(text, SEARCH_LIMIT - len(rows))
             if row["s"] not in found]
    # the labels are searched for a miRNA's name as papers write it ("miR 21": "miR-21")
    text = _hyphened(text)
    # a miRNA's name is no part of a longer one's (miR-21 found the titles that name miR-217),
    # before the limit: 50 titles naming miR-210 left no room for those naming miR-21
    whole = _names_a_mirna(text)
    found = {row["s"] for row in rows}
    rows += [row for row in labelled(text, named=whole)
             if row["s"] not in found
             and (not whole or _names_whole(row["matched"].value, text))][:SEARCH_LIMIT - len(rows)]
    return _hits(rows)


def _family_named(text: str, limit: int) -> list[graph.Row]:
    """The people whose family name is ``text`` whole, case and diacritics aside, from the
    release's search index (``exact_query`` finds a family name only as typed, and as typed
    with a capital: "Sjogren" found no Sjögren); none without an index."""
    index = state().search_index
    if index is None or limit <= 0:
        return []
    try:
        named = family_named(index, folded(text), limit)
    except sqlite3.Error as error:  # (removed or damaged under the server)
        current_app.logger.warning("evkg: the search index %s cannot be read (%s)", index, error)
        return []
    return [{"s": NamedNode(iri), "matched": Literal(name)} for iri, name in named]


def labelled(text: str, *, named: bool = False) -> list[graph.Row]:
    """The first ``SEARCH_LIMIT`` resources with a label that holds ``text`` (``named``: that
    names it whole, a miRNA), ranked (rows of ?s, ?matched and ?rank, as ``search_query``
    gives them): from the release's search index when it has one (``kg/searchindex.py``),
    which finds the candidates without reading every label, else by that query. The index's
    candidates are tested as the query tests a label, and ranked alike, so that both give the
    same rows."""
    index = state().search_index
    if index is not None:
        pattern = label_pattern(text)
        holds, whole = pattern.tests()
        if named:
            holds, whole = _naming(holds, text), _naming(whole, text)
        try:
            ranked = ranked_labels(index, pattern.indexed, holds, whole, SEARCH_LIMIT)
        except sqlite3.Error as error:  # (removed or damaged under the server)
            current_app.logger.warning("evkg: the search index %s cannot be read (%s): "
                                       "searching by SPARQL", index, error)
        else:
            return [{"s": NamedNode(iri), "matched": Literal(label), "rank": Literal(str(rank))}
                    for iri, label, rank in ranked]
    return graph.select(search_query(text, named=named))


def _naming(test: Callable[[str], bool], name: str) -> Callable[[str], bool]:
    """``test``, and the label names ``name`` whole."""
    return lambda label: test(label) and _names_whole(label, name)


#: Most resources the page of an unknown IRI suggests.
NEAR_MISS_LIMIT = 8


def near_misses(iri: str) -> list[Hit]:
    """What an unknown IRI under the base may have meant: what its last segment names whole (a
    miRNA's other spelling, ``cargo/hsa-mir-105``; a PMID; an accession) and the concepts whose
    IRI differs from it only in case (``cargo/erbb2``). Lookups only, no scan of the labels: a
    404 stays cheap."""
    text = iri.rstrip("/").rpartition("/")[2][:MAX_QUERY_LENGTH]
    if not text or not iri.startswith(iris.base_iri()):
        return []
    same = graph.ref(Literal(iri.lower()))
    rows = graph.select(f"""SELECT ?s ?matched WHERE {{ ?s a {graph.ref(SKOS.Concept)}
      FILTER(isIRI(?s) && LCASE(STR(?s)) = {same}) BIND(STR(?s) AS ?matched) }}
      LIMIT {NEAR_MISS_LIMIT}""")
    # and what the path names after its first segment, where that holds a slash: a DOI
    # pasted after article/, without doi/
    after = unquote(iri[len(iris.base_iri()):]).partition("/")[2].rstrip("/")[:MAX_QUERY_LENGTH]
    for named in dict.fromkeys([text, *([after] if "/" in after else [])]):
        found = {row["s"] for row in rows}
        exact = exact_query(named)
        rows += [row for row in _once_each(graph.select(exact) if exact else [], named)
                 if row["s"] not in found and row["s"].value != iri]
    return _hits(rows[:NEAR_MISS_LIMIT])


def _once_each(rows: list[graph.Row], text: str) -> list[graph.Row]:
    """One row per resource, the one matched by ``text`` as written first: a DOI with capitals
    (10.1172/JCI75695) is found by its own spelling and by its lower-case one, and the article
    was listed twice."""
    first: dict[object, graph.Row] = {}
    for row in sorted(rows, key=lambda row: row["matched"].value != text):
        first.setdefault(row["s"], row)
    return list(first.values())


def _hits(rows: list[graph.Row]) -> list[Hit]:
    """Search results from rows of ?s (the resource) and ?matched (the text that matched)."""
    articles = {row["s"].value: _article_of(row["s"].value) for row in rows}
    findings = _findings_sources(row["s"].value for row in rows)
    labels = graph.labels_for([*(row["s"].value for row in rows),
                               *(article for article, _ in filter(None, articles.values())),
                               *(iri for source in findings.values() for iri in source)])
    hits = []
    for row in rows:
        article, role = articles[row["s"].value] or ("", "")
        title = labels.get(article, "")
        source, method = findings.get(row["s"].value, ("", ""))
        hits.append(Hit(row["s"].value, labels.get(row["s"].value, row["matched"].value),
                        row["matched"].value, href(row["s"].value),
                        author_of=title if role == "author" else "",
                        investigator_of=title if role == "investigator" else "",
                        derived_from=labels.get(source, ""), method=labels.get(method, "")))
    return hits


def _findings_sources(iris_found: Iterable[str]) -> dict[str, tuple[str, str]]:
    """The article each finding among ``iris_found`` was drawn from and its method (IRIs): a
    search for a process listed "UCHL1 promotes chemoresistance" twice, a curated and a
    text-mined finding, with nothing to tell them apart or say which paper."""
    wanted = [iri for iri in iris_found if iri.startswith(iris.base_iri() + "finding/")]
    if not wanted:
        return {}
    rows = graph.select(f"""SELECT ?f (MIN(STR(?a)) AS ?article) (MIN(STR(?m)) AS ?method)
      WHERE {{ VALUES ?f {{ {graph.values(wanted)} }}
        ?f {graph.ref(PROV.wasDerivedFrom)} ?a OPTIONAL {{ ?f {graph.ref(EVKG.method)} ?m }}
      }} GROUP BY ?f""")
    return {row["f"].value: (row["article"].value, row["method"].value if "method" in row else "")
            for row in rows if "article" in row}


def _article_of(iri: str) -> tuple[str, str] | None:
    """The article an author or investigator of it without an ORCID is named under
    (``…/article/1/author/2``, ``…/article/1/investigator/2``), and which of the two: such
    people are one resource per article, so results named alike tell apart by it."""
    for role in ("author", "investigator"):
        article, found, position = iri.rpartition(f"/{role}/")
        if found and position.isdigit():
            return article, role
    return None


def _names_whole(label: str, name: str) -> bool:
    """Whether ``name`` occurs in ``label`` (case and super- and subscripts aside) not followed
    by a letter or digit."""
    folded, name = label.lower().translate(_FOLD), name.lower().translate(_FOLD)
    start = folded.find(name)
    while start >= 0:
        end = start + len(name)
        if end == len(folded) or not folded[end].isalnum():
            return True
        start = folded.find(name, start + 1)
    return False
