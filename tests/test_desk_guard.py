"""The desk's gate: upload names that stay in the round folder, and requests refused unless they carry
the key, name this host and (for a POST) carry the form check."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unionforms.core.errors import InputError
from unionforms.desk.guard import Guard, upload_path

_WINDOWS_BAD = re.compile(r'[<>:"|?*\x00-\x1f]')
_DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{d}{i}" for d in ("COM", "LPT") for i in range(1, 10)}


@given(st.text(alphabet=st.sampled_from(list('ab./\\:*?<>|"\x00 CONULPT1收回..')), max_size=40))
def test_a_safe_name_never_leaves_the_folder_and_every_system_takes_it(name: str) -> None:
    try:
        path = upload_path(name)
    except InputError as exc:
        assert exc.code == "DESK-003"
        return
    root = Path("/round/收回")
    assert (root / path).resolve().is_relative_to(root)
    for part in path.parts:
        assert part not in ("", ".", "..") and not _WINDOWS_BAD.search(part)
        assert not part.endswith((".", " "))
        assert part.split(".")[0].upper() not in _DEVICES


@pytest.mark.parametrize(
    ("name", "safe"),
    [
        ("收回/第一批/市中区工会.xlsx", "收回/第一批/市中区工会.xlsx"),
        ("收回\\第二批\\更正.xlsx", "收回/第二批/更正.xlsx"),  # a Windows browser's separator
        ("nul.json", "_nul.json"),
        ("a/CON.xlsx", "a/_CON.xlsx"),
        ("com1", "_com1"),
        ("问题?.xlsx", "问题_.xlsx"),
        ("名称. ", "名称"),
        ("./a//b.json", "a/b.json"),
    ],
)
def test_names_are_made_safe(name: str, safe: str) -> None:
    assert str(upload_path(name)) == safe


@pytest.mark.parametrize(
    "name",
    [
        "../evil.xlsx",
        "a/../../evil.xlsx",
        "..\\..\\evil.xlsx",
        "/etc/passwd",
        "\\\\server\\x",
        "C:x.xlsx",
        "",
        "...",
    ],
)
def test_names_that_climb_out_or_name_a_drive_are_refused(name: str) -> None:
    with pytest.raises(InputError) as info:
        upload_path(name)
    assert info.value.code == "DESK-003"


def test_too_deep_or_too_long_is_refused() -> None:
    with pytest.raises(InputError):
        upload_path("/".join("d" * 9))
    with pytest.raises(InputError):
        upload_path("x" * 121)


GUARD = Guard(port=5123)
OK = {"host": "127.0.0.1:5123", "key": GUARD.key, "method": "GET", "form_check": None, "origin": None}


def test_a_request_with_the_key_to_this_host_is_answered() -> None:
    assert GUARD.refusal(**OK) is None  # type: ignore[arg-type]
    assert GUARD.refusal(**{**OK, "host": "localhost:5123"}) is None  # type: ignore[arg-type]
    post = {**OK, "method": "POST", "form_check": GUARD.form_check, "origin": "http://127.0.0.1:5123"}
    assert GUARD.refusal(**post) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "change",
    [
        {"host": "evil.example:5123"},  # DNS rebinding: a name of another site resolving to 127.0.0.1
        {"host": "127.0.0.1:80"},
        {"host": None},
        {"key": None},
        {"key": "x" * 32},
        {"method": "POST"},  # no form check
        {"method": "POST", "form_check": "0" * 64},
        {"method": "POST", "form_check": GUARD.form_check, "origin": "http://evil.example"},
        {"method": "POST", "form_check": GUARD.form_check, "origin": "null"},
    ],
)
def test_every_other_request_is_refused(change: dict[str, object]) -> None:
    assert GUARD.refusal(**{**OK, **change}) is not None  # type: ignore[arg-type]


def test_each_start_has_its_own_key_and_form_check() -> None:
    other = Guard(port=5123)
    assert other.key != GUARD.key and other.form_check != GUARD.form_check
    assert len(GUARD.key) >= 32
