"""Running batch tasks on a dask.distributed cluster (`--executor dask --scheduler tcp://HOST:PORT`).

Workers run the same `pipeline.batch.task.run_task` as the local pool and read inputs, archive members
(DIR/tmp) and the cache (DIR/cache) from a path they share with the client; they return plain result
dicts and the client alone writes the database. A dask worker cannot be killed per task, so a task over
its timeout is cancelled and recorded as a timeout while its thread runs on; in-flight tasks are
bounded to twice the cluster's threads, so the job is never all submitted at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any


class DaskExecutor:
    def __init__(self, scheduler: Any, fn: Callable[[dict], dict], timeout: float) -> None:
        from distributed import Client

        self._own = not isinstance(scheduler, Client)
        if self._own and not scheduler:
            raise ValueError("--executor dask needs --scheduler tcp://HOST:PORT")
        self.client = Client(scheduler) if self._own else scheduler
        self.fn, self.timeout = fn, timeout
        self.capacity = max(2, 2 * sum(self.client.nthreads().values()))
        self.futures: dict[Any, tuple[Any, float]] = {}  # future -> (key, submitted)

    def free(self) -> bool:
        return len(self.futures) < self.capacity

    def inflight(self) -> int:
        return len(self.futures)

    def submit(self, key: Any, task: dict) -> None:
        future = self.client.submit(self.fn, task, pure=False, key=f"nianbao-{task['sha256'][:12]}-{key}-"
                                                                  f"{time.monotonic_ns()}")
        self.futures[future] = (key, time.monotonic())

    def poll(self, timeout: float) -> list[tuple[Any, dict]]:
        from distributed import wait

        if not self.futures:
            return []
        try:
            done = wait(list(self.futures), timeout=timeout, return_when="FIRST_COMPLETED").done
        except TimeoutError:
            done = set()
        out = []
        for future in done:
            key, _ = self.futures.pop(future)
            if future.status == "finished":
                out.append((key, future.result()))
            else:
                exc = future.exception() if future.status == "error" else future.status
                out.append((key, {"status": "error", "error": f"dask task failed: {exc}"[:300]}))
            future.release()
        now = time.monotonic()
        for future, (key, started) in list(self.futures.items()):
            if now - started > self.timeout:
                future.cancel()
                del self.futures[future]
                out.append((key, {"status": "timeout", "error": f"no result within {self.timeout:g} s on the cluster"}))
        return out

    def close(self) -> None:
        for future in self.futures:
            future.cancel()
        self.futures.clear()
        if self._own:
            self.client.close()
