"""Outputs are written all or nothing, never over an input, never over an existing file unasked."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from unionforms.core import outputs
from unionforms.core.errors import InputError


def _code(fn: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(InputError) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    return info.value.code


def test_a_new_file_is_written_with_the_umask_mode(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    outputs.write_bytes(out, b"{}", kind="json")
    assert out.read_bytes() == b"{}"
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_an_existing_output_is_kept_unless_forced(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    out.write_bytes(b"old")
    out.chmod(0o640)
    assert _code(outputs.write_bytes, out, b"new", kind="json") == "OUT-002"
    assert out.read_bytes() == b"old"
    outputs.write_bytes(out, b"new", kind="json", force=True)
    assert out.read_bytes() == b"new"
    assert out.stat().st_mode & 0o777 == 0o640  # the replaced file's mode is kept


def test_an_output_never_replaces_an_input_even_by_another_name(tmp_path: Path) -> None:
    src = tmp_path / "r.json"
    src.write_bytes(b"input")
    (tmp_path / "link.json").symlink_to(src)
    os.link(src, tmp_path / "hard.json")
    for name in ("r.json", "link.json", "hard.json", "./r.json"):
        out = tmp_path / name
        assert _code(outputs.write_bytes, out, b"x", kind="json", force=True, inputs=[src]) == "OUT-001"
    assert src.read_bytes() == b"input"
    dangling = tmp_path / "dangling.json"  # an input that is a link to where the output would go
    dangling.symlink_to(tmp_path / "new.json")
    out = tmp_path / "new.json"
    assert _code(outputs.check_output, out, kind="json", inputs=[src, dangling]) == "OUT-001"
    assert outputs.check_output(out, kind="json", inputs=[src, tmp_path / "missing.json"]) == out


def test_the_extension_must_match_the_format(tmp_path: Path) -> None:
    assert _code(outputs.check_output, tmp_path / "x.xlsx", kind="pdf") == "OUT-003"
    assert _code(outputs.check_output, tmp_path / "t.txt", kind="xlsx") == "OUT-003"
    assert _code(outputs.check_output, tmp_path / "t", kind="json") == "OUT-003"
    assert outputs.check_output(tmp_path / "T.XLSX", kind="xlsx") == tmp_path / "T.XLSX"


def test_a_folder_in_the_way_is_refused(tmp_path: Path) -> None:
    (tmp_path / "d.json").mkdir()
    assert _code(outputs.check_output, tmp_path / "d.json", kind="json", force=True) == "OUT-004"


def test_a_missing_folder_is_created(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "r.json"
    outputs.write_bytes(out, b"{}", kind="json")
    assert out.read_bytes() == b"{}"


def test_a_failure_inside_the_block_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    out.write_bytes(b"old")
    with pytest.raises(RuntimeError), outputs.atomic_write(out, kind="json", force=True) as fh:
        fh.write(b"half")
        raise RuntimeError("stop")
    assert out.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_a_write_error_is_a_clean_coded_error(tmp_path: Path) -> None:
    out = tmp_path / "r.json"
    with pytest.raises(InputError) as info, outputs.atomic_write(out, kind="json") as fh:
        fh.write(b"x")
        raise OSError(errno.ENOSPC, "No space left on device")
    assert info.value.code == "OUT-004"
    assert "磁盘已满" in info.value.message and "Errno" not in str(info.value)
    assert "No space left" in (info.value.detail or "")
    assert list(tmp_path.iterdir()) == []


# --- through the real commands -------------------------------------------------------------------

REPORT = {"form": "songwennuan-2017", "meta": {"unit": "乐山市总工会"}, "values": {"01A": 10, "01B": 5}}


def _cli(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    exe = Path(sys.executable).with_name("unionforms")
    return subprocess.run(  # type: ignore[call-overload,no-any-return]
        [str(exe), *args], capture_output=True, text=True, check=False, timeout=300, **kwargs
    )


def test_commands_refuse_to_destroy_inputs_or_existing_outputs(tmp_path: Path) -> None:
    report = tmp_path / "r.json"
    report.write_text(json.dumps(REPORT), encoding="utf-8")
    before = report.read_bytes()
    checks = [
        (["fill", str(report), "-o", str(report)], "OUT-001"),
        (["fill", str(report), "-o", str(report), "--force"], "OUT-001"),
        (["read", str(report), "-o", str(report), "--force"], "OUT-001"),
        (["blank", "songwennuan-2017", "-o", str(tmp_path / "t.txt")], "OUT-003"),
        (["pdf", str(tmp_path / "x.xlsx"), "-o", str(tmp_path / "x.xlsx")], "OUT-001"),
        (["pdf", str(tmp_path / "x.xlsx"), "-o", str(tmp_path / "y.xlsx")], "OUT-003"),
        (["read", str(report), "-o", str(tmp_path / "r.txt")], "OUT-003"),
    ]
    for args, code in checks:
        run = _cli(*args)
        assert run.returncode == 2, (args, run.stderr)
        assert f"] {code} " in run.stderr and "Traceback" not in run.stderr, (args, run.stderr)
        assert "Traceback" not in run.stderr
    assert report.read_bytes() == before
    out = tmp_path / "f.xlsx"
    assert _cli("fill", str(report), "-o", str(out)).returncode == 0
    first = out.read_bytes()
    run = _cli("fill", str(report), "-o", str(out))
    assert run.returncode == 2 and f"] OUT-002 [输出文件 {out}] 输出文件已存在" in run.stderr
    assert out.read_bytes() == first
    assert _cli("fill", str(report), "-o", str(out), "--force").returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.xlsx", "r.json"]


def test_a_full_disk_is_a_clean_error_and_leaves_nothing(tmp_path: Path) -> None:
    """The file size limit (RLIMIT_FSIZE) makes every write past 4 KiB fail, as a full disk does."""
    report = tmp_path / "r.json"
    report.write_text(json.dumps(REPORT), encoding="utf-8")
    out = tmp_path / "f.xlsx"
    out.write_bytes(b"the old file")

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    run = _cli("fill", str(report), "-o", str(out), "--force", preexec_fn=small_disk)
    assert run.returncode == 2, run.stderr
    assert f"] OUT-004 [输出文件 {out}] 无法写出文件：" in run.stderr and "未写出任何内容" in run.stderr
    assert "Traceback" not in run.stderr and "Errno" not in run.stderr
    assert out.read_bytes() == b"the old file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.xlsx", "r.json"]


def _writer(args: list[str]) -> int:
    """Fork a process running the command ``args`` (no exec: already imported, so the write comes soon)."""
    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                os.dup2(null.fileno(), 2)
            from unionforms.cli import main

            code = main(args)
        finally:
            os._exit(code)
    return pid


def test_a_writer_killed_at_any_moment_leaves_the_old_file_or_the_new(tmp_path: Path) -> None:
    """SIGKILL during fill and blank over an existing file, 30 times at random moments (fixed seed)."""
    from unionforms import default_registry
    from unionforms.io.reading import read_report

    registry = default_registry()
    report = tmp_path / "r.json"
    report.write_text(json.dumps(REPORT), encoding="utf-8")
    old = tmp_path / "old.xlsx"
    old_report = dict(REPORT, values={"01A": 99, "01B": 1})
    (tmp_path / "old.json").write_text(json.dumps(old_report), encoding="utf-8")
    assert os.waitpid(_writer(["fill", str(tmp_path / "old.json"), "-o", str(old)]), 0)[1] == 0
    old_bytes = old.read_bytes()
    out = tmp_path / "out.xlsx"
    commands = {
        "fill": ["fill", str(report), "-o", str(out), "--force"],
        "blank": ["blank", "songwennuan-2017", "-o", str(out), "--force"],
    }
    durations = {}
    for name, args in commands.items():  # how long a whole run takes, to kill within it
        shutil.copyfile(old, out)
        started = time.monotonic()
        assert os.waitpid(_writer(args), 0)[1] == 0
        durations[name] = time.monotonic() - started
    rng = random.Random(10)
    outcomes = {"old": 0, "new": 0, "mid-write": 0}
    for attempt in range(30):
        name = "fill" if attempt % 3 else "blank"
        shutil.copyfile(old, out)
        pid = _writer(commands[name])
        time.sleep(rng.uniform(0.5, 1.05) * durations[name])
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        leftovers = list(tmp_path.glob(".~out.xlsx.*.tmp"))  # what a kill mid-write leaves: hidden
        outcomes["mid-write"] += bool(leftovers)
        for leftover in leftovers:
            leftover.unlink()
        if out.read_bytes() == old_bytes:
            outcomes["old"] += 1
            continue
        read = read_report(out, registry)  # a complete new file: it opens and reads back
        expected = {"01A": 10, "01B": 5} if name == "fill" else {}
        assert dict(read.report.values) == expected, attempt
        outcomes["new"] += 1
    print(
        f"\n30 kills: {outcomes['old']} left the old file, {outcomes['new']} the complete new one; "
        f"{outcomes['mid-write']} struck while the temporary file was being written"
    )
    assert outcomes["old"] + outcomes["new"] == 30


def test_a_long_name_gets_a_short_temporary_name(tmp_path: Path) -> None:
    """82 Chinese characters and .xlsx are 251 bytes: the name fits, a temporary name beside it did not."""
    target = tmp_path / ("甲" * 82 + ".xlsx")
    outputs.write_bytes(target, b"data", kind="xlsx")
    assert target.read_bytes() == b"data"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]  # no temporary file left


def test_an_output_that_appears_while_it_is_written_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "汇总.json"
    with pytest.raises(InputError) as info, outputs.atomic_write(target, kind="json") as fh:
        fh.write(b"{}")
        target.write_text("另一个程序写的", encoding="utf-8")  # appears before the rename
    assert info.value.code == "OUT-002"
    assert target.read_text(encoding="utf-8") == "另一个程序写的"


def test_replacing_an_output_held_open_elsewhere_is_out_006_and_keeps_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Windows: MoveFileEx over a workbook open in Excel or WPS is refused (access denied)."""
    target = tmp_path / "汇总.xlsx"
    target.write_bytes(b"old")

    def refuse(src: object, dst: object) -> None:
        exc = PermissionError(errno.EACCES, "Access is denied", str(dst))
        exc.winerror = 5  # type: ignore[attr-defined]
        raise exc

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(InputError) as info:
        outputs.write_bytes(target, b"new", kind="xlsx", force=True)
    assert (info.value.code, info.value.file) == ("OUT-006", str(target))
    assert "请先在 Excel/WPS 中关闭该文件" in info.value.hint
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["汇总.xlsx"]  # no temporary left


def test_a_sharing_violation_anywhere_in_a_write_is_out_006(tmp_path: Path) -> None:
    exc = PermissionError(errno.EACCES, "The process cannot access the file")
    exc.winerror = 32  # type: ignore[attr-defined]
    assert outputs.cannot_write("a.xlsx", exc).code == "OUT-006"
    assert outputs.cannot_write("a.xlsx", PermissionError(errno.EACCES, "denied")).code == "OUT-004"


def test_a_windows_volume_without_hard_links_still_gets_its_output(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAT or exFAT (a USB stick) on Windows: os.link fails with ERROR_INVALID_FUNCTION; the new file is
    renamed into place instead, still never over a file that appeared meanwhile."""

    def no_links(src: object, dst: object) -> None:
        exc = OSError(errno.EINVAL, "Incorrect function")
        exc.winerror = 1  # type: ignore[attr-defined]
        raise exc

    monkeypatch.setattr(os, "link", no_links)
    target = tmp_path / "u" / "甲.xlsx"
    outputs.write_bytes(target, b"new", kind="xlsx")
    assert target.read_bytes() == b"new"
    with pytest.raises(InputError) as info:
        outputs.write_bytes(target, b"other", kind="xlsx")
    assert info.value.code == "OUT-002" and target.read_bytes() == b"new"
