"""What can be read from a query's text without parsing it: its form, dataset clause, cache key.

A light lexer finds string literals, IRIs and comments (following the SPARQL 1.1 grammar's
terminals), so that keywords are looked for only in the code around them. pyoxigraph stays the
authority on syntax: these helpers only steer negotiation, the dataset and the cache.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.namespaces import PREFIXES

_TOKENS = re.compile(
    r"""(?P<string>'''(?:(?:'|'')?(?:[^'\\]|\\.))*'''
        |\"\"\"(?:(?:"|"")?(?:[^"\\]|\\.))*\"\"\"
        |'(?:[^'\\\n\r]|\\.)*'
        |"(?:[^"\\\n\r]|\\.)*")
      |(?P<iri><[^<>"{}|^`\\\x00-\x20]*>)
      |(?P<comment>\#[^\n\r]*)""",
    re.VERBOSE | re.DOTALL,
)
_PROLOGUE = re.compile(
    r"""\A(?:\s+|BASE\s*<[^>]*>|PREFIX\s*[\w.\-]*:\s*<[^>]*>|VERSION\b)*""", re.IGNORECASE)
_FORM = re.compile(r"(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_UPDATE = re.compile(
    r"(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.IGNORECASE)
#: FROM or FROM NAMED followed by an IRI or a prefixed name: the query sets its own dataset.
_FROM = re.compile(r"(?<![\w?$:])FROM\s+(?:NAMED\s+)?(?:<|[^\W\d][\w.\-]*:|:)", re.IGNORECASE)
_WHITESPACE = re.compile(r"\s+")
_DECLARED = re.compile(r"PREFIX\s*([^\W\d_][\w.\-]*)?:", re.IGNORECASE)
#: A prefixed name in code (not a variable's ``?x``, not inside an IRI or string, once blanked;
#: not ``http://`` of an IRI or string left open, which is the error then).
_PREFIXED = re.compile(r"(?<![\w?$:.\-])([^\W\d_][\w.\-]*)?:(?!/)[\w\-.%]*")


@lru_cache(maxsize=32)
def blank(text: str, *, iris: bool = False) -> str:
    """``text`` with strings and comments (and IRIs, if asked) replaced by spaces, offsets kept.

    Remembered: one request asks it of the same query several times (its form, its dataset
    clause, its SERVICE targets), and clients repeat their queries. Few entries: a query may be
    as long as the request body limit."""
    kinds = ("string", "comment", "iri") if iris else ("string", "comment")

    def spaces(match: re.Match[str]) -> str:
        return " " * len(match.group()) if match.lastgroup in kinds else match.group()

    return _TOKENS.sub(spaces, text)


def query_form(query: str) -> str | None:
    """SELECT, ASK, CONSTRUCT or DESCRIBE, read after the prologue; None when unclear."""
    code = blank(query)
    prologue = _PROLOGUE.match(code)
    form = _FORM.match(code, prologue.end() if prologue else 0)
    return form.group(1).upper() if form else None


def update_keyword(query: str) -> str | None:
    """The update operation a text starts with (``INSERT``, ``CLEAR`` …), if it is one."""
    code = blank(query)
    prologue = _PROLOGUE.match(code)
    update = _UPDATE.match(code, prologue.end() if prologue else 0)
    return update.group(1).upper() if update else None


def has_dataset_clause(query: str) -> bool:
    """Whether the query names its own dataset with FROM / FROM NAMED."""
    return _FROM.search(blank(query)) is not None


def normalised(query: str) -> str:
    """The query with comments dropped and each run of whitespace outside literals and IRIs made
    one space: the same question typed differently gets the same cache entry."""
    parts: list[str] = []
    code = ""
    position = 0
    for match in _TOKENS.finditer(query):
        code += query[position:match.start()]
        position = match.end()
        if match.lastgroup == "comment":
            code += " "
            continue
        parts += [_WHITESPACE.sub(" ", code), match.group()]
        code = ""
    parts.append(_WHITESPACE.sub(" ", code + query[position:]))
    return "".join(parts).strip()


#: The deepest nesting of brackets a query may have. pyoxigraph's parser and planner recurse
#: once a level: a query nested a few thousand levels deep overflows the thread's stack and
#: the process dies with it (SIGSEGV), whatever else it was running.
MAX_NESTING = 1000
_BRACKETS = re.compile(r"[{}()\[\]]")


def nesting_message(query: str) -> str | None:
    """Why a query nests too deep for the store's parser, if it does (brackets in strings,
    comments and IRIs do not count)."""
    depth = deepest = 0
    for bracket in _BRACKETS.findall(blank(query, iris=True)):
        depth += 1 if bracket in "{([" else -1
        deepest = max(deepest, depth)
    if deepest <= MAX_NESTING:
        return None
    return (f"the query nests {deepest:,} levels of brackets ({{ }}, ( ), [ ]) deep; at most "
            f"{MAX_NESTING:,} are taken (deeper, the parser would run out of stack)")


def syntax_message(query: str, error: SyntaxError) -> str:
    """pyoxigraph's parse error, in words a user acts on where its own are a grammar dump:
    each undeclared prefix is named, with the IRI this endpoint's pages use for it if it is
    one."""
    text = str(error)
    code = blank(query, iris=True)
    declared = {m.group(1) or "" for m in _DECLARED.finditer(code)}
    named: dict[str, str] = {}
    for used in _PREFIXED.finditer(code):
        prefix = used.group(1) or ""
        if prefix not in declared and prefix not in named:
            known = PREFIXES.get(prefix)
            hint = f"PREFIX {prefix}: <{known}>" if known else f"PREFIX {prefix}: <…>"
            line = code.count("\n", 0, used.start()) + 1
            named[prefix] = (f"the prefix '{prefix}:' of {used.group()} (line {line}) is not "
                             f"declared: add {hint} before the query")
    # pyoxigraph says "Prefix not found" only where a triple pattern uses it; in a function
    # call or a BIND it says what it expected there instead
    return "; ".join(named.values()) if named else text
