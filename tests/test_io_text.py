"""Report files are read in the encodings people save them in: UTF-8, UTF-16 (Windows "Unicode"), GBK."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from unionforms import InputError, Registry
from unionforms.io import jsonio
from unionforms.io.text import decode, text_encoding

_TEXT = st.text(st.characters(codec="utf-8"), max_size=30)
_ENCODINGS = ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32"]


@given(value=_TEXT, encoding=st.sampled_from(_ENCODINGS))
def test_a_json_text_reads_back_in_every_unicode_encoding(value: str, encoding: str) -> None:
    text = json.dumps({"form": value}, ensure_ascii=False)  # starts with "{", as every report does
    assert decode(text.encode(encoding), "r.json") == text


@given(
    text=st.text(st.characters(codec="gb18030", exclude_characters="\x00"), min_size=1, max_size=40),
    encoding=st.sampled_from([*_ENCODINGS, "gb18030"]),
    cuts=st.lists(st.integers(0, 200), max_size=6),
)
def test_the_encoding_found_does_not_depend_on_how_the_bytes_arrive(
    text: str, encoding: str, cuts: list[int]
) -> None:
    """A CSV table is read in pieces, a report whole: the same bytes give the same encoding either way,
    and one that decodes them back to the text (a first character in ASCII, as a header or "{" is)."""
    data = ("{" + text).encode(encoding)
    bounds = sorted({0, len(data), *(c for c in cuts if c < len(data))})
    pieces = [data[a:b] for a, b in itertools.pairwise(bounds)]
    found = text_encoding(pieces)
    assert found == text_encoding([data])
    assert data.decode(found) == "{" + text


@pytest.mark.parametrize("encoding", ["gbk", "gb18030", "utf-16", "utf-16-le", "utf-8-sig"])
def test_a_report_saved_on_chinese_windows_is_read(registry: Registry, tmp_path: Path, encoding: str) -> None:
    report = {
        "form": "bangfu-2016",
        "meta": {"unit": "某市总工会帮扶中心", "filled_by": "张三"},
        "values": {"01": 3},
    }
    path = tmp_path / "r.json"
    path.write_bytes(json.dumps(report, ensure_ascii=False, indent=2).encode(encoding))
    _, read, findings = jsonio.load(path, registry)
    assert findings == []
    assert (read.meta.unit, read.meta.filled_by, read.values) == ("某市总工会帮扶中心", "张三", {"01": 3})


def test_bytes_in_no_known_encoding_are_in012_and_keep_the_codec_out_of_sight(
    registry: Registry, tmp_path: Path
) -> None:
    path = tmp_path / "r.json"
    path.write_bytes(b'{"form": "\x80\xff\x80"}')
    with pytest.raises(InputError) as info:
        jsonio.load(path, registry)
    err = info.value
    assert err.code == "IN-012" and err.file == str(path)
    assert "UTF-8" in err.text() and "codec" not in str(err) and "gb18030" not in str(err)
    assert err.detail is not None and "gb18030" in err.detail


def test_a_missing_or_unreadable_report_is_in001_or_in010(registry: Registry, tmp_path: Path) -> None:
    for path, code in ((tmp_path / "none.json", "IN-001"), (tmp_path, "IN-010")):
        with pytest.raises(InputError) as info:
            jsonio.load(path, registry)
        assert info.value.code == code and "Errno" not in str(info.value)
        assert "Errno" in (info.value.detail or "")
