"""Inputs are bounded before they are read: only regular files, and a size limit."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from unionforms import inputs
from unionforms.errors import InputError


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
