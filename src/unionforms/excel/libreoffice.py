"""Drive a headless LibreOffice: convert many workbooks per start (to PDF, or to xlsx recalculated).

One `soffice` start converts a whole batch (≈0.1 s a file against 1–2 s a start). Each run uses a fresh
profile that tells Calc to recalculate every formula on load, so stale cached results never survive.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from unionforms.core.errors import InputError
from unionforms.core.inputs import MAX_WORKBOOK_BYTES, read_input
from unionforms.core.outputs import atomic_write, check_output
from unionforms.excel.printcopy import write_print_copy
from unionforms.excel.safety import SafeZip

#: Seconds LibreOffice may take to print one workbook to PDF (a template takes about 2 s).
PDF_TIMEOUT = 120

_RECALC = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="OOXMLRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load"><prop oor:name="ODFRecalcMode" oor:op="fuse">
<value>0</value></prop></item>
</oor:items>
"""


def find_soffice() -> str | None:
    """The LibreOffice executable, or None when it is not installed: on the PATH, else where its Windows
    installer puts it (``%ProgramFiles%\\LibreOffice\\program\\soffice.exe``), which is not on the PATH."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for variable in ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432"):
        folder = os.environ.get(variable)
        if folder:
            exe = Path(folder) / "LibreOffice" / "program" / "soffice.exe"
            if exe.is_file():
                return str(exe)
    return None


def convert(
    files: Sequence[str | Path],
    target: str,
    outdir: str | Path,
    *,
    timeout: float = 600,
    infilter: str | None = None,
) -> list[Path]:
    """Convert ``files`` to ``target`` ("pdf" or "xlsx") into ``outdir`` in one LibreOffice start.

    ``infilter`` names the import filter and its options (for CSV: ``CSV:44,34,76,1`` reads
    comma-separated UTF-8 as Excel would, evaluating formulas as Excel does).

    Returns the written paths, in the order of ``files``; InputError (ENV-001) when LibreOffice is missing,
    IN-044 when it fails or leaves an output out, IN-045 when it takes longer than ``timeout``.
    """
    soffice = find_soffice()
    if soffice is None:
        raise InputError("ENV-001")
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    filt = {"pdf": "pdf:calc_pdf_Export", "xlsx": "xlsx:Calc MS Excel 2007 XML"}[target]
    with tempfile.TemporaryDirectory(prefix="uf-lo-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_RECALC, encoding="utf-8")
        cmd = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--norestore",
            *([f"--infilter={infilter}"] if infilter else []),
            "--convert-to",
            filt,
            "--outdir",
            str(out),
            *[str(f) for f in files],
        ]
        env = {**os.environ, "HOME": profile}
        result = _run(cmd, env, timeout)
    written = [out / (Path(f).stem + "." + target) for f in files]
    missing = [str(p) for p in written if not p.exists()]
    if result.returncode != 0 or missing:
        raise InputError(
            "IN-044",
            exit=result.returncode,
            missing=", ".join(missing) or "—",
            detail=(result.stderr or result.stdout).strip()[-500:] or None,
        )
    return written


def _run(cmd: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run LibreOffice in its own process group (session); past ``timeout`` it is stopped (IN-045)."""
    with subprocess.Popen(
        cmd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        start_new_session=True,
    ) as proc:
        try:
            out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            _stop(proc)
            proc.communicate()
            raise InputError("IN-045", seconds=f"{timeout:g}") from None
        finally:
            _stop(proc)  # helpers it left behind
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _stop(proc: subprocess.Popen[str]) -> None:
    """End LibreOffice and, where there are process groups, every helper it started; where there are none
    (Windows) the process itself (``soffice.exe`` there waits for its own ``soffice.bin``)."""
    killpg = getattr(os, "killpg", None)
    kill = getattr(signal, "SIGKILL", signal.SIGTERM)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if killpg is not None:
            killpg(proc.pid, kill)
        elif proc.poll() is None:
            proc.terminate()  # TerminateProcess on Windows


def to_pdf(
    source: str | Path, target: str | Path, *, force: bool = False, timeout: float = PDF_TIMEOUT
) -> Path:
    """Print the workbook ``source`` to the PDF ``target``, atomically.

    The output is checked first (OUT-001 to OUT-004). The source is untrusted: it is copied (bounded:
    a regular file of at most ``MAX_WORKBOOK_BYTES``), and the copy must pass :meth:`.SafeZip.verify`
    (every member inflated within the bounds, every XML part free of DTDs) before LibreOffice, in its
    own fresh profile and process group, gets it for at most ``timeout`` seconds.
    """
    check_output(target, kind="pdf", force=force, inputs=[source])
    if Path(source).suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError("IN-043", suffix=Path(source).suffix or "—", file=str(source))
    data = read_input(source, limit=MAX_WORKBOOK_BYTES)
    with tempfile.TemporaryDirectory(prefix="uf-pdf-") as tmp:
        copy = Path(tmp) / ("in" + Path(source).suffix.lower())
        copy.write_bytes(data)
        try:
            with SafeZip(copy) as zf:
                zf.verify()
        except InputError as exc:
            exc.file = str(source)
            raise
        # printed without the on-screen check colours: the PDF is the copy that gets sealed
        (Path(tmp) / "print").mkdir()
        printed = write_print_copy(copy, Path(tmp) / "print" / Path(source).name)
        (written,) = convert([printed], "pdf", Path(tmp) / "out", timeout=timeout)
        with written.open("rb") as pdf, atomic_write(target, kind="pdf", force=force, inputs=[source]) as fh:
            shutil.copyfileobj(pdf, fh)
    return Path(target)
