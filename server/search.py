"""Finding resources by label: a case-insensitive substring over the label properties."""

from __future__ import annotations

import re
import sqlite3
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar
from urllib.parse import unquote

from flask import current_app
from pyoxigraph import Literal, NamedNode

from kg import iris
from kg.mirnas import find_names, name_keys
from kg.namespaces import EVKG, FOAF, MESH, PROV, SKOS, VOID
from kg.records import SCRIPTABLE, SUBSCRIPTS, SUPERSCRIPTS
from kg.searchindex import (
    ACCENTED,
    BASES,
    SCRIPTS_FOLDED,
    SEARCHED,
    family_named,
    family_spellings,
    folded,
    ranked_labels,
)
from server import graph
from server.pasted import (
    IDENTIFIERS,
    MAPPINGS,
    MAX_QUERY_LENGTH,
    SENTENCE_MARKS,
    accession_iris,
    identifier_path,
    listed_identifiers,
    pasted_identifier,
    pasted_iris,
    prefixed_iris,
    searched_text,
)
from server.state import state
from server.terms import href

T = TypeVar("T")

#: Most results a search returns.
SEARCH_LIMIT = 50
#: The most identifiers of a list pasted that one search looks up: as many as it lists; a
#: link searches the rest.
MAX_LISTED = SEARCH_LIMIT
#: A miRNA name typed with a space where papers write a hyphen ("miR 21", "hsa-miR 21-5p",
#: "let 7a"): the search reads it as written with one; text mining does not (in running text
#: "MIR 2" may be anything).
_SPACED_MIRNA = re.compile(r"\A((?:pr[ei]-)?(?:[a-z]{3}-)?(?:mi[Rr]|Mi[Rr]|MIR|[Ll]et))\s+(?=\d)")
#: An author as PubMed writes one (its AU, "Hoshino A"; its search, "Hoshino A[Author]" read
#: without the tag): the family name, a space and up to three initials, in any case, as
#: PubMed's author search reads them ("hoshino a").
AUTHOR_FORM = re.compile(r"(?P<family>\w[\w' -]*?\w)\s+(?P<initials>[A-Za-z]{1,3})")
#: Most spellings of a family name (case and diacritics aside) an author's search asks for.
MAX_SPELLINGS = 20


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

    def starts_sparql(self) -> str:
        """A SPARQL expression true when the label ``?l`` begins with the text."""
        label = "LCASE(STR(?l))"
        if self.regex is None:
            return f"STRSTARTS({label}, {graph.ref(Literal(self.plain))})"
        return f"REGEX({label}, {graph.ref(Literal(f'^{self.regex}'))})"

    def starts_test(self) -> Callable[[str], bool]:
        """The same test in Python, of a label's text."""
        if self.regex is None:
            plain = self.plain
            return lambda label: label.lower().startswith(plain)
        pattern = re.compile(self.regex)
        return lambda label: pattern.match(label.lower()) is not None

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
                 family_names: bool = False, authors: bool = False) -> str:
    """The SPARQL for a search (every match with ``limit`` None); ``text`` goes in as escaped
    literals, never as syntax. ``named``: ``text`` is a miRNA's name, taken only whole
    (``_names_whole``) before the limit. ``family_names``: the people whose family name is
    ``text`` whole, case and diacritics aside, come first (rank "-"), by name and IRI, as
    ``_family_named`` gives them. ``authors``: an author as PubMed writes one (``AUTHOR_FORM``,
    "Hoshino A") finds the authors of that family name whose initials begin so first of all,
    by IRI, as ``exact_query`` gives them to the page (which asks them of it, not here)."""
    pattern = label_pattern(text)
    holds, whole = pattern.sparql()
    if named:
        holds += f" && {pattern.named_sparql()}"
    props = "|".join(f"<{p.value}>" for p in SEARCHED)
    base = graph.ref(Literal(iris.base_iri()))
    mesh = graph.ref(Literal(MESH.iri))
    people = ""
    author = AUTHOR_FORM.fullmatch(text) if authors else None
    if author:
        people = f"""{{ {_author_pattern(author)}
          BIND(CONCAT("-00000", {graph.ref(Literal(text))}) AS ?key) }} UNION"""
    if family_names:
        people += f"""{{ ?s {graph.ref(FOAF.familyName)} ?l .
          FILTER(isIRI(?s) && {whole}) BIND(CONCAT("-00000", STR(?l)) AS ?key) }} UNION"""
    # The grouping is a subquery so that ORDER BY sees plain variables: Virtuoso refuses an
    # expression over an aggregate's alias in ORDER BY (a remote store may be Virtuoso).
    # a label that is the text whole comes first ("apoptosis": MeSH's Apoptosis before our
    # apoptosis resistance), then one that begins with it ("breast": breast cancer before male
    # breast cancer, whose notation male_breast was the shortest label holding it), then our
    # own resources before MeSH's, then shorter labels; only resources with
    # a page here (ours and MeSH's), not an aligned GO or NCIT term named for the mapping tables.
    # Each resource is ranked by its best label, which is the one shown: the least of "rank,
    # length, label" as one string (a SAMPLE was any label, so the order, the label shown and
    # which resources made the limit differed between stores: a review's)
    return f"""SELECT ?s ?matched ?rank WHERE {{ {{
      SELECT ?s (MIN(?key) AS ?best) WHERE {{ {people} {{
        ?s {props} ?l .
        FILTER(isIRI(?s) && {holds})
        BIND(IF({whole}, 0, IF({pattern.starts_sparql()}, 2, 4))
             + IF(STRSTARTS(STR(?s), {base}), 0, 1) AS ?local)
        BIND(CONCAT(STR(?local), SUBSTR(STR(100000 + STRLEN(STR(?l))), 2), STR(?l)) AS ?key) }}
        FILTER(STRSTARTS(STR(?s), {base}) || STRSTARTS(STR(?s), {mesh}))
      }} GROUP BY ?s
    }} BIND(SUBSTR(?best, 1, 1) AS ?rank) BIND(SUBSTR(?best, 7) AS ?matched)
    }} ORDER BY ?best ?s{"" if limit is None else f" LIMIT {limit}"}"""


def _author_pattern(author: re.Match[str]) -> str:
    """The graph pattern of the people ``author`` (``AUTHOR_FORM``) names: a family name that
    is its family, case and diacritics aside ("lotvall j" finds Lötvall J), and initials that
    begin with its initials in capitals."""
    spellings = _family_spellings(author["family"])
    return (f"VALUES ?family {{ {' '.join(graph.ref(Literal(name)) for name in spellings)} }} "
            f"?s {graph.ref(FOAF.familyName)} ?family ; {graph.ref(EVKG.initials)} ?initials "
            f"FILTER(STRSTARTS(?initials, {graph.ref(Literal(author['initials'].upper()))}))")


def _family_spellings(family: str) -> list[str]:
    """How the graph may write the family name ``family``: as typed and with a capital, and
    each spelling the release's search index holds of it, case and diacritics aside."""
    spellings = _indexed(lambda index: family_spellings(index, folded(family), MAX_SPELLINGS))
    return list(dict.fromkeys([*_as_typed(family), *(spellings or [])]))


def _as_typed(name: str) -> tuple[str, str]:
    """A name as typed, and with a capital (how a search without an index finds a family name)."""
    return name, name[:1].upper() + name[1:]


def _indexed(read: Callable[[Path], T]) -> T | None:
    """What ``read`` gives of the release's search index; None without one, and when it cannot
    be read (removed or damaged under the server: the log says so)."""
    index = state().search_index
    if index is None:
        return None
    try:
        return read(index)
    except sqlite3.Error as error:
        current_app.logger.warning("evkg: the search index %s cannot be read (%s)", index, error)
        return None


def _hyphened(text: str) -> str:
    """``text``, a miRNA's name typed with a space for its hyphen ("miR 21") written with it."""
    return _SPACED_MIRNA.sub(r"\1-", text)


def exact_query(text: str, *, family_names: bool = True, listed: list[str] | None = None
                ) -> str | None:
    """The SPARQL for what ``text`` names whole: an article by PMID, DOI or PMCID (each of a
    list of them: ``listed``, as `search_list` reads it, else `listed_identifiers`), a miRNA by
    any way of writing it (``microRNA-105``, ``mir105``), an author as PubMed writes one
    (``AUTHOR_FORM``), an author by family name as typed and with a capital (``family_names``:
    the search index finds them all, in its order); None when, without family names, ``text``
    can name nothing whole (no query to run)."""
    # as typed, and without the punctuation of the sentence it was copied from (a DOI may end
    # with a full stop, so both are looked up)
    bares = dict.fromkeys([*(pasted_identifier(t) for t in (text, text.rstrip(SENTENCE_MARKS))),
                           *(listed_identifiers(text) if listed is None else listed)])
    pairs = [(p, spelling) for bare in bares for pattern, p, spellings in IDENTIFIERS
             if pattern.fullmatch(bare) for spelling in spellings(bare)]
    if family_names:
        pairs += [(FOAF.familyName, name) for name in dict.fromkeys(_as_typed(text))]
    parts = [f"{{ ?s {identifier_path(p)} {value} BIND({value} AS ?matched) }}"
             for p, v in pairs for value in (graph.ref(Literal(v)),)]
    author = AUTHOR_FORM.fullmatch(text)
    if author:  # "Hoshino A" finds Hoshino A and Hoshino AB, as PubMed's author search does
        # the first by IRI, so that which of more than the limit the page lists is the same
        # every time, and the first of every match's (``every_match_query``); ordered here
        # alone: Virtuoso 7.2 refuses ORDER BY over the accessions' union below ("SQ142")
        parts.append(f"{{ SELECT ?s ?matched WHERE {{ {_author_pattern(author)} "
                     f"BIND({graph.ref(Literal(text))} AS ?matched) }} ORDER BY ?s "
                     f"LIMIT {SEARCH_LIMIT} }}")
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
    # a list's: a row for each spelling found (a DOI with capitals is found as written and in
    # lower case, and a list's 50 DOIs took the limit at 25)
    return (f"SELECT DISTINCT ?s ?matched WHERE {{ {' UNION '.join(parts)} }} "
            f"LIMIT {SEARCH_LIMIT + (len(pairs) if listed else 0)}")


def unfound(listing: list[str]) -> list[str]:
    """The identifiers of ``listing`` (a list pasted, as `search_list` reads it) that no
    resource of the graph has: asked on their own, since the hits are one a resource (an
    article named twice in the list, by PMID and DOI, is one hit) and at most the limit."""
    spelled = {bare: [(p, spelling) for pattern, p, spellings in IDENTIFIERS
                      if pattern.fullmatch(bare) for spelling in spellings(bare)]
               for bare in listing}
    pairs = {pair for found in spelled.values() for pair in found}
    if not pairs:
        return list(listing)
    parts = [f"{{ VALUES ?v {{ {' '.join(graph.ref(Literal(v)) for q, v in pairs if q == p)} }} "
             f"?s {identifier_path(p)} ?v }}" for p in dict.fromkeys(p for p, _ in pairs)]
    found = {row["v"].value for row in graph.select(
        f"SELECT DISTINCT ?v WHERE {{ {' UNION '.join(parts)} }}")}
    return [bare for bare, pairs_of in spelled.items()
            if not any(v in found for _, v in pairs_of)]


def every_match_query(text: str) -> str:
    """The query of every person whose family name is ``text`` and every resource whose label
    holds it, as the search ranks them (the page lists ``SEARCH_LIMIT``): it listed the labels
    alone, so "Sjogren", 50 authors on the page, was no row in the editor."""
    text = searched_text(text)
    hyphened = _hyphened(text)
    named = _names_a_mirna(hyphened)
    return search_query(hyphened, limit=None, named=named, family_names=not named, authors=True)


def _names_a_mirna(text: str) -> bool:
    """Whether ``text`` is a miRNA's name whole, which is no part of a longer one's: miR-21
    found the titles that name miR-217."""
    return any(match.group() == text for match in find_names(text))


def search(text: str, listing: list[str]) -> list[Hit]:
    """Resources ``text`` names whole (identifiers, miRNA names, family names), then those with
    a label that is it, begins with it or holds it (in each, our own resources first, then
    shorter labels)."""
    text = searched_text(text)
    if not text:
        return []
    # with an index, the people of that family name come from it alone, in its order (by name
    # and IRI), which the every-match query gives; without one, as typed, in that order too
    # (the store's order differed from the query's, and between stores)
    indexed = state().search_index is not None
    exact = exact_query(text, family_names=not indexed, listed=listing[:MAX_LISTED] or None)
    rows = sorted(_once_each(graph.select(exact) if exact else [], text),
                  key=lambda row: (row["matched"].value, row["s"].value))
    found = {row["s"] for row in rows}
    rows += [row for row in _family_named(text, max(0, SEARCH_LIMIT - len(rows)))
             if row["s"] not in found]
    # the labels are searched for a miRNA's name as papers write it ("miR 21": "miR-21")
    text = _hyphened(text)
    # a miRNA's name is no part of a longer one's (miR-21 found the titles that name miR-217),
    # before the limit: 50 titles naming miR-210 left no room for those naming miR-21
    whole = _names_a_mirna(text)
    found = {row["s"] for row in rows}
    rows += [row for row in labelled(text, named=whole)
             if row["s"] not in found
             and (not whole or _names_whole(row["matched"].value, text))][:max(0, SEARCH_LIMIT - len(rows))]
    return _hits(rows)


def _family_named(text: str, limit: int) -> list[graph.Row]:
    """The people whose family name is ``text`` whole, case and diacritics aside, from the
    release's search index (``exact_query`` finds a family name only as typed, and as typed
    with a capital: "Sjogren" found no Sjögren); none without an index."""
    named = _indexed(lambda index: family_named(index, folded(text), limit)) if limit > 0 else None
    return [{"s": NamedNode(iri), "matched": Literal(name)} for iri, name in named or []]


def labelled(text: str, *, named: bool = False) -> list[graph.Row]:
    """The first ``SEARCH_LIMIT`` resources with a label that holds ``text`` (``named``: that
    names it whole, a miRNA), ranked (rows of ?s, ?matched and ?rank, as ``search_query``
    gives them): from the release's search index when it has one (``kg/searchindex.py``),
    which finds the candidates without reading every label, else by that query. The index's
    candidates are tested as the query tests a label, and ranked alike, so that both give the
    same rows."""
    pattern = label_pattern(text)
    holds, whole = pattern.tests()
    starts = pattern.starts_test()
    if named:
        holds, whole = _naming(holds, text), _naming(whole, text)
    ranked = _indexed(lambda index: ranked_labels(index, pattern.indexed, holds, whole, starts,
                                                  SEARCH_LIMIT))
    if ranked is not None:
        return [{"s": NamedNode(iri), "matched": Literal(label), "rank": Literal(str(rank))}
                for iri, label, rank in ranked]
    return graph.select(search_query(text, named=named))  # (no index, or it cannot be read)


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
