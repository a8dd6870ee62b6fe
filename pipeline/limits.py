"""Per-document limits for conversion one file at a time: how large, and how long.

The batch runner enforces its own (a worker past its timeout is killed); `nianbao convert` runs in
one process, so its time limit is an interval timer that interrupts the Python code of the extractor.
C code (lxml, LibreOffice in its subprocess) is bounded by its own limits.
"""

from __future__ import annotations

import re
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

from pipeline.errors import DocumentTimeout, ExtractionError

DEFAULT_MAX_SIZE = "100MB"  # the largest real report seen is a ~30 MB scanned PDF
DEFAULT_TIMEOUT_S = 300.0
_UNITS = {"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "m": 1 << 20, "mb": 1 << 20, "g": 1 << 30, "gb": 1 << 30}


def parse_size(text: str) -> int:
    """'100MB', '512k', '2000' -> bytes; ValueError for anything else."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*", text)
    if not match or match.group(2).lower() not in _UNITS:
        raise ValueError(f"not a size: {text!r} (e.g. 100MB, 512k, 2000)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


DEFAULT_MAX_BYTES = parse_size(DEFAULT_MAX_SIZE)
STDIN = "-"  # the input name that means standard input
_CHUNK = 1 << 20


def read_limited(path: Path, max_bytes: int | None) -> bytes:
    """A file's bytes, of which at most max_bytes + 1 are ever read.

    The size a file claims is no bound: a pipe, standard input (`-`) or /dev/zero has st_size 0. So the
    bytes are counted as they come, in chunks, which also lets a time limit (SIGALRM) stop a slow pipe.
    OSError (no such file, a directory...) is left to the caller.
    """
    def too_large(what: str) -> ExtractionError:
        return ExtractionError(f"{what}, over the {max_bytes:,}-byte limit (raise it with --max-size)",
                               kind="too_large")

    if str(path) != STDIN and max_bytes is not None and path.is_file() and (size := path.stat().st_size) > max_bytes:
        raise too_large(f"file is {size:,} bytes")
    opened = nullcontext(sys.stdin.buffer) if str(path) == STDIN else open(path, "rb")  # noqa: SIM115
    data = bytearray()
    with opened as stream:
        while chunk := stream.read(_CHUNK if max_bytes is None else min(_CHUNK, max_bytes + 1 - len(data))):
            data += chunk
            if max_bytes is not None and len(data) > max_bytes:
                raise too_large(f"more than {max_bytes:,} bytes")
    return bytes(data)


@contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise DocumentTimeout in the block after `seconds` (no limit off the main thread or for 0/None)."""
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    def on_alarm(signum: int, frame: object) -> None:
        raise DocumentTimeout(f"did not finish within {seconds:g} s (raise it with --timeout)")

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
