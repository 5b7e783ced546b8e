"""The ``evkg`` command's entry point: it loads the command (``kg.cli``, with click, pyoxigraph
and the pipeline behind it, a few tenths of a second) where a Ctrl-C in that time ends it as
quietly as one after it, by the signal and without a Python traceback."""

from __future__ import annotations

import os
import signal
import sys


def main() -> None:
    try:
        from kg.cli import main as command
    except KeyboardInterrupt:  # nothing was done yet: nothing to clean up
        print("Aborted!", file=sys.stderr, flush=True)
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        sys.exit(128 + signal.SIGINT)
    command()


if __name__ == "__main__":  # `python -m kg.launch`, as `python -m kg.cli`
    main()
