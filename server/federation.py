"""SERVICE federation only to allowed endpoints: every target is checked before a query runs.

pyoxigraph follows ``SERVICE <…>`` over HTTP (loopback included), so a public endpoint must not
run a query that names any other endpoint. The targets are read from the text outside strings,
comments and IRIs: in SPARQL a bare word SERVICE is only ever the keyword (a variable, prefixed
name or blank node label carries ``?``, ``$`` or ``:``), and the keyword is followed by the
target, an IRI, a prefixed name or a variable. Every SERVICE keyword must be followed by an
allowed target. (rdflib's parser found them until 3 Dec: it took minutes on a long query, in
the web worker, outside the query's time limit, whenever the word occurred, even in a comment.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from kg.querytext import PN_CHARS, blank
from server.executor import Failure

#: Endpoints a query may name in SERVICE unless the operator sets EVKG_SERVICE_ALLOWLIST.
DEFAULT_ALLOWLIST = (
    "https://id.nlm.nih.gov/mesh/sparql",
    "https://sparql.uniprot.org/sparql",
    "https://query.wikidata.org/sparql",
)
_KEYWORD = re.compile(r"(?<![\w?$:])SERVICE(?![\w:\-])", re.IGNORECASE)
_TARGET = re.compile(
    r"\s*(?:SILENT\s*)?(?:<(?P<iri>[^<>\"{}|^`\\\x00-\x20]*)>"
    rf"|(?P<prefix>[^\W\d_][{PN_CHARS}]*)?:(?P<local>[\w.:%\-]*)|(?P<var>[?$]\w+))"
    r"(?=[\s{])",  # a target read whole: an escape (``u:\@host``) is not read past
    re.IGNORECASE)
_DECLARATION = re.compile(
    rf"(?<![\w?$:])(?:PREFIX\s*(?P<prefix>[^\W\d_][{PN_CHARS}]*)?:\s*<(?P<iri>[^>]*)>"
    r"|BASE\s*<(?P<base>[^>]*)>)", re.IGNORECASE)
#: SERVICE followed by a comment or a variable inside what reads as an IRI: where its ``<`` is a
#: less-than sign (``FILTER(?n<2)SERVICE#>`` and the target on the next line), the parser reads
#: a SERVICE keyword there; a lexer cannot tell the two apart, so such a query is refused.
_HIDDEN = re.compile(r"<[^<>\"{}|^`\\\x00-\x20]*?(?<![\w?$:])SERVICE[#?$]", re.IGNORECASE)
_ABSOLUTE = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:")


@dataclass(frozen=True)
class Target:
    """What follows one SERVICE keyword: an absolute IRI, or why it cannot be checked."""

    iri: str | None
    problem: str | None = None


def parse_allowlist(value: str | Sequence[str]) -> tuple[str, ...]:
    """The allowlist from a setting: comma-separated IRIs, or a list of them."""
    items = value.split(",") if isinstance(value, str) else list(value)
    return tuple(item.strip() for item in items if item.strip())


def _absolute(iri: str, written: str) -> Target:
    if _ABSOLUTE.match(iri):
        return Target(iri)
    return Target(None, f"SERVICE target {written} is not an absolute IRI; write the endpoint "
                        "in full, e.g. SERVICE <https://sparql.uniprot.org/sparql>")


def service_targets(query: str) -> list[Target]:
    """Every SERVICE target of ``query``, read from its text outside strings, comments and
    IRIs."""
    code = blank(query)
    keywords = blank(query, iris=True)
    prefixes = {m.group("prefix") or "": m.group("iri") for m in _DECLARATION.finditer(code)
                if m.group("iri") is not None}
    targets: list[Target] = []
    hidden = _HIDDEN.search(code)
    if hidden is not None:
        targets.append(Target(None, f"{hidden.group()[:60]}… may be read as a less-than sign "
                                    "before a SERVICE keyword; put spaces around '<' where it "
                                    "compares"))
    for keyword in _KEYWORD.finditer(keywords):
        match = _TARGET.match(code, keyword.end())
        if match is None:
            targets.append(Target(None, "a SERVICE keyword whose endpoint cannot be read"))
        elif match.group("iri") is not None:
            targets.append(_absolute(match.group("iri"), f"<{match.group('iri')}>"))
        elif match.group("var"):
            targets.append(Target(None, f"SERVICE {match.group('var')} names its endpoint "
                                        "with a variable; name an allowed endpoint instead"))
        else:
            prefix, local = match.group("prefix") or "", match.group("local")
            if prefix not in prefixes:
                targets.append(Target(None, f"SERVICE {prefix}:{local} uses an undeclared prefix"))
            else:
                targets.append(_absolute(prefixes[prefix] + local, f"{prefix}:{local}"))
    return targets


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
