"""miRNA names as written in papers → miRBase-style keys (``microRNA-21`` → ``hsa-miR-21``).

One regular expression finds the names; :func:`name_keys` turns a match into candidate keys,
most specific first, and the caller keeps the first one its vocabulary lists:

- ``miR-21``, ``mir-21``, ``miRNA-21``, ``microRNA-21``, ``MIR21`` (HGNC), ``MIRN21`` (MeSH),
  ``pre-miR-21`` → ``hsa-miR-21``; a species prefix other than ``hsa`` is kept (``mmu-miR-21``).
- ``miR-21-5p`` / ``hsa-miR-21-5p`` → ``hsa-miR-21-5p``, then ``hsa-miR-21`` (the gene) when the
  mature form is not listed; ``miR-21*`` is the gene.
- ``mir-105-1`` (a paralogous precursor) → ``hsa-miR-105-1``, then ``hsa-miR-105``; a
  mature form of one locus, ``miR-16-2-3p``, is miRBase's ``hsa-miR-16-2-3p``, then
  ``hsa-miR-16-3p``. Loci are numbered 1 to 19 (miRBase's run to 11).
- ``miR-17-92 cluster``, ``miR-17~92``, ``miR-106b~25``: a cluster, no one molecule
  (``hsa-miR-17-92-cluster``, a key no vocabulary lists).
- ``miR-200 family``, ``miR-200s`` and a bare ``miR-200`` (no gene of that name) →
  ``hsa-miR-200-family``.
- ``miR-221/222``, ``miR-200a/b/c``, ``miR-221-3p/222-3p``: one name per part, all with the span
  of the whole expression (the text names the molecules together).
- ``let-7a`` → ``hsa-let-7a``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

#: Species prefixes of miRBase names that papers use; others are not read as a species.
SPECIES = ("hsa", "mmu", "rno", "bta", "gga", "dre", "cel", "dme", "ssc", "mml", "ptr", "ebv")

_NAME = r"(?P<number>\d+)(?P<letter>(?!s(?![a-z]))[a-z]{1,2}|[A-Z])?"
_PART = r"(?:mi[Rr]-?)?(?:\d+(?:[a-z]{1,2})?|[a-z])(?:-[35]p)?"
#: A miRNA name; the groups feed :func:`name_keys`.
MIRNA_PATTERN = re.compile(
    r"\b(?P<precursor>(?:pri|pre)-)?"
    r"(?:(?:(?P<species>" + "|".join(SPECIES) + r")-)?(?:mi[Rr]|Mi[Rr]|MIR)-?"
    r"|(?:[Mm]icro-?RNA|[Mm]iRNA)(?:\s?\(miR\))?[-\s]?"
    r"|MIRN"
    r"|(?:(?P<let_species>" + "|".join(SPECIES) + r")-)?(?P<let>[Ll]et)-)"
    + _NAME +
    r"(?:-(?P<paralog>1?\d)(?![\dp]))?"
    r"(?:-(?P<arm>[35]p))?"
    r"(?P<star>\*)?"
    r"(?P<plural>s)?"
    r"(?P<family>[\s-]family)?"
    r"(?P<cluster>(?:[~-]\d+[a-z]?)+(?:[\s-]cluster)?|[\s-]cluster)?"
    r"(?P<more>(?:/" + _PART + r")+)?"
    r"(?![A-Za-z0-9])"
)
#: Lower-case words one of which every name contains: a prefilter far cheaper than any scan.
NEEDLES = ("mir", "microrna", "micro-rna", "let-")
#: Where a name's core word starts ("miR", "microRNA", "let-"); prefixes are at most 8 characters.
_CORE = re.compile(r"[MmLl](?:[Ii][Rr]|icro-?RNA|et-)")  # a leading class: re skips ahead fast
_PREFIX_LENGTHS = (8, 4, 0)  # "pre-hsa-", "hsa-" or "pre-", none
_PART_PATTERN = re.compile(r"(?:mi[Rr]-?)?(?P<number>\d+)?(?P<letter>[a-z]{1,2})?(?:-(?P<arm>[35]p))?")


def find_names(text: str) -> Iterator[re.Match[str]]:
    """Every miRNA name in ``text``, in order.

    Scanning for the core word first is about 10× faster than searching with the whole pattern,
    which ``re`` can only try at every position.
    """
    end = 0
    for core in _CORE.finditer(text):
        if core.start() < end:
            continue
        for back in _PREFIX_LENGTHS:
            start = core.start() - back
            match = MIRNA_PATTERN.match(text, start) if start >= end else None
            if match:
                end = match.end()
                yield match
                break


def name_keys(match: re.Match[str]) -> Iterator[tuple[str, ...]]:
    """Candidate keys, most specific first, for each molecule a name match names."""
    species = match["species"] or match["let_species"] or "hsa"
    stem = f"{species}-{'let' if match['let'] else 'miR'}-"
    number = match["number"]
    if match["cluster"]:  # "miR-17-92 cluster", "miR-106b~25": no one molecule, no concept
        members = re.sub(r"[\s-]cluster$", "", match["cluster"]).replace("~", "-")
        yield (f"{stem}{number}{(match['letter'] or '').lower()}{members}-cluster",)
        return
    yield _candidates(stem, number, match["letter"] or "", match["paralog"] or "",
                      "" if match["star"] else match["arm"] or "",
                      family=bool(match["family"] or match["plural"]))
    for part in (match["more"] or "").split("/")[1:]:
        found = _PART_PATTERN.fullmatch(part)
        if found is None:  # pragma: no cover - _PART and _PART_PATTERN accept the same parts
            continue
        if found["number"]:
            number = found["number"]
        yield _candidates(stem, number, found["letter"] or "", "", found["arm"] or "", family=False)


def _candidates(stem: str, number: str, letter: str, paralog: str, arm: str, *,
                family: bool) -> tuple[str, ...]:
    family_key = f"{stem}{number}-family"
    gene = f"{stem}{number}{letter.lower()}"
    if family:
        return family_key, gene
    keys = [f"{gene}-{paralog}-{arm}", f"{gene}-{arm}"] if arm and paralog else (
        [f"{gene}-{arm}"] if arm else [])
    if paralog:
        keys.append(f"{gene}-{paralog}")
    keys.append(gene)
    if not letter:
        keys.append(family_key)
    return tuple(keys)


def normalise(name: str) -> str:
    """The most specific key of a whole string that is one miRNA name, or "" if it is not."""
    match = MIRNA_PATTERN.fullmatch(name)
    if match is None or match["more"]:
        return ""
    return next(name_keys(match))[0]
