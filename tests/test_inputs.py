"""Inputs are bounded before they are read: only regular files, and a size limit."""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

import pytest

from unionforms.core import inputs
from unionforms.core.errors import InputError


def _refused(path: Path, code: str, words: str) -> None:
    with pytest.raises(InputError) as info:
        inputs.read_input(path, limit=1024)
    assert info.value.code == code
    assert words in info.value.message
    assert info.value.file == str(path)


def test_a_regular_file_is_read(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b"{}")
    assert inputs.read_input(path, limit=2) == b"{}"


def test_a_fifo_is_refused_without_waiting_for_a_writer(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    _refused(fifo, "IN-090", "命名管道")


def test_a_symlink_to_dev_zero_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    _refused(link, "IN-090", "设备")


def test_a_folder_and_a_socket_are_refused(tmp_path: Path) -> None:
    _refused(tmp_path, "IN-010", "文件夹")
    sock_path = tmp_path / "s.json"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with pytest.raises(InputError) as info:
            inputs.read_input(sock_path, limit=1024)
    assert info.value.code == "IN-090" and "套接字" in info.value.message


def test_a_missing_file_is_named_without_python_text(tmp_path: Path) -> None:
    _refused(tmp_path / "none.json", "IN-001", "文件不存在")
    with pytest.raises(InputError) as info:
        inputs.read_input(tmp_path / "none.json", limit=1)
    assert "Errno" not in str(info.value) and "Errno 2" in (info.value.detail or "")


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 1025)
    _refused(path, "IN-091", "1025 字节")


# --- where O_NONBLOCK is missing (Windows), and files held by another program -------------------------


def test_without_o_nonblock_a_fifo_is_refused_before_it_is_opened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import faulthandler

    fifo = tmp_path / "pipe.json"
    os.mkfifo(fifo)
    monkeypatch.delattr(os, "O_NONBLOCK")
    faulthandler.dump_traceback_later(30, exit=True)  # an open that blocks must fail the run, not hang it
    try:
        _refused(fifo, "IN-090", "命名管道")
    finally:
        faulthandler.cancel_dump_traceback_later()


def test_without_o_nonblock_a_regular_file_is_read_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "O_NONBLOCK")
    path = tmp_path / "r.csv"
    path.write_bytes(b"a,b\r\n1,2\r\n")
    assert inputs.read_input(path, limit=100) == b"a,b\r\n1,2\r\n"
    _refused(tmp_path, "IN-010", "")  # a folder, as before


def _held(*args: object, **kwargs: object) -> int:
    exc = PermissionError(errno.EACCES, "The process cannot access the file", "r.xlsx")
    exc.winerror = 32  # type: ignore[attr-defined]  # what Windows sets: a sharing violation
    raise exc


def test_a_file_held_by_another_program_says_to_close_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "r.xlsx"
    path.write_bytes(b"PK")
    monkeypatch.setattr(os, "open", _held)
    _refused(path, "IN-017", "正被其他程序占用")


def test_permission_denied_without_a_sharing_violation_is_still_in_010(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def denied(*args: object, **kwargs: object) -> int:
        raise PermissionError(errno.EACCES, "Permission denied")

    path = tmp_path / "r.xlsx"
    path.write_bytes(b"PK")
    monkeypatch.setattr(os, "open", denied)
    _refused(path, "IN-010", "")
