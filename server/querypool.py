"""Query children: each runs queries on the release store and can be killed at the time limit.

pyoxigraph's ``Store.query`` cannot be cancelled, and a thread left running keeps burning a core
(DESIGN.md). So each server process keeps a few long-lived child processes (``spawn`` context:
nothing, and no open ``Store``, is inherited across a fork). A child opens the release store
read-only itself, then answers ``QueryJob`` values sent over a pipe with ``Answer`` or
``Failure`` values. The parent waits up to the timeout; past it, it kills the child (SIGKILL),
answers 503 as Fuseki does for a query timeout, and the next query starts a fresh child.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import queue
import threading
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from kg.backends import timeout_message
from server.executor import Answer, Failure, QueryJob, run_job

#: How long a new child may take to open the store before the query is refused.
START_TIMEOUT = 60.0
#: How often a child checks that its parent is still alive.
PARENT_CHECK_SECONDS = 1.0
_READY = "ready"


def _exit_with_parent(parent: int) -> None:
    """Exit when the parent process is gone (a child busy in Rust would not see the pipe close)."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(0)


def child_main(conn: Connection, store_path: str, parent: int) -> None:
    """The child's loop: open the store, say ready, answer jobs until the pipe closes."""
    threading.Thread(target=_exit_with_parent, args=(parent,), daemon=True).start()
    from kg.store import open_read_only

    try:
        store = open_read_only(Path(store_path))
    except OSError as error:
        conn.send(Failure(503, f"the release store cannot be opened: {error}"))
        return
    conn.send(_READY)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        conn.send(run_job(store, job))


@dataclass
class _Child:
    process: BaseProcess
    conn: Connection


class QueryPool:
    """Up to ``size`` query children for this process, started on first use."""

    writable = False

    def __init__(self, store_path: Path, *, size: int, timeout: float) -> None:
        self.store_path = store_path
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")
        self._children: list[_Child | None] = [None] * max(1, size)
        self._idle: queue.LifoQueue[int] = queue.LifoQueue()
        for slot in range(len(self._children)):
            self._idle.put(slot)
        #: Jobs sent to a child (a cache hit must not add to it).
        self.jobs_sent = 0
        atexit.register(self.close)

    def _start(self) -> _Child | Failure:
        parent_end, child_end = self._context.Pipe()
        process = self._context.Process(target=child_main, name="evkg-query", daemon=True,
                                        args=(child_end, str(self.store_path), os.getpid()))
        process.start()
        child_end.close()
        child = _Child(process, parent_end)
        if not parent_end.poll(START_TIMEOUT):
            self._kill(child)
            return Failure(503, f"the query process did not start within {START_TIMEOUT:g} s")
        try:
            hello = parent_end.recv()
        except EOFError:
            self._kill(child)
            return Failure(503, "the query process stopped while opening the store")
        if isinstance(hello, Failure):
            self._kill(child)
            return hello
        return child

    @staticmethod
    def _kill(child: _Child) -> None:
        if child.process.is_alive():
            child.process.kill()
        child.process.join(5)
        child.conn.close()

    def execute(self, job: QueryJob) -> Answer | Failure:
        """Run ``job`` in a child; past the time limit the child is killed and this is a 503."""
        slot = self._idle.get()
        try:
            child = self._children[slot]
            if child is None or not child.process.is_alive():
                started = self._start()
                if isinstance(started, Failure):
                    return started
                child = self._children[slot] = started
            return self._ask(slot, child, job)
        finally:
            self._idle.put(slot)

    def _ask(self, slot: int, child: _Child, job: QueryJob) -> Answer | Failure:
        try:
            child.conn.send(job)
            self.jobs_sent += 1
            if not child.conn.poll(self.timeout):
                self._kill(child)
                self._children[slot] = None
                return Failure(503, timeout_message(self.timeout))
            outcome: Answer | Failure = child.conn.recv()
            return outcome
        except (EOFError, OSError) as error:
            self._kill(child)
            self._children[slot] = None
            return Failure(500, f"the query process stopped unexpectedly ({error or 'no answer'})")

    def update(self, update: str) -> Failure | None:
        return Failure(403, "the release store is read-only: a built release never changes; "
                            "build a new release with `evkg build` instead")

    def close(self) -> None:
        """Stop every child (at exit; children also exit by themselves when this process dies)."""
        for slot, child in enumerate(self._children):
            if child is not None:
                self._kill(child)
                self._children[slot] = None
