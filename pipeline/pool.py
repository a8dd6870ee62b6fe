"""A process pool whose workers can be killed one at a time.

concurrent.futures cannot kill the worker of one hung task without breaking the whole pool, so each
worker here is its own process with its own pipe and its own process group (LibreOffice children die
with it). One task per worker at a time: a task that overruns its timeout gets its worker killed and
replaced, a worker that dies (segfault, OOM killer) is replaced too, and its task comes back as a status.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import time
from collections.abc import Callable
from multiprocessing.connection import Connection, wait
from typing import Any

Result = dict[str, Any]


def _worker_main(conn: Connection, fn: Callable[[dict], Result]) -> None:
    os.setsid()  # own process group: killing it also ends the converters it started
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when we stop
    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return
        try:
            conn.send(fn(task))
        except (BrokenPipeError, OSError):  # the parent is gone (killed): nothing left to do
            return


class _Worker:
    def __init__(self, ctx: Any, fn: Callable[[dict], Result]) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, fn), daemon=True)
        self.proc.start()
        child.close()
        self.task: Any = None
        self.key: Any = None
        self.started = 0.0
        self.done = 0

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class KillablePool:
    """submit(key, task) when `free()`; poll() gives back (key, result) pairs, timeouts included."""

    def __init__(self, fn: Callable[[dict], Result], workers: int, timeout: float,
                 max_tasks_per_child: int = 500, start_method: str = "forkserver") -> None:
        self.fn, self.timeout, self.max_tasks = fn, timeout, max_tasks_per_child
        self.ctx = mp.get_context(start_method)
        if start_method == "forkserver":
            self.ctx.set_forkserver_preload(["pipeline.task", "pipeline.normalise", "extractors"])
        self.workers = [_Worker(self.ctx, fn) for _ in range(max(1, workers))]
        self.capacity = len(self.workers)

    def free(self) -> bool:
        return any(w.task is None for w in self.workers)

    def inflight(self) -> int:
        return sum(w.task is not None for w in self.workers)

    def submit(self, key: Any, task: dict) -> None:
        worker = next(w for w in self.workers if w.task is None)
        worker.task, worker.key, worker.started = task, key, time.monotonic()
        try:
            worker.conn.send(task)
        except (OSError, ValueError):  # the worker died while idle: replace it and try once more
            self._replace(worker)
            self.submit(key, task)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.kill()
        new = _Worker(self.ctx, self.fn)
        self.workers[self.workers.index(worker)] = new
        return new

    def poll(self, timeout: float) -> list[tuple[Any, Result]]:
        busy = {w.conn: w for w in self.workers if w.task is not None}
        out: list[tuple[Any, Result]] = []
        if not busy:
            return out
        now = time.monotonic()
        wait_for = min(timeout, max(0.0, min(w.started + self.timeout for w in busy.values()) - now))
        for conn in wait(list(busy), timeout=wait_for):
            worker = busy[conn]
            try:
                result = conn.recv()
            except (EOFError, OSError):
                code = worker.proc.exitcode
                worker.proc.join(1)
                code = worker.proc.exitcode if code is None else code
                out.append((worker.key, {"status": "error", "error": f"worker process died (exit code {code})"}))
                self._replace(worker)
                continue
            out.append((worker.key, result))
            worker.task = worker.key = None
            worker.done += 1
            if worker.done >= self.max_tasks:  # bound slow leaks in long jobs
                worker.conn.send(None)
                self._replace(worker)
        now = time.monotonic()
        for worker in list(self.workers):
            if worker.task is not None and now - worker.started > self.timeout:
                out.append((worker.key, {"status": "timeout",
                                         "error": f"no result within {self.timeout:g} s; worker killed"}))
                self._replace(worker)
        return out

    def close(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(OSError, ValueError):
                if worker.task is None:
                    worker.conn.send(None)
        for worker in self.workers:
            worker.proc.join(0.5 if worker.task is None else 0)
            if worker.proc.is_alive():
                worker.kill()
            else:
                worker.conn.close()
