"""The ``evkg`` command: thin wrappers over the library functions."""

from __future__ import annotations

import difflib
import errno
import fcntl
import os
import re
import secrets
import signal
import stat
import sys
import tempfile
import threading
import urllib.parse
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path
from typing import IO, Any, NoReturn, TypeVar, cast

import click
from click.core import ParameterSource
from click.shell_completion import CompletionItem

from kg import release
from kg.build import BuildReport, build, ingest
from kg.inputs import BuildError, option_of
from kg.plurals import counted
from kg.remote import refused_url, shown_url
from kg.remoteload import UPDATE_BATCH
from kg.sources import NoSuchSource

T = TypeVar("T")

#: Where builds go unless --out / --store says otherwise (EVKG_STORE_DIR in the server).
DEFAULT_OUT = Path("build")

def _taken_once(given: tuple[T, ...], same: Callable[[T], object], different: str,
                shown: Callable[[T], str] = str) -> T | None:
    """The one thing an option of one value was given for, once or more (its first spelling;
    ``same`` says what is the same thing: a file by its path resolved, a graph by its IRI);
    None when not given. Things that are not the same are refused, naming each: "a, b and c
    are {different}" (click kept an option's last value and left the others unsaid)."""
    firsts: dict[object, T] = {}
    for value in given:
        firsts.setdefault(same(value), value)
    if len(firsts) > 1:
        *others, last = (shown(value) for value in firsts.values())
        raise click.BadParameter(f"{', '.join(others)} and {last} are {different}")
    return next(iter(firsts.values()), None)


class _OneValue(click.Option):
    """An option of one value, which ``one_value_option`` lets be given more than once: its
    variable's value is that one value whole (click splits a repeatable option's variable at
    each space, or a path's at each ``:``). Its ``default`` is the one value (None: none), as
    a reader of the command's options takes it (``benchmarks/server.py`` said "gunicorn, (2,)
    workers" of ``evkg serve``'s); click is given it as the tuple of a repeatable option."""

    def __init__(self, *decls: Any, default: object = None, **settings: Any) -> None:
        super().__init__(*decls, default=() if default is None else (default,), **settings)
        self.default = default

    def get_default(self, ctx: click.Context, call: bool = True) -> Any:
        value = super().get_default(ctx, call=call)
        return value if isinstance(value, tuple) else () if value is None else (value,)

    def value_from_envvar(self, ctx: click.Context) -> tuple[str, ...] | None:
        value = self.resolve_envvar_value(ctx)
        return None if value is None else (value,)

    def get_error_hint(self, ctx: click.Context | None) -> str:
        """The option, and its variable when that gave the value refused (click named
        EVKG_STORE_DIR beside ``serve --store a --store b``, as if the variable were at
        fault), as ``load``'s endpoints are named; a required option given neither way, with
        the variable that can give it (`evkg load` said "Missing option '--endpoint'." alone)."""
        hint = click.Parameter.get_error_hint(self, ctx)
        if ctx is None or not self.name or not isinstance(self.envvar, str):
            return hint
        source = ctx.get_parameter_source(self.name)
        if source is ParameterSource.ENVIRONMENT:
            hint += f" ({self.envvar})"
        elif self.required and source in (None, ParameterSource.DEFAULT):
            hint += f" (or set {self.envvar})"
        return hint


def one_value_option(*decls: str, same: Callable[[Any], object] = lambda value: value,
                     different: str, shown: Callable[[Any], str] = str,
                     default: object = None,
                     callback: Callable[[click.Context, click.Parameter, Any], Any] | None = None,
                     **settings: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``click.option`` of one value, taken once when given again and refused, naming both,
    when given twice differently ("a and b are {different}"; ``same``: what is the same value,
    ``shown``: how a value is named):
    click kept the last, and said nothing of the first (`--out a --out b` built into b).
    ``callback`` checks each value given (None when none is), before they are compared: a
    value it refuses is named for what is wrong with it, not as one of two different ones
    (``--since 2024-01-01 --since 2024-1-1``), and two it reads as one are one (``--host
    [::1] --host ::1``)."""
    def taken(ctx: click.Context, param: click.Parameter, value: tuple[Any, ...]) -> Any:
        if callback is not None:
            if not value:
                return callback(ctx, param, None)
            value = tuple(callback(ctx, param, each) for each in value)
        return _taken_once(value, same, different, shown)

    return click.option(*decls, cls=_OneValue, multiple=True, callback=taken, default=default,
                        **settings)


def _same_path(path: str | Path) -> str:
    """A file or folder as what it is: ``build`` and ``./build`` are one. ``os.path.realpath``,
    not ``Path.resolve``, whose "Symlink loop" error was a traceback: a link that leads to
    itself is then named by the command, as any path that cannot be its folder or file."""
    return os.path.realpath(path)


#: What a build folder's option says of two.
DIFFERENT_FOLDERS = "different folders: give one"


class _Named(click.Path):
    """``click.Path``, refusing an empty value: ``Path("")`` is the current folder, so
    ``--out "$DIR"`` with DIR unset built into it (``--store ''`` said "no release at .", an
    export to ``''`` ". is a folder"), where ``mkdir ''`` and ``> ''`` refuse the name."""

    def __init__(self, *, wanted: str = "a path (. for the current folder)",
                 **settings: Any) -> None:
        super().__init__(**settings)
        self.wanted = wanted

    def convert(self, value: str | os.PathLike[str], param: click.Parameter | None,
                ctx: click.Context | None) -> str | bytes | os.PathLike[str]:
        if value == "":
            self.fail(f"it is empty: give {self.wanted}", param, ctx)
        if isinstance(value, str) and not value.strip():  # ("$DIR " with DIR unset)
            self.fail(f"it is white space alone: give {self.wanted} (for a name of white "
                      "space alone, write ./ before it)", param, ctx)
        return super().convert(value, param, ctx)


#: A build folder's path (--out, --into, --store), as given.
FOLDER = _Named(path_type=Path)

out_option = one_value_option("--out", "out", type=FOLDER, default=DEFAULT_OUT,
                              same=_same_path, different=DIFFERENT_FOLDERS,
                              show_default=True, help="Build folder (releases/ and current).")
quiet_option = click.option("--quiet", is_flag=True, help="Print only errors.")


def release_option(done: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """``--store`` of a command that reads a release (``release.release_to_read``), whose help
    says what it takes: the release is ``done`` (queried, checked, …)."""
    return one_value_option("--store", "out", type=FOLDER, default=DEFAULT_OUT,
                            same=_same_path, different=DIFFERENT_FOLDERS, show_default=True,
                            help=f"Build folder whose current release is {done}, or a release "
                            "folder (DIR/current, DIR/releases/VERSION: an older release) or "
                            "its store (DIR/current/store).")


def _files_read_again(ctx: click.Context, param: click.Parameter,
                      value: tuple[Path, ...] | Path | None) -> tuple[Path, ...] | Path | None:
    """``--mesh`` and ``--mirbase`` files, refused when one is a pipe (``<(zcat …)``) or a
    device: a build reads it more than once (what it holds, its records, its SHA-256, by which
    the next ingest takes it again), a pipe's text once."""
    for path in value if isinstance(value, tuple) else (value,) if value else ():
        if not path.is_file():
            raise click.BadParameter(f"{path} is a pipe or a device, not a file: it is read more "
                                     "than once (and again by the next ingest): give a file")
    return value


mesh_option = click.option("--mesh", "mesh_files", multiple=True, callback=_files_read_again,
                           type=click.Path(exists=True, dir_okay=False, path_type=Path),
                           help="MeSH descriptor XML or table (labels, entry terms, tree numbers),"
                           " added to data/mesh.tsv, its descriptors winning; or NLM's "
                           "supplementary concept records (supp{year}.xml). Give it again for "
                           "another file: a later file's descriptors win.")


def _one_mirbase_file(ctx: click.Context, param: click.Parameter,
                      value: tuple[Path, ...]) -> Path | None:
    """``--mirbase``: one file, taken once when named again; a second was read in the first's
    place (click keeps an option's last value), where ``--mesh`` beside it takes another."""
    one = _taken_once(value, Path.resolve, "different files: evkg reads one miRBase GFF3 file "
                      "(that of the articles' species, hsa.gff3): give one")
    return cast(Path | None, _files_read_again(ctx, param, one))


mirbase_option = click.option("--mirbase", "mirbase_file", callback=_one_mirbase_file,
                              multiple=True,
                              type=click.Path(exists=True, dir_okay=False, path_type=Path),
                              help="One miRBase GFF3 file (e.g. hsa.gff3): text mining takes every "
                              "miRNA it names as cargo, not only the vocabulary's; the ones "
                              "findings name join graph/vocabulary.")
class WholeNumbers(click.IntRange):
    """``click.IntRange``, saying of a value that is no number that a whole number is wanted
    (click said "'abc' is not a valid integer range.", its name of the type, as if a range
    were)."""

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        if isinstance(value, str):
            try:
                int(value)
            except ValueError:
                self.fail(f"{value!r} is not a whole number.", param, ctx)
        return super().convert(value, param, ctx)


#: What an option of a number says of two.
DIFFERENT_NUMBERS = "different numbers: give one"

max_errors_option = one_value_option("--max-errors", type=WholeNumbers(min=0),
                                     different=DIFFERENT_NUMBERS,
                                     help="When more records of the sources than this are "
                                     "quarantined, keep the new release but leave `current` as "
                                     "it was and exit non-zero (curated findings waiting for "
                                     "their article, and the default articles' records without "
                                     "an identifier, are listed, not counted).")


class Stopped(KeyboardInterrupt):
    """A command stopped by a signal (SIGTERM; Ctrl-C is a plain ``KeyboardInterrupt``), with
    what to say once it has cleaned up."""

    def __init__(self, signum: int, message: str = "Aborted!") -> None:
        super().__init__(message)
        self.signum = signum
        self.message = message


@contextmanager
def sigterm_as_ctrl_c() -> Iterator[None]:
    """SIGTERM (``kill``, ``timeout``, a service manager stopping a job) stops the command as
    Ctrl-C does: a build or an ingest removes its staging folder (a copy of the store) and a
    first build the folders it made, which SIGTERM's default action left behind."""
    def interrupt(signum: int, frame: object) -> None:
        raise Stopped(signum)

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class _Command(click.Command):
    """An evkg command, whose shell completion offers an option of one value (``_OneValue``)
    until it is given, as click offers a plain option: click offers again every option that
    may be given again, as these may only to take one value spelt twice."""

    def shell_complete(self, ctx: click.Context, incomplete: str) -> list[CompletionItem]:
        given = {opt for param in self.get_params(ctx) if isinstance(param, _OneValue)
                 and ctx.get_parameter_source(param.name or "") is ParameterSource.COMMANDLINE
                 for opt in param.opts}
        return [item for item in super().shell_complete(ctx, incomplete)
                if item.value not in given]


class _Commands(click.Group):
    """evkg's commands. One stopped by Ctrl-C or SIGTERM says so once it has cleaned up and
    then ends by that signal, as a program that took no signal would (click's exit 1 had a
    shell script that Ctrl-C stopped in `for f in *.xml; do evkg ingest $f; done` go on
    with the next file: a shell ends a script only when its command died of the signal)."""

    command_class = _Command

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as stop:
            echo(getattr(stop, "message", "Aborted!"), err=True)
            _end_by(getattr(stop, "signum", signal.SIGINT))


def _end_by(signum: int) -> NoReturn:
    """End this process by ``signum``'s default action (its exit status says so)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            _discard(stream)
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)
    sys.exit(128 + signum)  # (a signal that is blocked: the shell's code for it)


@click.group(cls=_Commands)
@click.version_option(package_name="evkg")
def main() -> None:
    """evkg: a knowledge graph of extracellular vesicles in breast cancer."""
    from kg.iris import base_problem

    problem = base_problem()  # (every command mints or reads IRIs under the base)
    if problem is not None:
        raise click.ClickException(problem)


@main.command("build")
@click.argument("sources", nargs=-1)
@out_option
@mesh_option
@mirbase_option
@click.option("--without-default-articles", is_flag=True,
              help="Leave out data/articles.jsonl (the vocabulary and findings stay).")
@max_errors_option
@quiet_option
def build_command(sources: tuple[str, ...], out: Path, mesh_files: tuple[Path, ...],
                  mirbase_file: Path | None, without_default_articles: bool,
                  max_errors: int | None, quiet: bool) -> None:
    """Build a validated release from SOURCES (files, folders, globs) and the default data."""
    if without_default_articles and not sources:  # (exit 2: the library's own said it, exit 1)
        raise click.UsageError("nothing to build: no SOURCES, and --without-default-articles")
    try:
        with sigterm_as_ctrl_c():
            report = build(sources, out, mesh_files=mesh_files, mirbase_file=mirbase_file,
                           default_articles=not without_default_articles,
                           progress=not quiet and sys.stderr.isatty(), max_errors=max_errors)
    except NoSuchSource as error:  # (a name that is not there or no source: a usage error)
        raise click.UsageError(str(error)) from None
    except (BuildError, FileNotFoundError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    print_report(report, quiet=quiet, out=out)


@main.command("ingest")
@click.argument("files", nargs=-1, required=True)
@one_value_option("--into", "out", type=FOLDER, default=DEFAULT_OUT,
                  same=_same_path, different=DIFFERENT_FOLDERS,
                  show_default=True, help="Build folder whose current release is updated.")
@mesh_option
@mirbase_option
@max_errors_option
@quiet_option
def ingest_command(files: tuple[str, ...], out: Path, mesh_files: tuple[Path, ...],
                   mirbase_file: Path | None, max_errors: int | None, quiet: bool) -> None:
    """Apply PubMed baseline/update FILES to the current release, producing the next one.

    A PMID is a replaceable unit: a newer record replaces it, DeleteCitation removes it, and
    applying the same file again changes nothing.
    """
    try:
        with sigterm_as_ctrl_c():
            report = ingest(files, out, mesh_files=mesh_files, mirbase_file=mirbase_file,
                            progress=not quiet and sys.stderr.isatty(), max_errors=max_errors)
    except NoSuchSource as error:  # (a name that is not there or no source: a usage error)
        raise click.UsageError(str(error)) from None
    except (BuildError, FileNotFoundError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    print_report(report, quiet=quiet, out=out)


def print_report(report: BuildReport, *, quiet: bool, out: Path) -> None:
    """The summary on stdout, each quarantined record on stderr, and the --max-errors verdict."""
    if not quiet:
        size = (f"{counted(report.articles, 'article')}, "
                f"{counted(sum(report.triples.values()), 'triple')}")
        echo((f"nothing changed: release {report.version} stays current ({size})"
              if report.unchanged else f"release {report.version}: {size}")
             + f" -> {report.release_dir}")
        for name, given in report.inputs.items():
            # (by option: a file can be read as both a MeSH table and a miRBase GFF3)
            read = report.mesh_read.get(given["file"]) if option_of(name) == "mesh" else None
            echo(f"  --{option_of(name)} {given['file']}" + (f" ({read})" if read else "") + (
                ": the file the previous release was made with" if name in report.remembered
                else ""))
        if report.unrecorded:
            echo(f"  release {report.based_on} does not record whether it was made with "
                 "--mesh or --mirbase (an older evkg made it): this ingest read its "
                 "records without them; if it was, ingest these files again with them")
        if report.based_on_other is not None:
            echo(f"  release {report.based_on} was not made throughout by this evkg (its "
                 "code, ontology or curated data differ, or its manifest does not say): "
                 "the articles this ingest did not replace keep the RDF the other made "
                 "(graph/vocabulary and graph/ontology are this evkg's now, beside the "
                 "concepts only the other described); build again (evkg build with all "
                 "the sources) to make every part with this one")
        for name, count in report.files.items():
            absent = f" ({count.not_in_graph} not in the graph)" if count.not_in_graph else ""
            why = [f"{n} {what}" for n, what in (
                (count.superseded, "older than the graph's record"),
                (count.held_by_pmid, "of a paper already in the graph by PMID")) if n]
            reasons = f" ({', '.join(why)})" if why else ""
            unread = (f"; not read past {count.unread}: how many records that cost is not "
                      "known" if count.unread else "")
            echo(f"  {name}: seen {count.seen} = mapped {count.mapped} + quarantined "
                 f"{count.quarantined}{reasons} + deleted {count.deleted}{absent}{unread}")
        for graph, triples in report.triples.items():
            echo(f"  graph/{graph}: {counted(triples, 'triple')}")
        if report.headings_without_tree:
            descriptors, records = report.mesh_descriptor_files, report.mesh_record_files
            if descriptors:
                hint = ("the --mesh " + ("descriptor " if records else "")
                        + ("file does not" if descriptors == 1 else "files do not")
                        + " describe them (a MeSH of another year?)")
            elif records:
                hint = ("--mesh gave NLM's supplementary concept records alone, which describe "
                        "no descriptor: give its descriptor XML too (--mesh desc{year}.xml "
                        "--mesh supp{year}.xml)")
            elif report.based_on:  # (an ingest's --mesh describes the graph's headings too)
                hint = ("PubMed's records give none: give the next ingest (or fetch) --mesh "
                        "and NLM's descriptor table, which describes the headings the graph "
                        "already holds too (README, Growing the graph from PubMed)")
            else:
                hint = ("PubMed's records give none; build with --mesh and NLM's descriptor "
                        "table (README, Growing the graph from PubMed)")
            echo(f"  note: MeSH headings without a tree number: {report.headings_without_tree}"
                 f" of the {report.headings} the articles are indexed with; queries by tree "
                 f"(every article under Neoplasms, C04) miss them: {hint}")
    known = {"curated": 0, "default": 0}
    for item in report.quarantine:
        if item.provenance.file == report.curated_file or item.provenance.file in report.default_files:
            # a curated finding waiting for its article, a default article without an
            # identifier: listed in quarantine.jsonl every build, not errors
            known["curated" if item.provenance.file == report.curated_file else "default"] += 1
            continue
        where = ", ".join(x for x in (item.provenance.file, item.provenance.position,
                                      f"PMID {item.pmid}" if item.pmid else "") if x)
        reason = item.reason.removeprefix(f"{item.provenance.file}: ")  # named once is enough
        echo(f"quarantined: {where}: {reason}", err=True)
    listing = report.release_dir / release.QUARANTINE if report.release_dir else release.QUARANTINE
    if not quiet and known["curated"]:
        waiting = counted(known["curated"], "curated finding waits", "curated findings wait")
        echo(f"listed: {waiting} for an article that is not in the graph "
             f"({report.curated_file}; see {listing})", err=True)
    if not quiet and known["default"]:
        unnamed = counted(known["default"], "default article has", "default articles have")
        echo(f"listed: {unnamed} no PMID, DOI or PMCID "
             f"({', '.join(sorted(report.default_files))}; see {listing})", err=True)
    if report.too_many_errors:
        current = out / "current"
        kept = (f"{current} still points at {current.resolve().name}" if current.exists()
                else f"there is no {current} yet")
        held = ("nothing changed" if report.unchanged else f"release {report.version} is kept "
                f"in {report.release_dir} but not made current")
        cut = report.unread()
        quarantined = counted(report.source_errors, 'record')
        if cut:
            verdict = (f"{quarantined} of the sources quarantined, and "
                   + ", ".join(f"{name} not read past {where}" for name, where in cut.items())
                   + f": how many records that cost is not known, which --max-errors "
                   f"{report.max_errors} does not allow")
        else:
            verdict = (f"{quarantined} of the sources quarantined (more than --max-errors "
                   f"{report.max_errors})")
        raise click.ClickException(f"{verdict}: {held}; {kept}")


#: What a --format option says of two.
DIFFERENT_FORMATS = "different formats: give one"


@main.command("query")
@click.argument("query_or_file")
@release_option("queried")
@one_value_option("--format", "fmt", type=click.Choice(["table", "json", "xml", "csv", "tsv"]),
                  default="table", show_default=True, different=DIFFERENT_FORMATS,
                  help="Of SELECT and ASK results; CONSTRUCT and DESCRIBE print Turtle.")
def query_command(query_or_file: str, out: Path, fmt: str) -> None:
    """Run a SPARQL query (text, a file such as a .rq, or - for standard input) against a build
    and print the results.

    Relative IRIs are resolved against the graph's base IRI (<article/37534210>).
    A SERVICE clause calls the endpoint it names, whichever it is."""
    from kg.querying import QueryCrashed, QueryFailed, in_child_process, on_query_stack, print_results
    from kg.querytext import nesting_message, syntax_message

    # what the argument is, first: `evkg query typo.rq` without a build said there was no
    # release, and once one was built (minutes) that there was no such file
    path = _query_file(query_or_file)
    try:  # before the query is read: `evkg query --store typo -` waited for a query typed
        # in, to say then that there was no release to ask
        # a store folder itself is taken too (its RocksDB CURRENT file); else a release's
        store_dir = out if (out / "CURRENT").is_file() else release.release_to_read(out) / "store"
    except (OSError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    text, source = _query_text(query_or_file, path)
    where = f"{source}: " if source else ""  # a script running many queries: which one
    nesting = nesting_message(text)
    if nesting is not None:
        raise click.ClickException(where + nesting)
    try:
        # in a process of its own: a query that crashes pyoxigraph ends that one, not evkg
        output = _standard_output()
        with _taken_back_on_failure(output):
            notes = in_child_process(lambda writer: on_query_stack(
                lambda: print_results(store_dir, text, fmt, writer)),
                cast(IO[bytes], _WrittenOrSaid(output)))
        for note in notes:
            echo(note, err=True)
    except SyntaxError as error:
        raise click.ClickException(
            where + _query_error(text, error, syntax_message(text, error), source)) from None
    except BrokenPipeError:
        _reader_stopped()
    except (FileNotFoundError, ValueError, QueryCrashed, QueryFailed) as error:
        raise click.ClickException(str(error)) from None
    except (OSError, RuntimeError) as error:  # evaluation: a SERVICE call that failed
        from server.federation import service_targets, unnamed_endpoints

        endpoints = unnamed_endpoints(service_targets(text), str(error))
        raise click.ClickException(f"{str(error).rstrip()} (the query calls SERVICE {endpoints})"
                                   if endpoints else str(error)) from None


def _standard_output() -> IO[bytes]:
    """Standard output, for bytes; a closed one (``>&-``) is an error of one line, not a
    traceback."""
    if sys.stdout is None:
        raise click.ClickException("standard output is closed (>&-): send it to a file or a pipe")
    return sys.stdout.buffer


@contextmanager
def _taken_back_on_failure(out: IO[bytes]) -> Iterator[None]:
    """When the block fails, what it wrote to ``out`` is taken back if ``out`` is a regular
    file it was writing at the end of (``> file``): a query that failed halfway (its XML
    results meeting a character XML cannot carry, a SERVICE call failing) left ``<?xml …?>
    <sparql …><results>`` and no end, a file no reader takes. A pipe or a terminal keeps what
    it was given; so do a file written in the middle (``1<> file``), a file appended to
    (``>> log``: other processes may append to it meanwhile) and a file that standard error
    goes to as well (``> out 2>&1``: the query's own process writes its error there, which
    would go with it)."""
    start: int | None = None
    with suppress(OSError, ValueError):
        out.flush()
        descriptor = out.fileno()
        status = os.fstat(descriptor)
        errors = os.fstat(sys.stderr.fileno()) if sys.stderr is not None else None
        appending = fcntl.fcntl(descriptor, fcntl.F_GETFL) & os.O_APPEND
        at = os.lseek(descriptor, 0, os.SEEK_CUR)
        shared = errors is not None and (errors.st_dev, errors.st_ino) == (status.st_dev,
                                                                           status.st_ino)
        if stat.S_ISREG(status.st_mode) and at == status.st_size and not appending and not shared:
            start = at
    try:
        yield
    except BaseException:
        if start is not None:
            with suppress(OSError, ValueError):
                out.flush()
            with suppress(OSError, ValueError):
                os.ftruncate(out.fileno(), start)
                os.lseek(out.fileno(), start, os.SEEK_SET)
        raise


class _WrittenOrSaid:
    """``out``, where a write that fails (a full disk) ends the command with one line saying
    so, as ``echo`` does, not with the error as if the query had failed. A reader that stopped
    (``BrokenPipeError``) is left to the caller."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, data: bytes) -> int:
        return self._said(lambda: self.out.write(data))

    def flush(self) -> None:
        self._said(self.out.flush)

    @staticmethod
    def _said(call: Callable[[], T]) -> T:
        try:
            return call()
        except BrokenPipeError:
            raise
        except OSError as error:
            raise _unwritable(error) from None


def _reader_stopped() -> NoReturn:
    """The reader of standard output stopped (``| head``): no error of ours, so evkg ends
    quietly, with nothing more to flush into the closed pipe."""
    _discard(sys.stdout)
    sys.exit(0)


def _discard(stream: IO[str]) -> None:
    """What is written to ``stream`` from now on (and what its buffer holds) goes nowhere."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), stream.fileno())


def echo(message: str, *, err: bool = False) -> None:
    """``click.echo`` for a command's summary and notes. A reader that stops reading (``| head
    -1``, ``| grep -q``) is no failure of the command: the rest goes nowhere and the exit code
    stays the work's (click ended a published build with 1). A stream that cannot be written
    otherwise (a full disk) is an error of one line, not a traceback."""
    stream = sys.stderr if err else sys.stdout
    try:
        click.echo(message, err=err)
    except BrokenPipeError:
        _discard(stream)
    except OSError as error:
        _discard(stream)
        raise _unwritable(error, err=err) from None


def _unwritable(error: OSError, *, err: bool = False) -> click.ClickException:
    """The one line that ends a command whose standard output (``err``: error) cannot be
    written (a full disk)."""
    return click.ClickException(
        f"cannot write to standard {'error' if err else 'output'}: {error.strerror or error}")


#: How a query read from standard input (``evkg query -``) is named.
STANDARD_INPUT = "standard input"


def _query_file(query_or_file: str) -> Path | None:
    """The file the argument names, to read the query from (a .rq or .sparql name must be one;
    a pipe such as ``<(…)``'s ``/dev/fd/63`` is one too); None for ``-`` (standard input) and
    for a query given as text. What the argument cannot be is a usage error."""
    # (what the argument is not, a usage error as click's own of a missing file are: exit 2;
    # what a file holds is the work's, exit 1)
    if not query_or_file.strip():
        raise click.UsageError("empty query: give a SPARQL query or a .rq file")
    if query_or_file == "-":  # `evkg query - < q.rq`, a here-document, a pipe
        return None
    path = Path(query_or_file)
    try:
        exists, is_dir = path.exists(), path.is_dir()
        readable = path.is_file() or path.is_fifo()
    except (OSError, ValueError):  # a query too long for a file name, or with a NUL in it
        exists = is_dir = readable = False
    if is_dir:
        raise click.UsageError(f"{path} is a folder: give a query or a query file")
    if exists and not readable:  # a device: /dev/zero would be read for ever
        raise click.UsageError(f"{path} is neither a file nor a pipe: give a query or a "
                                   "query file (or - for standard input)")
    if not exists:
        if path.suffix in (".rq", ".sparql"):
            raise click.UsageError(f"no such query file: {path}")
        return None
    return path


def _query_text(query_or_file: str, path: Path | None) -> tuple[str, str | None]:
    """The query and the name of the file it was read from: the text of ``path``
    (`_query_file`), standard input's for ``-`` (named "standard input"), else the argument
    itself (and no name)."""
    if query_or_file == "-":
        return _query_from(_standard_input(), STANDARD_INPUT), STANDARD_INPUT
    if path is None:
        return query_or_file, None
    try:
        data = path.read_bytes()
    except OSError as error:
        raise click.ClickException(
            f"cannot read the query file {path}: {error.strerror or error}") from None
    return _query_from(data, str(path)), str(path)


def _standard_input() -> bytes:
    """What standard input holds, to its end; a closed one (``<&-``) or one that cannot be
    read is an error of one line, not a traceback."""
    if sys.stdin is None:
        raise click.ClickException("standard input is closed: give the query as text or a "
                                   "file, or send it to `evkg query -` (a pipe, `< q.rq`)")
    try:
        return sys.stdin.buffer.read()
    except OSError as error:
        raise click.ClickException(f"cannot read standard input: {error.strerror or error}"
                                   ) from None


def _query_from(data: bytes, name: str) -> str:
    """The query a file (or standard input) holds, read as UTF-8."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise click.ClickException(f"{name}: not UTF-8 text ({error.reason} at byte "
                                   f"{error.start + 1}): a query is read as UTF-8") from None
    if not text.strip():  # (standard input is no query file: say how to send it one)
        raise click.ClickException(
            f"{name} is empty: " + ("send `evkg query -` a SPARQL query (a pipe, `< q.rq`)"
                                    if name == STANDARD_INPUT else
                                    "a query file holds a SPARQL query"))
    return text


def _query_error(text: str, error: SyntaxError, message: str, source: str | None) -> str:
    """The parser's message, with what the text was if it was no query (``source``: the file
    it was read from, if it was)."""
    from kg.querytext import update_keyword

    keyword = update_keyword(text)
    if keyword is not None:
        return (f"this is a SPARQL update ({keyword}), not a query: `evkg query` only reads a "
                "release (a release changes by `evkg build` or `evkg ingest`). Parser: " + message)
    if source is None and not any(c.isspace() for c in text.strip()) and (
            "/" in text or "." in text):
        return f"{text}: no such file, and not a SPARQL query ({message})"
    return message


@main.command("validate")
@release_option("checked")
@click.option("--no-shacl", is_flag=True, help="Run only the SPARQL checks.")
def validate_command(out: Path, no_shacl: bool) -> None:
    """Check the current release: ontology/checks/*.rq, and SHACL (on a sample when large)."""
    from kg.inputs import ONTOLOGY_DIR
    from kg.store import open_read_only
    from kg.validate import check_store

    try:
        store = open_read_only(release.release_to_read(out) / "store")
    except FileNotFoundError as error:
        raise click.ClickException(str(error)) from None
    problems = check_store(store, ONTOLOGY_DIR, shacl=not no_shacl)
    for problem in problems:
        echo(problem)
    if problems:
        raise click.ClickException(counted(len(problems), "problem"))
    echo("no problems")


def _graph(given: str) -> str:
    """The IRI of the release's graph ``given`` names (by name, ``articles``, or IRI); one that
    is none is refused as a value of ``--graph``, with the graphs there are (it said "unknown
    graph 'x'", exit 1, naming no option, once the release was found)."""
    from kg.iris import GRAPH_NAMES, mint, named_graph

    try:
        return named_graph(given).value
    except ValueError:
        # (by case folded: `MeSH`, as the README writes the vocabulary, is 'mesh'; and
        # `graph/mesh`, as the README names the graphs, is too)
        known: dict[str, str] = {}  # what is given, case folded: what is meant
        for name in GRAPH_NAMES:
            iri = mint(f"graph/{name}").value
            known |= {name: name, f"graph/{name}": name, iri.casefold(): iri}
        close = difflib.get_close_matches(given.casefold(), known, n=1, cutoff=0.75)
        guess = f" (did you mean {known[close[0]]!r}?)" if close else ""
        raise click.BadParameter(f"{given!r} is no graph{guess}: the graphs are "
                                 f"{', '.join(GRAPH_NAMES)} (or their IRIs)") from None


def _graphs(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
            ) -> tuple[str, ...]:
    """``load --graph``: each a graph of the release (as given: the load takes each once)."""
    for given in value:
        _graph(given)
    return value


def _one_graph(ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
               ) -> str | None:
    """``export --graph``: one graph, taken once when given again (by its name or its IRI, as
    ``load`` takes it); two are refused, where click kept the last and wrote it alone. A name
    that is no graph is named first (not "'articles' and 'artciles' are different graphs"):
    ``_taken_once`` reads every value before it compares them."""
    return _taken_once(value, _graph, "different graphs: an export writes one graph, or all "
                       "of them without --graph: export each to a file of its own", repr)


@main.command("export")
@release_option("exported")
@one_value_option("--format", "fmt", different=DIFFERENT_FORMATS,
                  type=click.Choice(["nq", "trig", "nt", "ttl", "jsonld", "rdfxml"]),
                  help="The RDF syntax; without it, the one OUTPUT's extension names (.ttl, "
                  ".jsonld, .rdf …; before .gz, which compresses), else N-Quads.")
@click.option("--graph", "graph", multiple=True, callback=_one_graph, metavar="TEXT",
              help="One named graph, by name (articles, mesh, vocabulary, findings, ontology, "
              "metadata) or IRI; N-Quads and TriG keep its name.")
@click.argument("given", metavar="[OUTPUT]", required=False, type=_Named(  # (never read: a
    allow_dash=True, readable=False,  # file of mode 0200 is written, as by `>`)
    wanted="a file name (- for standard output)"))
def export_command(out: Path, fmt: str | None, graph: str | None, given: str | None) -> None:
    """Write the current release (or one graph) as RDF to OUTPUT or standard output (no
    OUTPUT, or `-`)."""
    from kg.compression import gzip_into
    from kg.release import export_graph

    # (a dash, as `evkg query -` reads standard input; ./- is a file of that name)
    output = None if given in (None, "-") else Path(given)
    packed = output is not None and output.suffix.lower() == ".gz"  # (as evkg.nq.gz is)
    unknown = ""  # an extension of no syntax, written as N-Quads (said, once written)
    if fmt is None:  # out.ttl was written as N-Quads, silently
        named = output.with_suffix("") if output and packed else output
        fmt = EXPORT_EXTENSIONS.get(named.suffix.lower(), "nq") if named else "nq"
        unknown = named.suffix if named and named.suffix.lower() not in EXPORT_EXTENSIONS else ""
    try:
        store_dir = release.release_to_read(out) / "store"
        with sigterm_as_ctrl_c():  # (SIGTERM's default action left the part written)
            if output is None:
                export_graph(store_dir, fmt, graph, _standard_output())
            else:
                with (replaced_when_written(output) as handle,
                      gzip_into(handle) if packed else nullcontext(handle) as written):
                    export_graph(store_dir, fmt, graph, written)
                if unknown:  # (said once it is written: an export that fails wrote nothing)
                    echo(f"warning: {output}: {unknown} names no RDF syntax "
                         f"({', '.join(EXPORT_EXTENSIONS)}, each may end in .gz): written as "
                         "N-Quads (--format names another)", err=True)
    except (FileNotFoundError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:  # a full disk: OUTPUT stays as it was
        if error.errno == errno.EPIPE:  # standard output, or a pipe OUTPUT names
            _reader_stopped()
        raise click.ClickException(f"the export could not be written: {error}") from None


#: The export format an OUTPUT's extension names.
EXPORT_EXTENSIONS = {".nq": "nq", ".nquads": "nq", ".trig": "trig", ".nt": "nt", ".ttl": "ttl",
                     ".jsonld": "jsonld", ".json": "jsonld", ".rdf": "rdfxml", ".owl": "rdfxml",
                     ".xml": "rdfxml"}


@contextmanager
def replaced_when_written(output: Path) -> Iterator[IO[bytes]]:
    """A file in ``output``'s folder that becomes ``output`` when writing succeeds: an export
    that fails (an unknown graph, a full disk) or is stopped (Ctrl-C, SIGTERM, even SIGKILL)
    leaves a file of that name as it was, and no part of itself.

    The file has no name while it is written (``O_TMPFILE``): a hidden ``.{name}.XXXXXXXX``
    beside OUTPUT, as large as the part written, stayed for good when the export was killed.
    It gets one when complete, and takes OUTPUT's by a rename. A file system without
    ``O_TMPFILE`` gets a named file, removed when the export fails or is stopped by a signal
    it can catch.

    A pipe or a device (``>(gzip > x.gz)``'s ``/dev/fd/63``, ``/dev/stdout``) is written into,
    as a shell's ``>`` writes: a rename would put a file in its place (``/dev``'s own, as root).
    A symbolic link is written through, as ``>`` and ``cp`` write: the file it leads to (or
    names, when there is none yet) is replaced, and the link stays. One to a descriptor this
    process has open for writing (``/dev/stdout``, ``/dev/fd/N`` of the shell's ``>> log``) is
    written into, as standard output is.
    """
    if output.is_dir():
        # (a usage error, exit 2, as a folder given to `evkg query` is)
        raise click.UsageError(f"{output} is a folder: give the export a file name")
    linked = _linked(output) if output.is_symlink() else output
    own = _own_descriptor(linked)
    if own is not None:  # (opened again, a file would be emptied or replaced, not appended to)
        with open(own, "wb", closefd=False) as handle:
            yield handle
        return
    if output.exists() and not output.is_file():  # (opened as `>` opens it)
        with output.open("wb") as handle:
            yield handle
        return
    named = str(output)
    if linked != output:
        named, output = f"{output} (a link to {linked})", linked
    if not output.parent.is_dir():
        raise click.ClickException(f"cannot write {named}: there is no folder {output.parent}")
    replaced = _regular_file(output)  # (looked at once: a link swapped in is not followed)
    if replaced and _planted(output, replaced):  # (its owner is kept: they could change it)
        raise click.ClickException(
            f"cannot write {named}: it is a file of another user in a folder all may write "
            "(sticky): not replaced, as the kernel's fs.protected_regular would not let `>` "
            "write it")
    if replaced and not os.access(output, os.W_OK,
                                  effective_ids=os.access in os.supports_effective_ids):
        # a file this user may not write (0444, root's in their folder), which `>`, cp and
        # sort -o refuse: the rename, which asks only the folder, replaced it (root may).
        # (Not follow_symlinks=False, needless for a path resolved: before Linux 5.8 or
        # glibc 2.33, glibc then reads the mode bits alone, and refuses a file an ACL opens.)
        raise click.ClickException(f"cannot write {named}: {_refusal(output)}")
    try:  # (its mode as open() would make it: 0666 less the umask)
        if not os.path.isdir("/proc/self/fd"):  # (where it gets its name from)
            raise OSError(errno.ENOENT, "no /proc")
        descriptor, written = os.open(output.parent, os.O_TMPFILE | os.O_WRONLY | os.O_CLOEXEC,
                                      0o666), None
    except OSError:
        descriptor, written = _named_beside(output)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            if replaced is not None:  # a file replaced keeps its owner, group and mode, as
                # `>` keeps them (root's export, another user's file): what this user may
                # give (a group of theirs); not a set-ID bit: new contents get no privilege
                try:  # (before the mode: a change of owner clears set-ID bits)
                    os.fchown(descriptor, replaced.st_uid, replaced.st_gid)
                except OSError:  # another's file: its group, if one of this user's
                    with suppress(OSError):
                        os.fchown(descriptor, -1, replaced.st_gid)
                with suppress(OSError):
                    os.fchmod(descriptor, replaced.st_mode & 0o777)
            yield handle
            handle.flush()
            try:  # (else a power cut after the rename may leave OUTPUT empty)
                os.fsync(descriptor)
            except OSError as error:  # (it said "[Errno 22] Invalid argument", and no more)
                kept = "it is as it was" if replaced else "no file was made"
                raise click.ClickException(
                    f"cannot write {named} to the disk: {error.strerror or error}: {kept}"
                ) from None
            if written is None:
                written = _link_beside(output, descriptor)
        try:
            os.replace(written, output)
        except OSError as error:  # (`chattr +a`: it named the hidden file, never given)
            raise click.ClickException(
                f"cannot write {named}: {error.strerror or error}") from None
        release.sync_folder(output.parent)  # (the rename itself)
    finally:
        if written is not None:
            written.unlink(missing_ok=True)


def _linked(link: Path) -> Path:
    """The file the symbolic link ``link`` leads to, through any further links; the one it
    names, when that is not there (a dangling link, which a shell's ``>`` writes through).
    A link that another user made in a folder all may write is not followed, wherever it is
    on the way: the link itself, one it leads to, or a folder of a path one of them names
    (``/tmp/d`` of ``x.nt -> /tmp/d/x.nt``), as the kernel checks each link it follows.
    A link that is a descriptor of this process's open for writing (``/proc/self/fd/1``, as
    ``/dev/stdout`` leads to) is not followed either: it is returned, for ``_own_descriptor``.
    """
    here, ahead, links = Path("/"), list(reversed((Path.cwd() / link).parts[1:])), 0
    while ahead:  # (a path's parts, resolved one by one from the root, as the kernel walks it)
        part = ahead.pop()
        if part == "..":
            here = here.parent  # (``here`` has no link in it: its parent is the real one)
            continue
        step = here / part
        if not step.is_symlink():
            here = step  # (a part that is not there is named, as realpath names it)
            continue
        links += 1
        if links > MAX_LINKS:  # a link that loops
            raise click.ClickException(f"cannot write {link}: {os.strerror(errno.ELOOP)}")
        _check_followable(link, step)
        if _own_descriptor(step) is not None:
            return step
        target = Path(os.readlink(step))
        if target.is_absolute():
            here = Path("/")
        ahead.extend(reversed(target.parts[1:] if target.is_absolute() else target.parts))
    return here


def _own_descriptor(path: Path) -> int | None:
    """The descriptor ``path`` names if it is one of this process's, open for writing
    (``/proc/PID/fd/N``, or a thread's ``/proc/PID/task/TID/fd/N``): ``None`` otherwise, and
    for one open only for reading, which ``>`` opens again as the file it is."""
    process = Path(f"/proc/{os.getpid()}")
    if path.parent.name != "fd" or not path.name.isdigit() or path.parent.parent not in (
            process, process / "task" / str(threading.get_native_id())):
        return None
    try:
        flags = fcntl.fcntl(int(path.name), fcntl.F_GETFL)
    except OSError:  # (closed since)
        return None
    return int(path.name) if flags & os.O_ACCMODE != os.O_RDONLY else None


#: How many links in a row a path may lead through (Linux's MAXSYMLINKS).
MAX_LINKS = 40


def _check_followable(output: Path, link: Path) -> None:
    """Refuse ``link`` when the kernel's ``fs.protected_symlinks`` (on in most systems) would
    not follow it: a link in a sticky folder all may write (``/tmp``) owned by neither this
    user nor the folder's owner, where another user may have planted it to have this one's
    file replaced (root's ``/etc/…``). ``_linked`` resolves a chain itself, past the kernel."""
    if _planted(link, link.lstat()):
        raise click.ClickException(
            f"cannot write {output}: {link} is a link of another user in a folder all may "
            "write (sticky): not followed, as the kernel's fs.protected_symlinks would not "
            "follow it")


def _planted(path: Path, status: os.stat_result) -> bool:
    """Whether ``path``, of ``status`` (not followed), is in a sticky folder all may write
    (``/tmp``) and owned by neither this user nor the folder's owner: another user may have
    made it there first."""
    folder = path.parent.stat()
    shared = folder.st_mode & stat.S_ISVTX and folder.st_mode & stat.S_IWOTH
    return bool(shared) and status.st_uid not in (os.geteuid(), folder.st_uid)


def _refusal(refused: Path) -> str:
    """Why the file ``refused``, which ``os.access`` says this user may not write, is not
    written, in the words of a shell's ``>``: its open for writing, which fails (so nothing
    is opened, nor emptied), says "Permission denied" (the mode), "Read-only file system" or
    "Operation not permitted" (``chattr +i``, which stops root too)."""
    try:
        os.close(os.open(refused, os.O_WRONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY
                         | os.O_CLOEXEC))
    except OSError as error:
        return error.strerror or str(error)
    return os.strerror(errno.EACCES)  # (writable since: the file was not, when asked)


def _regular_file(path: Path) -> os.stat_result | None:
    """``path``'s status (not followed) if it is a regular file, else ``None`` (none there)."""
    try:
        status = path.lstat()
    except OSError:
        return None
    return status if stat.S_ISREG(status.st_mode) else None


def _named_beside(output: Path) -> tuple[int, Path]:
    """A new file of a name of its own beside ``output``, open for writing."""
    try:
        descriptor, name = tempfile.mkstemp(dir=output.parent, prefix=_hidden_prefix(output))
    except OSError as error:
        why = error.strerror or str(error)
        if error.errno in (errno.EACCES, errno.EPERM) and output.exists():
            # (a file the user may write, which `>` writes into: it is the folder that refuses)
            why += (f" to make a file in its folder, {output.parent}, where the export is "
                    f"written before it takes the name {output.name}; `evkg export … > "
                    f"{output}` writes into the file itself")
        raise click.ClickException(f"cannot write {output}: {why}") from None
    try:
        mask = os.umask(0)
        os.umask(mask)
        with suppress(OSError):  # (FAT's refuses a mode its attributes cannot hold: as `>`
            # writes there, the file keeps the mode the file system gives it)
            os.chmod(descriptor, 0o666 & ~mask)  # as open() would make it, not mkstemp's 0600
    except BaseException:  # (Ctrl-C, SIGTERM: not left beside OUTPUT, where none removes it)
        os.close(descriptor)
        os.unlink(name)
        raise
    return descriptor, Path(name)


def _hidden_prefix(output: Path) -> str:
    """``.{name}.`` for a hidden file beside ``output`` whose name goes on for 8 characters
    more (``mkstemp``'s): ``name`` cut short where the whole would be longer than the folder's
    file system lets a name be (255 bytes), as ``output``'s own may be."""
    try:
        longest = os.pathconf(output.parent, "PC_NAME_MAX")
    except (OSError, ValueError):
        longest = 255
    name = output.name
    while name and len(os.fsencode(f".{name}.")) + 8 > longest:
        name = name[:-1]
    return f".{name}."


def _link_beside(output: Path, descriptor: int) -> Path:
    """A name beside ``output`` for the unnamed file ``descriptor`` holds (``linkat`` with
    ``AT_SYMLINK_FOLLOW``, which Python uses only given a folder's descriptor: its plain
    ``link`` would link the ``/proc`` link itself)."""
    folder = os.open(output.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        while True:
            name = _hidden_prefix(output) + secrets.token_hex(4)
            try:
                os.link(f"/proc/self/fd/{descriptor}", name, dst_dir_fd=folder,
                        follow_symlinks=True)
            except FileExistsError:
                continue
            return output.parent / name
    finally:
        os.close(folder)


def _listen_host(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """``--host`` bare (an IPv6 address without a URL's brackets), refused when it is no host:
    empty, a URL, a path, ``host:port``, a bracket left open. Each was looked up as a host name
    and said "cannot listen on [http://127.0.0.1]:8000: Name or service not known", naming
    neither the option nor the fault."""
    from server.run import bare_host

    wanted = "give an address or a host name alone (127.0.0.1, ::1, 0.0.0.0 for all)"
    host = bare_host(value)
    if not host.strip():
        raise click.BadParameter(f"it is empty: {wanted}")
    if "/" in host:
        raise click.BadParameter(f"{value!r} is a URL or a path, not a host: {wanted}")
    if host.count(":") == 1 or (host.startswith("[") and "]:" in host):  # (IPv6 has two)
        raise click.BadParameter(f"{value!r} is a host and a port: {wanted}, and the port with "
                                 "--port")
    if "[" in host or "]" in host:
        raise click.BadParameter(f"{value!r}: a bracket is not closed: give an IPv6 address "
                                 "bare (::1) or in brackets ([::1])")
    return host


@main.command("serve")
@one_value_option("--store", "out", type=FOLDER, default=DEFAULT_OUT,
                  same=_same_path, different=DIFFERENT_FOLDERS,
                  envvar="EVKG_STORE_DIR", show_envvar=True, show_default=True,
                  help="Build folder whose current release is served.")
@one_value_option("--host", default="127.0.0.1", show_default=True, callback=_listen_host,
                  different="different hosts: give one",
                  help="The address or host name to listen on (0.0.0.0: every address).")
@one_value_option("--port", default=8000, show_default=True, type=WholeNumbers(0, 65535),
                  different=DIFFERENT_NUMBERS,
                  help="The port to listen on.")
@one_value_option("--workers", default=2, show_default=True, type=WholeNumbers(min=1),
                  different=DIFFERENT_NUMBERS,
                  help="gunicorn worker processes (not with --dev).")
@click.option("--dev", is_flag=True, help="Run Flask's development server, one process, "
              "instead of gunicorn.")
def serve_command(out: Path, host: str, port: int, workers: int, dev: bool) -> None:
    """Serve the current release: SPARQL endpoint, pages, downloads."""
    from server.run import check_address_free, run_server
    from server.settings import environment_problems, serves_remote_store, unused_remote_settings

    chosen = click.get_current_context().get_parameter_source("workers")
    if dev and chosen is not click.core.ParameterSource.DEFAULT:  # (Flask's: one process)
        raise click.UsageError(
            "--workers and --dev do not go together: --workers is the number of gunicorn's "
            "worker processes, and --dev runs Flask's development server instead, one "
            "process: leave out one of them")
    problems = environment_problems()  # before gunicorn, whose workers would fail to boot
    if problems:
        raise click.ClickException("; ".join(problems))
    unused = unused_remote_settings()
    if unused is not None:
        echo(unused, err=True)
    try:  # here, not in each worker: gunicorn stops when its workers cannot start
        check_address_free(host, port)
    except (OSError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    given = click.get_current_context().get_parameter_source("out")
    try:
        if serves_remote_store():  # a remote store needs no release
            release.check_build_folder(out)
            if not out.exists() and given is not click.core.ParameterSource.DEFAULT:
                # (a typo: the server would offer no downloads and say nothing of it)
                raise FileNotFoundError(
                    f"no build folder at {out}: give the folder `evkg build --out` writes (one "
                    f"without releases will do: the server then offers no downloads)")
        else:
            release.servable_release(out)
    except (OSError, ValueError) as error:
        raise click.ClickException(
            f"{error} (the folder EVKG_STORE_DIR names)"  # (the user gave no --store)
            if given is click.core.ParameterSource.ENVIRONMENT else str(error)) from None
    run_server(out, host=host, port=port, workers=workers, dev=dev)


@main.command("prune")
@one_value_option("--store", "out", type=FOLDER, default=DEFAULT_OUT,
                  same=_same_path, different=DIFFERENT_FOLDERS,
                  show_default=True, help="Build folder whose old releases are removed.")
@one_value_option("--keep", type=WholeNumbers(min=0), default=1, show_default=True,
                  different=DIFFERENT_NUMBERS,
                  help="How many releases to keep besides the current one: the most recently "
                  "published.")
@click.option("--dry-run", is_flag=True, help="Say what would be removed; remove nothing.")
@quiet_option
def prune_command(out: Path, keep: int, dry_run: bool, quiet: bool) -> None:
    """Remove old releases: all but the current one, the --keep most recent others, and those
    a process has in use (a server still serving one); and leftover staging folders."""
    from kg.pruning import prune

    try:
        with sigterm_as_ctrl_c():
            report = prune(out, keep=keep, dry_run=dry_run,
                           announce=not quiet and sys.stderr.isatty())
    except (BuildError, FileNotFoundError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        raise click.ClickException(f"pruning {out} failed: {error}") from None
    if quiet:
        return
    would = "would remove" if dry_run else "removed"
    for removal in report.removed:
        what = "leftover staging folder" if removal.staging else "release"
        echo(f"{would} {what} {removal.name} ({_megabytes(removal.freed)})")
    if report.answers:
        echo(f"{would} {counted(report.answers, 'cached answer')} of the removed releases "
             f"({_megabytes(report.answers_freed)})")
    for name, holders in report.in_use.items():
        echo(f"kept release {name}: in use by {', '.join(holders)}")
    if report.unseen:
        echo(f"note: the open files of {counted(report.unseen, 'process')} of other users could "
             "not be read (root can): a release they hold open without a lease would "
             "not be seen", err=True)
    kept = f"; kept {', '.join(report.kept)}" if report.kept else ""
    current = (f"current release {report.current}" if report.current else
               "no current release (no build or ingest in this folder has published one)")
    echo(f"{'would free' if dry_run else 'freed'} {_megabytes(report.freed)}; {current}{kept}")


def _megabytes(size: int) -> str:
    return f"{size / 1e6:,.1f} MB"


#: What ``fetch --pmids`` takes: a file that is there (checked once --query is known not given).
PMIDS_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)


def _parameter(ctx: click.Context, name: str) -> click.Parameter:
    """The command's parameter of ``name``, for a check made in the command (its messages
    name it as click's own do)."""
    return next(param for param in ctx.command.params if param.name == name)


def _since(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """``fetch --since``, refused as a value of the option unless a date or ``last`` (it was
    refused once the fetch began, exit 1, as a fetch that failed)."""
    from kg.fetchstate import since_date

    if value not in ("", "last"):
        try:
            since_date(value)
        except ValueError as error:
            raise click.BadParameter(str(error)) from None
    return value


@main.command("fetch")
@one_value_option("--query", metavar="QUERY", shown=repr,
                  different="different queries: give one (one query may join them with OR)",
                  help='A PubMed query, e.g. "(extracellular vesicles OR '
                  'exosomes) AND breast cancer".')
@one_value_option("--pmids", "pmids_file", metavar="FILE",
                  same=_same_path,
                  different="different files: give one (one file may list their PMIDs)",
                  help="A file of PMIDs, one a line (instead of --query).")
@one_value_option("--since", default="", callback=_since, metavar="DATE", shown=repr,
                  different="different dates: give one", help="Only records added or revised "
                  "since DATE (YYYY-MM-DD); 'last': since the last completed fetch of the same "
                  "query into this folder.")
@one_value_option("--max", "max_records", type=WholeNumbers(min=1),
                  different=DIFFERENT_NUMBERS,
                  help="Fetch at most N records.")
@one_value_option("--into", "out", type=FOLDER, default=DEFAULT_OUT,
                  same=_same_path, different=DIFFERENT_FOLDERS,
                  show_default=True, help="Build folder: downloads go to DIR/fetch/, records into "
                  "its current release.")
@one_value_option("--email", envvar="EVKG_NCBI_EMAIL", default="",
                  different="different addresses: give one",
                  help="Your contact address, sent to NCBI as their policy asks "
                  "(EVKG_NCBI_EMAIL).")
@one_value_option("--batch-size", type=WholeNumbers(1, 10_000), default=500,
                  show_default=True, different=DIFFERENT_NUMBERS,
                  help="Records per EFetch request.")
@click.option("--no-ingest", is_flag=True,
              help="Only download; ingest DIR/fetch/*/batch-*.jsonl later with `evkg ingest`.")
@mesh_option
@mirbase_option
@quiet_option
def fetch_command(query: str | None, pmids_file: str | None, since: str, max_records: int | None,
                  out: Path, email: str, batch_size: int, no_ingest: bool,
                  mesh_files: tuple[Path, ...], mirbase_file: Path | None, quiet: bool) -> None:
    """Fetch PubMed records through NCBI E-utilities and ingest them into the current release.

    An interrupted fetch resumes when the same command is run again. NCBI_API_KEY raises the
    rate limit from 3 to 10 requests/s; EVKG_EUTILS_URL points at another E-utilities server.
    """
    from kg.eutils import Client, EutilsError, SearchRefused
    from kg.fetch import check_what_to_fetch, fetch, read_pmids
    from kg.fetchstate import FetchError

    def note(message: str) -> None:
        if not quiet or message.startswith("warning"):
            echo(message, err=True)

    # options that cannot go together are usage errors, exit 2 as click's own are
    try:  # before --pmids is read: a FILE that is not there is no fault when not wanted
        check_what_to_fetch(query is not None, pmids_file is not None, since)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    if no_ingest and (mesh_files or mirbase_file):  # (taken, and left unused: said nowhere)
        given = [name for name, value in (("--mesh", mesh_files), ("--mirbase", mirbase_file))
                 if value]
        are, them = ("are", "them") if len(given) > 1 else ("is", "it")
        raise click.UsageError(
            f"{' and '.join(given)} {are} for the ingest, which --no-ingest leaves out: give "
            f"{them} to `evkg ingest` with the batches (or leave out --no-ingest)")
    if query is not None and not query.strip():  # (PubMed would be asked to search for it)
        raise click.BadParameter("it is empty: give a PubMed query", param_hint="'--query'")
    pmids: list[str] = []
    if pmids_file is not None:  # (click's own check, after the ones above)
        ctx = click.get_current_context()
        param = _parameter(ctx, "pmids_file")
        try:  # (a FILE of no PMID is a value refused, as one that is not there)
            pmids = read_pmids(PMIDS_FILE.convert(pmids_file, param, ctx))
        except ValueError as error:
            raise click.BadParameter(str(error), ctx, param) from None
    try:
        with sigterm_as_ctrl_c():
            report = fetch(out, query=query or "",
                           pmids=pmids, since=since,
                           max_records=max_records, batch_size=batch_size,
                           client=Client.from_env(email), ingest_records=not no_ingest,
                           mesh_files=mesh_files, mirbase_file=mirbase_file,
                           progress=not quiet and sys.stderr.isatty(), echo=note)
    except SearchRefused as error:  # the query may be at fault: rerunning it would not help
        raise click.ClickException(
            f"{error}\nIf PubMed's message is about the query, correct --query; otherwise run "
            "the same command again to resume.") from None
    except (EutilsError, FetchError) as error:
        raise click.ClickException(f"{error}\nRun the same command again to resume.") from None
    except (BuildError, ValueError, OSError) as error:
        raise click.ClickException(str(error)) from None
    except KeyboardInterrupt as stop:
        raise Stopped(getattr(stop, "signum", signal.SIGINT),
                      "Error: interrupted: run the same command again to resume") from None
    for line in report.summary():
        if line.startswith("warning"):
            note(line)
        elif not quiet:
            echo(line)
    if report.build is not None:
        print_report(report.build, quiet=quiet, out=out)


#: What an endpoint's option says of two (each shown with its password hidden, as the refusal
#: of one is).
DIFFERENT_ENDPOINTS = "different endpoints: give one"


def _endpoint_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """An endpoint option's URL, refused before anything is read or sent unless it is an http
    or https URL (urllib's "unknown url type" came after the release was read, and a --gsp's
    after the --endpoint's store had been asked); named with the variable it came from."""
    refusal = None if value is None else refused_url(value, "--user and --password")
    if refusal is None:
        return value
    raise click.BadParameter(refusal)  # (named by ``_OneValue.get_error_hint``)


def _as_given(ctx: click.Context, name: str) -> str:
    """The option of parameter ``name`` as the user gave it: ``--gsp``, or ``--gsp
    (EVKG_GSP_ENDPOINT)`` when its variable gave it."""
    param = _parameter(ctx, name)
    if ctx.get_parameter_source(name) is click.core.ParameterSource.ENVIRONMENT:
        return f"{param.opts[0]} ({param.envvar})"
    return param.opts[0]


#: Virtuoso's query endpoints, which took a graph PUT for 300 s at full CPU.
_VIRTUOSO_QUERY_PATH = re.compile(r"/sparql(?:-auth)?/?(?:[?#]|\Z)")


def _same_address(one: str, other: str) -> bool:
    """Whether two http(s) URLs name one resource, as far as their text tells: scheme and host
    in any case, a default port written or not, a trailing '/' or empty query aside."""
    def key(url: str) -> tuple[str, str, int | None, str, str]:
        parts = urllib.parse.urlsplit(url.strip())
        scheme = parts.scheme.lower()
        try:
            port = parts.port or {"http": 80, "https": 443}.get(scheme)
        except ValueError:
            port = None
        return scheme, (parts.hostname or "").lower(), port, parts.path.rstrip("/"), parts.query
    return key(one) == key(other)


@main.command("load")
@one_value_option("--endpoint", different=DIFFERENT_ENDPOINTS, shown=shown_url,
                  envvar="EVKG_SPARQL_ENDPOINT", required=True, callback=_endpoint_url,
                  metavar="URL", help="The store's SPARQL endpoint: counts the graphs, and takes "
                  "the updates when there is neither --gsp nor --update-endpoint "
                  "(EVKG_SPARQL_ENDPOINT).")
@one_value_option("--update-endpoint", different=DIFFERENT_ENDPOINTS, shown=shown_url,
                  envvar="EVKG_SPARQL_UPDATE_ENDPOINT", default=None,
                  callback=_endpoint_url, metavar="URL",
                  help="A separate SPARQL update endpoint, when there is no --gsp "
                  "(EVKG_SPARQL_UPDATE_ENDPOINT).")
@one_value_option("--gsp", different=DIFFERENT_ENDPOINTS, shown=shown_url,
                  envvar="EVKG_GSP_ENDPOINT", default=None, callback=_endpoint_url,
                  metavar="URL", help="The Graph Store Protocol endpoint, e.g. "
                  "http://host:7878/store (EVKG_GSP_ENDPOINT).")
@click.option("--graph", "graphs", multiple=True, callback=_graphs,
              help="Only this graph (a name such as articles, or an IRI); repeatable.")
@release_option("loaded")
@one_value_option("--batch-triples", type=WholeNumbers(min=1), default=50_000,
                  show_default=True, different=DIFFERENT_NUMBERS,
                  help="Triples per Graph Store Protocol request (--gsp); a SPARQL update takes "
                  f"{UPDATE_BATCH:,} at most, fewer when this is fewer.")
@one_value_option("--user", envvar="EVKG_SPARQL_USER", different="different users: give one",
                  help="The store's user, sent as HTTP Digest or Basic, whichever the store "
                  "asks for (EVKG_SPARQL_USER).")
@one_value_option("--password", envvar="EVKG_SPARQL_PASSWORD", shown=lambda _: "***",
                  different="different passwords: give one",
                  help="The user's password: with --user (EVKG_SPARQL_PASSWORD).")
@quiet_option
def load_command(endpoint: str, update_endpoint: str | None, gsp: str | None,
                 graphs: tuple[str, ...], out: Path, batch_triples: int, user: str | None,
                 password: str | None, quiet: bool) -> None:
    """Replace the release's named graphs in a remote SPARQL store, then check their counts."""
    from tqdm import tqdm

    ctx = click.get_current_context()
    if password is not None and not user:  # (a password is sent only with its user)
        raise click.UsageError(f"{_as_given(ctx, 'password')} without --user (EVKG_SPARQL_USER): "
                               "a password is sent only with its user, and this one would go "
                               "unused: give the user too")
    if gsp and ctx.get_parameter_source("update_endpoint") is click.core.ParameterSource.COMMANDLINE:
        # (one from EVKG_SPARQL_UPDATE_ENDPOINT, for the server, is a default --gsp overrides)
        raise click.UsageError(f"--update-endpoint and {_as_given(ctx, 'gsp')} do not go "
                               "together: with a Graph Store Protocol endpoint the graphs are "
                               "sent there, and no SPARQL update: leave out one of them")
    if gsp and (_same_address(gsp, endpoint) or _VIRTUOSO_QUERY_PATH.search(gsp)):
        # (a trial's: Virtuoso took the graph PUT at /sparql-auth for 300 s at 100% CPU, and the
        # load then said only that the store did not answer)
        raise click.UsageError(f"{_as_given(ctx, 'gsp')} is a query endpoint, not a Graph "
                               "Store Protocol one: give the store's (Virtuoso's "
                               "/sparql-graph-crud-auth, Oxigraph's /store, Fuseki's /DATASET/data), "
                               "or leave --gsp out to load by SPARQL updates")

    from kg.remote import Endpoint, StoreError
    from kg.remoteload import LoadError, load_release, total_to_send

    target = Endpoint(query=endpoint, update=update_endpoint or endpoint, gsp=gsp, user=user,
                      password=password, credentials="--user and --password (EVKG_SPARQL_USER, "
                      "EVKG_SPARQL_PASSWORD)")
    try:
        with tqdm(total=total_to_send(out, graphs), unit="triple", unit_scale=True,
                  disable=quiet or not sys.stderr.isatty()) as bar:
            loads = load_release(out, target, graphs=graphs, batch_triples=batch_triples,
                                 on_sent=bar.update)
    except (LoadError, StoreError, FileNotFoundError, ValueError) as error:
        raise click.ClickException(str(error)) from None
    for load in loads:
        expected = load.expected if load.expected is not None else load.sent
        verdict = "ok" if load.matches else "MISMATCH"
        if not quiet or not load.matches:
            echo(f"{load.iri}: sent {load.sent} in {counted(load.requests, 'request')}; store holds "
                 f"{load.stored}, release states {expected}: {verdict}")
    if not all(load.matches for load in loads):
        raise click.ClickException("the store's triple counts differ from the release's")


if __name__ == "__main__":
    main()
