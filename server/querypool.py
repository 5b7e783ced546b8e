"""The query process: queries run in a child process that can be killed at the time limit.

pyoxigraph's ``Store.query`` cannot be cancelled, and a thread left running keeps burning a core
(DESIGN.md). So each server process keeps one long-lived child process (``spawn`` context:
nothing, and no open ``Store``, is inherited across a fork). The child opens the release store
read-only and answers ``QueryJob`` values on threads of its own (pyoxigraph lets go of the GIL
while it evaluates), so that concurrent queries share one store and its caches, as in Oxigraph's
own server. Jobs and answers travel over one pipe, each tagged with a number.

A query past the time limit is answered 503 at once (as Fuseki answers a query timeout), and its
child is retired: new queries go to a fresh child, and the retired one is killed (SIGKILL) as
soon as no other query is still running in it, at the latest when the last of those reaches its
own time limit. A query that runs alone is stopped at its limit.

Syntax checks (``SyntaxCheck``: does the query parse?) run there too, as queries do: parsing
plans the query, which took minutes for some (``server.parsing``). A pool of no store
(``store_path`` None) runs checks alone, on an empty store, for a server of a remote store;
its check past the limit says that the query could not be checked (it never ran).

A child that stops while queries run in it (pyoxigraph aborts the process on a panic, such as
the one ORDER BY raises over terms it cannot order consistently; the kernel's OOM killer) cannot
say which query stopped it, so every query it held is run once more on a fresh child, with a
time limit of its own. These second runs go one at a time, so that the culprit's second run
cannot stop another's: the queries beside the culprit are answered, and the culprit, stopping
its process on both runs, is answered 500.

A child whose memory (its anonymous resident memory: the store's files it maps are not counted)
grows past ``EVKG_QUERY_MEMORY`` stops itself, before the machine runs out, saying so first:
ORDER BY over a cross product of the default graph took 1.2 GB in 5 s, and a few of them at the
default time limit would take all of a machine's memory. Its queries are run again as above, and
the one that passes the limit on its second run too is answered 503 saying so. The child reads
its own ``/proc/self/status``: read from the server process, each child's status file was one
more descriptor open there, and the suite's process passed the 1,024 ``select`` takes.
"""

from __future__ import annotations

import itertools
import logging
import math
import multiprocessing
import os
import signal
import threading
import time
import weakref
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from kg.backends import timeout_message
from kg.plurals import counted
from kg.querying import QUERY_STACK_BYTES
from server.executor import Answer, Failure, QueryJob, run_job
from server.federation import service_targets
from server.parsing import (
    SyntaxCheck,
    syntax_failure,
    unchecked_message,
    unplanned_message,
    unstarted_message,
)


def machine_memory(cgroup_root: Path = Path("/sys/fs/cgroup")) -> int:
    """The memory the server's processes may take: the machine's, or less where their control
    group caps it (a container's ``--memory``, a service's ``MemoryMax``; cgroup v2's
    ``memory.max``, v1's ``memory/memory.limit_in_bytes``, as a container sees its own). A
    quarter of a 64 GB host let the query process of a 2 GB container grow until the OOM
    killer stopped it (until 7 Dec)."""
    memory = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    for limit in (cgroup_root / "memory.max", cgroup_root / "memory" / "memory.limit_in_bytes"):
        try:
            memory = min(memory, int(limit.read_text().strip()))
        except (OSError, ValueError):  # none, or no limit ("max")
            continue
    return memory


def default_query_memory(workers: int = 2) -> int:
    """The anonymous memory a query process may take unless EVKG_QUERY_MEMORY says otherwise:
    half of the memory, shared among the query processes of ``workers`` workers, so that they
    leave the other half to the rest (a quarter each for the two ``evkg serve`` starts by
    default; with ``--workers 4``, four quarters took all of it until 7 Dec). Never more than
    a quarter: a lone worker's is that of the default two."""
    return machine_memory() // (2 * max(2, workers))


#: The default of EVKG_QUERY_MEMORY for the two workers ``evkg serve`` starts by default
#: (``server.run`` sets it for another number of them).
DEFAULT_QUERY_MEMORY = default_query_memory()
#: The longest answer a query process gives unless EVKG_MAX_ANSWER_BYTES says otherwise: a
#: 50 kB query selecting a long string beside 10,000 rows wrote 500 MB, which took 2.5 GB of
#: the server process that received it.
DEFAULT_MAX_ANSWER_BYTES = 100_000_000
#: The reason phrase of the 403 of an answer past EVKG_MAX_ANSWER_BYTES: SPARQLWrapper and
#: rdflib show the status line alone, and "403 FORBIDDEN" read as a query its user may not run.
ANSWER_TOO_LONG = "Answer Larger Than EVKG_MAX_ANSWER_BYTES"
#: The reason phrase of the 503 of a query past EVKG_QUERY_MEMORY: "SERVICE UNAVAILABLE" read
#: as a server busy now, where the query itself took too much (see ``ANSWER_TOO_LONG``).
OVER_MEMORY = "Query Took More Memory Than EVKG_QUERY_MEMORY"
#: How often a query process reads its own memory.
MEMORY_CHECK_SECONDS = 0.1
#: How long a new child may take to open the store before the query is refused.
START_TIMEOUT = 60.0
#: How often a child checks that its parent is still alive.
PARENT_CHECK_SECONDS = 1.0
STOPPED_MESSAGE = (
    "the store crashed while evaluating this query: its query process stopped on both runs, the "
    "second on a fresh process (the server's log holds pyoxigraph's message). The server goes on "
    "with a fresh query process; rewriting the query may avoid the crash (ORDER BY over values "
    "that cannot be ordered consistently, such as NaN beside other terms, is one cause)")
_READY = "ready"
#: Sent by the child, with its memory in bytes, before it stops itself past EVKG_QUERY_MEMORY.
_OVER_MEMORY = "over memory"
#: Sent by the child, tagged with a job's number, when the store's ``query`` returned for it:
#: the query is planned, and its rows are being computed. A query past the limit before that
#: may have spent the time planning (pyoxigraph computes an aggregate's, ORDER BY's and an
#: ASK's answer whole before it returns, too).
_PLANNED = "planned"
#: A job the query process may run: a query, or the syntax check of one.
Job = QueryJob | SyntaxCheck


class Parsed:
    """What a syntax check answers when its query parsed."""


#: Where a query process that stops by itself is reported (the application's log).
_log = logging.getLogger(__name__)
#: How long the request the current thread serves waited for that thread (``server.workers``
#: sets it: gunicorn queues a request that finds every thread of its worker busy).
_queued = threading.local()


def set_queue_wait(seconds: float) -> None:
    """Record that the request this thread now serves waited ``seconds`` for it."""
    _queued.seconds = seconds


def queue_wait() -> float:
    """Seconds the request this thread serves waited for it (0 outside gunicorn)."""
    return float(getattr(_queued, "seconds", 0.0))


def _exit_with_parent(parent: int) -> None:
    """Exit when the parent process is gone, even if the pipe stayed open (a copy of its end
    inherited by another process) so that the main loop never sees it close."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(0)


#: Where a query process reads how much memory it takes (``RssAnon``, Linux 4.5 and later).
STATUS_FILE = "/proc/self/status"


def anon_resident(status: str) -> int | None:
    """The anonymous resident memory, in bytes, that a ``/proc/PID/status`` text gives, or
    None when it gives none."""
    for line in status.splitlines():
        if line.startswith("RssAnon:"):
            fields = line.split()
            return int(fields[1]) * 1024 if len(fields) > 1 and fields[1].isdigit() else None
    return None


def memory_watchable() -> bool:
    """Whether a query process can tell how much memory it takes (``STATUS_FILE``)."""
    try:
        return anon_resident(Path(STATUS_FILE).read_text("utf-8", "replace")) is not None
    except OSError:
        return False


def _exit_past_memory(limit: int, conn: Connection, sending: threading.Lock) -> None:
    """Stop this process once its anonymous resident memory passes ``limit`` bytes, having
    told the server process how much it took (its status file read through one descriptor,
    ``pread`` giving it afresh)."""
    try:
        status = os.open(STATUS_FILE, os.O_RDONLY)
    except OSError:
        return  # no Linux: no limit (the server process said so as it made the pool)
    while True:
        used = anon_resident(os.pread(status, 1 << 16, 0).decode("utf-8", "replace"))
        if used is None:
            return  # (as above)
        if used > limit:
            with sending:
                conn.send((_OVER_MEMORY, used))
            os._exit(1)
        time.sleep(MEMORY_CHECK_SECONDS)


def child_main(conn: Connection, store_path: str | None, parent: int, threads: int,
               max_answer: int = 0, memory: int = 0) -> None:
    """The child's loop: open the store (an empty one for no ``store_path``), say ready, answer
    numbered jobs on ``threads`` threads until the pipe closes. An answer of more than
    ``max_answer`` bytes (0: any) is refused here, before the server process holds it; past
    ``memory`` bytes (0: any) the process stops itself."""
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    from pyoxigraph import Store

    from kg.store import open_read_only

    try:
        store = open_read_only(Path(store_path)) if store_path is not None else Store()
    except OSError as error:
        conn.send(Failure(503, f"the release store cannot be opened: {error}", ran=False))
        return
    conn.send(_READY)
    sending = threading.Lock()
    if memory > 0:
        threading.Thread(target=_exit_past_memory, args=(memory, conn, sending),
                         daemon=True).start()

    def answer(number: int, job: Job) -> None:
        def planned() -> None:
            with sending:
                conn.send((number, _PLANNED))

        try:
            outcome: Answer | Failure | Parsed = (
                (syntax_failure(job) or Parsed()) if isinstance(job, SyntaxCheck)
                else run_job(store, job, planned=planned))
        except BaseException as error:  # a panic in the store must still answer its asker
            outcome = Failure(500, f"the query failed inside the store: {error!r}")
        if isinstance(outcome, Answer) and 0 < max_answer < len(outcome.body):
            outcome = Failure(403, answer_size_message(len(outcome.body), max_answer),
                              reason=ANSWER_TOO_LONG)
        with sending:
            conn.send((number, outcome))

    # deep queries (kg.querying): a thread that ran out of stack killed the child and every
    # query running in it
    threading.stack_size(QUERY_STACK_BYTES)
    pool = ThreadPoolExecutor(max(1, threads), thread_name_prefix="evkg-query")
    while True:
        try:
            number, job = conn.recv()
        except (EOFError, OSError):
            os._exit(0)  # the server closed the pipe: nothing is waiting for running queries
        pool.submit(answer, number, job)


def memory_message(limit: int) -> str:
    """The 503 of a query that took more memory than ``limit`` bytes (EVKG_QUERY_MEMORY)."""
    return (f"the query took more memory than this server gives a query process "
            f"({limit / 1_000_000:,.0f} MB, EVKG_QUERY_MEMORY) and was stopped: make it more "
            f"selective (a LIMIT, a narrower pattern; ORDER BY, DISTINCT and GROUP BY keep every "
            f"solution in memory)")


def answer_size_message(size: int, limit: int) -> str:
    """The 403 of an answer of ``size`` bytes, past ``limit`` (EVKG_MAX_ANSWER_BYTES)."""
    return (f"the answer is {size:,} bytes, more than this server sends ({limit:,}, "
            f"EVKG_MAX_ANSWER_BYTES): select fewer or shorter values, or ask for fewer rows "
            f"(a LIMIT); the release's files (/downloads/) hold the whole graph")


@dataclass(eq=False)
class _Waiting:
    """A job sent to a child, until its answer arrives."""

    arrived: threading.Event = field(default_factory=threading.Event)
    outcome: Answer | Failure | Parsed | None = None
    #: Its process stopped before answering it (``outcome`` stays None).
    stranded: bool = False
    #: Its job's second run, after its process stopped under the first.
    second: bool = False
    #: The store has planned its query (``_PLANNED``) and is evaluating it.
    planned: bool = False


@dataclass(eq=False)
class _Child:
    """A running query process, the jobs it has not answered, and whether it is retired.

    Its reader thread (``read_answers``) is the only reader and, at the end, the only closer of
    ``conn``; ``kill`` only stops the process, once.
    """

    process: BaseProcess
    conn: Connection
    waiting: dict[int, _Waiting] = field(default_factory=dict)
    #: Takes no new jobs; killed when ``waiting`` is empty.
    retired: bool = False
    killed: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)
    sending: threading.Lock = field(default_factory=threading.Lock)
    #: Stopped itself for taking more memory than EVKG_QUERY_MEMORY.
    over_memory: bool = False

    def kill(self) -> None:
        with self.lock:
            if self.killed:
                return
            self.killed = True
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)

    def read_answers(self) -> None:
        """Hand each answer to its asker (run on a thread of the server process) until the
        process ends or is retired with nothing left to answer; then fail whoever still waits."""
        by_itself = False  # the process stopped, not by ``kill``: a panic, the OOM killer …
        try:
            while True:
                number, outcome = self.conn.recv()
                if number == _OVER_MEMORY:
                    self.stopped_over_memory(outcome)
                    continue
                with self.lock:
                    if outcome == _PLANNED:
                        if (planning := self.waiting.get(number)) is not None:
                            planning.planned = True
                        continue
                    waiting = self.waiting.pop(number, None)
                    if waiting is not None:
                        waiting.outcome = outcome
                        waiting.arrived.set()
                    if self.retired and not self.waiting:
                        return
        except BaseException as error:  # EOF (the process ended), a broken pipe, an unreadable
            by_itself = (isinstance(error, EOFError | OSError)  # an unreadable answer …
                         and not self.killed and not self.over_memory)
            return
        finally:
            # its answers' pipe ends as it exits: let it end, so that its exit status says how
            # (killed now, it read as SIGKILL or None); before the queries it held are woken,
            # whose second runs start a fresh process, and multiprocessing reaps every ended
            # child then, on another thread: this join could find it reaped and its status unset
            if by_itself:
                self.process.join(10)
            with self.lock:
                stranded = list(self.waiting.values())
                self.waiting.clear()
                self.retired = True
                for waiting in stranded:
                    waiting.stranded = True
                    waiting.arrived.set()
            self.kill()
            self.conn.close()
            if by_itself:
                self.report_stop(stranded)

    def stopped_over_memory(self, used: int) -> None:
        """Note and log that the process stops itself, having taken ``used`` bytes of memory,
        past EVKG_QUERY_MEMORY (its queries are run again, as a crashed one's)."""
        with self.lock:
            self.over_memory = True
            running = len(self.waiting)
        _log.warning("evkg: the query process (pid %s) took %s MB of memory, past "
                     "EVKG_QUERY_MEMORY, and stopped while running %s", self.process.pid,
                     used // 1_000_000, counted(running, "query"))

    def report_stop(self, stranded: list[_Waiting]) -> None:
        """Log that the process stopped by itself, how, and what becomes of the queries it
        ran (``stranded``)."""
        code = self.process.exitcode
        how = f"exit status {code}" if code is not None else "exit status not known"
        if code is not None and code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else -code
            how = f"killed by {name}"
        seconds = sum(waiting.second for waiting in stranded)
        then = [f"{len(stranded) - seconds} run again on a fresh one"] if seconds < len(stranded) \
            else []
        then += [f"{seconds} answered 500 (its second run)"] if seconds else []
        said = (f"while running {counted(len(stranded), 'query')}: "
                f"{', '.join(then)}" if stranded
                else "while no query ran in it; the next query starts a fresh one")
        _log.warning("evkg: the query process (pid %s) stopped (%s) %s", self.process.pid, how,
                     said)

    def retire(self) -> None:
        """Take no new jobs; kill now if none is running, else when the last one ends."""
        with self.lock:
            self.retired = True
            done = not self.waiting
        if done:
            self.kill()


class QueryPool:
    """The query process of this server process, started on first use (and again after one was
    retired), running up to ``threads`` queries at once."""

    writable = False

    def __init__(self, store_path: Path | None, *, threads: int, timeout: float,
                 memory: int = 0, max_answer: int = 0) -> None:
        self.store_path = store_path
        self.threads = max(1, threads)
        self.timeout = timeout
        #: The memory a child may take, and the longest answer it gives, in bytes (0: no limit).
        self.memory, self.max_answer = memory, max_answer
        if memory > 0 and not memory_watchable():  # (its query process stopped watching, silently)
            _log.warning("evkg: EVKG_QUERY_MEMORY (%s MB) cannot be kept here: %s gives no "
                         "RssAnon line (Linux 4.5 and later give one), so a query process may "
                         "take any memory", f"{memory / 1_000_000:,.0f}", STATUS_FILE)
        self._context = multiprocessing.get_context("spawn")
        self._child: _Child | None = None
        #: Every child not yet killed, the retired ones included (for ``close``).
        self._children: list[_Child] = []
        self._starting = threading.Lock()
        self._numbers = itertools.count()
        self._slots = threading.BoundedSemaphore(self.threads)
        #: Held by the second run of a query whose process stopped under it (one at a time).
        self._rerunning = threading.Lock()
        #: Jobs sent to a child (a cache hit must not add to it).
        self.jobs_sent = 0
        # its children stop at exit, or once no one holds the pool (an application dropped, as
        # each test's is): registered with atexit, a pool was held for the process's life, its
        # child with it, and the suite's process ran out of the descriptors select() takes
        weakref.finalize(self, _stop, self._children)

    @property
    def pids(self) -> list[int]:
        """Process ids of the query processes alive now."""
        return [c.process.pid for c in self._children if c.process.pid and c.process.is_alive()]

    def _start(self) -> _Child | Failure:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(
            target=child_main, name="evkg-query", daemon=True,
            args=(child_end, None if self.store_path is None else str(self.store_path),
                  os.getpid(), self.threads, self.max_answer, self.memory))
        process.start()
        child_end.close()
        child = _Child(process, parent_end)
        hello: object = Failure(503, f"the query process did not start within {START_TIMEOUT:g} s",
                                ran=False)
        try:
            if parent_end.poll(START_TIMEOUT):
                hello = parent_end.recv()
        except (EOFError, OSError):
            hello = Failure(503, "the query process stopped while opening the store", ran=False)
        if hello != _READY:
            child.kill()
            parent_end.close()
            return hello if isinstance(hello, Failure) else \
                Failure(503, f"the query process said {hello!r} instead of being ready", ran=False)
        self._children[:] = [c for c in self._children if c.process.is_alive()] + [child]
        threading.Thread(target=child.read_answers, name="evkg-query-answers",
                         daemon=True).start()
        return child

    def _current(self) -> _Child | Failure:
        """The child that takes new jobs, started if there is none."""
        with self._starting:
            child = self._child
            if child is None or child.retired or not child.process.is_alive():
                started = self._start()
                if isinstance(started, Failure):
                    return started
                self._child = child = started
            return child

    def ready(self) -> Failure | None:
        """None once a child takes jobs (started now when there is none), else the 503 of
        one that could not start: a caller timing its jobs starts the clock after this."""
        child = self._current()
        return child if isinstance(child, Failure) else None

    def execute(self, job: QueryJob) -> Answer | Failure:
        """Run ``job`` in the child; past the time limit this is a 503 and the child retires."""
        outcome = self._answered(job)
        assert not isinstance(outcome, Parsed)  # (a query is answered, or it failed)
        return outcome

    def check(self, check: SyntaxCheck) -> Failure | None:
        """Parse ``check``'s query in the child, under the time limit, as a query runs there:
        None when it parses, else its 400, or the 503 a query past the limit gets."""
        outcome = self._answered(check)
        return outcome if isinstance(outcome, Failure) else None

    def _answered(self, job: Job) -> Answer | Failure | Parsed:
        """``job``'s outcome from the child (a 503 past the time limit: the child retires)."""
        limit = self.timeout if self.timeout > 0 else None
        # At most ``threads`` jobs at once (gunicorn's threads never exceed it; Flask's --dev
        # server may), so that the clock of a job starts when a thread of the child is free.
        # A request gunicorn queued while every thread of its worker was busy has waited for a
        # query thread already: sixteen slow queries at four threads were answered one time
        # limit after another, the last after four, and pages and /health waited behind them.
        waited = queue_wait()
        if limit is None:
            acquired = self._slots.acquire()
        else:
            acquired = waited < limit and self._slots.acquire(timeout=limit - waited)
        if not acquired:
            # each of them ends within one time limit, so a slot is free by then
            threads = ("the query thread of this server process was" if self.threads == 1 else
                       f"all {self.threads} query threads of this server process were")
            return Failure(503, f"{threads} busy for {self.timeout:g} s; try again later",
                           {"Retry-After": str(max(1, math.ceil(self.timeout)))}, ran=False)
        try:
            outcome = self._run(job, limit)
            if outcome is None:
                with self._rerunning:
                    outcome = self._run(job, limit, second=True)
            return outcome if outcome is not None else Failure(500, STOPPED_MESSAGE)
        finally:
            self._slots.release()

    def _run(self, job: Job, limit: float | None, *,
             second: bool = False) -> Answer | Failure | Parsed | None:
        """``job``'s answer from the current child, or None if the child stopped before
        answering it (``second``: this is its second run)."""
        number, waiting = next(self._numbers), _Waiting(second=second)
        while True:
            child = self._current()
            if isinstance(child, Failure):
                return child
            with child.lock:
                # A child retired since ``_current`` may already be dead: ask the next one.
                if not child.retired:
                    child.waiting[number] = waiting
                    break
        try:
            with child.sending:
                child.conn.send((number, job))
        except Exception as error:  # a broken pipe, a job that cannot be pickled …
            with child.lock:
                child.waiting.pop(number, None)
            child.retire()
            return Failure(500, f"the query process could not be reached ({error})")
        self.jobs_sent += 1
        if not waiting.arrived.wait(limit):
            with child.lock:
                # Still waiting: this job is over its limit. Else its answer came just now.
                late = child.waiting.pop(number, None) is not None
            if late:
                child.retire()
                return self._late(job, waiting.planned)
        assert waiting.outcome is not None or waiting.stranded
        if waiting.stranded and second and child.over_memory:
            return Failure(503, memory_message(self.memory), reason=OVER_MEMORY)
        return waiting.outcome

    def _late(self, job: Job, planned: bool) -> Failure:
        """The 503 of ``job`` past the time limit (``planned``: the store had planned its query
        and was evaluating it). A check in a pool of no store is a server of a remote store's,
        whose query never ran: it says so (``unchecked_message``). On the release store a
        check spent the time reading and planning the query (``unplanned_message``: "make it
        more selective" helped nothing); so may a query stopped before its first result
        (``unstarted_message``), but pyoxigraph also computes an aggregate, ORDER BY or an ASK
        whole before its first result: that one names both. pyoxigraph calls a SERVICE as it
        plans the query too: the time is blamed on it (``server.sparql._explained``)."""
        if isinstance(job, SyntaxCheck):
            return (Failure(503, unchecked_message(self.timeout), ran=False)
                    if self.store_path is None else Failure(503, unplanned_message(self.timeout)))
        return Failure(503, timeout_message(self.timeout) if planned or service_targets(job.query)
                       else unstarted_message(self.timeout))

    def update(self, update: str) -> Failure | None:
        return Failure(403, "the release store is read-only: a built release never changes; "
                            "build a new release with `evkg build` instead")

    def close(self) -> None:
        """Stop every child (children also exit by themselves when this process dies)."""
        _stop(self._children)
        self._child = None


def _stop(children: list[_Child]) -> None:
    """Stop each of ``children``, and forget them."""
    for child in children:
        child.kill()
    children.clear()
