"""The ``evkg`` command's entry point: it loads the command (``kg.cli``, with click, pyoxigraph
and the pipeline behind it, a few tenths of a second) where a Ctrl-C in that time ends it as
quietly as one after it, by the signal and without a Python traceback.

This module imports nothing that Python has not loaded at its start: its body runs before
``main``'s ``try``, and a Ctrl-C while it loaded ``signal`` (whose enums take milliseconds to
make) printed a traceback. ``_signal`` is the built-in module ``signal`` wraps.
"""

from __future__ import annotations

import _signal  # type: ignore[import-not-found]  # (typeshed has stubs for signal only)
import os
import sys
from types import FrameType


def main() -> None:
    pressed: list[int] = []

    def ctrl_c(signum: int, frame: FrameType | None) -> None:
        pressed.append(signum)
        raise KeyboardInterrupt

    # Python drops a KeyboardInterrupt raised in a callback ("Exception ignored in", as in the
    # weak reference callbacks of its own import locks), and the command then ran to its end;
    # one raised in a ``__set_name__`` (a dataclass's fields) comes out as a RuntimeError, and
    # a traceback: the Ctrl-C is noted here as it arrives, and whatever the import ends with
    # then is taken for it (the dropped one goes unsaid). All of it inside the ``try``: a
    # Ctrl-C as the handler or the hook was set (before the ``try``) printed a traceback.
    unraisable = sys.unraisablehook
    try:
        try:
            # (not where SIGINT is ignored, as in a shell's background job)
            if _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
                _signal.signal(_signal.SIGINT, ctrl_c)
            sys.unraisablehook = lambda dropped: (
                None if issubclass(dropped.exc_type, KeyboardInterrupt) else unraisable(dropped))
            from kg.cli import main as command
        finally:
            sys.unraisablehook = unraisable
            if _signal.getsignal(_signal.SIGINT) is ctrl_c:
                _signal.signal(_signal.SIGINT, _signal.default_int_handler)
        if pressed:
            raise KeyboardInterrupt
    except BaseException as error:  # nothing was done yet: nothing to clean up
        if not (pressed or isinstance(error, KeyboardInterrupt)):
            raise
        print("Aborted!", file=sys.stderr, flush=True)
        _signal.signal(_signal.SIGINT, _signal.SIG_DFL)
        os.kill(os.getpid(), _signal.SIGINT)
        sys.exit(128 + _signal.SIGINT)
    command()


if __name__ == "__main__":  # `python -m kg.launch`, as `python -m kg.cli`
    main()
