"""What can be read from a query's text without parsing it: its form, dataset clause, cache key.

A light lexer finds string literals, IRIs (with their ``\\u`` escapes) and comments (following
the SPARQL 1.1 grammar's terminals), so that keywords are looked for only in the code around
them; a prefixed name's escape (``ex:a\\#b``) is code, not the start of a comment. pyoxigraph
stays the authority on syntax: these helpers only steer negotiation, the dataset and the cache.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from kg.namespaces import PREFIXES

#: A string literal's opening and its text (the SPARQL grammar's STRING_LITERAL* less their
#: closing quotes), in the order they are tried: at a quote, a string closes where its text
#: stops at its quotes; else none of that kind starts before the text's stop (``_Lexer``).
_STRINGS = (
    ("'''", re.compile(r"'''(?:(?:'|'')?(?:[^'\\]|\\.))*", re.DOTALL)),
    ('"""', re.compile(r'"""(?:(?:"|"")?(?:[^"\\]|\\.))*', re.DOTALL)),
    ("'", re.compile(r"'(?:[^'\\\n\r]|\\.)*", re.DOTALL)),
    ('"', re.compile(r'"(?:[^"\\\n\r]|\\.)*', re.DOTALL)),
)
#: The other tokens: an IRI (with its ``\\u`` escapes), a prefixed name's escape, a comment.
_OTHER_TOKENS = re.compile(
    r"""(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)
      |(?P<escape>\\[_~.\-!$&'()*+,;=/?\#@%])
      |(?P<comment>\#[^\n\r]*)""",
    re.VERBOSE | re.DOTALL,
)
#: Where a token may start.
_TOKEN_START = re.compile("['\"<\\\\#]")


class _Lexer:
    """The strings, IRIs, escapes and comments of one text, each read at a position asked.

    A string that does not close is not read again from a quote its text passed: its text goes
    on from there as that quote's would (an escape is read whole, both ways), and stops where it
    stopped, at the end of its line (three quotes: of the text). A run of ``"\\`` was read to its
    line's end from each of its quotes again until 6 Dec: a 40 kB query held a request's thread
    and a core for 10 s in each reader, a request body's megabytes for hours."""

    def __init__(self, text: str) -> None:
        self.text = text
        # an opening that did not close → (where it was, where that kind cannot close before)
        self._unclosed: dict[str, tuple[int, int]] = {}

    def token(self, position: int) -> tuple[str, int] | None:
        """The kind of the token at ``position`` ("string", "iri", "escape", "comment") and
        its end; None if none starts there."""
        text = self.text
        if text[position:position + 1] not in ("'", '"'):
            match = _OTHER_TOKENS.match(text, position)
            return (match.lastgroup or "", match.end()) if match is not None else None
        for opening, pattern in _STRINGS:
            unclosed = self._unclosed.get(opening)
            if not text.startswith(opening, position) or (
                    unclosed is not None and unclosed[0] < position < unclosed[1]):
                continue
            stop = pattern.match(text, position).end()  # type: ignore[union-attr]
            if text.startswith(opening, stop):
                return "string", stop + len(opening)
            self._unclosed[opening] = (position, len(text) + 1 if len(opening) == 3 else stop)
        return None

    def tokens(self) -> Iterator[tuple[str, int, int]]:
        """Each token of the text, as it comes: its kind, start and end."""
        position = 0
        while (start := _TOKEN_START.search(self.text, position)) is not None:
            token = self.token(start.start())
            if token is None:
                position = start.start() + 1
                continue
            yield token[0], start.start(), token[1]
            position = token[1]


#: The characters of a prefix name besides letters and digits (PN_CHARS: ``a·b:`` is one), and
#: U+1680, a letter to SPARQL and no letter (white space) to Python.
PN_CHARS = r"\w.\-\u00b7\u0300-\u036f\u203f\u2040\u1680"
#: White space as SPARQL has it (WS): Python's ``\s`` holds more, and one of those, U+1680
#: OGHAM SPACE MARK, is a letter of a name to SPARQL (``PREFIX a\u1680b:``). Read as a space,
#: it took a SERVICE past the allowlist until 6 Dec (the third look at it).
WS = r"[ \t\r\n]"


def keyword_pattern(*words: str) -> str:
    """A pattern for any of the SPARQL keywords ``words``: their ASCII letters in either case,
    as pyoxigraph reads them. Python's IGNORECASE takes ı and İ for I, ſ for S and K (U+212A)
    for K too: ``SERVICE SıLENT: {}``, a prefix so named (a name to SPARQL), was read as
    SERVICE SILENT and the default prefix, and took a SERVICE past the allowlist until 6 Dec."""
    return f"(?ai:{'|'.join(words)})"


#: One declaration of a query's prologue, or the space between two. A prefix's name is read up
#: to its colon, whatever its characters: SPARQL's hold many that are no letters to Python
#: (``€``, ``。``), and a prologue read as ending before such a name hid the declarations after
#: it (a ``p:`` declared again, the one pyoxigraph takes) until 6 Dec. Read too far, the
#: prologue is harmless: a declaration pyoxigraph cannot read fails the query.
_DECLARATION = re.compile(
    rf"{WS}+|{keyword_pattern('BASE')}{WS}*<[^>]*>"
    rf"|{keyword_pattern('PREFIX')}{WS}*(?P<prefix>[^ \t\r\n:]*):{WS}*<(?P<iri>[^>]*)>"
    rf"|{keyword_pattern('VERSION')}\b")
#: The keyword of a query's form, or of an update, after the prologue: read as its letters, as
#: pyoxigraph reads it (``CONSTRUCTWHERE{…}``, ``DESCRIBEex:x``, ``INSERTDATA``; with a word
#: boundary after it they were none until 6 Dec, a CONSTRUCT offered SPARQL results alone).
_FORM = re.compile(f"({keyword_pattern('SELECT', 'ASK', 'CONSTRUCT', 'DESCRIBE')})")
_UPDATE = re.compile(
    f"({keyword_pattern(*'INSERT DELETE LOAD CLEAR CREATE DROP COPY MOVE ADD WITH'.split())})")
#: What the dataset clauses stand among, between the query form and its WHERE clause: the word
#: FROM and brackets (a SELECT's expressions and a CONSTRUCT's template hold groups), not a
#: prefixed name's escaped one (``x:a\(``: read as one until 6 Dec, a FROM after it was taken
#: for one in brackets, and overridden by the union of the graphs).
_DATASET_TOKEN = re.compile(f"(?<!\\\\)[{{}}()]|{keyword_pattern('FROM')}")
#: What may stand just before the keyword FROM (IRIs, strings and comments blanked): before it,
#: anything else goes on a name (``?a·FROM``, ``"x"@en-FROM``, ``ex:aFROM``).
_BEFORE_FROM = " \t\r\n*)}"
#: A prefix's name after FROM up to its colon (``FROMx:g`` is a DESCRIBE's target where
#: ``FROMx:`` is declared, else FROM and ``x:g``).
_GLUED_NAME = re.compile(r"[^ \t\r\n:{}()]*:")
_WHITESPACE = re.compile(f"{WS}+")
#: The letters a name starts with (PN_CHARS_BASE), and its other characters (PN_CHARS), as
#: SPARQL has them: Python's ``\w`` lacks ``€``, ``。`` and U+1680, and has ``ª`` and ``µ``.
_NAME_START = ("A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff"
               "\u200c\u200d\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
               "\U00010000-\U000effff")
_NAME = _NAME_START + "_0-9\\-\u00b7\u0300-\u036f\u203f\u2040"
#: A PREFIX and its name, where its IRI cannot be read.
_BROKEN_PREFIX = re.compile(rf"{keyword_pattern('PREFIX')}{WS}*([^ \t\r\n:]*):")
#: A prefixed name in code (not a variable's ``?x``, not inside an IRI or string, once blanked;
#: not ``http://`` of an IRI or string left open, which is the error then).
_PREFIXED = re.compile(rf"(?<![{_NAME}?$:.])((?:[{_NAME_START}][{_NAME}.]*)?):(?!/)[{_NAME}.%]*")


@lru_cache(maxsize=32)
def blank(text: str, *, iris: bool = False, strings: bool = True) -> str:
    """``text`` with comments, strings (unless ``strings`` is False) and IRIs (if ``iris``)
    replaced by spaces, offsets kept.

    Remembered: one request asks it of the same query several times (its form, its dataset
    clause, its SERVICE targets), and clients repeat their queries. Few entries: a query may be
    as long as the request body limit."""
    kinds = ("comment", *(("string",) if strings else ()), *(("iri",) if iris else ()))
    pieces: list[str] = []
    position = 0
    for kind, start, end in _Lexer(text).tokens():
        if kind in kinds:
            pieces += [text[position:start], " " * (end - start)]
            position = end
    return "".join(pieces) + text[position:]


@lru_cache(maxsize=32)
def _declared(query: str) -> tuple[int, tuple[tuple[str, str], ...]]:
    """The one reading of ``query``'s prologue, declaration by declaration as the parser reads
    it: where its declarations end (comments and white space between them taken), and each
    prefix declared with its IRI as written, in their order. (Remembered, as ``blank``.)"""
    code = blank(query)
    prefixes: list[tuple[str, str]] = []
    position = 0
    while (item := _DECLARATION.match(code, position)) is not None:
        if item.group("iri") is not None:
            prefixes.append((item.group("prefix"), item.group("iri")))
        position = item.end()
    return position, tuple(prefixes)


def _form(query: str) -> re.Match[str] | None:
    """The query form's keyword, read after the prologue."""
    return _FORM.match(blank(query), _declared(query)[0])


def prologue(query: str) -> str:
    """The text before the query form's keyword (BASE, PREFIX, VERSION and comments); all of
    ``query`` when its form cannot be read."""
    form = _form(query)
    return query[:form.start()] if form else query


def declarations(query: str) -> str:
    """The BASE, PREFIX and VERSION declarations ``query`` starts with (strings and comments
    blanked): the prologue, the one place the parser reads a declaration. A PREFIX elsewhere
    declares nothing (``ex:a.PREFIXp: <…>`` is a prefixed name and an IRI)."""
    return blank(query)[:_declared(query)[0]]


def declared_prefixes(query: str) -> dict[str, str]:
    """The prefixes ``query``'s prologue declares: name → IRI as written (the last, where one
    is declared twice, as pyoxigraph takes it), read declaration by declaration, as the
    parser does. Text that reads as a declaration further on is none: ``?s ex:a.PREFIXp: <…>``
    took its IRI for ``p:`` until 6 Dec, and the allowlist let a SERVICE to the real ``p:``
    past; ``PREFIX €: <…>`` ended the prologue read, and a ``p:`` declared again after it was
    not seen, until 6 Dec too."""
    return dict(_declared(query)[1])


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, read after the prologue; None when unclear."""
    form = _form(query)
    return form.group(1).upper() if form else None


def ask_as_construct(query: str) -> str:
    """An ASK query with its keyword written ``CONSTRUCT {}`` (any other query as it is).

    The grammar after the keyword is the same (dataset clauses, WHERE, solution modifiers,
    VALUES), so the one parses when the other does; pyoxigraph evaluates an ASK as it parses
    it, SERVICE calls included, and a CONSTRUCT only when its triples are read."""
    form = _form(query)
    if form is None or form.group(1).upper() != "ASK":
        return query
    return query[:form.start()] + "CONSTRUCT {}" + query[form.end():]


#: A SELECT clause that is ``*`` (read after the keyword): ``*``, ``DISTINCT *``, ``REDUCED *``.
_STAR = re.compile(rf"{WS}*(?:{keyword_pattern('DISTINCT', 'REDUCED')}{WS}*)?\*")
#: A variable (VAR1, VAR2: VARNAME has no ``-`` or ``.``), not a prefixed name's ``\?``.
_VARIABLE = re.compile(rf"(?<!\\)[?$]([{_NAME_START}_0-9][{_NAME_START}_0-9\u00b7\u0300-\u036f"
                       rf"\u203f\u2040]*)")


def selected_order(query: str, names: Sequence[str]) -> list[str]:
    """``names``, the variables pyoxigraph gives a query's solutions, in the order a reader
    expects them: a ``SELECT *``'s in the order they first appear in the query, as Jena,
    Fuseki and Virtuoso give them (pyoxigraph sorts them by name: ``SELECT * { ?s ?p ?o }``
    gave o, p, s); another query's as given (its SELECT clause's order). pyoxigraph stays the
    authority on which variables there are; one not found in the text keeps its place after
    the others."""
    form = _form(query)
    if form is None or form.group(1).upper() != "SELECT" or not _STAR.match(
            blank(query), form.end()):
        return list(names)
    first: dict[str, int] = {}
    for variable in _VARIABLE.finditer(_expression_code(query)):
        first.setdefault(variable.group(1), variable.start())
    return sorted(names, key=lambda name: first.get(name, len(query)))


def update_keyword(query: str) -> str | None:
    """The update operation a text starts with (``INSERT``, ``CLEAR`` …), if it is one."""
    update = _UPDATE.match(blank(query), _declared(query)[0])
    return update.group(1).upper() if update else None


def has_dataset_clause(query: str) -> bool:
    """Whether the query names its own dataset with FROM / FROM NAMED: the keyword FROM between
    the query form and its WHERE clause, outside brackets, going on no name before it.
    pyoxigraph reads the keyword as its letters, space after it or not (``FROM<g>``,
    ``FROM€:g``); glued after a name's character it is part of the name (``?a·FROM``, a
    variable). Until 6 Dec FROM, white space and an ASCII prefix were looked for anywhere:
    ``FROM<g>`` was answered from the union of the graphs, its FROM overridden, and ``?s
    ?a·FROM <o>`` from the default graph alone."""
    form = _form(query)
    if form is None:
        return False
    code = _expression_code(query, form.end(), clause=True) if form.group(
        1).upper() == "SELECT" else _expression_code(query)
    describe = form.group(1).upper() == "DESCRIBE"
    template = form.group(1).upper() == "CONSTRUCT" and code[form.end():].lstrip(" \t\r\n")[:1] == "{"
    prefixes = declared_prefixes(query) if describe else {}
    depth = 0
    for token in _DATASET_TOKEN.finditer(code, form.end()):
        text = token.group()
        if text in "({":
            if text == "{" and depth == 0 and not template:
                return False  # the WHERE clause: no dataset clause after it
            depth += 1
        elif text in ")}":
            depth -= 1
            template = template and not (text == "}" and depth == 0)
        elif depth == 0 and (token.start() == form.end() or code[token.start() - 1] in _BEFORE_FROM):
            glued = _GLUED_NAME.match(code, token.start())
            if glued is None or glued.group()[:-1] not in prefixes:
                return True
    return False


#: What ends an operand in an expression (a variable, a prefixed name with its escapes, a
#: number, true or false, a language tag, a bracket closing; a blank node's label, which no
#: expression holds, read whole: its ``_`` is no keyword): a ``<`` after one is a less-than
#: sign, as the parser reads it, not the start of an IRI.
_OTHER_OPERANDS = (rf"[?$][{_NAME}]*|[0-9.]+(?:[eE][+-]?[0-9]+)?|(?ai:true|false)(?![{_NAME}])"
                   rf"|@[A-Za-z0-9\-]+|[)\]]|_:[{_NAME}.]*")
_OPERAND = re.compile(rf"(?:[{_NAME_START}][{_NAME}.]*)?:(?:[{_NAME}.:%]"
                      rf"|\\[_~.\-!$&'()*+,;=/?\#@%])*|{_OTHER_OPERANDS}")
#: ``_OPERAND`` where no prefixed name can start.
_NOT_PREFIXED = re.compile(_OTHER_OPERANDS)
#: A keyword or a function's name: an operand follows it.
_BARE_WORD = re.compile(f"[{_NAME_START}_][{_NAME}]*")
#: What a prefix's name before its colon may be: the name characters, dots among them. Where
#: no colon follows such a run, no prefixed name starts in it: ``a.a.a…`` was scanned to its
#: end from each of its names again, a 150 kB query read for a minute and a half (a
#: request's thread and a core held) until 6 Dec.
_PREFIX_RUN = re.compile(f"[{_NAME_START}][{_NAME}.]*")


def _expression_code(query: str, start: int = 0, *, clause: bool = False) -> str:
    """``query`` with strings, comments and IRIs blanked (as ``blank(query, iris=True)``) from
    ``start``, where a ``<`` in an expression after an operand compares, as the parser reads
    it; ``clause``: ``start`` is where a SELECT clause starts, and the code ends with it (at
    its first ``{`` outside brackets). Read as an IRI up to a later ``>`` (``((1<2))&&(3>2)``),
    its brackets were not counted and a FROM after it was taken for part of an expression, or
    a quote in it for a string's and a FROM in a string for the keyword, until 6 Dec: the
    answer came from the union of the graphs, its FROM overridden, or from the default graph
    alone; and a ``RAND()`` in it was text, and its answer cached. Brackets are read as what
    they open: an expression (a projection's, a call's, FILTER's …), where ``<`` may compare;
    a group, a collection or a triple term (``<<( … )>>``), where it opens an IRI. A bracket
    after ORDER BY, GROUP BY or HAVING, and a call's after FILTER and a function's IRI or
    prefixed name (``FILTER x:f(…)``), open an expression: read as a collection's until 6 Dec,
    300,000 levels after a ``<`` comparing in them were not counted, and killed the query
    process."""
    return _read_code(query, start, clause)[0]


@lru_cache(maxsize=32)
def _read_code(query: str, start: int = 0,
               clause: bool = False) -> tuple[str, tuple[tuple[int, str], ...], int | None]:
    """The code ``_expression_code`` reads, each word it read as a keyword or a function's
    name (not ``a``), with its offset, and the offset of the first term that follows another
    in an expression with nothing between them (``IN (?a ?b)``: no valid query has one), or
    None. One pass, linear in the length of ``query`` (runs of name characters and dots
    included: ``_PREFIX_RUN``). (Remembered, as ``blank``.)"""
    pieces = [blank(query, iris=True)[:start]]
    lexer = _Lexer(query)
    words: list[tuple[int, str]] = []
    juxtaposed: int | None = None
    last_word = ""  # the last keyword read (a VALUES clause's brackets hold variables)
    # what each open bracket opens: "expr", "terms", or "group" ("select" while a subquery's
    # SELECT clause is read, where a "(" opens an expression; "modifiers" after ORDER BY,
    # GROUP BY or HAVING, where one does too); the query's text first, or its SELECT clause
    frames = ["select" if clause else "group"]
    position, operand, keyword = start, False, False  # what the last token was
    # the last token was FILTER; the last token was a function's name after FILTER
    filtering = calling = False
    plain = 0  # where a run of name characters that no colon ends ends: no prefixed name before
    while position < len(query):
        char = query[position]
        compares = char == "<" and operand and frames[-1] == "expr"
        if char == "<" and not compares and query.startswith("<<", position):
            # a triple term or a reified triple opens: no IRI starts at its second "<"
            # (``<<(#a->``, a comment after it, read as the IRI ``<(#a->`` and its bracket
            # not counted until 6 Dec: a FROM after its ``)>>`` was read as inside brackets)
            pieces.append("<<")
            position += 2
            operand = keyword = filtering = calling = False
            continue
        read = None if compares else lexer.token(position)
        if read is not None:
            kind, end = read
            pieces.append(query[position:end] if kind == "escape" else " " * (end - position))
            if kind in ("string", "iri"):
                if operand and frames[-1] == "expr" and juxtaposed is None:
                    juxtaposed = position
                operand, keyword = True, False
            if kind != "comment":
                calling, filtering = filtering and kind == "iri", False
            position = end
            continue
        position += 1
        if char in " \t\r\n":
            pieces.append(char)
            continue
        if char in "({[":
            if char == "{" and len(frames) == 1 and clause:
                pieces.append(char)
                break
            if char != "(":
                frames[-1] = "group" if frames[-1] == "select" else frames[-1]
                frames.append("group")
            elif keyword and last_word == "VALUES":  # (its variables; after ORDER BY too)
                frames.append("terms")
            elif (frames[-1] in ("expr", "select", "modifiers") or calling) and query[
                    position - 3:position - 1] != "<<":
                frames.append("expr")
            else:
                frames.append("expr" if keyword else "terms")
            pieces.append(char)
            operand = keyword = filtering = calling = False
            continue
        if char in ")}]":
            if len(frames) > 1:
                frames.pop()
            pieces.append(char)
            operand, keyword, filtering, calling = True, False, False, False
            continue
        if position > plain and (run := _PREFIX_RUN.match(query, position - 1)) is not None \
                and not query.startswith(":", run.end()):
            plain = run.end()
        word = (_NOT_PREFIXED if position <= plain else _OPERAND).match(query, position - 1)
        bare = _BARE_WORD.match(query, position - 1) if word is None else None
        text = word.group() if word else bare.group() if bare else char
        if (word is not None and operand and frames[-1] == "expr" and juxtaposed is None
                and not text.startswith("@")):  # (a string's language tag follows it)
            juxtaposed = position - 1
        # a triple term's ``)>>`` ends an operand too
        operand = word is not None or text == "a" or query[position - 3:position] == ")>>"
        keyword = bare is not None and text != "a"
        calling = filtering and word is not None and text[:1] not in "?$"
        filtering = keyword and text.upper() == "FILTER"
        if keyword and text.upper() == "SELECT" and frames[-1] == "group":
            frames[-1] = "select"
        if keyword and text.upper() in ("BY", "HAVING") and frames[-1] == "group":
            frames[-1] = "modifiers"
        if keyword:
            words.append((position - 1, text))
            last_word = text.upper()
        pieces.append(text)
        position += len(text) - 1
    return "".join(pieces), tuple(words), juxtaposed


#: Functions whose value changes from one run of a query to the next (SPARQL 1.1 §17.4.2:
#: NOW, RAND, UUID, STRUUID; BNODE makes a fresh blank node each time), unless the name of a
#: variable or a prefixed name's local part. After a letter, the name may be a keyword
#: pyoxigraph reads glued to another (``ORDER BYRAND()``, cached until 6 Dec): taken for a
#: call, as a name ending so (``?xrand (``) is, it costs an answer not cached.
_VOLATILE = re.compile(
    rf"(?<![?$:]){keyword_pattern('NOW', 'RAND', 'UUID', 'STRUUID', 'BNODE')}{WS}*\(")


def is_volatile(query: str) -> bool:
    """Whether the query calls a function whose answer differs each run (not to be cached)."""
    return any(_VOLATILE.search(code) is not None
               for code in (blank(query, iris=True), _expression_code(query)))


def normalised(query: str) -> str:
    """The query with comments dropped and each run of whitespace outside literals and IRIs made
    one space: the same question typed differently gets the same cache entry. Where a ``<``
    may be read as an IRI's start or as comparing and the two readings differ, the query as it
    is: which quotes pair into strings then differs too (after ``<')>'``), and white space in a
    string was made one space, one key for two questions, until 6 Dec."""
    if _expression_code(query) != blank(query, iris=True):
        return query
    parts: list[str] = []
    code = ""
    position = 0
    for kind, start, end in _Lexer(query).tokens():
        code += query[position:start]
        position = end
        if kind == "comment":
            code += " "
            continue
        parts += [_WHITESPACE.sub(" ", code), query[start:end]]
        code = ""
    parts.append(_WHITESPACE.sub(" ", code + query[position:]))
    # SPARQL's white space alone: str.strip() took U+1680, a letter of a name, and U+00A0 …,
    # which the parser refuses, off the query's ends too (one key with the query without them)
    return "".join(parts).strip(" ")


#: The deepest nesting of brackets a query may have. pyoxigraph's parser and planner recurse
#: once a level: a query nested a few thousand levels deep overflows the thread's stack and
#: the process dies with it (SIGSEGV), whatever else it was running.
MAX_NESTING = 1000
#: A bracket in code (strings, comments and IRIs blanked): not one a prefixed name's escape
#: holds (``x:a\)``, the only place code has a backslash before one), which no parser counts.
#: Counted until 6 Dec, a run of ``\)`` hid as many levels from the limit, and killed the
#: query process.
_BRACKETS = re.compile(r"(?<!\\)[{}()\[\]]")
#: What nests for the parser: a bracket, or a triple term's ``<<`` and ``>>`` (RDF 1.2, which
#: pyoxigraph reads: ``<< ?s ?p << … >> >>``, ``<<( … )>>``), which it recurses into as into a
#: bracket. Not counted until 6 Dec: 20,000 ``<`` killed the query process. And a negation's
#: ``!`` (not ``!=``), which pyoxigraph reads glued to another (``!!!…!true``), recursing once
#: for each: not counted until 7 Dec, 300,000 of them (300 kB) killed the query process.
_NESTING = re.compile(r"<<|>>|(?<!\\)[{}()\[\]]|(?<!\\)!(?!=)")
#: What may stand between a negation's ``!`` and the bracket of its operand, which the ``!``
#: holds open with it (``!bound(``, ``! x:f (``): white space and a function's name.
_NEGATED_CALL = re.compile(rf"{WS}*(?:[^\W\d][{PN_CHARS}]*(?::[{PN_CHARS}]*)?{WS}*)?\Z")


def nesting_message(query: str) -> str | None:
    """Why a query nests too deep for the store's parser, if it does (brackets in strings,
    comments and IRIs do not count). The deeper of two readings counts: with a ``<`` read as
    an IRI's start, and read as comparing where an operand stands before it (``1<((…))>2``:
    300,000 levels in what was read as an IRI were not counted, and killed the query process,
    until 6 Dec). A negation's ``!`` is a level too, while its operand is read: up to the
    next bracket or, where that is its operand's (``!(``, ``!bound(``), to the bracket's end."""
    deepest = 0
    for code in (blank(query, iris=True), _expression_code(query)):
        depth, negations, end = 0, 0, 0
        held: list[int] = []  # the levels each open bracket holds: itself and the ! before it
        for nested in _NESTING.finditer(code):
            token = nested.group()
            if negations and not _NEGATED_CALL.match(code[end:nested.start()]):
                negations = 0
            end = nested.end()
            if token == "!":
                negations += 1
                deepest = max(deepest, depth + negations)
            elif token in ("{", "(", "[", "<<"):
                held.append(1 + negations)
                depth += held[-1]
                negations = 0
                deepest = max(deepest, depth)
            else:
                depth -= held.pop() if held else 1
                negations = 0
    if deepest <= MAX_NESTING:
        return None
    return (f"the query nests {deepest:,} levels of brackets ({{ }}, ( ), [ ], << >>) and "
            f"negations (!) deep; at most {MAX_NESTING:,} are taken (deeper, the parser would "
            f"run out of stack)")


def syntax_message(query: str, error: SyntaxError) -> str:
    """pyoxigraph's parse error, in words a user acts on where its own are a grammar dump:
    each undeclared prefix is named, with the IRI this endpoint's pages use for it if it is
    one; else the first of: a rule the query breaks (pyoxigraph's own sentence, which it lists
    among the tokens it expected), an IRI that is not one, a string left open, a word that is
    no SPARQL keyword (with the keyword it is likely a typo of), a bracket left open or closing
    nothing; else what pyoxigraph expected, without its character classes."""
    text = str(error)
    code = blank(query, iris=True)
    # the prologue's (a PREFIX elsewhere declares nothing), and one it ends at, whose IRI is
    # broken (``PREFIX ex: <http://e/`` unclosed): that is the fault to name, not ``ex:``
    declared = set(declared_prefixes(query))
    broken = _BROKEN_PREFIX.match(code, _declared(query)[0])
    declared |= {broken.group(1)} if broken else set()
    named: dict[str, str] = {}
    # where the parser stopped for the '>' that closes an IRI, ``<urn:a`` is that IRI left
    # open, not the name ``urn:a`` after a less-than (its prefix was blamed, until 6 Dec)
    open_iri = '">"' in text
    for used in _PREFIXED.finditer(code):
        prefix = used.group(1) or ""
        if open_iri and used.start() > 0 and code[used.start() - 1] == "<":
            continue
        if prefix not in declared and prefix not in named:
            known = PREFIXES.get(prefix)
            hint = f"PREFIX {prefix}: <{known}>" if known else f"PREFIX {prefix}: <…>"
            line = code.count("\n", 0, used.start()) + 1
            named[prefix] = (f"the prefix '{prefix}:' of {used.group()} (line {line}) is not "
                             f"declared: add {hint} before the query")
    # pyoxigraph says "Prefix not found" only where a triple pattern uses it; in a function
    # call or a BIND it says what it expected there instead
    if named:
        return "; ".join(named.values())
    parsed = _PARSER_ERROR.fullmatch(text.strip())
    if parsed is None:
        return text
    place, expected = parsed.group(1), parsed.group(2)
    items = [item.strip() for item in _EXPECTED_ITEM.findall(expected) if item.strip()]
    rules = [item for item in items if " " in item and item[0].isupper() and item not in _NOT_RULES]
    reason = (_bad_iri(query) or _open_string(code) or _open_iri(query)
              or _past_the_end(code, place, update=update_keyword(query) is not None)
              or "; ".join(rule.rstrip(".") + _RULE_HINTS.get(rule, "") for rule in rules)
              or (_count_missing(code, place) if _DIGIT in items else "") or _bare_aggregate(code)
              or _juxtaposed(query) or _unknown_word(query) or _unbalanced(code)
              or _bind_in_scope(code) or _missing_object(query, place))
    if reason:  # one that names its own place is not given the parser's too (two positions)
        return reason if _NAMED_PLACE.search(reason) else f"error at {place}: {reason}"
    tokens = [item for item in items if not item.startswith("[") and item not in _NOT_RULES
              and item != "<unreported>"]
    near = _near(query, place)
    return (f"error at {place}: not valid SPARQL" + (f" {near}" if near else "")
            + (("; expected " + ("one of " if len(tokens) > 1 else "") + ", ".join(tokens))
               if tokens else ""))


#: The character class pyoxigraph lists where it expected a digit.
_DIGIT = "['0'..='9']"
#: LIMIT or OFFSET ending the code before the place pyoxigraph stopped.
_COUNTED = re.compile(rf"(?<![\w?$:.\-])({keyword_pattern('LIMIT', 'OFFSET')})\s*\Z")


def _count_missing(code: str, place: str) -> str:
    """A LIMIT or OFFSET not followed by a whole number, where pyoxigraph stopped expecting a
    digit (``code``: comments blanked). Its list of what it expected dropped the digit, a
    character class, and named other keywords: ``LIMIT ?n`` was "expected one of HAVING,
    OFFSET, OPTIONAL, VALUES", ``OFFSET x`` a word that is no keyword, until 6 Dec."""
    stop = _offset(code, place)
    if stop is None:
        return ""
    counted = _COUNTED.search(code, 0, stop)
    if counted is None:
        return ""
    return (f"{counted.group(1).upper()} at {_position(code, counted.start())} takes a whole "
            f"number, such as {counted.group(1).upper()} 10")


#: A term of a triple pattern as written: its strings and IRIs whole (they may hold spaces), a
#: literal with its language or datatype, a prefixed name, a variable, a path.
_TERM = re.compile(r"""(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|<[^<>\s]*>|[^\s"'<])+""")
#: What opens a graph pattern's statement that is no triple pattern.
_NOT_TRIPLES = re.compile(r"(?i)(?:FILTER|OPTIONAL|BIND|VALUES|MINUS|GRAPH|SERVICE|UNION|SELECT)\b")
#: What ends a statement of a graph pattern: '{', ';', or a '.' that ends one (not a decimal's
#: point, 1.5, nor one inside a prefixed name, ex:a.b: white space, '}', '#' or the end follow).
_STATEMENT_MARK = re.compile(r"[{;]|\.(?=[\s}#]|\Z)")


def _missing_object(query: str, place: str) -> str:
    """A triple pattern of a subject and a predicate alone, ``{ ?s ?p }``, or a predicate after
    ';' without its object, where pyoxigraph stopped at the '}', '.' or ';' after it: it said
    "expected one of LATERAL, SERVICE" (a browser trial's), or listed the characters a term
    may begin with."""
    code = blank(query, iris=True)
    stop = _offset(code, place)
    # (pyoxigraph names the mark, or the character after it)
    end = next((at for at in (stop, (stop or 0) - 1) if at is not None and 0 <= at < len(code)
                and (code[at] == "}" or _STATEMENT_MARK.match(code, at))), None)
    if end is None:
        return ""
    while True:  # back over statements that hold nothing ("?s ?p . }")
        marks = [found.start() for found in _STATEMENT_MARK.finditer(code, 0, end)]
        if not marks:
            return ""
        mark = marks[-1]
        if code[mark + 1:end].strip() or code[mark] == "{":
            break
        end = mark
    # the terms as written, comments aside (strings and IRIs, which may hold spaces, whole)
    terms = _TERM.findall(blank(query, strings=False), mark + 1, end)
    if (not terms or _NOT_TRIPLES.match(terms[0])
            or any(set(term) & set("{}[]()#") and term[0] not in "\"'<" for term in terms)):
        return ""
    at = _position(code, query.index(terms[0], mark + 1))
    if code[mark] == ";" and len(terms) == 1:
        return (f"the predicate {terms[0]} after ';' at {at} has no object: each predicate a "
                "';' adds takes one (?s ?p ?o ; ?q ?o2)")
    if code[mark] in "{." and len(terms) == 2:
        return (f"the triple pattern '{' '.join(terms)}' at {at} has no object: a triple "
                "pattern is a subject, a predicate and an object (?s ?p ?o)")
    return ""


def _offset(code: str, place: str) -> int | None:
    """The offset in ``code`` of pyoxigraph's LINE:COLUMN (columns from 1), if it has one."""
    line, column = (int(n) for n in place.split(":"))
    starts = [0] + [found.end() for found in re.finditer("\n", code)]
    if line > len(starts):
        return None
    return min(starts[line - 1] + column - 1, len(code))


#: A bracket, a ';' or ',', or a '.' that only white space follows (the text's last mark).
_ENDING_MARK = re.compile(r"(?<!\\)[{}()\[\];,]|\.(?=\s*\Z)")


def _past_the_end(code: str, place: str, *, update: bool = False) -> str:
    """A ';' or ',' outside every bracket (where a query has none), or a '.' after the query's
    last clause, before where pyoxigraph stopped (``code``: strings, comments and IRIs
    blanked). pyoxigraph reads on past them for a next operation, as in an update, and said
    "error at 1:9: not valid SPARQL; expected one of DESCRIBE, FROM" for ``ASK {} ;``, until
    6 Dec, or blamed a place in a second query after the ';'. In an ``update`` a ';' separates
    its operations: the fault is elsewhere (the ';' was named, whatever followed it, until a
    review of 6 Dec)."""
    stop = _offset(code, place)
    depth = 0
    for mark in _ENDING_MARK.finditer(code):
        if stop is not None and mark.start() >= stop:
            return ""
        if mark.group() in "{([":
            depth += 1
        elif mark.group() in ")}]":
            depth = max(depth - 1, 0)
        elif depth == 0 and mark.group() == ";" and not update:
            return (f"the ';' at {_position(code, mark.start())} is outside the query's braces, "
                    "where SPARQL takes none: a request carries one query (a ';' separates "
                    "only the operations of an update), and inside { } a ';' continues a "
                    "triple pattern")
        elif depth == 0 and mark.group() == ",":  # SQL's habit
            return (f"the ',' at {_position(code, mark.start())} is outside the query's braces "
                    "and brackets, where SPARQL takes none: it separates selected variables, "
                    "and the terms of GROUP BY and ORDER BY, with spaces")
        elif depth == 0 and mark.group() == ".":
            return (f"the '.' at {_position(code, mark.start())} follows the query's end: "
                    "nothing comes after its last clause")
    return ""


#: An aggregate in a SELECT clause without the parentheses and AS that SPARQL selects it with.
_BARE_AGGREGATE = re.compile(
    rf"{keyword_pattern('SELECT')}\s+(?:{keyword_pattern('DISTINCT', 'REDUCED')}\s+)?"
    rf"(?:[?$][^\s(){{}}?$]*\s*)*"  # (a name ends at the next ?: one way to read a run)
    rf"({keyword_pattern('COUNT', 'SUM', 'AVG', 'MIN', 'MAX', 'SAMPLE', 'GROUP_CONCAT')})\s*\(")


def _bare_aggregate(code: str) -> str:
    """An aggregate selected as SQL selects one, ``SELECT COUNT(?s)`` (``code``: strings,
    comments and IRIs blanked): pyoxigraph said "expected DISTINCT" there until 6 Dec."""
    bare = _BARE_AGGREGATE.search(code)
    if bare is None:
        return ""
    word = bare.group(1).upper()
    return (f"{word}(…) at {_position(code, bare.start(1))} is selected without parentheses: "
            f"SPARQL selects an expression in parentheses, named with AS: ({word}(…) AS "
            f"?{word.lower()})")


#: A reason that names where the fault is ("… at line 1, column 29 …").
_NAMED_PLACE = re.compile(r"\bat line \d+, column \d+")
#: pyoxigraph's parse error: "error at LINE:COLUMN: expected …".
_PARSER_ERROR = re.compile(r"error at (\d+:\d+): expected (?:one of )?(.*)", re.DOTALL)
#: One item of its list: a quoted token, a character class (which may hold ", "), a word or a
#: sentence (a rule the query breaks, such as "Duplicated variable name in SELECT").
_EXPECTED_ITEM = re.compile(r"""("(?:[^"\\]|\\.)*"|\[(?:[^\]'\\]|'(?:[^'\\]|\\.)*')*\]|[^,\[]+)""")
#: Sentences in pyoxigraph's list that are not rules of SPARQL but its reading of an IRI.
_NOT_RULES = ("IRI parsing failed",)
_RULE_HINTS = {
    "The SELECT contains a variable that is unbound": (
        ": with GROUP BY or an aggregate such as COUNT, each variable selected must be "
        "grouped by, or inside an aggregate (SAMPLE(?x))"),
    "SELECT * is not authorized with GROUP BY": ": name the variables to select",
}
#: SPARQL 1.1's keywords (those of rdflib's grammar) and SPARQL 1.2's that pyoxigraph reads.
KEYWORDS = frozenset("""
    ABS ADD ALL AS ASC ASK AVG BASE BIND BNODE BOUND BY CEIL CLEAR COALESCE CONCAT CONSTRUCT
    CONTAINS COPY COUNT CREATE DATA DATATYPE DAY DEFAULT DELETE DESC DESCRIBE DISTINCT DROP
    ENCODE_FOR_URI EXISTS FALSE FILTER FLOOR FROM GRAPH GROUP GROUP_CONCAT HAVING HOURS IF IN
    INSERT INTO IRI ISBLANK ISIRI ISLITERAL ISNUMERIC ISURI LANG LANGMATCHES LCASE LIMIT LOAD
    MAX MD5 MIN MINUS MINUTES MONTH MOVE NAMED NOT NOW OFFSET OPTIONAL ORDER PREFIX RAND
    REDUCED REGEX REPLACE ROUND SAMETERM SAMPLE SECONDS SELECT SEPARATOR SERVICE SHA1 SHA256
    SHA384 SHA512 SILENT STR STRAFTER STRBEFORE STRDT STRENDS STRLANG STRLEN STRSTARTS STRUUID
    SUBSTR SUM TIMEZONE TO TRUE TZ UCASE UNDEF UNION URI USING UUID VALUES WHERE WITH YEAR
    ADJUST HASLANG HASLANGDIR ISTRIPLE LANGDIR LATERAL OBJECT PREDICATE STRLANGDIR SUBJECT
    TRIPLE VERSION""".split())
def _position(code: str, offset: int) -> str:
    line = code.count("\n", 0, offset) + 1
    return f"line {line}, column {offset - (code.rfind(chr(10), 0, offset) + 1) + 1}"


#: Words of SQL and other query languages for what SPARQL writes as an operator.
_OPERATOR_WORDS = {"AND": "&&", "OR": "||"}


def _juxtaposed(query: str) -> str:
    """A term in an expression that follows another with nothing between them (``IN (<a>
    <b>)``, ``IN (?a ?b)``, ``CONCAT(?a ?b)``): no valid query has one. The terms of a list
    (``IN ( … )``, a call's arguments) are separated by commas; others are joined by an
    operator. A term in ``< >`` after one in an expression is read as a ``<`` comparing, as
    the parser reads it: an IRI that is such a term is named as the IRI it was meant to be
    (its host was named a word that is no keyword)."""
    code, _, offset = _read_code(query)
    plain = blank(query, iris=True)
    # (after white space, and before what no comparison's right side begins with: ``?a
    # <ex:b&&?c>1`` compares, and is valid)
    inside_iri = next((match for match in _IRI_SHAPED.finditer(query)
                       if plain[match.start()] == " " and code[match.start()] == "<"
                       and query[match.start() - 1:match.start()].isspace()
                       and _AFTER_A_TERM.match(query, match.end())), None)
    if inside_iri is not None and (offset is None or inside_iri.start() < offset):
        offset = inside_iri.start()
    if offset is None:
        return ""
    term = (inside_iri.group() if inside_iri is not None and inside_iri.start() == offset
            else _SHOWN_TERM.match(query, offset).group())  # type: ignore[union-attr]
    shown = term if len(term) <= 30 else term[:30] + "…"
    return (f"{shown} at {_position(query, offset)} follows another term with nothing between "
            "them: the terms of a list (IN ( … ), a function's arguments) are separated by "
            "commas, and others joined by an operator")


#: An IRI in ``< >`` as SPARQL's lexer reads one out of context (an absolute one: a scheme).
_IRI_SHAPED = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*:[^<>\"{}|^`\\\x00-\x20]*>")
#: What may follow an IRI that follows another term (a bracket or a comma closing the list, an
#: operator, another IRI, the end), and no comparison's ``>`` is followed by.
_AFTER_A_TERM = re.compile(r"\s*(?:[)\],;}<&|=]|\Z)")
#: A term as a message shows it: up to white space or a bracket.
_SHOWN_TERM = re.compile(r"[^\s(){}\[\],]+|.")


def _unknown_word(query: str) -> str:
    """The first word in ``query``'s code that is no SPARQL keyword, and the keyword it may be
    a typo of: only keywords stand bare in SPARQL (names are variables, IRIs or prefixed
    names). The words are those the shared reader read (``_read_code``): a lexer of its own
    took a variable or a prefixed name holding a character Python has for no letter
    (``?a€b``, ``ex:a\\~b``) for a name and a word after it, and blamed the word, and read a
    40 kB run of dots and names (``a.a.a.…``) in 4 s, from each of its characters to its end,
    until 6 Dec."""
    for offset, word in _read_code(query)[1]:
        if word.upper() not in KEYWORDS:
            close = difflib.get_close_matches(word.upper(), KEYWORDS, n=1, cutoff=0.7)
            guess = f" (did you mean {close[0]}?)" if close else (
                " (a name is written ?var, <iri> or prefix:name)")
            if word.upper() in _OPERATOR_WORDS:  # (AND was "did you mean RAND?")
                guess = f" (SPARQL writes {word.upper()} as {_OPERATOR_WORDS[word.upper()]})"
            shown = word if len(word) <= 30 else word[:30] + "…"  # (as ``_near`` cuts)
            return f"'{shown}' at {_position(query, offset)} is not a SPARQL keyword{guess}"
    return ""


def _open_string(code: str) -> str:
    """A quote that opens no string closed on its line (``code``: strings, comments and IRIs
    blanked)."""
    quote = re.search("[\"']", code)
    if quote is None:
        return ""
    return (f"the string opened at {_position(code, quote.start())} is not closed on its line "
            "(a string in quotes ends on its line; \"\"\"three quotes\"\"\" span lines)")


#: An IRI with a character no IRI holds: IRIREF's, and C1 controls (not U+00A0, U+3000 …,
#: which an IRI may hold, and Python's ``\s`` took for spaces).
_BAD_IRI = re.compile(r"<([^<>\x00-\x20]*:[^<>]*?[\x00-\x20\x7f-\x9f\"{}|^`\\][^<>]*)>")


def _bad_iri(query: str) -> str:
    """An IRI in ``< >`` that holds a character an IRI may not (a space, a quote …)."""
    code = blank(query)
    bad = _BAD_IRI.search(code)
    if bad is None:
        return ""
    return (f"<{bad.group(1)}> at {_position(code, bad.start())} is not an IRI: a space, "
            "a quote or any of {}|^`\\ in it must be %-encoded (a space as %20)")


def _open_iri(query: str) -> str:
    """An IRI not closed by ``>``, or one that has lost its brackets."""
    code = blank(query)
    for opened in _OPEN_IRI.finditer(code):
        if not code.startswith(">", opened.end()):
            return (f"the IRI {opened.group()} at {_position(code, opened.start())} is not "
                    "closed by '>'")
    bare = _BARE_IRI.search(blank(query, iris=True))
    if bare is not None:
        return (f"{bare.group()}… at {_position(code, bare.start())} is an IRI without its "
                "brackets: write it <in angle brackets>")
    return ""


#: ``<`` and a scheme (``<http:``): an IRI begins (a less-than sign is followed by no scheme).
_OPEN_IRI = re.compile(r"<[A-Za-z][\w+.\-]*:[^<>\"{}|^`\\\x00-\x20]*")
#: A scheme starts at no character a scheme holds (``+`` included): tried from each letter of
#: a run such as ``a+a+a+…``, it read the run to its end each time, 5 s for 40 kB until 6 Dec.
_BARE_IRI = re.compile(r"(?<![<\w+.\-:])[A-Za-z][\w+.\-]*://[^\s<>]{0,30}")


#: What the BIND reader reads: a bracket, a keyword that changes what a variable is (one a
#: FILTER or a BIND's expression uses is not brought into scope, nor a SERVICE's endpoint; a
#: MINUS, EXISTS or subquery's group brings none into the group around it), and a variable.
_SCOPE_WORDS = keyword_pattern("BIND", "FILTER", "MINUS", "EXISTS", "SELECT", "AS", "SERVICE")
_SCOPE_TOKEN = re.compile(
    rf"[{{}}()]|(?<![\w?$:.\-]){_SCOPE_WORDS}(?![\w:\-])|{_VARIABLE.pattern}")


@dataclass
class _Group:
    """A group graph pattern the BIND reader is in: the variables in scope so far, whether its
    own stay inside it (``hidden``), and its brackets: ``filter`` and ``bind`` for an
    expression's, ``plain`` for others (a collection's, VALUES')."""

    hidden: bool
    variables: set[str] = field(default_factory=set)
    brackets: list[str] = field(default_factory=list)
    expressions: int = 0
    pending: str = ""
    bind: int = 0
    assigned: str = ""
    after_as: bool = False
    fresh: bool = True


def _bind_in_scope(code: str) -> str:
    """A BIND that assigns a variable already in scope in its group (SPARQL 1.1 §18.2.1: a BIND
    brings a new variable), read in ``code`` (strings, comments and IRIs blanked) in one pass.
    Until 6 Dec that was "error at 1:36: not valid SPARQL"; and until the same day's review it
    was found only where pyoxigraph stopped at the group's closing brace, which it does not
    when anything follows the group (``} LIMIT 1``, a comment, a space before a line break:
    "expected OPTIONAL"). A variable a FILTER or an expression uses, a SERVICE's endpoint, or
    one of a MINUS, EXISTS or subquery's group, is not in scope, so it is not counted."""
    groups: list[_Group] = []
    word = ""
    for token in _SCOPE_TOKEN.finditer(code):
        text = token.group()
        kind = text.upper() if text[0] not in "?$" else "?"
        if kind == "{":
            outer = groups[-1] if groups else None
            groups.append(_Group(hidden=word in ("MINUS", "EXISTS") or bool(
                outer and outer.expressions)))
            if outer is not None:
                outer.pending = ""
            word = ""
            continue
        word = kind
        if not groups:
            continue
        group = groups[-1]
        after_as, group.after_as = group.after_as, False
        if group.fresh and kind == "SELECT":
            group.hidden = True
        group.fresh = False
        if kind == "}":
            groups.pop()
            if groups and not group.hidden:
                outer = groups[-1]
                if len(outer.variables) < len(group.variables):
                    outer.variables, group.variables = group.variables, outer.variables
                outer.variables |= group.variables
        elif kind == "SERVICE":
            group.pending = "service"
        elif kind in ("FILTER", "BIND"):
            group.pending, group.bind = kind.lower(), token.start()
        elif kind == "(":
            label, group.pending = group.pending or "plain", ""
            group.brackets.append(label)
            group.expressions += label != "plain"
        elif kind == ")" and group.brackets:
            label = group.brackets.pop()
            group.expressions -= label != "plain"
            if label == "bind" and group.assigned:
                name, group.assigned = group.assigned, ""
                if name in group.variables:
                    return (f"BIND(… AS ?{name}) at {_position(code, group.bind)} assigns "
                            f"?{name}, which its group uses before it: a BIND brings a new "
                            "variable (SPARQL 1.1, section 18.2.1); assign another, and compare "
                            "the two with FILTER if they must be equal")
                group.variables.add(name)
        elif kind == "AS":
            group.after_as = bool(group.brackets) and group.brackets[-1] == "bind"
        elif kind == "?":
            if after_as:
                group.assigned = token.group(1)
            elif group.pending == "service":  # SERVICE ?endpoint: not in scope
                group.pending = ""
            elif not group.expressions:
                group.variables.add(token.group(1))
    return ""


def _unbalanced(code: str) -> str:
    """A bracket left open, or one that closes nothing."""
    opened: list[tuple[str, int]] = []
    pairs = {"}": "{", ")": "(", "]": "["}
    for match in _BRACKETS.finditer(code):
        bracket = match.group()
        if bracket in "{([":
            opened.append((bracket, match.start()))
        elif opened and opened[-1][0] == pairs[bracket]:
            opened.pop()
        elif opened:
            return (f"the '{opened[-1][0]}' at {_position(code, opened[-1][1])} is not closed "
                    f"before the '{bracket}' at {_position(code, match.start())}")
        else:
            return f"the '{bracket}' at {_position(code, match.start())} closes nothing"
    if opened:
        bracket, offset = opened[-1]
        return f"the '{bracket}' at {_position(code, offset)} is not closed"
    return ""


def _near(query: str, place: str) -> str:
    """The words of ``query`` where pyoxigraph stopped (LINE:COLUMN, columns from 1), unless
    that is its end (where it stops for many a fault before it)."""
    line, column = (int(n) for n in place.split(":"))
    lines = query.split("\n")
    if line > len(lines):
        return ""
    text = lines[line - 1][max(column - 1, 0):].strip()
    if not text:
        return ""
    return f"near '{text if len(text) <= 30 else text[:30] + '…'}'"
