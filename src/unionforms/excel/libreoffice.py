"""Drive a headless LibreOffice: convert many workbooks per start (to PDF, or to xlsx recalculated).

One `soffice` start converts a whole batch (≈0.1 s a file against 1–2 s a start). Each run uses a fresh
profile that tells Calc to recalculate every formula on load, so stale cached results never survive.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..errors import InputError
from .printcopy import write_print_copy

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
    """The LibreOffice executable, or None when it is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return None


def convert(
    files: Sequence[str | Path], target: str, outdir: str | Path, *, timeout: float = 600
) -> list[Path]:
    """Convert ``files`` to ``target`` ("pdf" or "xlsx") into ``outdir`` in one LibreOffice start.

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
            "--convert-to",
            filt,
            "--outdir",
            str(out),
            *[str(f) for f in files],
        ]
        env = {**os.environ, "HOME": profile}
        try:
            result = subprocess.run(
                cmd, capture_output=True, text=True, timeout=timeout, env=env, check=False
            )
        except subprocess.TimeoutExpired:
            raise InputError("IN-045", seconds=f"{timeout:.0f}") from None
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


def to_pdf(source: str | Path, target: str | Path) -> Path:
    """Print the workbook ``source`` to the PDF ``target`` (IN-001/IN-043 for an unusable source).

    What is printed is :func:`~.printcopy.write_print_copy` of ``source``: no check colours on paper.
    """
    source, target = Path(source), Path(target)
    if not source.is_file():
        raise InputError("IN-001", file=str(source))
    if source.suffix.lower() not in (".xlsx", ".xlsm"):
        raise InputError("IN-043", suffix=source.suffix or "—", file=str(source))
    with tempfile.TemporaryDirectory(prefix="uf-pdf-") as tmp:
        # printed without the on-screen check colours: the PDF is the copy that gets sealed
        copy = write_print_copy(source, Path(tmp) / source.name)
        (written,) = convert([copy], "pdf", Path(tmp) / "pdf")
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(written), target)
    return target
