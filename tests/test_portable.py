"""Names the program makes are valid on Windows as well as Linux and macOS; a file held open elsewhere is
told from other refusals (``unionforms.core.portable``)."""

from __future__ import annotations

import errno
from pathlib import Path, PurePosixPath

from hypothesis import given
from hypothesis import strategies as st

from unionforms.collect import batch
from unionforms.core.portable import MAX_NAME_BYTES, held, safe_name, safe_relative

#: Windows' rules, written out here from its documentation (Naming Files, Paths, and Namespaces).
FORBIDDEN = set('<>:"/\\|?*') | {chr(c) for c in range(32)}
DEVICES = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{n}" for p in ("COM", "LPT") for n in "0123456789¹²³"}

HOSTILE_UNITS = [
    "CON",
    "con.json",
    "NUL.xlsx",
    "COM1",
    "Lpt9.备份",
    "甲县总工会: 2017?",
    '乙<丙>"丁"',
    "a/b\\c|d*e",
    "结尾的点。.",
    "结尾的空格 ",
    "...",
    " ",
    "",
    "\x00\x1b[31m红",
    "\ud800坏",
    "某" * 300,
    "x" * 300 + ".xlsx",
    "🙂" * 80,
]


def valid_on_windows(name: str) -> bool:
    return (
        bool(name)
        and not (set(name) & FORBIDDEN)
        and not name.endswith((" ", "."))
        and name.split(".")[0].rstrip(" ").upper() not in DEVICES
        and len(name.encode("utf-8")) <= 255
        and len(name.encode("utf-16-le")) // 2 <= 255
    )


#: Text as Windows gives names (no lone surrogate: they are UTF-16) or as a program makes them.
TEXT = st.text(st.characters(exclude_categories=["Cs"])) | st.text(min_size=200)


@given(TEXT)
def test_any_text_becomes_a_valid_name_and_stays_one(text: str) -> None:
    name = safe_name(text)
    if not any(0xDC80 <= ord(c) <= 0xDCFF for c in text):
        assert valid_on_windows(name), (text, name)
    assert not any(0xD800 <= ord(c) <= 0xDFFF and not 0xDC80 <= ord(c) <= 0xDCFF for c in name)
    assert len(name.encode("utf-8", "surrogateescape")) <= MAX_NAME_BYTES
    assert safe_name(name) == name


def test_the_undecodable_bytes_of_a_file_name_are_kept() -> None:
    """Under a locale that cannot decode a name (LC_ALL=C), its bytes come as surrogates: they stay, so
    that the output is named as its input is."""
    name = "第1县.json".encode().decode("ascii", "surrogateescape")
    assert safe_name(name) == name


@given(st.text(st.characters(categories=["L", "N"]), min_size=1, max_size=60))
def test_a_valid_name_is_left_as_it_is(text: str) -> None:
    if valid_on_windows(text):
        assert safe_name(text) == text


def test_forbidden_characters_become_their_full_width_forms() -> None:
    assert safe_name("甲: 乙?") == "甲： 乙？"
    assert safe_name("CON") == "_CON" and safe_name("con.xlsx") == "_con.xlsx"
    assert safe_name("x" * 300 + ".xlsx").endswith(".xlsx")


def test_a_relative_path_is_made_valid_part_by_part() -> None:
    assert safe_relative(PurePosixPath("片区:1/CON.xlsx")) == PurePosixPath("片区：1/_CON.xlsx")


def test_output_names_made_from_hostile_unit_names_are_valid_on_windows(tmp_path: Path) -> None:
    """A county's returns named after their 填报单位, however hostile: every output name is valid, and
    none of a run replaces another."""
    names = [u + ".json" for u in HOSTILE_UNITS]
    inputs = [batch.Input(str(tmp_path / "in" / "区:县" / n), str(tmp_path / "in")) for n in names]
    paths = batch.output_paths(inputs, tmp_path / "out")
    assert len(set(paths.values())) == len(inputs)
    for path in paths.values():
        rel = path.relative_to(tmp_path / "out")
        assert all(valid_on_windows(part) for part in rel.parts), rel
        assert path.suffix == ".xlsx"


def test_held_is_a_sharing_or_lock_violation_only() -> None:
    for winerror, expected in ((32, True), (33, True), (5, False), (None, False)):
        exc = PermissionError(errno.EACCES, "denied")
        if winerror is not None:
            exc.winerror = winerror  # type: ignore[attr-defined]
        assert held(exc) is expected
