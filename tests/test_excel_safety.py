"""The zip and XML defences of excel.safety: bombs and entities refused before they go off."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from unionforms import InputError, Registry
from unionforms.excel import read_xlsx, safety
from unionforms.excel.safety import SafeZip

from .xlsx_builders import MAIN_NS, build, raw_book, rewrite


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A valid template whose main sheet is 300 MiB of zeros, deflated to about 1 MiB."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("xl/workbook.xml", f'<workbook xmlns="{MAIN_NS}"/>')
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            chunk = bytes(1 << 20)
            for _ in range(300):
                fh.write(chunk)
    return path


def test_a_zip_bomb_is_refused_from_the_directory(
    registry: Registry, zip_bomb: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert zip_bomb.stat().st_size < 4 << 20
    opened: list[str] = []
    real_open = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: object, **kwargs: object) -> object:
        opened.append(name if isinstance(name, str) else name.filename)
        return real_open(self, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    with pytest.raises(InputError) as info:
        read_xlsx(zip_bomb, registry)
    assert "xl/worksheets/sheet1.xml" not in opened  # refused before a byte of it is inflated
    assert info.value.code == "IN-051" and info.value.file == str(zip_bomb)
    assert "sheet1.xml" in info.value.message


def test_absurd_compression_ratio_is_in005(registry: Registry, tmp_path: Path) -> None:
    path = tmp_path / "ratio.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/sharedStrings.xml", b" " * (2 << 20))  # 2 MiB that deflate to 2 KiB
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-005" and "倍" in info.value.message and "times" in info.value.message_en


def test_too_many_members_is_in005(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "many.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        for i in range(30):
            zf.writestr(f"xl/media/{i}.bin", b"x")
    monkeypatch.setattr(safety, "MAX_MEMBERS", 20)
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-050" and info.value.params == {"count": 30, "limit": 20}


def test_reading_stops_past_the_bound_whatever_the_directory_says(
    registry: Registry, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    form = registry.get("songwennuan-2017")
    path = tmp_path / "lies.xlsx"
    build(form, path, {"01A": 5})
    with SafeZip(path) as zf:  # the directory passed its checks; now the member proves larger
        monkeypatch.setattr(safety, "MAX_MEMBER_SIZE", 1000)
        monkeypatch.setattr(safety, "CHUNK_SIZE", 256)
        with pytest.raises(InputError) as info:
            zf.read("xl/worksheets/sheet1.xml")
    assert info.value.code == "IN-053"


def test_a_directory_that_understates_a_size_is_refused(registry: Registry, tmp_path: Path) -> None:
    form = registry.get("songwennuan-2017")
    path = tmp_path / "understated.xlsx"
    build(form, path, {"01A": 5})
    data = bytearray(path.read_bytes())
    member = b"xl/worksheets/sheet1.xml"
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as zf:
        size = zf.getinfo(member.decode()).file_size
    entry = data.find(b"PK\x01\x02")  # the central directory's first entry
    while data[entry + 46 : entry + 46 + len(member)] != member:
        entry = data.find(b"PK\x01\x02", entry + 4)
        assert entry > 0
    data[entry + 24 : entry + 28] = (size // 4).to_bytes(4, "little")  # uncompressed size
    path.write_bytes(bytes(data))
    with pytest.raises(InputError) as err:
        read_xlsx(path, registry)
    assert err.value.code in ("IN-028", "IN-053")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE sst [
 <!ENTITY a "aaaaaaaaaa">
 <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">
 <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">
 <!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">
 <!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;">
 <!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">
 <!ENTITY g "&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;">
 <!ENTITY h "&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;">
 <!ENTITY i "&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;">
]>
<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&i;</t></si></sst>"""


@pytest.mark.parametrize(
    "sst",
    [
        BILLION_LAUGHS,
        '<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        f'<sst xmlns="{MAIN_NS}"><si><t>&x;</t></si></sst>',
    ],
    ids=["billion-laughs", "external-entity"],
)
def test_entities_in_shared_strings_are_in005(registry: Registry, tmp_path: Path, sst: str) -> None:
    path = tmp_path / "laughs.xlsx"
    raw_book(path, '<row r="4"><c r="D4" t="s"><v>0</v></c></row>', names=[("F_01A", "表!$D$4", None)])
    rewrite(path, "xl/sharedStrings.xml", lambda _: sst)
    with pytest.raises(InputError) as info:
        read_xlsx(path, registry)
    assert info.value.code == "IN-054" and "sharedStrings.xml" in info.value.message
    assert "DTD" in info.value.message  # refused at the declaration, before any expansion
