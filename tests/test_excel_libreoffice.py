"""A real client: templates printed and typed into by headless LibreOffice.

Every template prints to PDF with a CJK font, and a real filler typing through UNO is read back. (That
filled templates survive a LibreOffice round trip and that its live checks agree with Python, rule by
rule, is part of the conformance kit: tests/test_conformance.py.) On CI (CI set) a missing LibreOffice
fails.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from unionforms import (
    Registry,
    validate,
)
from unionforms.excel import read_xlsx
from unionforms.excel.layout import plan
from unionforms.excel.libreoffice import convert, find_soffice
from unionforms.excel.writer import write_template

if find_soffice() is None:
    if os.environ.get("CI"):
        raise RuntimeError("LibreOffice is required on CI: .ci/run installs libreoffice-calc-nogui")
    pytest.skip("LibreOffice is not installed", allow_module_level=True)


def test_all_templates_print_to_pdf_with_a_cjk_font(tmp_path: Path, registry: Registry) -> None:
    files = []
    for form in registry:
        if form.id not in {"songwennuan-2014", "songwennuan-2017", "bangfu-2013", "bangfu-2016"}:
            continue
        path = tmp_path / f"{form.id}.xlsx"
        write_template(form, path)
        files.append(path)
    pdfs = convert(files, "pdf", tmp_path / "pdf")
    for pdf in pdfs:
        data = pdf.read_bytes()
        assert data.startswith(b"%PDF")
        assert b"CJK" in data, f"{pdf.name}: no CJK font embedded; install fonts-noto-cjk"
        pages = data.count(b"/Type/Page\n") + data.count(b"/Type /Page\n") + data.count(b"/Type/Page/")
        assert data.count(b"/Type/Page") >= 1 or pages >= 1


def _uno_python() -> str | None:
    python = "/usr/bin/python3"
    if not Path(python).exists():
        return None
    probe = subprocess.run([python, "-c", "import uno"], capture_output=True, check=False)
    return python if probe.returncode == 0 else None


def test_a_real_filler_typing_in_libreoffice(tmp_path: Path, registry: Registry) -> None:
    """LibreOffice types into the blank template as a filler would; our reader and validator see it."""
    python = _uno_python()
    if python is None:
        if os.environ.get("CI"):
            raise RuntimeError("python3-uno is required on CI: .ci/run installs it")
        pytest.skip("python3-uno is not installed")
    form = registry.get("bangfu-2013")
    layout = plan(form)
    blank = tmp_path / "blank.xlsx"
    write_template(form, blank)
    typed = {
        "01A": "5",
        "01B": "1",
        "01C": "2",
        "01D": "1",
        "04A": "１２．５",
        "04B": "12.5",
        "05B": "是",
        "08K": "7户",
    }
    cells = [[layout.fields[code], text] for code, text in typed.items()]
    cells += [
        [layout.explain_cells["05-budget"], "省级专项资金由市级财政代拨，未单列"],
        [layout.meta["unit"], "平顶山市总工会"],
        [layout.meta["date"], "2014-01-20"],
        [layout.meta["phone"], "0375-3799601"],
    ]
    spec = tmp_path / "input.json"
    spec.write_text(json.dumps({"sheet": layout.sheet, "cells": cells}, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "filled.xlsx"
    script = Path(__file__).parent / "clients" / "uno_filler.py"
    subprocess.run(
        [python, str(script), str(blank), str(out), str(spec), str(tmp_path / "profile")],
        check=True,
        timeout=300,
    )
    result = read_xlsx(out, registry, expect=form)
    assert result.findings == ()
    assert result.report.values == {
        "01A": 5,
        "01B": 1,
        "01C": 2,
        "01D": 1,
        "04A": Decimal("12.5"),
        "04B": Decimal("12.5"),
        "05B": True,
        "08K": 7,
    }
    assert result.report.explanations == {"05-budget": "省级专项资金由市级财政代拨，未单列"}
    assert result.report.meta.unit == "平顶山市总工会"
    assert result.report.meta.phone == "0375-3799601"
    assert str(result.report.meta.date) == "2014-01-20"
    findings = validate(form, result.report, result.source)
    assert [f.rule for f in findings] == ["01-sum"]  # 5 ≠ 1 + 2 + 1, as typed
    assert findings[0].cells == tuple(layout.fields[c] for c in ("01A", "01B", "01C", "01D"))


# --- pdf of untrusted files ----------------------------------------------------------------------


def test_pdf_refuses_bombs_before_libreoffice_sees_them(tmp_path: Path, registry: Registry) -> None:
    """Parts a read never inflates are all inflated (bounded) and parsed before LibreOffice gets the file."""
    from tests.hostile.make_corpus import make
    from unionforms import InputError
    from unionforms.excel.libreoffice import to_pdf

    folder = tmp_path / "corpus"
    entries = {e.name: e for e in make(folder, registry)}
    expected = {
        "bomb-styles.xlsx": "IN-051",  # an honest directory: refused from it
        "lying-styles.xlsx": "IN-028",  # the directory lies: inflating it proves the damage
        "dtd-styles.xlsx": "IN-054",  # a DTD in styles.xml, which reading never parses
        "zero.xlsx": "IN-090",
        "fifo.xlsx": "IN-090",
    }
    for name, code in expected.items():
        assert name in entries
        with pytest.raises(InputError) as info:
            to_pdf(folder / name, tmp_path / f"{name}.pdf")
        assert info.value.code == code, (name, str(info.value))
        assert info.value.file == str(folder / name)
        assert not (tmp_path / f"{name}.pdf").exists()
    written = to_pdf(folder / "good.xlsx", tmp_path / "good.pdf")
    assert written.read_bytes().startswith(b"%PDF")


def test_libreoffice_is_killed_with_its_helpers_past_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stand-in `soffice` that never finishes and starts a helper: both are gone after the timeout."""
    from unionforms import InputError

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    helper_pid = tmp_path / "helper.pid"
    fake = bin_dir / "soffice"
    fake.write_text(f"#!/bin/sh\nsleep 300 &\necho $! > {helper_pid}\nsleep 300\n", encoding="utf-8")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "a.xlsx").write_bytes(b"PK")
    with pytest.raises(InputError) as info:
        convert([tmp_path / "a.xlsx"], "pdf", tmp_path / "out", timeout=2)
    assert info.value.code == "IN-045" and "2 秒" in info.value.message
    pid = int(helper_pid.read_text())
    deadline = time.monotonic() + 5  # killed with the group; give the kernel a moment to reap it
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(pid), "the helper LibreOffice started outlived the timeout"


def _alive(pid: int) -> bool:
    """Whether process ``pid`` runs (a zombie, dead but not yet reaped by its parent, does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return not stat.read().rpartition(") ")[2].startswith("Z")
    except FileNotFoundError:
        return False


def test_libreoffice_is_found_where_its_windows_installer_puts_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    exe = tmp_path / "LibreOffice" / "program" / "soffice.exe"
    exe.parent.mkdir(parents=True)
    exe.write_bytes(b"")
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("ProgramFiles", str(tmp_path))
    assert find_soffice() == str(exe)
    monkeypatch.setenv("ProgramFiles", str(tmp_path / "nothing"))
    assert find_soffice() is None


def test_without_process_groups_a_program_past_its_time_is_ended(monkeypatch: pytest.MonkeyPatch) -> None:
    """Windows has no killpg: LibreOffice past its time is ended itself, and the run says IN-045."""
    from unionforms.core.errors import InputError
    from unionforms.excel import libreoffice

    monkeypatch.delattr(os, "killpg")
    monkeypatch.delattr(signal, "SIGKILL")
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        libreoffice._run([sys.executable, "-c", "import time; time.sleep(60)"], dict(os.environ), 0.5)
    assert info.value.code == "IN-045"
    assert time.monotonic() - started < 20  # ended, not waited for


def test_live_summary_says_a_blank_template_is_empty_and_names_a_cell_that_is_no_number(
    tmp_path: Path, registry: Registry
) -> None:
    """A blank template says it is empty (validate: CHK-003), not 审核通过; text in a number cell makes
    the rules naming it say 「D12 不是数字」 instead of passing; a 不适用 mark reads as blank."""
    import openpyxl

    from unionforms.excel.formulas import NOT_A_NUMBER

    form = registry.get("bangfu-2016")
    layout = plan(form)
    blank = tmp_path / "blank.xlsx"
    write_template(form, blank)
    typed = tmp_path / "typed.xlsx"
    wb = openpyxl.load_workbook(blank)
    ws = wb[layout.sheet]
    cell = layout.fields["02A"]
    ws[cell] = "1,234人"
    ws[layout.fields["02B"]] = "—"
    wb.save(typed)
    out = convert([blank, typed], "xlsx", tmp_path / "lo")
    summary = openpyxl.load_workbook(out[0], data_only=True)[layout.sheet][layout.summary_cell].value
    assert summary == "空表：尚未填写任何数字"
    ws = openpyxl.load_workbook(out[1], data_only=True)[layout.sheet]
    verdicts = {r.id: ws[f"D{layout.check_rows[r.id]}"].value for r in form.rules if "02A" in r.codes}
    assert verdicts and set(verdicts.values()) == {f"{cell}{NOT_A_NUMBER}"}
    assert "不是数字" in ws[layout.summary_cell].value
    assert all(
        ws[f"D{layout.check_rows[r.id]}"].value != f"{layout.fields['02B']}{NOT_A_NUMBER}"
        for r in form.rules
        if "02B" in r.codes
    )
