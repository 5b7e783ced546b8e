"""`evkg prune` as an operator runs it: old releases go, the current one, the most recent
others and those a server still serves stay."""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests

from kg.jsonrecords import write_records
from kg.pruning import freed_bytes
from kg.records import Article
from tests.backends import RemoteStoreProcess, load_release, oxigraph_binary, start_oxigraph
from tests.conftest import free_port, wait_for

ARTICLE = "https://w3id.org/evkg/article/"


def evkg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], capture_output=True,
                          text=True, timeout=600)


def source(folder: Path, pmid: str) -> Path:
    """A source of one article."""
    path = folder / f"{pmid}.jsonl"
    write_records([Article(pmid=pmid, title=f"Article {pmid}")], path)
    return path


def publish(out: Path, pmid: str, *, first: bool = False) -> str:
    """Build (``first``) or ingest one article into ``out``; the release's version."""
    args = (["build", str(source(out.parent, pmid)), "--out", str(out),
             "--without-default-articles"] if first else
            ["ingest", str(source(out.parent, pmid)), "--into", str(out)])
    done = evkg(*args, "--quiet")
    assert done.returncode == 0, done.stderr
    return (out / "current").resolve().name


@contextmanager
def serving(out: Path, settings: dict[str, str] | None = None
            ) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`evkg serve` of ``out`` (one worker) until the block ends, with the ``EVKG_*``
    ``settings``: its URL and process."""
    base = f"http://127.0.0.1:{free_port()}"
    server = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", "--store", str(out),
                               "--port", base.rsplit(":", 1)[1], "--workers", "1"],
                              env={**os.environ, **(settings or {})},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(base + "/health", server)
        yield base, server
    finally:
        server.terminate()
        server.wait(timeout=30)


@contextmanager
def loaded_and_superseded(tmp_path: Path) -> Iterator[tuple[Path, str, RemoteStoreProcess]]:
    """A build folder under ``tmp_path`` whose first release (of article 99999911) Oxigraph's
    server holds, and whose current one, published since, adds article 99999912: the folder,
    the first release's version and the store, stopped when the block ends."""
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph command is not installed (pip install oxigraph)")
    out = tmp_path / "b"
    loaded = publish(out, "99999911", first=True)
    store = start_oxigraph(tmp_path / "store", free_port())
    try:
        load_release(store, out)
        assert publish(out, "99999912") != loaded
        yield out, loaded, store
    finally:
        store.stop()


def asked(base: str, pmid: str) -> bool:
    answer = requests.post(base + "/sparql", data={"query": f"ASK {{ <{ARTICLE}{pmid}> ?p ?o }}"},
                           headers={"Accept": "application/sparql-results+json"}, timeout=30)
    return bool(answer.json()["boolean"])


def test_prune_keeps_the_release_a_server_serves_until_it_is_gone(tmp_path: Path) -> None:
    """A server started before an ingest serves the old release until SIGHUP: prune keeps it,
    and the server goes on answering; once the server is gone, prune removes it, and the
    answers the result cache kept of it."""
    out = tmp_path / "b"
    served = publish(out, "99999911", first=True)
    with serving(out) as (base, _):
        current = publish(out, "99999912")
        assert current != served
        pruned = evkg("prune", "--store", str(out), "--keep", "0")
        assert pruned.returncode == 0, pruned.stderr
        assert f"kept release {served}: in use by a server" in pruned.stdout
        assert (out / "releases" / served / "store").is_dir()
        assert requests.get(base + "/health", timeout=30).json()["version"] == served
        assert asked(base, "99999911") and not asked(base, "99999912")
    assert len(list((out / "cache").glob(f"{served}-*"))) == 2  # the answers kept on disk
    pruned = evkg("prune", "--store", str(out), "--keep", "0")
    assert pruned.returncode == 0, pruned.stderr
    assert f"removed release {served} (" in pruned.stdout
    assert "removed 2 cached answers of the removed releases" in pruned.stdout
    assert not list((out / "cache").glob(f"{served}-*"))
    assert f"current release {current}" in pruned.stdout
    assert sorted(p.name for p in (out / "releases").iterdir()) == [current]
    ask = evkg("query", "--store", str(out), "--format", "json",
               f"ASK {{ <{ARTICLE}99999912> ?p ?o }}")
    assert ask.returncode == 0 and '"boolean":true' in ask.stdout.replace(" ", "")


def test_prune_keeps_the_release_whose_files_a_server_of_a_remote_store_offers(
        tmp_path: Path) -> None:
    """A review's: a server of a remote store offers the downloads and search index of the
    local release of the version the store holds, but held no lease on it: once an ingest made
    another release current, prune removed it, and each download was a 404 (its list still
    naming the files) and search fell back to SPARQL. Prune keeps it while the server runs."""
    with loaded_and_superseded(tmp_path) as (out, served, store):
        with serving(out, {"EVKG_SPARQL_ENDPOINT": store.query_endpoint}) as (base, _):
            pruned = evkg("prune", "--store", str(out), "--keep", "0")
            assert pruned.returncode == 0, pruned.stderr
            assert f"kept release {served}: in use by a server" in pruned.stdout
            dump = requests.get(base + "/downloads/evkg.nq.gz", timeout=30)
            assert dump.status_code == 200 and dump.content[:2] == b"\x1f\x8b"
        pruned = evkg("prune", "--store", str(out), "--keep", "0")
        assert f"removed release {served} (" in pruned.stdout


def test_prune_removes_the_old_release_once_a_reload_serves_the_new_one(tmp_path: Path) -> None:
    """After `kill -HUP` the server serves the current release: its old workers gone, no
    lease holds the old one (gunicorn's master let go of it), and prune removes it while the
    server goes on answering."""
    out = tmp_path / "b"
    served = publish(out, "99999911", first=True)
    with serving(out) as (base, server):
        current = publish(out, "99999912")
        server.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + 60
        while requests.get(base + "/health", timeout=30).json()["version"] != current:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        pruned = evkg("prune", "--store", str(out), "--keep", "0")
        while (out / "releases" / served).exists():  # once the old worker has exited
            assert time.monotonic() < deadline, pruned.stdout
            time.sleep(0.2)
            pruned = evkg("prune", "--store", str(out), "--keep", "0")
        assert pruned.returncode == 0, pruned.stderr
        assert f"removed release {served} (" in pruned.stdout
        assert asked(base, "99999912")


def test_prune_keeps_the_most_recent_and_removes_leftover_staging(tmp_path: Path) -> None:
    """--keep N keeps the N most recently published releases beside the current one;
    --dry-run only says what would go; a staging folder a killed build left goes; the next
    ingest needs only the current release."""
    out = tmp_path / "b"
    first = publish(out, "99999911", first=True)
    second = publish(out, "99999912")
    third = publish(out, "99999913")
    leftover = out / ".staging-0123456789ab-4194999"
    (leftover / "store").mkdir(parents=True)
    (leftover / "store" / "000001.sst").write_bytes(b"x" * 10_000)

    dry = evkg("prune", "--store", str(out), "--keep", "1", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would remove release {first} (" in dry.stdout
    assert f"would remove leftover staging folder {leftover.name} (" in dry.stdout
    assert f"kept {second}" in dry.stdout and f"current release {third}" in dry.stdout
    assert second not in dry.stdout.split("would free")[0]
    assert (out / "releases" / first).is_dir() and leftover.is_dir()

    pruned = evkg("prune", "--store", str(out), "--keep", "1")
    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout.replace("would remove", "removed").replace("would free", "freed") \
        == dry.stdout.replace("would remove", "removed").replace("would free", "freed")
    assert sorted(p.name for p in (out / "releases").iterdir()) == sorted([second, third])
    assert not list(out.glob(".staging-*"))
    assert (out / "current").resolve().name == third

    fourth = publish(out, "99999914")  # an ingest reads only the current release
    manifest = (out / "releases" / fourth / "manifest.json").read_text(encoding="utf-8")
    assert f'"based_on": "{third}"' in manifest
    again = evkg("prune", "--store", str(out), "--keep", "1", "--quiet")
    assert again.returncode == 0 and again.stdout == ""
    assert sorted(p.name for p in (out / "releases").iterdir()) == sorted([third, fourth])


def test_a_release_built_again_counts_as_published_then(tmp_path: Path) -> None:
    """A build that finds its release already there makes it current again: it is then the
    most recently published, though its files are older."""
    out = tmp_path / "b"
    again = publish(out, "99999911", first=True)
    other = publish(out, "99999912", first=True)
    assert publish(out, "99999911", first=True) == again
    newest = publish(out, "99999913", first=True)
    pruned = evkg("prune", "--store", str(out), "--keep", "1")
    assert pruned.returncode == 0, pruned.stderr
    assert f"removed release {other} (" in pruned.stdout
    assert sorted(p.name for p in (out / "releases").iterdir()) == sorted([again, newest])


def test_prune_waits_for_a_build_and_removes_its_staging_only_after(tmp_path: Path) -> None:
    """Prune takes the build folder's write lock: while a build holds it, its staging folder
    stays; once the build is done, prune removes what the build left."""
    out = tmp_path / "b"
    publish(out, "99999911", first=True)
    building = out / f".staging-0123456789ab-{os.getpid()}"
    building.mkdir()
    with (out / ".evkg-writing.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        prune = subprocess.Popen([sys.executable, "-m", "kg.cli", "prune", "--store", str(out)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        time.sleep(3)
        assert prune.poll() is None  # waiting for the lock
        assert building.is_dir()
    said, errors = prune.communicate(timeout=120)
    assert prune.returncode == 0, errors
    assert f"removed leftover staging folder {building.name}" in said
    assert not building.exists()


#: `evkg build` of its arguments, killed with SIGKILL as the OOM killer or `kill -9` would kill
#: it: at the first file it opens once its staging folder is made.
_KILLED_BUILD = """
import os, signal, sys
from kg.cli import main
staging = []
def hook(event, args):
    if event == "os.mkdir" and ".staging-" in str(args[0]):
        staging.append(args[0])
    elif event == "open" and staging:
        os.kill(os.getpid(), signal.SIGKILL)
sys.addaudithook(hook)
main(["build", *sys.argv[1:]])
"""


def test_prune_removes_what_a_first_build_killed_or_held_back_left(tmp_path: Path) -> None:
    """A shared server's user's: the README says a staging folder left by SIGKILL "goes with
    the next build, ingest or `evkg prune` of DIR", but of a first build (no current release
    yet) prune said "is no build folder … of a folder that evkg build --out made", which it
    was, and left the staging folder (40 MB of a 10k-article build killed after 12 s); a first
    build held back by --max-errors left its release, and prune said "no release at DIR: run
    `evkg build --out DIR` first". Prune now takes such a folder: it removes the leftover
    staging folders, and keeps the --keep most recent releases (none is current)."""
    out = tmp_path / "b"
    killed = subprocess.run([sys.executable, "-c", _KILLED_BUILD, str(source(tmp_path, "99999911")),
                             "--out", str(out), "--without-default-articles"],
                            capture_output=True, text=True, timeout=600)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    (leftover,) = out.glob(".staging-*")
    pruned = evkg("prune", "--store", str(out))
    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout.startswith(f"removed leftover staging folder {leftover.name} (")
    assert pruned.stdout.endswith("; no current release (no build or ingest in this folder has "
                                  "published one)\n")
    # (with the note of the build that made the folder, as nothing was published in it)
    assert sorted(p.name for p in out.iterdir()) == [".evkg-made-by-a-build",
                                                     ".evkg-writing.lock"]

    bad = tmp_path / "bad.jsonl"
    bad.write_text('["not a record"]\n', encoding="utf-8")
    held = evkg("build", str(source(tmp_path, "99999912")), str(bad), "--out", str(out),
                "--without-default-articles", "--max-errors", "0", "--quiet")
    assert held.returncode == 1 and "but not made current" in held.stderr, held.stderr
    (kept,) = (out / "releases").iterdir()
    pruned = evkg("prune", "--store", str(out))
    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout.endswith(f"; kept {kept.name}\n")
    assert kept.is_dir()
    pruned = evkg("prune", "--store", str(out), "--keep", "0")
    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout.startswith(f"removed release {kept.name} (")
    assert not list((out / "releases").iterdir())


def test_prune_refuses_a_folder_that_is_no_build_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    release = tmp_path / "b" / "releases" / "0123456789ab"
    (release / "store").mkdir(parents=True)
    (release / "manifest.json").write_text("{}", encoding="utf-8")
    for folder, said in ((tmp_path / "empty", "is no build folder"),
                         (tmp_path / "missing", "no such build folder"),
                         (release, "is a release, not a build folder")):
        done = evkg("prune", "--store", str(folder))
        assert done.returncode == 1
        assert said in done.stderr
    assert release.is_dir()


def test_the_space_freed_counts_files_shared_by_hard_links_once(tmp_path: Path) -> None:
    """An ingest's store shares files with its base's by hard links: removing one release
    frees only what no other release links to."""
    one, other = tmp_path / "one", tmp_path / "other"
    one.mkdir()
    other.mkdir()
    (one / "shared.sst").write_bytes(b"x" * 100_000)
    (one / "own.sst").write_bytes(b"y" * 50_000)
    os.link(one / "shared.sst", other / "shared.sst")
    alone = freed_bytes([one])[one]
    both = freed_bytes([one, other])
    assert 50_000 <= alone < 100_000  # its own file (and its folder's block)
    assert both[one] == alone and both[other] >= 100_000  # the shared file, once


def test_prune_keeps_the_current_release_named_through_another_mount(tmp_path: Path) -> None:
    """``current`` written by hand as an absolute path through another mount of the build
    folder (a bind mount: /srv/evkg and /data/evkg are one folder) names the same release
    by another path: prune took it for an old one and removed the release current names."""
    out, mounted = tmp_path / "b", tmp_path / "mounted"
    publish(out, "99999911", first=True)
    current = publish(out, "99999912")
    mounted.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "--bind", str(out), str(mounted)],
                                           capture_output=True).returncode != 0:
        pytest.skip("a bind mount needs root (and mount)")
    try:
        link = out / ".current-by-hand"
        link.symlink_to(mounted / "releases" / current)  # absolute, through the other mount
        link.replace(out / "current")
        pruned = evkg("prune", "--store", str(out), "--keep", "0")
        ask = evkg("query", "--store", str(out), "--format", "json",
                   f"ASK {{ <{ARTICLE}99999912> ?p ?o }}")
    finally:
        subprocess.run(["umount", str(mounted)], check=True)
    assert pruned.returncode == 0, pruned.stderr
    assert f"removed release {current}" not in pruned.stdout
    assert sorted(p.name for p in (out / "releases").iterdir()) == [current]
    assert ask.returncode == 0 and '"boolean":true' in ask.stdout.replace(" ", ""), ask


def test_prune_removes_no_file_of_the_cache_folder_but_a_removed_releases_answers(
        tmp_path: Path) -> None:
    """Prune removes the cached answers of a removed release by name, ``{version}-{key}``;
    with ``cache`` a link to another folder (another disk, or put there by whoever else may
    write in the build folder) and a release folder named by hand (``common``), it removed
    every file there whose name began with ``common-``: the PAM configuration's
    ``common-auth`` of ``/etc/pam.d``, for a prune run by root."""
    out, elsewhere = tmp_path / "b", tmp_path / "pam.d"
    publish(out, "99999931", first=True)
    shutil.copytree(out / "current", out / "releases" / "common")
    os.utime(out / "releases" / "common", (0, 0))  # (published long ago)
    elsewhere.mkdir()
    (elsewhere / "common-auth").write_text("auth required pam_unix.so\n")
    answer = elsewhere / f"common-{'0a' * 32}"  # an answer of release common
    answer.write_bytes(b"evkg-cache 1\n")
    shutil.rmtree(out / "cache", ignore_errors=True)
    (out / "cache").symlink_to(elsewhere)
    pruned = evkg("prune", "--store", str(out), "--keep", "0")
    assert pruned.returncode == 0, pruned.stderr
    assert "removed release common (" in pruned.stdout
    assert "removed 1 cached answer" in pruned.stdout and not answer.exists()
    assert (elsewhere / "common-auth").read_text() == "auth required pam_unix.so\n"


def test_prune_neither_follows_nor_counts_a_staging_link(tmp_path: Path) -> None:
    """A ``.staging-*`` entry that is a link to a folder elsewhere: prune walked the folder it
    led to (``/usr``: thousands of megabytes, seconds) and said it removed it and freed that
    space, each time, while it removed nothing. The link itself goes, and frees nothing."""
    out, elsewhere = tmp_path / "b", tmp_path / "elsewhere"
    current = publish(out, "99999941", first=True)
    elsewhere.mkdir()
    (elsewhere / "data").write_bytes(b"x" * 3_000_000)
    (out / ".staging-x").symlink_to(elsewhere)
    pruned = evkg("prune", "--store", str(out), "--keep", "0")
    assert pruned.returncode == 0, pruned.stderr
    assert pruned.stdout.splitlines() == [
        "removed leftover staging folder .staging-x (0.0 MB)",
        f"freed 0.0 MB; current release {current}"], pruned.stdout
    assert not os.path.lexists(out / ".staging-x")
    assert (elsewhere / "data").stat().st_size == 3_000_000


def test_prune_removes_no_folder_of_releases_that_holds_no_release(tmp_path: Path) -> None:
    """``releases/`` may be a link to a folder elsewhere (another disk; or put there by
    whoever else may write in the build folder, with ``current`` named by hand): prune
    removed every folder it held but the current, whatever it was (an operator's ``thesis``).
    Only a folder that holds a release, its ``manifest.json`` or its ``store/``, goes."""
    out, elsewhere = tmp_path / "b", tmp_path / "projects"
    current = publish(out, "99999951", first=True)
    elsewhere.mkdir()
    (elsewhere / "thesis").mkdir()
    (elsewhere / "thesis" / "chapter1.tex").write_text("\\chapter{Introduction}\n")
    os.utime(elsewhere / "thesis", (0, 0))
    shutil.copytree(out / "current", elsewhere / "old")  # a release published long ago
    os.utime(elsewhere / "old", (0, 0))
    (out / "releases").rename(out / "releases.kept")
    (out / "releases").symlink_to(elsewhere)
    link = out / ".current-by-hand"
    link.symlink_to(out / "releases.kept" / current)
    link.replace(out / "current")
    pruned = evkg("prune", "--store", str(out), "--keep", "0")
    assert pruned.returncode == 0, pruned.stderr
    assert "removed release old (" in pruned.stdout and "thesis" not in pruned.stdout
    assert sorted(p.name for p in elsewhere.iterdir()) == ["thesis"]
    assert (elsewhere / "thesis" / "chapter1.tex").read_text() == "\\chapter{Introduction}\n"


def test_prune_truncates_no_file_through_a_link_named_as_the_lock_file(tmp_path: Path) -> None:
    """The write lock (``DIR/.evkg-writing.lock``) was opened for writing, truncated, through
    whatever link stood at its name: a link put there by whoever else may write in the build
    folder emptied a file of the user running prune (or build, or ingest), any file for root.
    A link there is refused, naming it; the file it leads to is left whole."""
    out, precious = tmp_path / "b", tmp_path / "precious.conf"
    publish(out, "99999961", first=True)
    precious.write_text("the operator's settings\n")
    (out / ".evkg-writing.lock").unlink()
    (out / ".evkg-writing.lock").symlink_to(precious)
    pruned = evkg("prune", "--store", str(out), "--keep", "0")
    assert precious.read_text() == "the operator's settings\n"
    assert pruned.returncode == 1
    assert pruned.stderr.strip().endswith(
        f"the lock file {out / '.evkg-writing.lock'} is a link: remove it (evkg makes its own)")


def test_prune_names_a_holder_without_its_terminal_escapes(tmp_path: Path) -> None:
    """Prune names a process that holds a file of a release with its command line, which any
    user chooses for the processes they start: one named with a terminal's escape sequences
    (retitling the window, clearing the screen) had them written to the terminal of whoever
    ran prune, root's included."""
    out = tmp_path / "b"
    old = publish(out, "99999971", first=True)
    publish(out, "99999972")
    named = "\x1b]0;owned\x07\x1b[2Jreader"
    with (out / "releases" / old / "manifest.json").open("rb") as held:
        reader = subprocess.Popen([named, "60"], executable="sleep", stdin=held)
    try:
        pruned = evkg("prune", "--store", str(out), "--keep", "0")
    finally:
        reader.kill()
        reader.wait()
    assert pruned.returncode == 0, pruned.stderr
    assert f"kept release {old}: in use by process {reader.pid} " in pruned.stdout
    assert "\x1b" not in pruned.stdout and "\\x1b]0;owned\\x07\\x1b[2Jreader 60" in pruned.stdout
