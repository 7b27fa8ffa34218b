"""The console script as a process: the collector off for start-up and back on for the long part, the
output whole at the end, and no teardown (``unionforms.cli._process``)."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from unionforms.cli import main

EXE = Path(sys.executable).with_name("unionforms")


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)


def test_the_collector_is_off_for_start_up_and_back_on_once_the_forms_are_loaded() -> None:
    result = _python(
        "import gc\n"
        "from unionforms.cli import _process\n"
        "from unionforms.cli._base import Context\n"
        "from unionforms.cli._output import Output\n"
        "_process.defer_collection()\n"
        "assert not gc.isenabled()\n"
        "ctx = Context(Output())\n"
        "assert not gc.isenabled() and gc.get_freeze_count() == 0\n"
        "assert ctx.registry.forms\n"
        "assert gc.isenabled(), 'the long part of a run is collected'\n"
        "assert gc.get_freeze_count() > 10000, gc.get_freeze_count()\n"
        "ctx.registry\n"
        "_process.collect_from_now()  # once only\n"
        "print(gc.get_freeze_count())\n"
    )
    assert result.returncode == 0, result.stderr
    frozen = int(result.stdout)
    assert frozen > 10000


def test_main_leaves_the_collector_of_the_program_calling_it_alone() -> None:
    assert gc.isenabled()
    frozen = gc.get_freeze_count()
    assert main(["list"]) == 0
    assert gc.isenabled() and gc.get_freeze_count() == frozen


def test_the_console_script_ends_with_its_status_and_the_whole_of_its_output(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text(json.dumps({"form": "bangfu-2016", "values": {"01": 3, "01A": 5}}), encoding="utf-8")
    filled = tmp_path / "r.xlsx"
    assert subprocess.run([str(EXE), "fill", str(report), "-o", str(filled)], check=False).returncode == 0
    shown = subprocess.run(
        [str(EXE), "validate", "--json", str(filled), str(report)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert shown.returncode == 1, shown.stderr  # 01A > 01 breaks a rule: an error finding
    data = json.loads(shown.stdout)  # flushed whole before the process ended
    assert data["summary"] == {"inputs": 2, "ok": 0, "warnings": 0, "errors": 2, "unusable": 0, "skipped": 0}
    big = subprocess.run([str(EXE), "schema", "bangfu-2013"], capture_output=True, text=True, check=False)
    assert big.returncode == 0 and json.loads(big.stdout)["properties"]


def test_a_reader_that_goes_away_is_no_error_of_ours() -> None:
    proc = subprocess.Popen(
        [str(EXE), "schema", "bangfu-2013"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # like `| head` that has read what it wanted
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 0
    assert err == b""


def test_stdout_that_cannot_be_written_at_the_end_is_out_005_not_a_traceback() -> None:
    result = _python(
        "import errno, io, sys\n"
        "from unionforms.cli import _process\n"
        "class Full(io.StringIO):\n"
        "    def flush(self):\n"
        "        raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "sys.stdout = Full()\n"
        "print('the result')\n"
        "_process.end(0)\n"
    )
    assert result.returncode == 2
    assert "OUT-005" in result.stderr and "磁盘已满" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize(
    "argv", [["list"], ["show", "bangfu-2016", "--json"], ["validate", "--json", "x.json"]]
)
def test_stdout_on_a_full_device_is_out_005_once_never_an_internal_error(argv: list[str]) -> None:
    with open("/dev/full", "w") as full:
        result = subprocess.run(
            [str(EXE), *argv], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    assert result.returncode == 2
    assert result.stderr.count("OUT-005") == 1, result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("json_mode", [False, True])
def test_a_character_the_console_cannot_encode_is_escaped_never_an_error(
    tmp_path: Path, json_mode: bool
) -> None:
    """A cp936 console (Windows, Chinese) and an emoji in a 填报单位: the line is printed, the emoji as
    an escape that JSON reads back as the emoji."""
    report = tmp_path / "r.json"
    unit = "测试😀工会"
    report.write_text(
        json.dumps({"form": "songwennuan-2017", "meta": {"unit": unit}, "values": {"01A": 1}}),
        encoding="utf-8",
    )
    env = {**os.environ, "PYTHONIOENCODING": "cp936"}
    argv = [str(EXE), "validate", str(report), *(["--json"] if json_mode else [])]
    done = subprocess.run(argv, capture_output=True, env=env, check=False)
    assert done.returncode == 0 and b"internal error" not in done.stderr, done.stderr.decode("gbk")
    shown = done.stdout.decode("gbk")
    assert "测试\\ud83d\\ude00工会" in shown
    if json_mode:
        assert json.loads(shown)["files"][0]["unit"] == unit


def test_a_name_the_locale_cannot_decode_is_env_002_not_an_internal_error(tmp_path: Path) -> None:
    """Linux under an ASCII locale with UTF-8 mode off hands a Chinese argument over as undecodable bytes:
    a result that would hold it cannot be written, and the user is told to use a UTF-8 locale."""
    report = tmp_path / "r.json"
    report.write_text(json.dumps({"form": "songwennuan-2017", "values": {"01A": 1}}), encoding="utf-8")
    env = {**os.environ, "LC_ALL": "C", "PYTHONUTF8": "0"}
    env.pop("PYTHONIOENCODING", None)
    argv = [str(EXE), "aggregate", str(report), "--unit", "测试市总工会", "-o", str(tmp_path / "t.json")]
    done = subprocess.run(argv, capture_output=True, env=env, check=False)
    stderr = done.stderr.decode("ascii")
    assert done.returncode == 2 and "ENV-002" in stderr and "internal error" not in stderr, stderr
    assert "LANG=zh_CN.UTF-8" in stderr


@pytest.mark.parametrize("quiet", [False, True])
def test_a_workbook_left_half_written_by_a_full_disk_prints_no_traceback(tmp_path: Path, quiet: bool) -> None:
    """A full disk makes openpyxl's save fail mid-write: OUT-004 is said once, and the ZipFile the
    collector closes later on a closed file no longer adds "Exception ignored … Traceback"."""
    code = (
        "import zipfile\n"
        "from unionforms.cli import _process\n"
        f"{'_process.quiet_unraisable()' if quiet else ''}\n"
        f"f = open({str(tmp_path / 'x.xlsx')!r}, 'wb')\n"
        "z = zipfile.ZipFile(f, 'w')\n"
        "z.writestr('a', 'b')\n"
        "f.close()\n"
        "del z\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0
    assert ("Exception ignored" in done.stderr) is not quiet  # the control shows what the hook hides
