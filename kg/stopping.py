"""Telling the build's threads to stop when the build is interrupted or fails.

The SPARQL checks and the dumps run in a pool's threads beside SHACL (``kg/build.py``). Ctrl-C
reaches the main thread only, and the pool then waits for its threads: they went on to the end
(~35 s at 60k articles; the dumps alone take ~700 s at a million), and one whose child process
never answered kept the build waiting for ever. ``Stop`` tells them: the checks stop before
their next query, and the dumps' child processes are killed, which ends the store's writes into
their pipes.

A build killed outright (SIGKILL: the OOM killer, ``kill -9``) runs no code of its own: its
child processes (``sort``, ``sed``, ``cat``, ``tee``, the dumps' converters) are started with
``ending_with_build``, so that Linux kills them when it dies, where they went on until their input
ended (for ever for one that waited on something else).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from functools import cache
from types import FrameType
from typing import Any


@cache
def _setpriv() -> str | None:
    """util-linux's ``setpriv``, which sets the parent-death signal and runs a command (None
    where the system has none: a Python asks then, slower to start). One from before
    util-linux 2.33 (RHEL 8's 2.32) has no ``--pdeathsig``: it refused it, and so every child
    of the build failed, and the build with them; it is tried once, and not used so."""
    found = shutil.which("setpriv")
    if found is None:
        return None
    try:
        tried = subprocess.run([found, "--pdeathsig", "KILL", "--", "/bin/sh", "-c", ":"],
                               stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, check=False)
    except OSError:
        return None
    return found if tried.returncode == 0 else None


#: Run by ``/bin/sh`` once ``setpriv`` has asked for the signal: ``$1`` is the build's process,
#: and a child whose build died before the request (its parent is another by then) ends.
#: ``$0`` is the name ``sh`` gives its messages: "evkg: 1: exec: sort: not found" (dash's;
#: bash's says "line 1"), where the build's process number (the ``$0`` this had) named none.
_UNLESS_ORPHANED = 'test "$PPID" = "$1" && shift && exec "$@"; exit 137'

#: The name a child that could not start its program gives in its message.
_SPEAKER = "evkg"


#: Run by a Python of its own where there is no ``setpriv`` to use: the same request, through
#: libc's ``prctl`` (PR_SET_PDEATHSIG, SIGKILL), and the same check, before the command (its
#: arguments are ``sh``'s: the name for messages, the build's process, the command); a
#: program that cannot be started is named as ``sh`` names it (Python's error named none),
#: with ``sh``'s exit status (127 not found, 126 found but not run). The signals Python
#: ignores for itself (SIGPIPE, SIGXFSZ) get their default actions back, as ``subprocess``
#: gives them to a program: ignored, they went with the ``exec`` to the command, and a
#: ``sort`` whose reader had stopped said "Broken pipe" where it ends quietly by the signal.
_ASKING_IN_PYTHON = """import os, sys
try:
    import ctypes
    ctypes.CDLL(None).prctl(1, 9, 0, 0, 0)
except (ImportError, OSError, AttributeError):
    pass
if os.getppid() != int(sys.argv[2]):
    os._exit(137)
import signal
for name in ("SIGPIPE", "SIGXFSZ"):
    if hasattr(signal, name):
        signal.signal(getattr(signal, name), signal.SIG_DFL)
try:
    os.execvp(sys.argv[3], sys.argv[3:])
except OSError as error:
    missing = isinstance(error, FileNotFoundError)
    sys.stderr.write("%s: exec: %s: %s\\n" % (sys.argv[1], sys.argv[3],
                     "not found" if missing else error.strerror))
    sys.stderr.flush()
    os._exit(127 if missing else 126)
"""


def ending_with_build(command: Sequence[str]) -> list[str]:
    """``command``, run so that Linux kills it when the build's thread that starts it ends,
    killed or not (elsewhere it is run as it is). The build's threads wait for the children
    they start, so none ends before its children.

    Not a ``preexec_fn`` (which this was): Python runs one in the forked child after clearing
    the state of the build's other threads there, which ran the finalizers of what only that
    state held, in the child. A pyoxigraph iterator that only the main thread's state held (a
    build stopped by SIGTERM) was dropped so in the dumps' converters: "QuadIter is
    unsendable, but is being dropped on another thread" went into the build's error output
    from each of them.
    """
    if not sys.platform.startswith("linux"):
        return list(command)
    setpriv = _setpriv()
    if setpriv is None:  # (a Python that sees no PYTHON* variable, nor site-packages)
        return [sys.executable, "-I", "-S", "-c", _ASKING_IN_PYTHON, _SPEAKER,
                str(os.getpid()), *command]
    return [setpriv, "--pdeathsig", "KILL", "--", "/bin/sh", "-c", _UNLESS_ORPHANED, _SPEAKER,
            str(os.getpid()), *command]


class Stop:
    """Set once (``stop``) by the thread that handles the build's end; read by the others."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._processes: list[subprocess.Popen[bytes]] = []
        self.stopped = False

    def watch(self, process: subprocess.Popen[bytes]) -> None:
        """Kill ``process`` when the build stops (at once, if it has)."""
        with self._lock:
            self._processes.append(process)
            stopped = self.stopped
        if stopped:
            process.kill()

    def stop(self) -> None:
        """Stop: kill every process watched."""
        with self._lock:
            self.stopped = True
            processes = list(self._processes)
        for process in processes:
            if process.poll() is None:
                process.kill()


class SignalsHeld:
    """Ctrl-C and SIGTERM held back while a build removes what it made: a second Ctrl-C
    during that removal stopped it where it was, and a first build left its folder behind
    with the lock file and a half-removed staging folder (a copy of the store).

    One that came while the build was already stopping by one changes nothing: the hold
    starts in the ``finally`` (or ``__exit__``) that the Ctrl-C's or SIGTERM's exception runs,
    which Python gives as the exception being handled (``sys.exc_info``); the block itself
    raises none, and a second signal raised again at the end ended the build by that one (a
    build that SIGTERM stopped and a Ctrl-C reached as it cleaned up: status 130, not 143).
    One that came while it cleaned up after a failure or after success takes effect at the
    end, as it would have without the hold. Signals reach Python's handlers in the main thread
    only: elsewhere this holds nothing. A class, not a ``contextlib`` generator, for
    ``Writing``'s reason.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self) -> None:
        self._previous: dict[int, Callable[[int, FrameType | None], Any] | int] = {}
        self._held: list[int] = []
        self._stopping = False  # whether a Ctrl-C or SIGTERM already stops the build

    def _hold(self, signum: int, frame: FrameType | None) -> None:
        self._held.append(signum)

    def __enter__(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        self._stopping = isinstance(sys.exc_info()[1], KeyboardInterrupt)
        for signum in self.SIGNALS:
            handler = signal.getsignal(signum)
            if handler is not None:  # (None: set outside Python, which cannot set it back)
                self._previous[signum] = handler
                signal.signal(signum, self._hold)

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 traceback: object) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        if self._held and not (self._stopping or isinstance(error, KeyboardInterrupt)):
            signal.raise_signal(self._held[0])  # (its own handler now: it raises, or ends us)
