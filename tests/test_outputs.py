"""Outputs are written all or nothing, never over an input, never over an existing file unasked."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from unionforms import outputs
from unionforms.errors import InputError


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
    assert "disk is full" in info.value.message and "Errno" not in str(info.value)
    assert list(tmp_path.iterdir()) == []
