"""`nianbao batch`: convert many documents into one resumable job directory.

    DIR/nianbao.sqlite                          documents, reports, values, checks, issues, cross_year,
                                                 legacy_continuity
    DIR/cache/intermediate/<extractors version>/<sha[:2]>/<sha>.json
                                                 every extraction, by extractors' version and content hash
    DIR/reports.jsonl, values_long.csv, reports_wide.csv, growth.csv, nianbao.xlsx   exports, re-created by
                                                 every run that changed the database (DIR/.exported says
                                                 which state they show); views reports_wide and panel in
                                                 the database
    DIR/tmp/                                     archive members handed to workers (emptied at start)

Inputs are streamed (archive.iter_items) and at most `capacity` documents are in flight, so memory does
not grow with the job. The database is written here only, one transaction per document; a documents
row means the document is final, so a job killed at any moment resumes by skipping those rows, and
an extraction cached by a killed run is not redone. Identical bytes are extracted once: a second copy
waits for the first one's result and is then normalised from the cache.

A document is done when its row has the same canonical path, member and content (sha256); a file whose
stat signature is unchanged is not even read. A saved page's content and signature take in those of the
attachment it is read from, so replacing the attachment alone converts the page again. A changed file is
converted again and its row replaced;
at the end of a run the documents it did not reach are dropped (Store.drop_unreached), so a job's
database and exports always describe the inputs of its last finished run, as a fresh job would.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import sqlite3
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from pipeline.batch.archive import Item, Limits, canonical, count_items, iter_items
from pipeline.batch.store import Store, storable_text
from pipeline.batch.task import FatalError, cache_path, page_attachments, run_task
from pipeline.errors import NianbaoError
from pipeline.limits import DEFAULT_MAX_BYTES

if TYPE_CHECKING:
    from pipeline.settings import ExtractOptions


class Executor(Protocol):
    capacity: int

    def free(self) -> bool: ...
    def inflight(self) -> int: ...
    def submit(self, key: Any, task: dict) -> None: ...
    def poll(self, timeout: float) -> list[tuple[Any, dict]]: ...
    def close(self) -> None: ...


class InlineExecutor:
    """Runs tasks in this process (workers=0): for debugging and tests; no timeout."""

    capacity = 1

    def __init__(self) -> None:
        self.done: list[tuple[Any, dict]] = []

    def free(self) -> bool:
        return not self.done

    def inflight(self) -> int:
        return len(self.done)

    def submit(self, key: Any, task: dict) -> None:
        self.done.append((key, run_task(task)))

    def poll(self, timeout: float) -> list[tuple[Any, dict]]:
        out, self.done = self.done, []
        return out

    def close(self) -> None:
        pass


@dataclass
class BatchOptions:
    out: Path
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    timeout: float = 120.0
    max_size: int = DEFAULT_MAX_BYTES
    max_ratio: float = 100.0
    executor: str = "local"  # local | dask
    scheduler: Any = None  # dask: scheduler address or a distributed.Client
    progress: bool = True
    extract: ExtractOptions | None = None  # how to extract; None: from the environment, read once at the start


class JobBusy(NianbaoError):
    """Another nianbao batch is writing to the same directory."""


class InputError(NianbaoError):
    """An input named on the command line does not exist: refused before the job is touched (a typo must
    neither be recorded as a document nor drop the documents of the input it was meant to be)."""


class BatchError(NianbaoError):
    """The job cannot go on (disk full, read-only directory, unreachable cluster); what is recorded stays
    consistent, and running the same command again resumes."""


_RESUME = "run the same command again to resume"


def fatal_message(out: Path, exc: BaseException) -> str:
    """One line for an error that stops the whole job (not one document's fault)."""
    if isinstance(exc, sqlite3.Error):
        text = str(exc)
        if "full" in text:
            return f"{out}: no space left on device (the database is consistent); free some space and {_RESUME}"
        if "readonly" in text or "read-only" in text or "unable to open" in text:
            return f"{out}: the database cannot be written ({text}); give a writable --out directory"
        return f"{out / 'nianbao.sqlite'}: database error: {text}"
    if isinstance(exc, OSError):
        code = exc.errno
        where = exc.filename or out
        if code in (errno.ENOSPC, errno.EDQUOT):
            return f"{out}: no space left on device (the database is consistent); free some space and {_RESUME}"
        if code in (errno.EROFS, errno.EACCES, errno.EPERM):
            return f"{where}: cannot write here ({exc.strerror}); give a writable --out directory"
        return f"{where}: {exc.strerror or exc}; {_RESUME}"
    text = " ".join(str(exc).split())
    if "No space left" in text or "Disk quota" in text:
        return f"{text} (the database is consistent); free some space and {_RESUME}"
    return f"{text}; {_RESUME}"


@dataclass
class _Pending:
    doc: dict[str, Any]
    tmp: Path | None = None
    doc_id: int | None = None  # --renormalise: the documents row to replace
    extracting: bool = False  # copies of the same bytes wait for this one


def _plain_options(options: ExtractOptions | None) -> dict[str, Any]:
    """The extraction options as plain data for the tasks (workers may be other processes or machines)."""
    from pipeline.settings import ExtractOptions

    return (options or ExtractOptions.from_env()).to_dict()


def _content_sha256(path: str, attachments: tuple[str, ...]) -> str:
    """A document's content hash: its bytes' sha256, and for a saved page read from its attachments, one over
    the page's and theirs, so that replacing the attachment alone converts the page again (cache included)."""
    own = _sha256_file(path)
    if not attachments:
        return own
    return hashlib.sha256("+".join([own, *map(_sha256_file, attachments)]).encode()).hexdigest()


def _sha256_file(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def make_executor(opts: BatchOptions) -> Executor:
    if opts.executor == "dask":
        from pipeline.batch.dask_exec import DaskExecutor

        try:
            return DaskExecutor(opts.scheduler, run_task, opts.timeout)
        except (OSError, TimeoutError) as exc:
            raise BatchError(f"cannot reach the dask scheduler {opts.scheduler}: {' '.join(str(exc).split())}"
                             ) from None
    if opts.workers <= 0:
        return InlineExecutor()
    from pipeline.batch.pool import KillablePool

    return KillablePool(run_task, opts.workers, opts.timeout)


class Job:
    """One run over a job directory."""

    def __init__(self, opts: BatchOptions) -> None:
        self.opts = opts
        self.out = opts.out
        self.out.mkdir(parents=True, exist_ok=True)
        self._lock = (self.out / ".lock").open("w")
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise JobBusy(f"{self.out}: another nianbao batch is running on this directory") from None
        self.cache = self.out / "cache" / "intermediate"
        self.tmp = self.out / "tmp"
        shutil.rmtree(self.tmp, ignore_errors=True)  # members of a killed run: re-read from the archives
        self.tmp.mkdir(parents=True)
        self.store = Store(self.out / "nianbao.sqlite")
        self.pending: dict[int, _Pending] = {}
        self.waiting: dict[str, list[dict[str, Any]]] = {}  # sha -> copies waiting for the first's result
        self.ready: deque[tuple[_Pending, dict]] = deque()
        self.next_key = 0
        self.executor: Executor | None = None
        self.progress: Any = None
        self.bar: Any = None
        self.counts = {"recorded": 0, "skipped": 0, "dropped": 0}  # this run: documents written, found done
        # already, and dropped (of earlier runs, not among this run's inputs)
        self.extract_options = _plain_options(opts.extract)

    # ---- the loop
    def _run(self, items: Iterable[Any], handle: Any, total: int | None, label: str) -> None:
        self._start_progress(total, label)
        it = iter(items)
        exhausted = False
        try:
            while True:
                while (self.executor is None or self.executor.free()) and (self.ready or not exhausted):
                    if self.ready:
                        self._submit(*self.ready.popleft())
                        continue
                    item = next(it, None)
                    if item is None:
                        exhausted = True
                    else:
                        handle(item)
                if self.executor is None or (exhausted and not self.ready and not self.executor.inflight()):
                    break
                for key, result in self.executor.poll(0.2):
                    self._finish(self.pending.pop(key), result)
                self.store.commit_if_due()
        finally:
            if self.executor is not None:
                self.executor.close()
            if self.progress is not None:
                task = self.progress.tasks[0]
                if task.total is not None and task.completed > task.total:  # nested zips were counted once
                    self.progress.update(self.bar, total=task.completed)
                self.progress.stop()

    def _start_progress(self, total: int | None, label: str) -> None:
        if not self.opts.progress:
            return
        from pipeline.batch.summary import progress_bar

        self.progress = progress_bar()
        self.progress.start()
        self.bar = self.progress.add_task(label, total=total)

    def _advance(self) -> None:
        if self.progress is not None:
            self.progress.advance(self.bar)

    def _submit(self, pending: _Pending, task: dict) -> None:
        if self.executor is None:  # started on the first task: a resumed, finished job starts no workers
            self.executor = make_executor(self.opts)
        key, self.next_key = self.next_key, self.next_key + 1
        self.pending[key] = pending
        self.executor.submit(key, task)

    def _task(self, doc: dict[str, Any], source: str | None) -> dict:
        display = storable_text(f"{doc['path']}!/{doc['member']}" if doc["member"] else doc["path"])
        return {"display": display, "sha256": doc["sha256"], "source": source,
                "cache": str(cache_path(self.cache, doc["sha256"], options=self.extract_options)), "tmp": str(self.tmp),
                "options": self.extract_options}

    # ---- converting inputs
    def _handle(self, item: Item) -> None:
        if item.status == "skip":
            self.counts["skipped"] += 1
            self._advance()
            return
        doc: dict[str, Any] = {"path": item.path, "member": item.member, "size": item.size, "sha256": None,
                               "stat": item.stat}
        if item.status is not None:
            self._record(doc, {"status": item.status, "error": item.error, "format": item.format})
            return
        try:
            doc["sha256"] = hashlib.sha256(item.data).hexdigest() if item.data is not None \
                else _content_sha256(item.path, item.attachments)
        except OSError as exc:
            self._record(doc, {"status": "unreadable", "error": f"cannot read: {exc.strerror or exc}"})
            return
        sha = doc["sha256"]
        if self.store.unchanged_content(item.path, item.member, sha, item.stat):  # touched, not changed
            self.counts["skipped"] += 1
            self._advance()
            return
        if sha in self.waiting:
            self.waiting[sha].append(doc)
            return
        if cache_path(self.cache, sha, options=self.extract_options).exists():  # files on disk can be extracted again if the cache is damaged
            self._submit(_Pending(doc), self._task(doc, item.path if item.data is None else None))
            return
        failure = self.store.failure_of(sha)
        if failure is not None:
            self._record(doc, failure)
            return
        source, tmp = item.path, None
        if item.data is not None:
            tmp = self.tmp / f"{sha}{item.suffix if item.suffix.isascii() else ''}"
            try:
                tmp.write_bytes(item.data)
            except OSError as exc:
                tmp.unlink(missing_ok=True)
                raise FatalError(f"{self.tmp}: cannot write an archive member: {exc.strerror or exc}") from None
            source = str(tmp)
        self.waiting[sha] = []
        self._submit(_Pending(doc, tmp, extracting=True), self._task(doc, source))

    def _record(self, doc: dict[str, Any], result: dict[str, Any]) -> None:
        if self.store.record(doc, result):
            self.counts["recorded"] += 1
        self._advance()

    def _finish(self, pending: _Pending, result: dict[str, Any]) -> None:
        if pending.tmp is not None:
            pending.tmp.unlink(missing_ok=True)
        if result.get("status") == "fatal":  # the worker could not write the cache: stop, redo it next run
            raise FatalError(result.get("error") or "a worker could not write the job directory")
        if pending.doc_id is not None:  # --renormalise
            self.store.replace(pending.doc_id, result)
            self.counts["recorded"] += 1
            self._advance()
            return
        self._record(pending.doc, result)
        if not pending.extracting:
            return
        sha = pending.doc["sha256"]
        copies = self.waiting.pop(sha, [])
        if cache_path(self.cache, sha, options=self.extract_options).exists():
            for doc in copies:
                self.ready.append((_Pending(doc), self._task(doc, None)))
        else:
            copied = {k: result.get(k) for k in ("status", "error", "format")}
            for doc in copies:
                self._record(doc, copied)

    def convert(self, inputs: list[Path]) -> None:
        limits = Limits(self.opts.max_size, self.opts.max_ratio)
        total = count_items(inputs) if self.opts.progress else None
        self.store.begin_run([canonical(p) for p in inputs])
        self._run(iter_items(inputs, limits, self.store.unchanged_file, page_attachments), self._handle, total, "converting")
        self.counts["dropped"] = self.store.drop_unreached()

    # ---- --renormalise
    def _renormalise_items(self) -> Iterable[tuple[int, str, str, str]]:
        last = -1
        while True:
            rows = self.store.conn.execute(
                "SELECT id, path, member, sha256 FROM documents WHERE id > ? AND sha256 IS NOT NULL "
                "AND status IN ('ok', 'not_a_report', 'error') ORDER BY id LIMIT 500", (last,)).fetchall()
            if not rows:
                return
            yield from rows
            last = rows[-1][0]

    def _handle_renormalise(self, row: tuple[int, str, str, str]) -> None:
        doc_id, path, member, sha = row
        if not cache_path(self.cache, sha, options=self.extract_options).exists():
            self._advance()
            return
        doc = {"path": path, "member": member, "sha256": sha}
        self._submit(_Pending(doc, doc_id=doc_id), self._task(doc, None))

    def renormalise(self) -> None:
        total = self.store.conn.execute("SELECT count(*) FROM documents WHERE sha256 IS NOT NULL AND status IN "
                                        "('ok', 'not_a_report', 'error')").fetchone()[0]
        self._run(self._renormalise_items(), self._handle_renormalise, total, "renormalising")

    # ---- after a run
    def finish(self) -> dict[str, Path]:
        """Bodies settled from the job, the cross-year check, growth per body, the audit and the exports, skipped when
        the database has not changed since they were last made (a re-run of a finished job is then instant;
        the exports of a large job take minutes)."""
        from pipeline.batch.audit import AUDIT_CSV, audit_store
        from pipeline.batch.bodies import fill_bodies
        from pipeline.batch.crossyear import cross_year_rows, growth_rows
        from pipeline.batch.legacy_years import legacy_years
        from pipeline.batch.views import create_views
        from pipeline.batch.workbook import WORKBOOK_NAME, write_workbook
        from pipeline.batch.writers import EXPORT_VERSION, export_data_digest, export_db, export_paths

        self.store.commit()
        marker = self.out / ".exported"
        stamp = json.dumps({"version": EXPORT_VERSION, "data": export_data_digest(), "db": self.store.signature()})
        paths = {**export_paths(self.out), "audit": self.out / AUDIT_CSV, "xlsx": self.out / WORKBOOK_NAME}
        if all(p.exists() for p in paths.values()) and marker.exists() and marker.read_text() == stamp:
            return paths
        marker.unlink(missing_ok=True)
        fill_bodies(self.store.conn, self.store.update_body)
        self.store.commit()
        legacy_years(self.store)  # before the views and exports: it may fill values in
        self.store.replace_cross_year(cross_year_rows(self.store.conn))
        self.store.replace_growth(growth_rows(self.store.conn))
        self.store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        create_views(self.store.conn)
        audit_store(self.store, self.out)  # ~10 ms a report: the findings always match the job
        paths = {**export_db(self.store.path, self.out), "audit": self.out / AUDIT_CSV,
                 "xlsx": write_workbook(self.store.path, self.out / WORKBOOK_NAME)}
        marker.write_text(stamp)
        return paths

    def close(self) -> None:
        """Never raises: whole documents not yet committed are committed if the disk allows, else dropped
        (they are redone by the next run)."""
        self.store.close()
        shutil.rmtree(self.tmp, ignore_errors=True)
        self._lock.close()


def run_batch(inputs: list[Path], opts: BatchOptions, renormalise: bool = False,
              counts: dict[str, int] | None = None) -> Path:
    """Run (or resume) a job; returns the database path. `counts` receives this run's recorded, skipped
    (found done) and dropped (documents of earlier runs that are not among these inputs) counts.
    Inputs that do not exist are refused (InputError) before the job directory is touched.

    Errors that stop the job (the directory cannot be written, the disk is full) come out as one
    BatchError line; the database then holds whole documents only, and a re-run resumes."""
    missing = [str(p) for p in inputs if not os.path.exists(p)]
    if missing:
        raise InputError("\n".join(f"{p}: no such file or directory" for p in missing))
    job = None
    try:
        job = Job(opts)
        if renormalise:
            job.renormalise()
        else:
            job.convert(inputs)
        job.finish()
        job.store.commit()
        return job.store.path
    except (OSError, sqlite3.Error, FatalError) as exc:
        raise BatchError(fatal_message(opts.out, exc)) from None
    finally:
        if job is not None:
            if counts is not None:
                counts.update(job.counts)
            job.close()
