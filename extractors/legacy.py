"""Legacy formats (.doc, .wps, .rtf, .odt): converted to DOCX by LibreOffice, then read as DOCX.

Many bodies still publish Word 97 .doc or Kingsoft .wps files. LibreOffice's importers are the
most faithful free readers of them, and converting to DOCX keeps merged cells as w:gridSpan/w:vMerge,
so the DOCX extractor gives the same grids. Each conversion runs in its own temporary profile and
output directory (so conversions can run in parallel: one soffice per profile), with macros
disabled in that profile, and under a timeout that kills the whole process group (soffice forks
oosplash and soffice.bin). The Source keeps the original bytes' hash and format. Which LibreOffice
and how long it may take come with the options (ExtractOptions.soffice, soffice_timeout).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from extractors.docx import read_docx
from pipeline.errors import ExtractionError
from pipeline.intermediate import Document, Source
from pipeline.intermediate import Warning as ExtractWarning
from pipeline.settings import SOFFICE_TIMEOUT

if TYPE_CHECKING:
    from pipeline.settings import ExtractOptions

NAME = "legacy"
VERSION = "1.0.0"

INSTALL_HINT = "apt-get install --no-install-recommends libreoffice-writer"
CALC_HINT = "apt-get install --no-install-recommends libreoffice-calc"

# how each format is fed to LibreOffice: the input's file name suffix and the import filter forced on
# it. Forcing the filter matters: left to detect, LibreOffice reads a corrupt .doc as plain text and
# "succeeds". A Kingsoft .wps is Word-97-like; failing that, let LibreOffice detect (MS Works...).
_ATTEMPTS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "doc": ((".doc", "MS Word 97"),),
    "wps": ((".doc", "MS Word 97"), (".wps", None)),
    "rtf": ((".rtf", "Rich Text Format"),),
    "odt": ((".odt", "writer8"),),
    "xls": ((".xls", "MS Excel 97"),),
    "et": ((".xls", "MS Excel 97"), (".et", None)),  # Kingsoft .et is BIFF8-like, as .wps is Word-97-like
}
# what LibreOffice writes for each target: the export filter
_TARGETS = {"docx": "docx:MS Word 2007 XML", "xlsx": "xlsx:Calc MS Excel 2007 XML"}

# macros off in the throwaway profile: security level "very high" and execution disabled
_PROFILE_XCU = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" \
xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" \
oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" \
oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse">\
<value>false</value></prop></item>
</oor:items>
"""

_ENCRYPTED_OOXML = "EncryptedPackage".encode("utf-16-le")


def find_soffice(explicit: str | None = None) -> str:
    """The LibreOffice binary: the one given (ExtractOptions.soffice), else soffice or libreoffice on PATH."""
    if explicit:
        return explicit
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        raise ExtractionError(f"LibreOffice is needed to read this format; install it with `{INSTALL_HINT}`",
                              kind="unsupported")
    return found


def convert_to_docx(data: bytes, fmt: str, timeout: float = SOFFICE_TIMEOUT, soffice: str | None = None) -> bytes:
    """DOCX bytes of a legacy document, converted by a fresh LibreOffice instance (`soffice`: its binary)."""
    return convert(data, fmt, "docx", timeout, soffice)


def convert(data: bytes, fmt: str, target: str, timeout: float = SOFFICE_TIMEOUT, soffice: str | None = None) -> bytes:
    """`target` (docx or xlsx) bytes of a legacy document or workbook, converted by a fresh LibreOffice."""
    if _ENCRYPTED_OOXML in data[:65536] or _ENCRYPTED_OOXML in data[-65536:]:
        raise ExtractionError("the document is password-protected (encrypted)", kind="encrypted")
    soffice = find_soffice(soffice)
    last_error = ""
    with tempfile.TemporaryDirectory(prefix="nianbao-lo-") as tmp:
        root = Path(tmp)
        profile = root / "profile"
        (profile / "user").mkdir(parents=True)
        (profile / "user" / "registrymodifications.xcu").write_text(_PROFILE_XCU, encoding="utf-8")
        for n, (suffix, infilter) in enumerate(_ATTEMPTS.get(fmt, ((f".{fmt}", None),))):
            indir, outdir = root / f"in{n}", root / f"out{n}"
            indir.mkdir()
            outdir.mkdir()
            source = indir / f"source{suffix}"
            source.write_bytes(data)
            cmd = [soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--invisible",
                   "--nologo", "--nodefault", "--norestore", "--nolockcheck",
                   *([f"--infilter={infilter}"] if infilter else []),
                   "--convert-to", _TARGETS[target], "--outdir", str(outdir), str(source)]
            last_error = _run(cmd, timeout, env={**os.environ, "HOME": str(root), "SAL_USE_VCLPLUGIN": "svp"})
            produced = outdir / f"source.{target}"
            if produced.is_file() and produced.stat().st_size:
                return produced.read_bytes()
    detail = f" ({last_error})" if last_error else ""
    if target == "xlsx":  # Calc is a package of its own: without it every workbook fails to convert
        detail += f"; spreadsheets need LibreOffice Calc (`{CALC_HINT}`)"
    raise ExtractionError(f"LibreOffice could not convert the {fmt} file: corrupt, password-protected "
                          f"or not really {fmt}{detail}", kind="corrupt")


def _run(cmd: list[str], timeout: float, env: dict[str, str]) -> str:
    """Run soffice in its own process group; kill the group on timeout. Returns its last stderr line."""
    try:
        proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                start_new_session=True, env=env)
    except OSError as exc:
        raise ExtractionError(f"cannot start LibreOffice ({exc.strerror or exc}); install it with "
                              f"`{INSTALL_HINT}`", kind="unsupported") from None
    try:
        _, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid)
        proc.communicate()
        raise ExtractionError(f"LibreOffice did not finish converting within {timeout:g} s",
                              kind="timeout") from None
    finally:
        _kill_group(proc.pid)  # stragglers (soffice.bin outliving the launcher) of our own group only
    lines = [ln for ln in err.decode("utf-8", "replace").splitlines() if ln.strip()]
    return lines[-1].strip()[:200] if lines else ""


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def extract(path: Path, data: bytes, fmt: str, options: ExtractOptions | None = None) -> Document:
    if options is None:
        from pipeline.settings import ExtractOptions

        options = ExtractOptions()
    content = read_docx(convert_to_docx(data, fmt, options.soffice_timeout, options.soffice), options)
    metadata = {**content.metadata, "converted_by": "LibreOffice"}
    source = Source.describe(path, data, fmt, NAME, VERSION, metadata=metadata)
    warnings = [ExtractWarning(code="converted", message=f"{fmt} read through a LibreOffice conversion to DOCX"),
                *content.warnings]
    return Document(source=source, blocks=content.blocks, warnings=warnings)
