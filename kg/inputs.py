"""What a release is made from besides its article sources, and how an ingest remembers it.

The project's files (data/, ontology/, the code), ``--mesh`` and ``--mirbase``: a build version
names them all (``build_version``), the manifest records the two options' files with their
SHA-256 (``recorded_inputs``), and an ingest not given one takes the current release's
(``remembered_inputs``).
"""

from __future__ import annotations

import hashlib
import os
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path
from typing import Any

from kg import iris, mirbase, release
from kg.examples import QUERIES_DIR
from kg.sources import not_a_file
from kg.vocabulary import Concept, read_concepts

#: The project's root (data/ and ontology/ live beside the packages).
ROOT = Path(__file__).resolve().parents[1]
DATA_DIR = ROOT / "data"
ONTOLOGY_DIR = ROOT / "ontology"
#: The evkg version, part of every release version.
__version__ = "0.1.0"
#: The libraries whose versions shape a release's bytes, part of every release version too:
#: the store and its serialisers, the XML parser, the gzip writer.
SHAPING_LIBRARIES = ("pyoxigraph", "lxml", "isal")


class BuildError(Exception):
    """A build that cannot produce a valid release; the message says why."""


def default_sources(data_dir: Path = DATA_DIR) -> list[Path]:
    return [data_dir / "articles.jsonl"]


def grown_release(out: Path) -> str | None:
    """What ``out``'s current release holds beyond the default graph ("release V, which …"),
    or None when it is a build of the default graph alone, or there is none. ``make serve``
    builds the default graph only then: the build would make current a release without the
    articles an ingest or ``evkg fetch`` brought, and the next ingest would grow that one."""
    try:
        current = release.current_release(out)
        return _beyond_default(current, release.read_manifest(current))
    except (OSError, ValueError):
        return None


def _beyond_default(release_dir: Path, manifest: dict[str, Any]) -> str | None:
    """What the release ``release_dir``, of ``manifest``, holds beyond the default graph, or
    None."""
    if manifest.get("based_on"):
        return (f"release {release_dir.name}, which evkg ingest or fetch grew from release "
                f"{manifest['based_on']}")
    # the sources a build of the default graph names in its manifest (``evkg build`` alone)
    articles = {release.shown_path(str(path)) for path in default_sources()}
    sources = set(manifest.get("sources") or ())
    if not articles <= sources or sources - articles - {
            release.shown_path(str(DATA_DIR / "findings.tsv"))} or manifest.get("inputs"):
        return f"release {release_dir.name}, which evkg build made of other sources or options"
    return None


def kept_by_clean(out: Path) -> str | None:
    """Why ``make clean`` keeps the build folder ``out`` rather than delete it, or None: a
    release in it holds more than the default graph (articles an ingest or fetch brought, or a
    build of other sources, which this repository cannot make again) or cannot be read to
    tell, what ``evkg fetch`` downloaded is there (``fetch/``: batches not yet ingested, and
    the history ``--since last`` reads), or it is no build folder evkg wrote."""
    if not out.exists():
        return None
    if not out.is_dir() or not release.is_build_folder(out):
        return f"{out} is no build folder evkg wrote: kept"
    held = []
    for folder in sorted((out / "releases").iterdir()):
        if not release.is_release(folder):
            continue
        try:
            beyond = _beyond_default(folder, release.read_manifest(folder))
        except (OSError, ValueError):
            beyond = f"release {folder.name}, whose manifest cannot be read to tell what it holds"
        held += [beyond] if beyond else []
    fetched = out / "fetch"
    if fetched.is_dir() and any(path.is_file() for path in fetched.rglob("*")):
        held.append(f"what evkg fetch downloaded ({fetched}: batches not yet ingested, and "
                    "the history --since last reads)")
    if not held:
        return None
    return f"{out} kept: it holds {'; '.join(held)} (`rm -rf {out}` deletes it)"


def build_version(sources: Sequence[Path], support: Iterable[Path],
                  given: Mapping[str, Path] | None = None) -> str:
    """A version that names the inputs: the same sources, in the same order and spelled the
    same way (the order decides which record wins, the spelling is what the manifest and the
    quarantine name), the same support files (the project's, the code included) and the same
    ``given`` files (``--mesh``, ``--mirbase``, by option: where they are, as the manifest
    records them, and their bytes) give the same one, with the same libraries
    (``shaping_versions``). The base of the minted IRIs
    (``EVKG_BASE_IRI``) is an input too: a build with another base took the version of the
    release it differs from, and kept that release as it was.

    The given files are not sorted among the project's by path: ``--mesh ../m.xml`` and
    ``--mesh /abs/m.xml`` (one file, one manifest) made two versions, and so did one file in
    two clones of evkg, while a copy elsewhere could take a version whose manifest names
    another file."""
    digest = hashlib.sha256(__version__.encode())
    digest.update(shaping_versions().encode())
    if iris.base_iri() != iris.DEFAULT_BASE:  # (the default's versions stay as they were)
        digest.update(f"base {iris.base_iri()}\n".encode())
    for path in sources:
        digest.update(f"source {release.shown_path(str(path))}\n".encode())
        _digest_file(digest, path)
    for path in sorted(set(support)):
        digest.update(f"file {path.name}\n".encode())
        _digest_file(digest, path)
    for option, path in sorted((given or {}).items()):
        digest.update(f"{option} {release.shown_path(os.path.abspath(path))}\n".encode())
        _digest_file(digest, path)
    return digest.hexdigest()[:12]


def shaping_versions() -> str:
    """The versions of ``SHAPING_LIBRARIES`` and of the Unicode data Python reads text by (NFC,
    case): another pyoxigraph may write a dump otherwise, so one version stands for one set
    of bytes only with the same libraries."""
    return "".join(f"library {name} {metadata.version(name)}\n" for name in SHAPING_LIBRARIES) \
        + f"unicode {unicodedata.unidata_version}\n"


def _digest_file(digest: Any, path: Path) -> None:
    """Add the file's bytes (or, for a file that cannot be read, why: its reader reports it)."""
    if not_a_file(path):  # a pipe in a folder of sources: opening it would wait for a writer
        digest.update(b"not a file")
        return
    try:
        with path.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as error:
        digest.update(f"unreadable: {error.strerror}".encode())


@dataclass(frozen=True)
class Inputs:
    """Everything besides article sources that a release is made from."""

    #: The project's MeSH table, then the files ``--mesh`` gives, in order (a later file's
    #: descriptors win): descriptor XML or tables, or NLM's supplementary concept records.
    mesh_tables: tuple[Path, ...]
    data_dir: Path = DATA_DIR
    ontology_dir: Path = ONTOLOGY_DIR
    shacl: bool = True
    progress: bool = False
    #: ``--mirbase``: a miRBase GFF3 file whose miRNAs text mining takes as cargo.
    mirbase: Path | None = None

    def mirbase_concepts(self) -> dict[str, Concept]:
        """The cargo concepts of ``--mirbase`` that the vocabulary lacks, by key ({} without)."""
        if self.mirbase is None:
            return {}
        listed = (c.key for c in read_concepts(self.data_dir / "vocabulary"))
        return mirbase.concepts(self.mirbase, listed=listed)

    def given(self) -> dict[str, Path]:
        """The ``--mesh`` and ``--mirbase`` files given, by option name."""
        return given_files(self.mesh_tables[1:], self.mirbase)

    def version(self, sources: Sequence[Path]) -> str:
        """The release version of ``sources`` read with these inputs (``build_version``)."""
        return build_version(sources, self.project_files(), self.given())

    def project_files(self) -> list[Path]:
        """The project's files the release depends on (the code included)."""
        return [self.mesh_tables[0], self.data_dir / "findings.tsv",
                *(self.data_dir / name for name in ("mesh_supplementary.tsv", "mesh_qualifiers.tsv")
                  if (self.data_dir / name).exists()),
                *(self.data_dir / "vocabulary").glob("*.tsv"),
                *self.ontology_dir.glob("*.ttl"), *(self.ontology_dir / "checks").glob("*.rq"),
                *QUERIES_DIR.glob("*.rq"), *Path(__file__).parent.glob("*.py")]

    def made_with(self) -> str:
        """A fingerprint of the evkg that makes the release: its code, ontology, checks and
        curated data (not the sources, nor the ``--mesh`` / ``--mirbase`` files)."""
        return build_version([], self.project_files())


#: The options whose file a release records and an ingest takes again when not given one.
REMEMBERED = ("mesh", "mirbase")


def given_files(mesh_files: Sequence[Path], mirbase_file: Path | None) -> dict[str, Path]:
    """The files of ``--mesh`` (given once or more) and ``--mirbase`` by the name the version
    and the manifest give them: ``mesh`` for the first MeSH file, ``mesh 2``, ``mesh 3`` … for
    the others (a release made with one file records it as an evkg before 6 Dec did)."""
    given = {("mesh" if number == 1 else f"mesh {number}"): path
             for number, path in enumerate(mesh_files, start=1)}
    if mirbase_file is not None:
        given["mirbase"] = mirbase_file
    return given


def option_of(name: str) -> str:
    """The option a recorded file was given with: ``mesh 2`` → ``mesh``."""
    return name.split(" ", 1)[0]


def _given_order(item: tuple[str, object]) -> tuple[str, int]:
    """``mesh``, ``mesh 2`` … ``mesh 10`` in the order they were given (a later file wins)."""
    option, _, number = item[0].partition(" ")
    return option, int(number) if number.isdigit() else 1


def recorded_inputs(mesh_files: Sequence[Path] = (), mirbase_file: Path | None = None
                    ) -> dict[str, dict[str, str]]:
    """What the manifest records of the ``--mesh`` / ``--mirbase`` files given (by name,
    ``given_files``): where (absolute, a symbolic link kept as such, so that one pointed at a
    new file is seen to change; relative to the project inside it) and the content's SHA-256."""
    return {name: {"file": shown_file(path), "sha256": _sha256(path)}
            for name, path in given_files(mesh_files, mirbase_file).items()}


def shown_file(path: Path) -> str:
    """A given file as the manifest's ``inputs`` name it (``recorded_inputs``)."""
    return release.shown_path(os.path.abspath(path))


def _sha256(path: Path) -> str:
    """A file's SHA-256, once a run for an unchanged file (a full MeSH XML is 300 MB)."""
    status = path.stat()
    return _sha256_of(os.path.abspath(path), status.st_size, status.st_mtime_ns)


@lru_cache(maxsize=8)
def _sha256_of(path: str, size: int, mtime_ns: int) -> str:
    return release.sha256(Path(path))


def remembered_inputs(previous: Path, recorded: dict[str, dict[str, str]],
                      mesh_files: Sequence[Path] = (), mirbase_file: Path | None = None
                      ) -> dict[str, Path]:
    """The ``--mesh`` and ``--mirbase`` files an ingest was not given that the release
    ``previous`` was made with (``recorded``: its manifest's ``inputs``), by the name it records
    them by (``given_files``; every ``--mesh`` file, in order, when none is given). They must
    still be where they were, unchanged: a build of the records that remain would read them,
    and without them the new records' MeSH terms or miRNAs would be read otherwise than the
    rest."""
    given = {"mesh": bool(mesh_files), "mirbase": mirbase_file is not None}
    taken = {}
    recorded_paths = {name: _recorded_path(entry) for name, entry in
                      sorted(recorded.items(), key=_given_order)
                      if option_of(name) in REMEMBERED and entry}
    for name, path in recorded_paths.items():
        if given[option_of(name)]:
            continue
        option = f"--{option_of(name)}"
        # a --mesh given replaces every recorded one: the advice names them all, or the
        # ingest that follows it would drop the others (NLM's descriptors beside its
        # supplementary records)
        together = {other: f"{option} {recorded_paths[other]}" for other in recorded_paths
                    if option_of(other) == option_of(name)}
        made = f"the current release {previous.name} was made with {' '.join(together.values())}"
        if not path.is_file():
            if len(together) == 1:
                raise BuildError(f"{made}, which is no longer there: give {option} FILE "
                                 "(the same file where it is now, or another)")
            wanted = " ".join(f"{option} FILE" if other == name else given_as
                              for other, given_as in together.items())
            raise BuildError(f"{made}; {path} is no longer there: give {wanted} (the same "
                             f"file where it is now, or another; a {option} given replaces "
                             "every one the release records)")
        if _sha256(path) != recorded[name]["sha256"]:
            if len(together) == 1:
                raise BuildError(f"{made}, which has changed since: give {option} {path} to "
                                 "take it as it is now (or another file)")
            wanted = " ".join(together.values())
            raise BuildError(f"{made}; {path} has changed since: give {wanted} to take it as "
                             f"it is now (or other files: a {option} given replaces every one "
                             "the release records)")
        taken[name] = path
    return taken


def _recorded_path(entry: dict[str, str]) -> Path:
    """Where a manifest's ``inputs`` entry says its file is (the project's own, relative)."""
    path = Path(entry["file"])
    return path if path.is_absolute() else release.PROJECT / path


def mesh_tables(data_dir: Path, mesh_files: Sequence[Path]) -> tuple[Path, ...]:
    """The MeSH files a release reads: the project's own table, and each ``--mesh`` FILE added
    to it (a sample of descriptors adds to what the project knows; a full MeSH file covers it
    all; NLM's supplementary concept records add their concepts)."""
    return (data_dir / "mesh.tsv", *mesh_files)
