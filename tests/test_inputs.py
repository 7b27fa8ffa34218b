"""Inputs are bounded before they are read: only regular files, a size limit, a time and memory budget."""

from __future__ import annotations

import os
import socket
import time
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


def test_bounded_returns_the_result_and_measures_it() -> None:
    usage: list[inputs.Usage] = []
    assert inputs.bounded(lambda: ("ok", 42), file="f", usage=usage) == ("ok", 42)
    assert len(usage) == 1 and usage[0].peak_memory > 0


def test_bounded_passes_our_errors_through_with_their_location() -> None:
    def fail() -> None:
        raise InputError("IN-029", ref="B2", index=7, detail="raw", file="a.json", cell="B2")

    with pytest.raises(InputError) as info:
        inputs.bounded(fail, file="a.json")
    assert (info.value.code, info.value.file, info.value.cell, info.value.detail) == (
        "IN-029",
        "a.json",
        "B2",
        "raw",
    )
    assert str(info.value).startswith("[文件 a.json，单元格 B2] IN-029 工作簿已损坏：单元格 B2 引用")


def test_bounded_stops_a_read_past_its_time() -> None:
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        inputs.bounded(lambda: time.sleep(30), file="slow.xlsx", budget=inputs.Budget(seconds=0.3))
    assert info.value.code == "IN-092"
    assert "0.3 秒" in info.value.message
    assert time.monotonic() - started < 10  # killed, not waited for


def test_bounded_stops_a_read_past_its_memory() -> None:
    with pytest.raises(InputError) as info:
        inputs.bounded(
            lambda: bytearray(512 * 1024 * 1024), file="big", budget=inputs.Budget(memory=64 << 20)
        )
    assert info.value.code == "IN-093"
    assert "64 MiB" in info.value.message


def test_bounded_turns_a_crash_into_a_coded_error() -> None:
    with pytest.raises(InputError) as info:
        inputs.bounded(lambda: 1 // 0, file="z.json")
    assert info.value.code == "IN-094"
    assert "ZeroDivisionError" in (info.value.detail or "") and "ZeroDivision" not in str(info.value)
    with pytest.raises(InputError) as info:
        inputs.bounded(lambda: os.kill(os.getpid(), 9), file="k.json")
    assert info.value.code == "IN-093"
    assert "signal 9" in info.value.message
