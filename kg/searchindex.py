"""The search index a release holds beside its store: every searched label, folded, in SQLite.

The server's search (``server/search.py``) finds the resources whose label holds a text. As
SPARQL it reads every label of the graph for each search (1.2 s at 20,000 articles, and it
grows with the graph). A release therefore holds ``search.sqlite``: per resource the search
can return (an IRI under the base or MeSH's), each label of the ``SEARCHED`` properties,
folded (lower case, Latin letters without their diacritics, super- and subscripts as their
characters), in an FTS5 table of the ``trigram`` tokenizer, which finds any substring of 3
characters or more. The folded text is a superset filter: whatever label the search's own test
takes holds the folded text, and the server tests each candidate as the SPARQL does.

The labels are numbered in the order the search ranks them (our own resources before MeSH's,
then shorter labels, then by label and IRI), so that candidates come from the index already
ranked and a search stops at its limit: a common word costs no more than a rare one.

SQLite's own folding cannot be the index's: the ``trigram`` tokenizer of SQLite 3.40 has no
``remove_diacritics``, and the search folds super- and subscripts too.
"""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from itertools import islice
from pathlib import Path
from typing import Any
from urllib.parse import quote

from pyoxigraph import Literal, NamedNode, Store

from kg import iris
from kg.namespaces import DCTERMS, FABIO, FOAF, MESH, RDFS, SKOS
from kg.records import PLAIN_OF_SCRIPT

#: The file a release's index is in, beside its store.
INDEX_FILE = "search.sqlite"
#: The layout of the file; a server uses an index of its own layout only.
INDEX_FORMAT = 3
#: Properties searched (a substring of any of them): an article's title in its own language
#: (``VernacularTitle``, ``dcterms:alternative``) too, and a journal's NLM abbreviation ("Mol
#: Cancer", as PubMed writes it; a journal the corpus names only so has no title): format 3.
SEARCHED = (RDFS.label, SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, SKOS.notation,
            DCTERMS.title, DCTERMS.alternative, FABIO.hasNLMJournalTitleAbbreviation)
#: Labels written to SQLite at a time (the store's are streamed, never held).
BATCH = 10_000
#: Text shorter than this (folded) has no trigram: the labels are read in rank order instead.
TRIGRAM = 3
#: Labels beginning with the text past which they are read in rank order, not sorted into it.
WIDE_RANGE = 2000

#: Letters with a stroke, which Unicode does not write as a letter and a mark.
_STROKED = {"ø": "o", "ł": "l", "đ": "d", "ħ": "h", "ı": "i", "ŧ": "t"}


def _accented() -> dict[str, list[str]]:
    """Each lower-case Latin letter → the letters with diacritics that are it and marks
    (Latin-1, Latin Extended-A and -B, Latin Extended Additional) or it with a stroke."""
    forms: dict[str, list[str]] = {}
    for code in (*range(0xC0, 0x250), *range(0x1E00, 0x1F00)):
        char = chr(code)
        base = _STROKED.get(char) or unicodedata.normalize("NFD", char)[0]
        if char.islower() and base != char and base.isascii() and base.isalpha():
            forms.setdefault(base, []).append(char)
    return forms


#: Each Latin letter → its forms with a diacritic ("o": ó, ö, ø …).
ACCENTED = _accented()
#: Each of those letters with a diacritic → its letter (no other script is touched: "が" is
#: no "か").
BASES = {char: base for base, chars in ACCENTED.items() for char in chars}
#: Super- and subscripts → their characters, as ``str.translate`` takes it.
SCRIPTS_FOLDED = str.maketrans(PLAIN_OF_SCRIPT)
#: Both, one character for one: the index's folding. NUL, which ends a string for FTS5's
#: tokenizer, stands as U+FFFD (in labels and search text alike).
_FOLDED = str.maketrans({**PLAIN_OF_SCRIPT, **BASES, "\0": "\ufffd"})


def folded(text: str) -> str:
    """``text`` lower-cased, then each super- and subscript as its character and each Latin
    letter with a diacritic as its letter, character by character: a label that holds a text
    as the search's test reads it ("Sjögren" for "sjogren", "CO₂" for "co2") holds that text
    folded when both are folded so."""
    return text.lower().translate(_FOLDED)


def write_index(store: Store, path: Path, base: str | None = None) -> int:
    """Write the index of ``store``'s labels into ``path`` (a new file); return how many labels
    it holds. The labels are streamed from the store into a loading table of its own file
    (beside ``path``), which SQLite sorts on disk into rank order: memory stays flat however
    many there are."""
    base = base or iris.base_iri()
    loading = path.with_name(path.name + ".loading")
    for stale in (path, loading):
        stale.unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        # a half-written file is no index: it is in the build's staging folder, which goes
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        # the sort's spill files beside the release, as the dumps' sort keeps its own (not /tmp)
        db.execute("PRAGMA temp_store = FILE")
        db.execute(f"PRAGMA temp_store_directory = {_sql_text(str(path.parent))}")
        db.execute(f"ATTACH DATABASE {_sql_text(str(loading))} AS loading")
        db.execute("PRAGMA loading.journal_mode = OFF")
        db.execute("PRAGMA loading.synchronous = OFF")
        db.executescript(SCHEMA)
        db.execute("CREATE TABLE loading.labels (iri TEXT, label TEXT, folded TEXT, "
                   "local INTEGER)")
        rows = _label_rows(store, base)
        db.execute("BEGIN")
        while batch := list(islice(rows, BATCH)):
            db.executemany("INSERT INTO loading.labels VALUES (?, ?, ?, ?)", batch)
        db.execute("COMMIT")
        # numbered in rank order: the key the SPARQL search ranks by (whose local digit, the
        # length as 5 digits and the label compare as one string), then the IRI
        db.execute("""INSERT INTO labels (iri, label, folded, local)
            SELECT iri, label, folded, local FROM (SELECT DISTINCT iri, label, folded, local
                                                   FROM loading.labels)
            ORDER BY local || substr(100000 + length(label), 2) || label, iri""")
        db.execute("DETACH DATABASE loading")
        db.execute("CREATE INDEX labels_folded ON labels (folded)")
        names = _family_name_rows(store, base)
        db.execute("BEGIN")
        while named := list(islice(names, BATCH)):
            db.executemany("INSERT INTO family_names VALUES (?, ?, ?)", named)
        db.execute("COMMIT")
        db.execute("CREATE INDEX family_names_folded ON family_names (folded)")
        db.execute("INSERT INTO label_text (label_text) VALUES ('rebuild')")
        count: int = db.execute("SELECT count(*) FROM labels").fetchone()[0]
        db.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("format", str(INDEX_FORMAT)), ("base_iri", base), ("mesh_iri", MESH.iri),
            ("labels", str(count))])
    finally:
        with suppress(sqlite3.Error):  # (a setting of the process: its folder goes)
            db.execute("PRAGMA temp_store_directory = ''")
        db.close()
        loading.unlink(missing_ok=True)
    return count


SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- id: the rank order (local: 0 our own resource, 1 MeSH's)
CREATE TABLE labels (id INTEGER PRIMARY KEY, iri TEXT NOT NULL, label TEXT NOT NULL,
                     folded TEXT NOT NULL, local INTEGER NOT NULL);
CREATE VIRTUAL TABLE label_text USING fts5 (folded, content = 'labels', content_rowid = 'id',
                                            tokenize = 'trigram case_sensitive 1');
-- the family names of authors and investigators (format 2), looked up whole, folded
CREATE TABLE family_names (folded TEXT NOT NULL, name TEXT NOT NULL, iri TEXT NOT NULL);
"""


def _sql_text(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _label_rows(store: Store, base: str) -> Iterator[tuple[str, str, str, int]]:
    """(IRI, label, folded label, 0 for our own resource or 1 for MeSH's) for each label the
    search reads: a ``SEARCHED`` value (a literal's text or an IRI, as SPARQL's STR gives it)
    of an IRI under the base or MeSH's."""
    for predicate in SEARCHED:
        for quad in store.quads_for_pattern(None, predicate, None, None):
            subject, value = quad.subject, quad.object
            if not isinstance(subject, NamedNode) or not isinstance(value, (Literal, NamedNode)):
                continue
            if subject.value.startswith(base):
                local = 0
            elif subject.value.startswith(MESH.iri):
                local = 1
            else:
                continue
            yield subject.value, value.value, folded(value.value), local


def _family_name_rows(store: Store, base: str) -> Iterator[tuple[str, str, str]]:
    """(folded family name, family name, IRI) of each person under the base with one."""
    for quad in store.quads_for_pattern(None, FOAF.familyName, None, None):
        if isinstance(quad.subject, NamedNode) and quad.subject.value.startswith(base) \
                and isinstance(quad.object, Literal):
            yield folded(quad.object.value), quad.object.value, quad.subject.value


def family_named(path: Path, text: str, limit: int) -> list[tuple[str, str]]:
    """(IRI, family name) of the first ``limit`` people (by name, then IRI, in code points as
    SPARQL orders strings) whose family name is ``text`` whole, case and diacritics aside:
    "Sjogren" finds Sjögren, as PubMed's author search does (``text`` folded, ``folded``)."""
    with _reading(path) as db:
        return list(db.execute("SELECT DISTINCT iri, name FROM family_names WHERE folded = ? "
                               "ORDER BY name, iri LIMIT ?", (text, limit)))


def family_spellings(path: Path, text: str, limit: int) -> list[str]:
    """The family names as the graph writes them (the first ``limit``, in code points) that
    are ``text`` whole, case and diacritics aside (``text`` folded, ``folded``): "lotvall"
    gives "Lötvall"."""
    with _reading(path) as db:
        return [name for (name,) in db.execute(
            "SELECT DISTINCT name FROM family_names WHERE folded = ? ORDER BY name LIMIT ?",
            (text, limit))]


def index_file(release_dir: Path | None, manifest: dict[str, Any]) -> Path | None:
    """The search index of the release in ``release_dir`` that a server may use: the one its
    manifest records, of this layout, made under the base this process answers for (an index
    made under another would rank and filter by the other); None when there is none (a
    release from before the index, a remote store without its release here)."""
    if release_dir is None:
        return None
    record = manifest.get("search_index")
    if not isinstance(record, dict) or record.get("format") != INDEX_FORMAT:
        return None
    path = release_dir / str(record.get("file") or INDEX_FILE)
    try:
        with _reading(path) as db:
            meta = dict(db.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.Error:
        return None
    if meta.get("base_iri") != iris.base_iri() or meta.get("mesh_iri") != MESH.iri:
        return None
    return path


@contextmanager
def _reading(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to an index (``immutable``: a release never changes, so no lock
    is taken and a read-only file system serves it), closed at the end of the block."""
    db = sqlite3.connect("file:" + quote(str(path.absolute())) + "?mode=ro&immutable=1",
                         uri=True)
    try:
        yield db
    finally:
        db.close()


#: A test of a label (its text as the store holds it).
LabelTest = Callable[[str], bool]


def ranked_labels(path: Path, text: str, holds: LabelTest, whole: LabelTest, starts: LabelTest,
                  limit: int) -> list[tuple[str, str, int]]:
    """The first ``limit`` resources whose label ``holds`` the search text, as the SPARQL
    search ranks them: (IRI, the label it is ranked by and shown with, rank), rank 0 for a
    label that is the text ``whole`` (1 for MeSH's), 2 for one that ``starts`` with it (3),
    else 4 (5). ``text`` is the search text folded (``folded``): each candidate the index
    gives for it is tested with ``holds``, ``whole`` and ``starts``, the SPARQL's own tests.

    A label that is the text whole, folded, is looked up by its folded text, and one that
    begins with it by the range of folded labels that do; the others come from the trigram
    table (for text of 3 characters or more) or from the labels read in order, all in rank
    order, until ``limit`` resources are found."""
    found: dict[str, tuple[str, int]] = {}

    def take(rows: Iterable[tuple[str, str, int]], test: LabelTest, rank: int) -> bool:
        """Whether ``limit`` resources are found once ``rows`` have been taken."""
        for iri, label, local in rows:
            if len(found) >= limit:
                break
            if iri not in found and test(label):
                found[iri] = (label, rank + local)
        return len(found) >= limit

    # each tier's query runs once the tiers before it left room: a query runs as it is sent
    with _reading(path) as db:
        if not take(db.execute("SELECT iri, label, local FROM labels WHERE folded = ? "
                               "ORDER BY id", (text,)), whole, 0):
            # (past every text that begins so: the highest code point follows any character)
            span = (text, text + "\U0010ffff")
            # the range sorted into rank order is read whole before its first row: 280 ms for
            # "a" among 2M labels (a review's); a wide range is found as soon in rank order
            wide = db.execute("SELECT count(*) FROM (SELECT 1 FROM labels WHERE folded >= ? AND "
                              f"folded < ? LIMIT {WIDE_RANGE})", span).fetchone()[0] >= WIDE_RANGE
            if not take(db.execute(f"SELECT iri, label, local FROM labels "
                                   f"{'NOT INDEXED ' if wide else ''}WHERE folded >= ? AND "
                                   "folded < ? ORDER BY id", span),
                        lambda label: holds(label) and starts(label), 2):
                rest = db.execute(
                    "SELECT l.iri, l.label, l.local FROM label_text JOIN labels AS l "
                    "ON l.id = label_text.rowid WHERE label_text MATCH ? "
                    "ORDER BY label_text.rowid", ('"' + text.replace('"', '""') + '"',)
                ) if len(text) >= TRIGRAM else db.execute(
                    "SELECT iri, label, local FROM labels WHERE instr(folded, ?) > 0 "
                    "ORDER BY id", (text,))
                take(rest, holds, 4)
    return [(iri, label, rank) for iri, (label, rank) in found.items()]
