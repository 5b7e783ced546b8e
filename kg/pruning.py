"""``evkg prune``: remove a build folder's old releases, never one in use.

Every build and ingest publishes a release folder and nothing removed them. A release is kept
when ``current`` names it, when it is among the ``keep`` most recently published others (by the
folder's modification time: a release holds no date from the clock, and a build or ingest that
publishes one touches its folder, also when it finds it already there), or when a process has
it in use:

- a lease (``kg.release.lease``): a shared ``flock`` on its manifest, held by ``evkg serve``'s
  gunicorn master for the release its workers open (also an old one, until ``kill -HUP``) and by
  each server process for the release it serves; prune takes the lock exclusively, so a server
  that starts meanwhile waits for the removal and then finds the release gone;
- a file under it that a process holds open or mapped (``/proc/*/fd``, ``/proc/*/maps``): a
  store opened by ``evkg query``, ``export``, ``validate``, ``load`` or a server of an evkg
  without leases, a dump being read. Processes of other users are seen only by root.

It holds the build folder's write lock (``DIR/.evkg-writing.lock``) throughout, so no build or
ingest runs meanwhile; every ``.staging-*`` folder is then a leftover and goes too. A release
is first renamed to a staging folder of its own, then removed: a prune stopped halfway leaves
no half-removed release in ``releases/``, and the next build, ingest or prune removes the rest.
"""

from __future__ import annotations

import errno
import fcntl
import glob
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISDIR

from kg import release
from kg.querying import printable
from kg.release import MANIFEST

#: Who holds a release whose lease is taken.
LEASED = "a server, which serves it until it is sent SIGHUP or stopped (its lease)"


@dataclass(frozen=True)
class Removal:
    """A folder prune removes (or would): a release, or a leftover staging folder."""

    name: str
    #: The disk space its removal frees: the blocks of its files that no kept folder links too.
    freed: int
    staging: bool = False


@dataclass
class PruneReport:
    current: str
    removed: list[Removal] = field(default_factory=list)
    #: Releases kept as recent (newest first).
    kept: list[str] = field(default_factory=list)
    #: Releases kept because a process has them in use: name → who.
    in_use: dict[str, list[str]] = field(default_factory=dict)
    #: Processes whose open files could not be read (another user's, for a user but root).
    unseen: int = 0
    #: The result cache's answers of the removed releases, and the disk space they took.
    answers: int = 0
    answers_freed: int = 0

    @property
    def freed(self) -> int:
        return sum(removal.freed for removal in self.removed) + self.answers_freed


def prune(out: Path, *, keep: int, dry_run: bool = False, announce: bool = False) -> PruneReport:
    """Remove the releases of the build folder ``out`` but ``current``, the ``keep`` most
    recently published others and those in use, and every leftover staging folder (with
    ``dry_run``, only say which); ``FileNotFoundError`` when ``out`` is no build folder."""
    from kg.build import writing  # (kg.build imports the whole pipeline)

    check_build_folder(out)
    with writing(out, announce=announce, create=False):
        check_build_folder(out)  # (a failed first build may have removed it meanwhile)
        # a first build killed, or held back by --max-errors, made no current: every release
        # then counts as another
        current = release.current_release(out) if os.path.lexists(out / "current") else None
        report = PruneReport(current=current.name if current else "")
        # the folder itself, not its path: current may name it through another mount of the
        # build folder (an absolute link through a bind mount)
        kept = current.stat() if current else None
        releases = out / "releases"
        others = sorted((folder for folder in (releases.iterdir() if releases.is_dir() else ())
                         if _release_folder(folder) and not (
                             kept and os.path.samestat(folder.stat(), kept))),
                        key=_published, reverse=True)
        report.kept = [folder.name for folder in others[:keep]]
        candidates = others[keep:]
        leases: list[int] = []
        try:
            unheld = [folder for folder in candidates if _take(folder, leases)]
            report.in_use = {folder.name: [LEASED] for folder in candidates
                             if folder not in unheld}
            holders, report.unseen = open_files([folder.resolve() for folder in unheld])
            for folder in unheld:
                who = holders.get(folder.resolve())
                if who:
                    report.in_use[folder.name] = who
            gone = [folder for folder in unheld if folder.name not in report.in_use]
            staging = sorted(out.glob(".staging-*"))
            sizes = freed_bytes([*gone, *staging])
            report.removed = [Removal(folder.name, sizes[folder], folder in staging)
                              for folder in [*gone, *staging]]
            if not dry_run:
                for folder in gone:
                    _remove_release(out, folder)
                for folder in staging:
                    remove_staging(folder)
            report.answers, report.answers_freed = _forget_answers(
                out, [folder.name for folder in gone], dry_run)
        finally:
            for descriptor in leases:
                os.close(descriptor)
    return report


def check_build_folder(out: Path) -> None:
    """A ``FileNotFoundError`` saying what ``out`` is when it is no build folder: one with a
    current release, or one where a first build ran and made none (its lock file is there:
    killed, it left a staging folder; held back by ``--max-errors``, a release)."""
    if release.is_release(out):
        raise FileNotFoundError(
            f"{out} is a release, not a build folder: give the folder that holds its releases/ "
            f"and current ({out.resolve().parent.parent})")
    if out.exists() and not out.is_dir():
        raise release.not_a_folder(out)
    if not out.is_dir():
        raise FileNotFoundError(f"{out}: no such build folder")
    if _first_build_folder(out):
        return
    if not release.is_build_folder(out):
        raise FileNotFoundError(f"{out} is no build folder (it holds no releases/ beside "
                                "current): evkg prune removes the old releases of a folder "
                                "that evkg build --out made")
    release.current_release(out)


def _first_build_folder(out: Path) -> bool:
    """Whether ``out`` is a folder a first build wrote in (its lock file, not a link, is
    there) that has no ``current`` at all (a link to a release gone is another matter)."""
    lock = out / release.WRITE_LOCK
    return lock.is_file() and not lock.is_symlink() and not os.path.lexists(out / "current")


def _release_folder(folder: Path) -> bool:
    """Whether ``folder`` (in ``releases/``) is a release, damaged or not: a folder, not a link,
    holding the manifest or the store a build wrote. ``releases/`` may be a link to a folder
    elsewhere (another disk, or put there by whoever else may write in the build folder): a
    folder of another kind there is none of prune's."""
    return folder.is_dir() and not folder.is_symlink() and (
        os.path.lexists(folder / MANIFEST) or os.path.lexists(folder / "store"))


def _published(folder: Path) -> tuple[int, str]:
    """When a release was published (its folder's modification time), then its name."""
    return folder.stat().st_mtime_ns, folder.name


def _take(folder: Path, leases: list[int]) -> bool:
    """Take the release's lease exclusively (kept in ``leases``); False when a process holds
    it. A folder without a manifest (damaged) has no lease to take."""
    try:
        descriptor = os.open(folder / MANIFEST, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return True
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return False
    leases.append(descriptor)
    return True


def _processes() -> Iterator[Path]:
    own = os.getpid()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != own:
            yield entry


def _describe(process: Path) -> str:
    try:
        command = (process / "cmdline").read_bytes().replace(b"\0", b" ").strip()
    except OSError:
        command = b""
    # a command line is any user's choice: its control characters (a terminal's escapes)
    # are written escaped, not to the terminal of whoever runs prune
    text = printable(command.decode("utf-8", "replace"))
    return f"process {process.name} ({text[:120]})"


def open_files(folders: list[Path]) -> tuple[dict[Path, list[str]], int]:
    """Which processes hold a file under each of ``folders`` open or mapped (each said as
    "process PID (command)"), and how many processes could not be looked into."""
    found: dict[Path, list[str]] = {}
    unseen = 0
    if not folders:
        return found, unseen
    for process in _processes():
        try:
            paths = []
            for fd in (process / "fd").iterdir():
                try:
                    paths.append(os.readlink(fd))
                except OSError:  # closed meanwhile
                    continue
        except PermissionError:
            unseen += 1
            continue
        except OSError:  # the process ended meanwhile
            continue
        try:  # (a file can stay mapped once closed; a container's init hides its maps)
            with (process / "maps").open(encoding="utf-8", errors="replace") as maps:
                paths += [line.split(None, 5)[5].strip() for line in maps
                          if len(line.split(None, 5)) == 6]
        except OSError:
            pass
        for folder in folders:
            inside = str(folder) + os.sep
            if any(path.startswith(inside) for path in paths):
                found.setdefault(folder, []).append(_describe(process))
    return found, unseen


def freed_bytes(folders: list[Path]) -> dict[Path, int]:
    """The disk space removing ``folders`` frees, per folder: the blocks of each file whose
    every link is among them (a store an ingest copied shares files with its base by hard
    links), counted with the folder where its last link is seen."""
    links: dict[tuple[int, int], int] = {}
    freed: dict[Path, int] = {}
    for folder in folders:
        total = 0
        for path in [folder, *_walk(folder)]:
            try:
                stat = path.lstat()
            except OSError:
                continue
            key = (stat.st_dev, stat.st_ino)
            links[key] = links.get(key, 0) + 1
            if links[key] == stat.st_nlink or S_ISDIR(stat.st_mode):
                total += stat.st_blocks * 512
        freed[folder] = total
    return freed


def _walk(folder: Path) -> Iterator[Path]:
    """What is under ``folder``; nothing under a link (which removing it leaves alone)."""
    if folder.is_symlink():
        return
    for root, dirs, files in os.walk(folder):
        for name in [*dirs, *files]:
            yield Path(root, name)


def _forget_answers(out: Path, versions: list[str], dry_run: bool) -> tuple[int, int]:
    """Remove the result cache's answers of these releases (``kg.release.answer_file``: files
    named by the version and a key, no other), in the build folder's cache and
    EVKG_CACHE_DIR's; how many, and the disk space they took.
    No server answers from them (none serves these releases), and one that finds an answer
    gone computes it."""
    configured = os.environ.get("EVKG_CACHE_DIR", "")
    folders = {out / release.CACHE_FOLDER, *([Path(configured)] if configured else [])}
    count = taken = 0
    for folder in folders:
        for version in versions:
            # the answers of that version alone: the folder may be a link to a folder of
            # other files (``version-*`` removed every file whose name began with a removed
            # release's, ``common-auth`` for a release named common)
            named = re.compile(re.escape(release.answer_file(version, "")) + release.ANSWER_KEY)
            for path in folder.glob(release.answer_file(glob.escape(version), "*")):
                if not named.fullmatch(path.name):
                    continue
                try:
                    size = path.lstat().st_blocks * 512
                    if not dry_run:
                        path.unlink()
                except OSError:  # evicted meanwhile
                    continue
                count, taken = count + 1, taken + size
    return count, taken


def remove_staging(folder: Path) -> None:
    """Remove a leftover staging folder; a link or file of that name itself (not what a
    link leads to: a build never makes one, and rmtree refused it, which left it there)."""
    if folder.is_symlink() or not folder.is_dir():
        folder.unlink(missing_ok=True)
    else:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_release(out: Path, folder: Path) -> None:
    """Rename the release to a staging folder of this process, then remove it."""
    aside = out / f".staging-pruned-{folder.name}-{os.getpid()}"
    shutil.rmtree(aside, ignore_errors=True)  # (an earlier process of this number stopped)
    try:
        folder.rename(aside)
    except OSError as error:
        if error.errno != errno.EXDEV:  # (releases/ on a disk of its own: removed in place)
            raise
        aside = folder
    shutil.rmtree(aside)
