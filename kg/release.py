"""Release files: the dumps, the checksums and the manifest; and the ``current`` pointer.

Dumps are gzip with no name or time in the header, so the same store gives the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, cast

from pyoxigraph import RdfFormat, Store, serialize

from kg import iris, sssom
from kg.metadata import DUMPS
from kg.namespaces import PREFIXES

if TYPE_CHECKING:
    from kg.build import BuildReport

MANIFEST = "manifest.json"
CHECKSUMS = "SHA256SUMS"
QUARANTINE = "quarantine.jsonl"
VOID_FILE = "void.ttl"
#: Format name → pyoxigraph format for each dump.
FORMATS = {
    "turtle": RdfFormat.TURTLE,
    "ntriples": RdfFormat.N_TRIPLES,
    "nquads": RdfFormat.N_QUADS,
    "jsonld": RdfFormat.JSON_LD,
}


@contextmanager
def _gzip_writer(path: Path) -> Iterator[IO[bytes]]:
    """A gzip stream with no file name or time in its header (reproducible bytes)."""
    with path.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw,
                                               mtime=0) as out:
        yield cast(IO[bytes], out)


def write_dumps(store: Store, directory: Path) -> None:
    """Each dump format, streamed from the store (whose iteration order is stable)."""
    for name, (file_name, _) in DUMPS.items():
        fmt = FORMATS[name]
        prefixes = PREFIXES if fmt in (RdfFormat.TURTLE, RdfFormat.JSON_LD) else None
        with _gzip_writer(directory / file_name) as out:
            if fmt.supports_datasets:
                store.dump(out, fmt, prefixes=prefixes)
            else:
                serialize((q.triple for q in store), out, fmt, prefixes=prefixes)
    metadata = iris.graph_iri("metadata")
    with (directory / VOID_FILE).open("wb") as out:
        store.dump(out, RdfFormat.TURTLE, from_graph=metadata, prefixes=PREFIXES)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_quarantine(report: BuildReport, directory: Path) -> None:
    with (directory / QUARANTINE).open("w", encoding="utf-8") as out:
        for item in report.quarantine:
            out.write(json.dumps({"file": item.provenance.file,
                                  "position": item.provenance.position,
                                  "pmid": item.pmid, "title": item.title,
                                  "reason": item.reason}, ensure_ascii=False, sort_keys=True))
            out.write("\n")


def write_release(store: Store, directory: Path, report: BuildReport) -> dict[str, int]:
    """Write dumps, quarantine, checksums and manifest; return the triple count per graph."""
    write_dumps(store, directory)
    write_quarantine(report, directory)
    mappings = sssom.write_release_mappings(store, directory, report.version)
    triples: dict[str, int] = {}
    for name in iris.GRAPH_NAMES:
        triples[name] = sum(1 for _ in store.quads_for_pattern(None, None, None,
                                                                iris.graph_iri(name)))
    files = [*(f for f, _ in DUMPS.values()), VOID_FILE, QUARANTINE, *mappings]
    sums = {f: sha256(directory / f) for f in files}
    (directory / CHECKSUMS).write_text("".join(f"{sums[f]}  {f}\n" for f in files),
                                       encoding="utf-8")
    media = {f: m for f, m in DUMPS.values()} | {VOID_FILE: "text/turtle",
                                                  QUARANTINE: "application/jsonl"} | mappings
    manifest = {
        "version": report.version,
        "articles": report.articles,
        "triples": triples,
        "files": [{"name": f, "bytes": (directory / f).stat().st_size, "sha256": sums[f],
                   "media_type": media[f]} for f in files],
        "sources": {name: vars(count) for name, count in report.files.items()},
        "quarantined": len(report.quarantine),
    }
    (directory / MANIFEST).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n",
                                      encoding="utf-8")
    return triples


#: ``evkg export --format`` name → pyoxigraph format.
EXPORT_FORMATS = {
    "nq": RdfFormat.N_QUADS, "trig": RdfFormat.TRIG, "nt": RdfFormat.N_TRIPLES,
    "ttl": RdfFormat.TURTLE, "jsonld": RdfFormat.JSON_LD, "rdfxml": RdfFormat.RDF_XML,
}


def export_graph(store_dir: Path, fmt: str, graph: str | None, out: IO[bytes]) -> None:
    """Dump a store (or one named graph) in ``fmt``; triple formats take the union of graphs."""
    from kg.store import open_read_only

    rdf_format = EXPORT_FORMATS[fmt]
    store = open_read_only(store_dir)
    prefixes = PREFIXES if rdf_format in (RdfFormat.TURTLE, RdfFormat.TRIG,
                                          RdfFormat.RDF_XML, RdfFormat.JSON_LD) else None
    if graph is not None:
        store.dump(out, rdf_format, from_graph=iris.graph_iri(graph), prefixes=prefixes)
    elif rdf_format.supports_datasets:
        store.dump(out, rdf_format, prefixes=prefixes)
    else:
        serialize((q.triple for q in store), out, rdf_format, prefixes=prefixes)


def point_current(out: Path, release_dir: Path) -> None:
    """Point ``out/current`` at ``release_dir`` atomically (a symlink swapped by rename)."""
    link = out / "current"
    temporary = out / f".current-{os.getpid()}"
    if temporary.is_symlink() or temporary.exists():
        temporary.unlink()
    temporary.symlink_to(release_dir.relative_to(out))
    os.replace(temporary, link)


def current_release(out: Path) -> Path:
    """The release folder ``out/current`` points to; a clear error when there is none."""
    link = out / "current"
    if not link.exists():
        raise FileNotFoundError(f"no release at {out}: run `evkg build --out {out}` first")
    return link.resolve()
