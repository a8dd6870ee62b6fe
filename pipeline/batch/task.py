"""What a batch worker does with one document: cached extraction, normalisation, rows for the store.

Runs in a worker process (local pool or dask worker), so it takes and returns plain dicts and never
touches the database. The intermediate JSON is cached by content hash and extractors' version, written
atomically, so that a killed job, a duplicate file or `--renormalise` never extracts the same bytes twice
with the same extractors. The only module of pipeline.batch that reaches into extractors/.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import resource
import time
from pathlib import Path
from typing import Any

from pipeline.errors import DocumentTimeout, ExtractionError, Kind, NianbaoError, NotAReportError

# statuses a document can end in; each is final until the file changes (unreadable ones are looked at again)
STATUSES = ("ok", "not_a_report", "corrupt", "encrypted", "empty", "too_large", "unsupported", "timeout", "unreadable",
            "error")
# the status an ExtractionError's kind means: the file's fault, under the same name; a file that could not be
# read from disk (a directory, no permission) is "unreadable"; "error" is left for bugs of ours
STATUS_OF_KIND: dict[Kind, str] = {
    "corrupt": "corrupt", "encrypted": "encrypted", "empty": "empty", "too_large": "too_large",
    "unsupported": "unsupported", "timeout": "timeout", "unreadable": "unreadable",
}


class FatalError(Exception):
    """Not this document's fault (the job directory cannot be written): the job stops, the document is not
    recorded, and a re-run does it again."""


def cache_path(cache_dir: str | Path, sha256: str, version: str | None = None,
               options: dict[str, Any] | None = None) -> Path:
    """Where the intermediate JSON of these bytes is cached: under the extractors' version (by default the
    installed one) and the extraction options, so that a job resumed after an upgrade, or run again with
    another --engine, --parser or PDF tolerance, extracts again rather than mixing results."""
    if version is None:
        from extractors import extractors_version

        version = extractors_version()
    return Path(cache_dir) / (version + _options_key(options)) / sha256[:2] / f"{sha256}.json"


def _options_key(options: dict[str, Any] | None) -> str:
    """'' for the default options (None included), else '+' and a digest of them."""
    from pipeline.settings import ExtractOptions

    if options is None or options == ExtractOptions().to_dict():
        return ""
    return "+" + hashlib.sha256(json.dumps(options, sort_keys=True).encode()).hexdigest()[:12]


def classify(exc: BaseException) -> str:
    """The documents.status a failure means, from its type and kind (never its wording): the file's fault
    (corrupt, encrypted...) or "error" (a bug of ours, or an unreadable file, worth a look)."""
    if isinstance(exc, NotAReportError):
        return "not_a_report"
    if isinstance(exc, ExtractionError):
        return STATUS_OF_KIND[exc.kind]
    if isinstance(exc, DocumentTimeout):
        return "timeout"
    return "error"


def _one_line(exc: BaseException) -> str:
    text = str(exc) if isinstance(exc, NianbaoError) else f"internal error: {type(exc).__name__}: {exc}"
    return " ".join(text.split())[:300]


def _sniff(path: Path) -> str | None:
    from extractors import sniff

    try:
        with path.open("rb") as fh:
            return sniff(path, fh.read(8192))
    except (OSError, ExtractionError):
        return None


_DOCUMENT_LINK = re.compile(rb"""href\s*=\s*["']?[^"'>\s]+\.(?:pdf|docx?|wps|rtf|odt|xlsx?|xlsm|et)\b""", re.I)


def page_attachments(page: Path) -> list[Path]:
    """The documents a saved page links and holds beside it as its report (converted with the page, so
    the batch does not convert them again). Cheap for pages that link no document; [] on any failure."""
    try:
        data = page.read_bytes()
    except OSError:
        return []
    if not _DOCUMENT_LINK.search(data):
        return []
    try:
        from extractors.html import attachments

        return attachments(page, data)
    except Exception:  # noqa: BLE001 - a page we cannot read here is reported when it is converted
        return []


def site_of(metadata: dict[str, str]) -> str | None:
    """The portal a page came from (its host), which the batch uses to place bodies a report leaves open."""
    from urllib.parse import urlsplit

    meta = {k.lower(): v for k, v in metadata.items()}
    host = meta.get("sitedomain") or urlsplit(meta.get("url") or meta.get("og:url") or "").hostname
    return host.lower().removeprefix("www.") if host else None


def report_record(report: Any, site: str | None = None) -> dict[str, Any]:
    """The report as rows for the store (values, checks, issues) plus its summary columns."""
    from pipeline.batch.store import body_columns

    values = report.values()
    rows = []
    for field, value in values.items():
        prov = report.provenance.get(field)
        raw = prov.raw if prov is not None else None
        reason = None
        if value is None:
            reason = "blank_cell" if prov is not None else "not_found"
        rows.append((field, value, raw, reason))
    checks = [(c.rule, int(c.ok), c.row, c.column, c.group, c.expected, c.found, c.message) for c in report.checks]
    issues = [(i.level, i.code, i.field, i.message) for i in report.issues]
    meta = report.report
    return {
        "agency": meta.agency, "year": meta.year, "published": meta.published, "template": meta.template,
        "title": meta.title, "n_values": len(values), "n_filled": sum(v is not None for v in values.values()),
        "n_failed_checks": sum(not c.ok for c in report.checks), "json": report.to_json(indent=None),
        "values": rows, "checks": checks, "issues": issues, "site": site,
        **body_columns(meta.body.model_dump()), **report.indicators.model_dump(),
    }


def legacy_checks(values: dict[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The normaliser's legacy.parts checks and their warning (as report JSON) for a legacy table's values, for
    a report whose values the batch filled in (pipeline.batch.legacy_years)."""
    from pipeline.normalise.normaliser import legacy_checks as normaliser_checks

    checks, issues = normaliser_checks(values)
    return [c.model_dump(mode="json") for c in checks], [i.model_dump(mode="json") for i in issues]


def _write_cache(target: Path, text: str, tmp_dir: str | None = None) -> None:
    """Atomically: a failed write leaves no file under the real name, and no temporary one; a worker killed
    mid-write (timeout, the job stopping) leaves its temporary file in the job's tmp_dir, which the next
    run empties (same file system as the cache, so the rename stays atomic)."""
    tmp = Path(tmp_dir or target.parent) / f"{target.name}.{os.getpid()}.tmp"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise FatalError(f"cannot write the cache {target.parent.parent}: {exc.strerror or exc}") from None


def _load_cache(cached: Path) -> Any:
    """The cached intermediate form, or None when it is not there or unreadable (then it is extracted again)."""
    from pipeline.intermediate import Document

    try:
        return Document.from_json(cached.read_bytes())
    except FileNotFoundError:
        return None
    except Exception:  # noqa: BLE001 - a damaged cache file (power loss): drop it, extract again
        with contextlib.suppress(OSError):
            cached.unlink()
        return None


def _options(task: dict[str, Any]) -> Any:
    """The job's extraction options, sent as plain data (None: the worker reads its environment)."""
    from pipeline.settings import ExtractOptions

    return ExtractOptions.from_dict(task["options"]) if task.get("options") else None


def run_task(task: dict[str, Any]) -> dict[str, Any]:
    """Convert one document. task: display, sha256, cache (path of its intermediate JSON), tmp (the job's
    scratch directory), source (the file to extract; None to use the cache only) and options
    (ExtractOptions.to_dict(); absent: from the worker's environment). Never raises: failures come back as a status, and
    a job directory that cannot be written as status "fatal" (the job stops, the document is redone)."""
    result: dict[str, Any] = {"status": "error", "error": None, "format": None, "sha256": task["sha256"],
                              "extract_ms": None, "normalise_ms": None, "report": None,
                              "worker": f"{os.uname().nodename}:{os.getpid()}"}
    cached = Path(task["cache"])
    try:
        t0 = time.perf_counter()
        doc = _load_cache(cached)
        if doc is None and task.get("source"):
            from extractors import extract

            source = Path(task["source"])
            result["format"] = _sniff(source)
            if result["format"] == "image":  # a logo, a photo, page furniture: each would cost seconds of OCR
                raise ExtractionError("a picture: not read in a batch (convert it with `nianbao convert`, which "
                                      "reads it by OCR)", kind="unsupported")
            doc = extract(source, options=_options(task))
            doc.source.path = task["display"]
            _write_cache(cached, doc.to_json(indent=None), task.get("tmp"))
            result["extract_ms"] = (time.perf_counter() - t0) * 1000
        elif doc is None:
            raise ExtractionError("the cached intermediate JSON is missing", kind="unreadable")
        result["format"] = doc.source.format
        t1 = time.perf_counter()
        from pipeline.normalise import normalise

        doc.source.path = task["display"]
        report = normalise(doc)
        result["report"] = report_record(report, site_of(doc.source.metadata))
        result["normalise_ms"] = (time.perf_counter() - t1) * 1000
        result["status"] = "ok"
    except FatalError as exc:
        result["status"], result["error"] = "fatal", str(exc)
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the batch
        result["status"], result["error"] = classify(exc), _one_line(exc)
    result["rss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return result
