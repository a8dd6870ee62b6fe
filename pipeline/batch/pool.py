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
from collections import deque
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
            conn.send(None)  # started: the task's time limit counts from here, not from its submission
            conn.send(fn(task))
        except (BrokenPipeError, OSError):  # the parent is gone (killed): nothing left to do
            return


class _Worker:
    def __init__(self, ctx: Any, fn: Callable[[dict], Result]) -> None:
        self.conn, child = ctx.Pipe()
        self.proc = ctx.Process(target=_worker_main, args=(child, fn), daemon=True)
        self.proc.start()
        child.close()
        self.queue: deque[tuple[Any, dict]] = deque()  # sent, no result yet; the head is the one running
        self.running = False  # the head has started (the worker said so)
        self.started = 0.0  # when the head started; before that, when it was sent or the previous one ended
        self.done = 0

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(ProcessLookupError):
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()


class KillablePool:
    """submit(key, task) when `free()`; poll() gives back (key, result) pairs, timeouts included.

    Each worker is sent up to `depth` tasks at once, so that it starts the next document as soon as it
    has sent a result instead of waiting for the client to record it and send another; it runs them in
    order and says when it starts one, so a task's time limit counts neither the tasks before it nor the
    start-up of a new worker (which gets START_LIMIT seconds more before it counts as dead)."""

    START_LIMIT = 60.0

    def __init__(self, fn: Callable[[dict], Result], workers: int, timeout: float,
                 max_tasks_per_child: int = 500, start_method: str = "forkserver", depth: int = 2) -> None:
        self.fn, self.timeout, self.max_tasks, self.depth = fn, timeout, max_tasks_per_child, max(1, depth)
        self.ctx = mp.get_context(start_method)
        if start_method == "forkserver":
            self.ctx.set_forkserver_preload(["pipeline.batch.task", "pipeline.normalise", "extractors"])
        self.workers = [_Worker(self.ctx, fn) for _ in range(max(1, workers))]
        self.capacity = len(self.workers) * self.depth
        self._out: list[tuple[Any, Result]] = []  # results found outside poll() (a send to a dead worker)

    def _accepting(self, worker: _Worker) -> bool:
        return len(worker.queue) < self.depth and worker.done + len(worker.queue) < self.max_tasks

    def free(self) -> bool:
        return any(self._accepting(w) for w in self.workers)

    def inflight(self) -> int:
        return sum(len(w.queue) for w in self.workers)

    def submit(self, key: Any, task: dict) -> None:
        worker = min((w for w in self.workers if self._accepting(w)), key=lambda w: len(w.queue))
        if not worker.queue:
            worker.started = time.monotonic()
        worker.queue.append((key, task))
        try:
            worker.conn.send(task)
        except (OSError, ValueError):  # the worker is dead: what it held is lost, this task is sent again
            worker.queue.pop()
            if worker.queue:
                self._out.extend(self._lost(worker, self._died(worker)))
            else:
                self._replace(worker)
            self.submit(key, task)

    def _replace(self, worker: _Worker) -> _Worker:
        worker.kill()
        new = _Worker(self.ctx, self.fn)
        self.workers[self.workers.index(worker)] = new
        return new

    @staticmethod
    def _died(worker: _Worker) -> Result:
        worker.proc.join(1)
        return {"status": "error", "error": f"worker process died (exit code {worker.proc.exitcode})"}

    def _lost(self, worker: _Worker, result: Result) -> list[tuple[Any, Result]]:
        """The worker is killed and replaced: its running task ends with `result`, the queued ones are
        sent to the new worker."""
        (key, _), queued = worker.queue.popleft(), list(worker.queue)
        new = self._replace(worker)
        for k, task in queued:
            self.submit_to(new, k, task)
        return [(key, result)]

    def submit_to(self, worker: _Worker, key: Any, task: dict) -> None:
        if not worker.queue:
            worker.started = time.monotonic()
        worker.queue.append((key, task))
        worker.conn.send(task)

    def _deadline(self, worker: _Worker) -> float:
        return worker.started + self.timeout + (0.0 if worker.running else self.START_LIMIT)

    def poll(self, timeout: float) -> list[tuple[Any, Result]]:
        out, self._out = self._out, []
        busy = {w.conn: w for w in self.workers if w.queue}
        if not busy:
            return out
        now = time.monotonic()
        wait_for = 0.0 if out else min(timeout, max(0.0, min(self._deadline(w) for w in busy.values()) - now))
        for conn in wait(list(busy), timeout=wait_for):
            worker = busy[conn]
            try:
                while worker.queue and worker.conn.poll():
                    message = worker.conn.recv()
                    worker.started = time.monotonic()
                    if message is None:  # the head has started
                        worker.running = True
                        continue
                    key, _ = worker.queue.popleft()
                    out.append((key, message))
                    worker.done += 1
                    worker.running = False
            except (EOFError, OSError):
                out.extend(self._lost(worker, self._died(worker)))
                continue
            if not worker.queue and worker.done >= self.max_tasks:  # bound slow leaks in long jobs
                with contextlib.suppress(OSError, ValueError):
                    worker.conn.send(None)
                self._replace(worker)
        now = time.monotonic()
        for worker in list(self.workers):
            if worker.queue and now > self._deadline(worker):
                if worker.running:
                    result = {"status": "timeout", "error": f"no result within {self.timeout:g} s; worker killed"}
                else:
                    result = {"status": "error", "error": "the worker process did not start; killed"}
                out.extend(self._lost(worker, result))
        return out

    def close(self) -> None:
        for worker in self.workers:
            with contextlib.suppress(OSError, ValueError):
                if not worker.queue:
                    worker.conn.send(None)
        for worker in self.workers:
            worker.proc.join(0.5 if not worker.queue else 0)
            if worker.proc.is_alive():
                worker.kill()
            else:
                worker.conn.close()
