"""SERVICE federation only to allowed endpoints: every target is checked before a query runs.

pyoxigraph follows ``SERVICE <…>`` over HTTP (loopback included), so a public endpoint must not
run a query that names any other endpoint. The targets are read from the text outside strings,
comments and IRIs: the word SERVICE is the keyword unless it goes on a variable, prefixed name,
blank node label or language tag, and the keyword is followed by the target, an IRI, a prefixed
name or a variable. pyoxigraph's parser reads a keyword as its letters, with no word boundary:
``?o 51SERVICE <…>``, ``trueSERVICE``, ``SERVICESILENT<…>`` and ``SERVICEex:x`` call the endpoint
as surely as ``SERVICE <…>`` does (each took a query past the allowlist until 5 Dec). Every
SERVICE keyword must be followed by an allowed target. Where a ``<`` that may compare reads as
an IRI holding a quote or ``#`` (``?n<'''>'''``), the parser opens a string or a comment in
it, and the reading here goes wrong from there: such a query is refused (until 6 Dec it took
a SERVICE past the allowlist). (rdflib's parser found them until 3 Dec:
it took minutes on a long query, in the web worker, outside the query's time limit, whenever
the word occurred, even in a comment.)
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from kg.querytext import (
    PN_CHARS,
    WS,
    blank,
    declarations,
    declared_prefixes,
    keyword_pattern,
    prologue,
    query_form,
)
from server.failures import Failure
from server.settings import setting_items

#: Endpoints a query may name in SERVICE unless the operator sets EVKG_SERVICE_ALLOWLIST.
DEFAULT_ALLOWLIST = (
    "https://id.nlm.nih.gov/mesh/sparql",
    "https://sparql.uniprot.org/sparql",
    "https://query.wikidata.org/sparql",
)
_WORD = re.compile(keyword_pattern("SERVICE"))
#: A character of a variable's, prefixed name's, blank node label's or language tag's text.
_NAME_CHAR = re.compile(rf"[{PN_CHARS}:%\\]")
#: Whole tokens a run of name characters before SERVICE may be, which go on through it: a
#: variable's name (after ``?``/``$``), a language tag (after ``@``), a prefixed name or blank
#: node label (a local part starts with no ``.`` or ``-``: ``ex:-1SERVICE`` is ``ex:``, a number
#: and the keyword).
#: Each is read once along a run, from its start: the run before a word SERVICE in it is
#: one of them up to the word where the one read goes on at least that far (a variable's name
#: holds its characters alone; a language tag's longest start is read, each start of one being
#: one too; a prefixed name's prefix ends at the run's first colon, and any name's characters
#: may follow its local part's first).
_VARIABLE_NAME = re.compile(r"[\w\u00b7\u0300-\u036f\u203f\u2040\u1680]*")
_LANGUAGE = re.compile(r"[A-Za-z]+(?:-[A-Za-z0-9]+)*-?")
_PREFIX_OF_NAME = re.compile(rf"(?:[^\W\d_][{PN_CHARS}]*|_)?")
_LOCAL_START = re.compile(r"[\w:%\\]")
_NAMED = (r"(?:<(?P<iri>[^<>\"{}|^`\\\x00-\x20]*)>"
          rf"|(?P<prefix>(?:[^\W\d_]|\u1680)[{PN_CHARS}]*)?:(?P<local>[\w.:%\-\u1680]*)"
          r"|(?P<var>[?$][\w\u1680]+))"
          r"(?=[ \t\r\n{])")  # a target read whole: an escape (``u:\@host``) is not read past
_TARGET = re.compile(rf"{WS}*(?:{keyword_pattern('SILENT')}{WS}*)?{_NAMED}")
#: The target itself, after the white space and SILENT; and a prefixed name's local part.
_NAMED_TARGET = re.compile(_NAMED)
_LOCAL_PART = re.compile(r"[\w.:%\-\u1680]*")
_PREFIX_START = re.compile(r"[^\W\d_]|\u1680")
#: The local part of a prefixed name (escapes too; not a final ``.``), then a group's ``{``:
#: only there can a declared prefix's name glued to a target be read as SERVICE and the target.
_LOCAL_CHAR = r"\w:%\-\u00b7\u0300-\u036f\u203f\u2040\u1680"
_LOCAL_THEN_GROUP = re.compile(rf"(?:[{_LOCAL_CHAR}]|\\.|\.+(?=[{_LOCAL_CHAR}\\]))*{WS}*\{{")
#: A keyword after which a graph's or an endpoint's name stands (``GRAPH service:g {``, ``SERVICE
#: SILENT service:x {``), when it is a word of its own: after a name's characters it may be
#: the end of the name (``?GRAPH service:x {`` is a SERVICE).
_NAME_AFTER = re.compile(
    rf"(?:\A|(?<=[ \t\r\n{{}}])){keyword_pattern('GRAPH', 'SERVICE', 'SILENT')}\Z")
#: A character of a prefix's name, and those that glue a name before it into a variable's
#: name, a language tag or a prefixed name's local part.
_PREFIX_CHAR = re.compile(f"[{PN_CHARS}]")
_GLUING = ("?", "$", "@", ":", "%", "\\")
#: White space, as SPARQL has it.
_SPACE = " \t\r\n"
#: What reads as an IRI, where its ``<`` may be a less-than sign (``FILTER(?n<2)…>``). A quote
#: or ``#`` in it then opens a string or a comment for the parser, so that what follows, up to
#: where the string or comment ends, is read otherwise than here: a SERVICE keyword may be read
#: in text, or text in one. A lexer cannot tell the two apart, so such a query is refused.
_IRI_SPAN = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*>?")
_STRING_OR_COMMENT = re.compile("['#]")
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")
_SPACES = re.compile(f"{WS}*")
_SILENT_THEN_SPACES = re.compile(rf"{keyword_pattern('SILENT')}{WS}*")


class _Runs:
    """The runs of one class of characters in ``code`` (``chars``, a pattern of one), each read
    once for every word SERVICE in it, and what was found along it. Each word read its run
    again, to its start and its end, until 6 Dec: a run of ``SERVICESERVICE…`` held a request's
    thread and a core for minutes at 40 kB (a request body's megabytes: for days)."""

    def __init__(self, code: str, chars: re.Pattern[str]) -> None:
        self.code, self.chars = code, chars
        self._along = re.compile(f"{chars.pattern}*")
        self.begin, self.end = 0, -1  # the last run read
        self.found: dict[str, int] = {}  # what was found along it

    def around(self, position: int) -> tuple[int, int]:
        """Where the run of ``chars`` that ``position`` is in (or just after) begins and ends."""
        if not self.begin <= position <= self.end:
            begin = position
            while begin > 0 and self.chars.match(self.code, begin - 1):
                begin -= 1
            self.begin = begin
            self.end = self._along.match(self.code, position).end()  # type: ignore[union-attr]
            self.found = {}
        return self.begin, self.end

    def read(self, what: str, reading: Callable[[], int]) -> int:
        """``reading()`` of the last run read, read once."""
        if what not in self.found:
            self.found[what] = reading()
        return self.found[what]


@dataclass(frozen=True)
class Target:
    """What follows one SERVICE keyword: an absolute IRI, or why it cannot be checked."""

    iri: str | None
    problem: str | None = None


def parse_allowlist(value: str | Sequence[str]) -> tuple[str, ...]:
    """The allowlist from a setting: comma-separated IRIs, or a list of them."""
    return setting_items(value)


def _absolute(iri: str, written: str) -> Target:
    if _ABSOLUTE.match(iri):
        return Target(iri)
    return Target(None, f"SERVICE target {written} is not an absolute IRI; write the endpoint "
                        "in full, e.g. SERVICE <https://sparql.uniprot.org/sparql>")


def _goes_on_a_name(code: str, start: int, names: _Runs) -> bool:
    """Whether the word SERVICE at ``start`` of ``code`` is read as the end of a variable,
    prefixed name, blank node label or language tag (when in doubt: no, it is a keyword).
    ``names``: the runs of name characters (``_NAME_CHAR``) of ``code``."""
    begin, end = names.around(start)
    before = code[begin - 1:begin]
    if before in ("?", "$"):
        return start <= names.read("variable", lambda: _end(_VARIABLE_NAME, code, begin))
    if before == "@":
        return start <= names.read("language", lambda: _end(_LANGUAGE, code, begin))
    colon = names.read("colon", lambda: code.find(":", begin, end))
    return 0 <= colon < start and bool(names.read(
        "prefix", lambda: _PREFIX_OF_NAME.fullmatch(code, begin, colon) is not None)) and (
        start == colon + 1 or _LOCAL_START.match(code, colon + 1) is not None)


def _end(pattern: re.Pattern[str], code: str, start: int) -> int:
    """Where ``pattern`` read from ``start`` of ``code`` ends (``start`` if it reads nothing)."""
    match = pattern.match(code, start)
    return match.end() if match is not None else start


def _inside_a_declared_prefix(code: str, start: int, prefixes: dict[str, str],
                              runs: _Runs) -> bool:
    """Whether the word SERVICE at ``start`` of ``code`` is inside (not at the start of) the
    name of a declared prefix written whole before its colon (``webservice:p``, at no name
    or variable before it). pyoxigraph reads a declared prefix's name so, and the keyword
    there only when the prefix is not declared (``trueSERVICE:x`` is ``true``, SERVICE and
    ``:x``); the word was read as a keyword, and such a query refused, until 6 Dec.
    ``runs``: the runs of a prefix's characters (``_PREFIX_CHAR``) of ``code``."""
    begin, end = runs.around(start)
    return begin < start and bool(runs.read("declared", lambda: (
        code[begin - 1:begin] not in _GLUING and code.startswith(":", end)
        and code[begin:end] in prefixes)))


def _declared_names(prefixes: dict[str, str]) -> Callable[[str, int, int], bool]:
    """A test of whether ``code[start:end]`` is the name of one of ``prefixes``, which copies
    the text only when it is as long as one of them (the words of a long run are not all
    looked up)."""
    lengths = {len(name) for name in prefixes}
    return lambda code, start, end: end - start in lengths and code[start:end] in prefixes


def _group_follows(code: str, local: int) -> bool:
    """Whether a prefixed name's local part at ``local`` of ``code`` is followed by a group."""
    return _LOCAL_THEN_GROUP.match(code, local) is not None


def _after_a_naming_keyword(code: str, start: int) -> bool:
    """Whether GRAPH, SERVICE or SILENT stands before ``start`` of ``code``, spaces between."""
    end = start
    while end > 0 and code[end - 1] in _SPACE:
        end -= 1
    return _NAME_AFTER.search(code, max(end - len("SERVICE"), 0), end) is not None


def _keywords(code: str, prefixes: dict[str, str], head: int) -> Iterator[re.Match[str]]:
    """The SERVICE keywords of ``code`` (strings, comments and IRIs blanked): every word
    SERVICE after the prologue (its first ``head`` characters, where none can stand: ``PREFIX
    webservice: <…>`` was read as one until 6 Dec) that goes on no name before it and is not
    inside a declared prefix's name. A name glued after it (``SERVICEex:x``) is its
    target, unless the whole word is a declared prefix and either the target's is not
    (``services:p``, a prefixed name) or no group follows it (``?s a service:Service``
    beside a ``PREFIX :``: a prefixed name, which pyoxigraph reads so; refused until 5 Dec)
    or it stands where a name does, not a graph pattern (``GRAPH service:g {``, ``FROM
    service:g {``: refused until 6 Dec). Where a graph pattern may begin and a group follows,
    a target that cannot be read (``service:x\\~y {}``) is one."""
    depth = counted = 0  # the depth of groups at ``counted`` (counted as the words come)
    names, runs = _Runs(code, _NAME_CHAR), _Runs(code, _PREFIX_CHAR)
    declared = _declared_names(prefixes)
    for word in _WORD.finditer(code):
        depth += code.count("{", counted, word.start()) - code.count("}", counted, word.start())
        counted = word.start()
        if (word.start() < head or _goes_on_a_name(code, word.start(), names)
                or _inside_a_declared_prefix(code, word.start(), prefixes, runs)):
            continue
        # SERVICE and the name characters glued after it, up to a colon: a prefix's name
        glued = runs.around(word.start())[1]
        if code.startswith(":", glued) and declared(code, word.start(), glued):
            # a name stands outside the query's group (FROM, FROM NAMED, DESCRIBE: no SERVICE
            # may) and after GRAPH, SERVICE or SILENT
            if (not runs.read("group", partial(_group_follows, code, glued + 1))
                    or depth <= 0 or _after_a_naming_keyword(code, word.start())):
                continue
            target = _TARGET.match(code, word.end())
            if target is not None and (target.group("var") is None
                                       and target.group("iri") is None
                                       and (target.group("prefix") or "") not in prefixes):
                continue
        yield word


def _ambiguous(query: str, code: str) -> re.Match[str] | None:
    """What reads as an IRI in ``code`` (``query`` with strings and comments blanked) but may be
    a less-than sign before a string or a comment, where the word SERVICE stands anywhere after
    it (before it, the parser reads the text as it is read here; a query without the word calls
    nothing). An IRI that has ``//`` before its first quote or ``#`` is no such comparison:
    ``//`` outside strings and comments is no SPARQL; nor is one the prologue declares
    (``PREFIX ex: <urn:example#>``, ``BASE``): nothing compares there (refused until 6 Dec)."""
    declared = len(prologue(query)) if query_form(query) is not None else 0
    # where the last SERVICE starts: looked for once (from each span to the end, a 1 MB query
    # of ``<#>`` held a request's thread and a core for minutes until 6 Dec)
    last = max((word.start() for word in _WORD.finditer(query)), default=-1)
    for span in _IRI_SPAN.finditer(code, declared):
        if span.start() > last:
            return None
        text = span.group()
        opened = _STRING_OR_COMMENT.search(text)
        if opened is not None and "//" not in text[:opened.start()]:
            return span
    return None


@dataclass(frozen=True)
class _Named:
    """What ``_TARGET`` reads: an IRI, a variable, or a prefixed name (where its prefix's name
    starts, its colon, and where its local part ends: read from ``code`` only as far as
    needed); and where it ends."""

    iri: str | None
    var: str | None
    start: int
    colon: int
    end: int


def _target(code: str, position: int, runs: _Runs) -> _Named | None:
    """What ``_TARGET`` reads at ``position`` of ``code`` (after SILENT first, as it tries).
    A prefixed name in a run of a prefix's characters (of ``runs``) is read from the run
    (its end, the local part after its colon): each word SERVICE of ``SERVICESERVICE…:x``
    read it again to its end, and the name so long, until 6 Dec."""
    space = _SPACES.match(code, position).end()  # type: ignore[union-attr]
    silent = _SILENT_THEN_SPACES.match(code, space)
    for start in (*([silent.end()] if silent is not None else []), space):
        if _PREFIX_CHAR.match(code, start) is None:
            match = _NAMED_TARGET.match(code, start)
            if match is not None:
                colon = match.start("local") - 1 if match.group("local") is not None else -1
                return _Named(match.group("iri"), match.group("var"), start, colon, match.end())
            continue
        colon = runs.around(start)[1]
        if _PREFIX_START.match(code, start) is None or not code.startswith(":", colon):
            continue
        end = runs.read("local", partial(_end, _LOCAL_PART, code, colon + 1))
        if code[end:end + 1] and code[end:end + 1] in f"{_SPACE}{{":
            return _Named(None, None, start, colon, end)
    return None


def _shown(code: str, start: int, end: int) -> str:
    """``code[start:end]``, cut at 60 characters."""
    return code[start:end] if end - start <= 60 else code[start:start + 60] + "…"


def service_targets(query: str) -> list[Target]:
    """Every SERVICE target of ``query``, read from its text outside strings, comments and
    IRIs."""
    code = blank(query)
    keywords = blank(query, iris=True)
    prefixes = declared_prefixes(query)
    targets: list[Target] = []
    ambiguous = _ambiguous(query, code)
    if ambiguous is not None:
        targets.append(Target(None, f"{ambiguous.group()[:60]}… may be read as a less-than sign "
                                    "followed by a string or comment, which would hide a "
                                    "SERVICE keyword from this check; put spaces around '<' "
                                    "where it compares"))
    runs = _Runs(code, _PREFIX_CHAR)
    declared = _declared_names(prefixes)
    for keyword in _keywords(keywords, prefixes, len(declarations(query))):
        named = _target(code, keyword.end(), runs)
        if named is None:
            targets.append(Target(None, "a SERVICE keyword whose endpoint cannot be read"))
        elif named.iri is not None:
            targets.append(_absolute(named.iri, f"<{named.iri}>"))
        elif named.var:
            targets.append(Target(None, f"SERVICE {named.var} names its endpoint "
                                        "with a variable; name an allowed endpoint instead"))
        elif not declared(code, named.start, named.colon):
            targets.append(Target(None, f"SERVICE {_shown(code, named.start, named.end)} uses "
                                        "an undeclared prefix"))
        else:
            targets.append(_absolute(prefixes[code[named.start:named.colon]]
                                     + code[named.colon + 1:named.end],
                                     _shown(code, named.start, named.end)))
    return targets


_SILENT = re.compile(rf"{WS}*{keyword_pattern('SILENT')}")


def unnamed_endpoints(targets: Sequence[Target], message: str) -> str | None:
    """The endpoints ``targets`` call (``<a>, <b>``) for an error ``message`` that names none
    of them (pyoxigraph's "Connection refused (os error 111)"); None when it names one, or
    there is none."""
    called = [target.iri for target in targets if target.iri]
    if not called or any(iri in message for iri in called):
        return None
    return ", ".join(f"<{iri}>" for iri in dict.fromkeys(called))


def without_services(query: str) -> str:
    """``query`` with each SERVICE keyword (and its SILENT) written GRAPH, offsets kept: the
    same syntax, to check that it parses without calling anything (pyoxigraph calls a
    SERVICE as soon as a query is given to it, on any store, before a row is asked for)."""
    keywords = blank(query, iris=True)
    prefixes = declared_prefixes(query)
    text = list(query)
    for keyword in _keywords(keywords, prefixes, len(declarations(query))):
        silent = _SILENT.match(keywords, keyword.end())
        end = silent.end() if silent is not None else keyword.end()
        text[keyword.start():end] = "GRAPH".ljust(end - keyword.start())
    return "".join(text)


@dataclass(frozen=True)
class SilentService:
    """A ``SERVICE SILENT`` clause of a query: where it stands (its keyword to its group's
    ``}``) and a query that calls its endpoint alone, as the clause does."""

    start: int
    end: int
    probe: str


def _group_end(code: str, opened: int) -> int | None:
    """Where the group whose ``{`` is at ``opened`` of ``code`` ends (after its ``}``)."""
    depth = 0
    for bracket in _BRACES.finditer(code, opened):
        depth += 1 if bracket.group() == "{" else -1
        if depth == 0:
            return bracket.end()
    return None


_BRACES = re.compile("[{}]")


def silent_services(query: str) -> list[SilentService]:
    """The ``SERVICE SILENT`` clauses ``query`` evaluates itself (not those inside another
    SERVICE's group, which the endpoint called evaluates), in the order they stand."""
    code, keywords = blank(query), blank(query, iris=True)
    head = prologue(query)
    found: list[SilentService] = []
    end = 0  # the end of the last SERVICE clause: a SERVICE before it is inside it
    runs = _Runs(code, _PREFIX_CHAR)
    for keyword in _keywords(keywords, declared_prefixes(query), len(declarations(query))):
        if keyword.start() < end:
            continue
        target = _target(code, keyword.end(), runs)
        if target is None:
            continue
        opened = keywords.find("{", target.end)
        closed = _group_end(keywords, opened) if opened >= 0 else None
        if closed is None:
            continue
        end = closed
        silent = _SILENT.match(keywords, keyword.end())
        if silent is not None:
            call = f"SERVICE{query[silent.end():closed]}"
            found.append(SilentService(keyword.start(), closed,
                                       f"{head}SELECT * WHERE {{ {call} }}"))
    return found


def check_services(targets: Sequence[Target], allowlist: Sequence[str]) -> Failure | None:
    """A 400 naming the first target that is not allowed, or None when all are."""
    allowed = ", ".join(allowlist) or "(none)"
    for target in targets:
        if target.problem is not None:
            return Failure(400, f"SERVICE refused: {target.problem}. Allowed endpoints: {allowed}")
        if target.iri not in allowlist:
            return Failure(400, f"SERVICE <{target.iri}> is not an allowed endpoint; this "
                                f"endpoint federates only with: {allowed} (EVKG_SERVICE_ALLOWLIST)")
    return None
