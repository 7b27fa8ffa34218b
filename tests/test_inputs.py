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
    _refused(fifo, "IN-001", "named pipe")


def test_a_symlink_to_dev_zero_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "zero.json"
    link.symlink_to("/dev/zero")
    _refused(link, "IN-001", "device")


def test_a_folder_and_a_socket_are_refused(tmp_path: Path) -> None:
    _refused(tmp_path, "IN-001", "folder")
    sock_path = tmp_path / "s.json"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(sock_path))
        with pytest.raises(InputError) as info:
            inputs.read_input(sock_path, limit=1024)
    assert info.value.code == "IN-001"


def test_a_missing_file_is_named_without_python_text(tmp_path: Path) -> None:
    _refused(tmp_path / "none.json", "IN-001", "no such file")
    with pytest.raises(InputError) as info:
        inputs.read_input(tmp_path / "none.json", limit=1)
    assert "Errno" not in str(info.value)


def test_a_file_over_the_limit_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(b" " * 1025)
    _refused(path, "IN-005", "1025 bytes")


def test_bounded_returns_the_result_and_measures_it() -> None:
    usage: list[inputs.Usage] = []
    assert inputs.bounded(lambda: ("ok", 42), file="f", usage=usage) == ("ok", 42)
    assert len(usage) == 1 and usage[0].peak_memory > 0


def test_bounded_passes_our_errors_through_with_their_location() -> None:
    def fail() -> None:
        raise InputError("IN-002", "not a report", hint="fix it", file="a.json", cell="B2")

    with pytest.raises(InputError) as info:
        inputs.bounded(fail, file="a.json")
    assert (info.value.code, info.value.file, info.value.cell, info.value.hint) == (
        "IN-002",
        "a.json",
        "B2",
        "fix it",
    )
    assert str(info.value).startswith("[file a.json, cell B2] IN-002: not a report")


def test_bounded_stops_a_read_past_its_time() -> None:
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        inputs.bounded(lambda: time.sleep(30), file="slow.xlsx", budget=inputs.Budget(seconds=0.3))
    assert info.value.code == "IN-005"
    assert "0.3 s" in info.value.message
    assert time.monotonic() - started < 10  # killed, not waited for


def test_bounded_stops_a_read_past_its_memory() -> None:
    with pytest.raises(InputError) as info:
        inputs.bounded(
            lambda: bytearray(512 * 1024 * 1024), file="big", budget=inputs.Budget(memory=64 << 20)
        )
    assert info.value.code == "IN-005"
    assert "memory" in info.value.message


def test_bounded_turns_a_crash_into_a_coded_error() -> None:
    with pytest.raises(InputError) as info:
        inputs.bounded(lambda: 1 // 0, file="z.json")
    assert info.value.code == "IN-002"
    assert "ZeroDivisionError" in info.value.message
    with pytest.raises(InputError) as info:
        inputs.bounded(lambda: os.kill(os.getpid(), 9), file="k.json")
    assert info.value.code == "IN-005"
    assert "signal 9" in info.value.message
