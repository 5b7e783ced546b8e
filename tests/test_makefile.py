"""The Makefile's `make serve`, run as a user runs it, on a build folder of their own."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import requests

from kg.build import build, ingest
from kg.jsonrecords import write_records
from kg.records import Article
from kg.release import current_release
from tests.conftest import ROOT, free_port, wait_for


def make_serve(out: Path, port: int) -> subprocess.Popen[bytes]:
    """`make serve OUT=… PORT=…` with this Python's evkg (its install and allocator steps
    taken as done: the tests' environment has both)."""
    return subprocess.Popen(
        ["make", "--no-print-directory", "-o", "install", "-o", "allocator", "serve",
         f"OUT={out}", f"PORT={port}", f"BIN={Path(sys.executable).parent}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)


def served_by_make_serve(out: Path) -> tuple[str, str]:
    """The release version `make serve OUT=out` serves (its `/health`), and what it printed
    (make and its server stopped, their own process group)."""
    port = free_port()
    process = make_serve(out, port)
    try:
        wait_for(f"http://127.0.0.1:{port}/health", process, seconds=120)
        served = requests.get(f"http://127.0.0.1:{port}/health", timeout=10).json()["version"]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        output, _ = process.communicate(timeout=60)
    return served, output.decode("utf-8", "replace")


def test_make_serve_serves_a_grown_release_as_it_is(tmp_path: Path) -> None:
    """The README's way to run evkg: `make serve`, then `evkg fetch --into build` nightly.
    After `git pull`, `make serve` built the default graph and made it current again: the
    server answered without every article the fetches had brought (93, not 94 here), and
    the next fetch (`--since last`) grew the default graph, so those articles were lost from
    every later release. A current release that an ingest grew (or that was built from other
    sources) is now served as it is, and make says so; one of the default graph alone is
    built again as before."""
    out = tmp_path / "build"
    build([], out)
    update = tmp_path / "update.jsonl"
    write_records([Article(pmid="99999931", title="An article fetched later")], update)
    grown = ingest([update], out).version
    served, output = served_by_make_serve(out)
    assert served == grown, output
    assert current_release(out).name == grown
    assert f"{out}/current is release {grown}, which evkg ingest or fetch grew" in output



def test_make_serve_builds_the_default_graph_again_after_an_upgrade(tmp_path: Path) -> None:
    """A current release of the default graph alone that an older evkg made (a copy of this
    one with a curated finding fewer, run from its own folder) is built again by this one,
    made current and served."""
    older = tmp_path / "older"
    for part in ("kg", "data", "ontology", "queries"):
        shutil.copytree(ROOT / part, older / part)
    findings = older / "data" / "findings.tsv"
    findings.write_text("".join(findings.read_text("utf-8").splitlines(True)[:-1]), "utf-8")
    out = tmp_path / "build"
    subprocess.run([sys.executable, "-m", "kg.cli", "build", "--out", str(out), "--quiet"],
                   cwd=older, env={**os.environ, "PYTHONPATH": str(older)}, check=True)
    before = current_release(out).name
    served, output = served_by_make_serve(out)
    assert served == current_release(out).name != before, output
    assert "serving it as it is" not in output


def test_make_without_npm_says_what_the_pages_lack(tmp_path: Path) -> None:
    """`make serve` on a machine without npm goes on, and says what the pages lack: the editor's
    YASGUI, and Chart.js, without which /explore shows its numbers as tables. It named the
    editor alone, as the README did before it named Chart.js. (Run on a copy of the Makefile,
    with a PATH that holds no npm: an npm found would install into the copy, not the checkout.)"""
    for name in ("Makefile", "package.json", "package-lock.json"):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "bin").mkdir()
    done = subprocess.run(
        [shutil.which("make") or "make", "--no-print-directory", "node_modules/.package-lock.json"],
        cwd=tmp_path, env={"PATH": str(tmp_path / "bin")}, capture_output=True, text=True,
        timeout=60)
    assert done.returncode == 0, done.stderr
    message = done.stdout.strip()
    assert message.startswith("npm not found: ") and "query editor" in message, message
    assert "/explore" in message and "Chart.js" in message, message


def test_a_linked_node_modules_is_never_committed(tmp_path: Path) -> None:
    """A review's: `.gitignore` named ``node_modules/``, which matches a folder alone, so a
    checkout whose ``node_modules`` is a link to another's (one npm install shared by several
    worktrees) committed the link with ``git add -A``: a clone then held a link to a folder of
    the committer's machine in place of the folder `make install` fills."""
    shared = tmp_path / "shared"
    shared.mkdir()
    work = tmp_path / "work"
    work.mkdir()
    shutil.copy(ROOT / ".gitignore", work / ".gitignore")
    (work / "node_modules").symlink_to(shared)
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    status = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all"], cwd=work,
                            capture_output=True, text=True, check=True).stdout
    assert status.splitlines() == ["?? .gitignore"]


def test_make_refuses_a_python_too_old_before_making_the_venv(tmp_path: Path) -> None:
    """A review's: on a machine whose `python3` is 3.10, `make serve` made `.venv` with it, and
    pip then refused to install evkg; the README's way out, `make serve PYTHON=python3.12`,
    kept that `.venv` (its Python is already there) and failed the same way. make now asks
    the Python's version first, says what to do, and makes no `.venv` of it."""
    old = tmp_path / "bin" / "python3.10"
    old.parent.mkdir()
    # a Python 3.10 as make meets it: its version, a check of it that fails, and a venv
    old.write_text('#!/bin/sh\ncase "$1" in\n  --version) echo "Python 3.10.12" ;;\n'
                   '  -m) mkdir -p "$3/bin"; printf "#!/bin/sh\\nexit 1\\n" > "$3/bin/python"; '
                   'chmod +x "$3/bin/python" ;;\n  *) exit 1 ;;\nesac\n', "utf-8")
    old.chmod(0o755)
    venv = tmp_path / ".venv"
    done = subprocess.run(["make", "--no-print-directory", f"{venv}/.installed",
                           f"PYTHON={old}", f"VENV={venv}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert (f"make: evkg needs Python 3.11 or later, and PYTHON={old} is Python 3.10.12: "
            "name another, as make serve PYTHON=python3.12") in done.stdout + done.stderr, done
    assert not venv.exists()


def test_make_names_a_venv_made_with_a_python_too_old(tmp_path: Path) -> None:
    """A review's: make asks the Python's version before it makes `.venv`, but a `.venv` made
    with a Python 3.10 before it asked (the failed `make serve` the README's way out follows)
    was kept, `make serve PYTHON=python3.12` or not, and pip failed in it as before. make names
    that `.venv` and says what to do."""
    venv = tmp_path / ".venv"
    (venv / "bin").mkdir(parents=True)
    # a .venv of Python 3.10 as make meets it: its version, and a check of it that fails
    (venv / "bin" / "python").write_text(
        '#!/bin/sh\ncase "$1" in\n  --version) echo "Python 3.10.12" ;;\n  *) exit 1 ;;\nesac\n',
        "utf-8")
    (venv / "bin" / "python").chmod(0o755)
    done = subprocess.run(["make", "--no-print-directory", f"{venv}/.installed",
                           f"PYTHON={sys.executable}", f"VENV={venv}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode != 0
    assert (f"make: {venv} was made with Python 3.10.12, and evkg needs Python 3.11 or later: "
            f"remove it (rm -r {venv}) and make again, with PYTHON= a Python 3.11 or later"
            ) in done.stdout + done.stderr, done
    assert not (venv / ".installed").exists()


def make_clean(out: Path, bin_dir: Path = Path(sys.executable).parent) -> str:
    """What `make clean OUT=out` printed (it also removes the tool caches, as it does)."""
    done = subprocess.run(["make", "--no-print-directory", "clean", f"OUT={out}",
                           f"BIN={bin_dir}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, check=True)
    return done.stdout + done.stderr


def test_make_clean_keeps_a_build_folder_with_articles_it_cannot_make_again(
        tmp_path: Path) -> None:
    """`make clean` deleted the build folder whatever it held: a month of `evkg fetch --into
    build` went with it, and the README said nothing of it. A folder that holds a release
    grown by an ingest (current or not) is kept, and make says why and how to delete it; one
    of default-graph builds alone is deleted, as before."""
    out = tmp_path / "build"
    build([], out)
    update = tmp_path / "update.jsonl"
    write_records([Article(pmid="99999932", title="An article fetched later")], update)
    grown = ingest([update], out).version
    build([], out)  # the default graph current again: the grown release is an older one
    output = make_clean(out)
    assert (f"make clean: {out} kept: it holds release {grown}, which evkg ingest or fetch grew "
            f"from release ") in output, output
    assert f"(`rm -rf {out}` deletes it)" in output
    assert (out / "releases" / grown / "store").is_dir()
    plain = tmp_path / "plain"
    build([], plain)
    output = make_clean(plain)
    assert not plain.exists() and "kept" not in output, output


def test_make_clean_keeps_what_evkg_fetch_downloaded(tmp_path: Path) -> None:
    """A review's: `evkg fetch --no-ingest --into build` (or a fetch stopped, to be resumed)
    keeps its batches in `build/fetch/`, beside releases of the default graph alone, and
    `make clean` deleted them. A folder with a `fetch/` that holds anything is kept, and so is
    one with a release whose manifest cannot be read to tell what it holds."""
    out = tmp_path / "build"
    build([], out)
    batch = out / "fetch" / "0123456789abcdef" / "batch-00000000.jsonl"
    batch.parent.mkdir(parents=True)
    batch.write_text("{}\n", "utf-8")
    assert (f"make clean: {out} kept: it holds what evkg fetch downloaded ({out}/fetch: batches "
            "not yet ingested, and the history --since last reads)") in make_clean(out)
    assert batch.is_file()
    empty = tmp_path / "empty"
    build([], empty)
    (empty / "fetch" / "0123456789abcdef").mkdir(parents=True)  # (no file: nothing to keep)
    assert "kept" not in make_clean(empty) and not empty.exists()
    other = tmp_path / "other"
    build([], other)
    (current_release(other) / "manifest.json").write_text("{", "utf-8")
    assert (f"make clean: {other} kept: it holds release {current_release(other).name}, whose "
            "manifest cannot be read to tell what it holds") in make_clean(other)


def test_make_clean_keeps_what_it_cannot_tell_is_a_build_folder(tmp_path: Path) -> None:
    """A folder that is no build folder (a mistyped OUT) is kept, and so is a build folder when
    there is no Python to tell what its releases hold."""
    other = tmp_path / "papers"
    other.mkdir()
    (other / "notes.txt").write_text("mine", "utf-8")
    assert f"make clean: {other} is no build folder evkg wrote: kept" in make_clean(other)
    assert (other / "notes.txt").read_text("utf-8") == "mine"
    out = tmp_path / "build"
    build([], out)
    output = make_clean(out, tmp_path / "no-venv" / "bin")
    assert f"make clean: {out} kept: without {tmp_path}/no-venv/bin/python" in output, output
    assert current_release(out).is_dir()
    assert make_clean(tmp_path / "never-made").strip() == "rm -rf .pytest_cache .mypy_cache .ruff_cache"
