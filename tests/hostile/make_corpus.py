"""Generate the hostile corpus: every kind of broken or malicious input a return can be, with its verdict.

Nothing here is a committed binary: each file is built from a real template written by unionforms (or
from a good report JSON) by a few lines below, so what each file is and why it is hostile can be read.
``python -m tests.hostile.make_corpus DIR`` writes the corpus into DIR and prints the list.

Each :class:`Entry` says what reading the file must give: ``usable`` (a report, possibly with the
finding ``finding``) or the code of the InputError that refuses it.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import attrs

from unionforms import Registry, default_registry
from unionforms.core.inputs import MAX_JSON_BYTES
from unionforms.excel.fill import fill
from unionforms.io import jsonio

FORM = "songwennuan-2017"
USABLE = "usable"


@attrs.frozen
class Entry:
    name: str
    expect: str  # "usable" or the InputError code
    why: str
    finding: str | None = None  # a finding code the usable report must have


GOOD_VALUES = {"01A": 5000, "01B": 4000, "05": "100.50", "05A": "60.50", "05E": "40"}


def good_report(registry: Registry) -> dict[str, object]:
    """A valid report: a few values, a full header."""
    form = registry.get(FORM)
    values = {code: v for code, v in GOOD_VALUES.items() if code in form.fields}
    return {
        "form": FORM,
        "meta": {"unit": "乐山市总工会", "filled_by": "张三", "phone": "0833-1234567", "date": "2017-01-15"},
        "values": values,
    }


def good_template(registry: Registry, path: Path) -> None:
    form, report, _ = jsonio.report_from_dict(good_report(registry), registry)
    fill(form, report, path)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}


def _zip(path: Path, members: dict[str, bytes], *, level: int = 6) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _edit(template: Path, path: Path, member: str, change: Callable[[bytes], bytes]) -> None:
    members = _members(template)
    changed = change(members[member])
    assert changed != members[member], f"{path.name}: the edit of {member} changed nothing"
    members[member] = changed
    _zip(path, members)


def _find(members: dict[str, bytes], needle: bytes) -> str:
    return next(name for name, data in members.items() if needle in data)


def _bomb(template: Path, path: Path, member: str) -> None:
    """``member`` replaced by 200 MiB of spaces inside a valid XML element: an honest-directory zip bomb."""
    members = _members(template)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in members.items():
            if name != member:
                zf.writestr(name, data)
        with zf.open(member, "w", force_zip64=True) as fh:
            fh.write(b"<?xml version='1.0'?><x>")
            block = b" " * (1 << 20)
            for _ in range(200):
                fh.write(block)
            fh.write(b"</x>")


def _lying(template: Path, path: Path, member: str) -> None:
    """``member`` inflates to 50 MiB, but the directory says 100 bytes (local header and central record)."""
    members = _members(template)
    big = b"<x>" + b" " * (50 << 20) + b"</x>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in members.items():
            zf.writestr(name, big if name == member else data)
    raw = bytearray(buf.getvalue())
    encoded = member.encode()
    size = len(big).to_bytes(4, "little")
    small = (100).to_bytes(4, "little")
    start = 0
    while True:  # patch every uncompressed-size field of this member that holds the real size
        i = raw.find(size, start)
        if i < 0:
            break
        raw[i : i + 4] = small
        start = i + 4
    assert encoded in raw
    path.write_bytes(bytes(raw))


def make(folder: Path, registry: Registry | None = None) -> list[Entry]:
    """Write the corpus into ``folder``; the entries, one per file, in the order written."""
    registry = registry or default_registry()
    folder.mkdir(parents=True, exist_ok=True)
    entries: list[Entry] = []

    def add(name: str, expect: str, why: str, finding: str | None = None) -> Path:
        entries.append(Entry(name, expect, why, finding))
        return folder / name

    good = good_report(registry)
    text = json.dumps(good, ensure_ascii=False)

    # --- JSON -------------------------------------------------------------------------------------
    add("good.json", USABLE, "a valid report").write_text(text, encoding="utf-8")
    os.mkfifo(add("fifo.json", "IN-090", "a named pipe: reading would wait forever"))
    add("zero.json", "IN-090", "a symlink to /dev/zero: reading would never end").symlink_to("/dev/zero")
    add("dangling.json", "IN-001", "a symlink to nothing").symlink_to(folder / "no-such-file")
    add("folder.json", "IN-010", "a folder named like a report").mkdir()
    add("deep.json", "IN-095", "arrays nested 100,000 deep").write_text("[" * 100_000 + "]" * 100_000)
    digits = f'{{"form": "{FORM}", "values": {{"01A": {"9" * 5000}}}}}'
    add("digits.json", "IN-096", "a 5,000-digit integer").write_text(digits)
    long_float = f'{{"form": "{FORM}", "values": {{"05": 1.{"5" * 5000}}}}}'
    add("long-float.json", "IN-096", "a number with 5,000 decimals").write_text(long_float)
    surrogate = f'{{"form": "{FORM}", "meta": {{"unit": "\\ud800"}}}}'
    add("surrogate.json", "IN-098", "a lone UTF-16 surrogate in a string").write_text(surrogate)
    add("surrogate-key.json", "IN-098", "a lone surrogate in a key").write_text(
        f'{{"form": "{FORM}", "values": {{"\\udc00": 1}}}}'
    )
    add("nan.json", "IN-097", "NaN, which JSON does not have").write_text(
        f'{{"form": "{FORM}", "values": {{"05": NaN}}}}'
    )
    with add("big.json", "IN-091", "a JSON past the bound (32 MiB)").open("w", encoding="utf-8") as fh:
        fh.write(f'{{"form": "{FORM}", "meta": {{"unit": "')
        fh.write("a" * (MAX_JSON_BYTES + 1000))
        fh.write('"}}')
    escape = dict(good, meta={"unit": "乐山\x1b[2J\x1b]0;pwned\x07市"})
    add("escape.json", USABLE, "terminal escapes in the unit", "META-005").write_text(json.dumps(escape))
    add("gbk.json", USABLE, "GBK-encoded (Chinese Windows)").write_bytes(text.encode("gbk"))
    add("utf16.json", USABLE, "UTF-16 with BOM (Windows Notepad)").write_bytes(text.encode("utf-16"))
    add("empty.json", "IN-011", "an empty file").write_bytes(b"")
    add("array.json", "IN-013", "JSON, but not an object").write_text("[1, 2, 3]")
    add("truncated.json", "IN-011", "cut off half way").write_text(text[: len(text) // 2])
    add("unknown-form.json", "IN-003", "a form nobody registered").write_text(
        json.dumps(dict(good, form="nosuch-2099"))
    )
    add("binary.json", "IN-012", "random bytes").write_bytes(bytes(range(256)) * 4)
    add("nul.json", "IN-011", "NUL bytes").write_bytes(b"\x00" * 100)

    # --- workbooks --------------------------------------------------------------------------------
    template = add("good.xlsx", USABLE, "a filled template")
    good_template(registry, template)
    members = _members(template)
    sheet = "xl/worksheets/sheet1.xml"
    id_part = _find(members, b"<t>unionforms</t>")
    os.mkfifo(add("fifo.xlsx", "IN-090", "a named pipe"))
    add("zero.xlsx", "IN-090", "a symlink to /dev/zero").symlink_to("/dev/zero")
    with add("huge.xlsx", "IN-091", "a 40 MB file (sparse)").open("wb") as sparse:
        sparse.truncate(40 * 1024 * 1024)
    _bomb(template, add("bomb-styles.xlsx", "IN-051", "200 MiB styles.xml"), "xl/styles.xml")
    _bomb(template, add("bomb-core.xlsx", "IN-051", "200 MiB docProps/core.xml"), "docProps/core.xml")
    _bomb(template, add("bomb-types.xlsx", "IN-051", "200 MiB [Content_Types].xml"), "[Content_Types].xml")
    _bomb(template, add("bomb-sheet.xlsx", "IN-051", "200 MiB worksheet"), "xl/worksheets/sheet1.xml")
    _lying(
        template,
        add(
            "lying-styles.xlsx", USABLE, "styles.xml inflates to 50 MiB, the directory says 100 B; never read"
        ),
        "xl/styles.xml",
    )
    _lying(
        template,
        add("lying-sheet.xlsx", "IN-028", "the sheet lies about its size"),
        "xl/worksheets/sheet1.xml",
    )
    xxe = b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    _edit(
        template,
        add("xxe.xlsx", "IN-054", "an external entity in workbook.xml"),
        "xl/workbook.xml",
        lambda b: _prolog(b, xxe),
    )
    laughs = b'<!DOCTYPE s [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    _edit(
        template,
        add("laughs.xlsx", "IN-054", "billion laughs in the worksheet"),
        sheet,
        lambda b: _prolog(b, laughs),
    )
    _edit(
        template,
        add("dtd-styles.xlsx", USABLE, "a DTD in styles.xml, a part never parsed when reading"),
        "xl/styles.xml",
        lambda b: _prolog(b, laughs),
    )
    raw = template.read_bytes()
    add("truncated.xlsx", "IN-024", "cut off half way").write_bytes(raw[: len(raw) // 2])
    add("magic.xlsx", "IN-023", "text named .xlsx").write_text("this is not a workbook")
    add("empty.xlsx", "IN-021", "an empty file").write_bytes(b"")
    add("pdf.xlsx", "IN-022", "a PDF named .xlsx").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    add("ole2.xls", "IN-020", "an OLE2 file (.xls or password-protected)").write_bytes(ole)
    add("ole2.xlsx", "IN-020", "an OLE2 file named .xlsx").write_bytes(ole)
    _zip(
        add("binary.xlsb", "IN-002", "an Excel binary workbook"),
        {"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x83\x01\x00"},
    )
    _zip(
        add("sheet.ods", "IN-027", "an OpenDocument spreadsheet"),
        {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"},
    )
    _zip(add("plain.xlsx", "IN-026", "a zip with no workbook"), {"a.txt": b"hello"})
    many = {f"m/{i}.txt": b"" for i in range(10_001)}
    _zip(add("many.xlsx", "IN-050", "10,001 members"), many, level=1)
    _edit(
        template,
        add("broken-xml.xlsx", "IN-028", "the worksheet is not well-formed XML"),
        "xl/worksheets/sheet1.xml",
        lambda b: b.replace(b"<sheetData>", b"<sheetData><row><c></row>", 1),
    )
    _edit(
        template,
        add("tampered-form.xlsx", "IN-035", "the form id in _unionforms changed to another form"),
        id_part,
        lambda b: b.replace(b">songwennuan-2017<", b">songwennuan-2014<"),
    )
    _edit(
        template,
        add("tampered-version.xlsx", "IN-035", "the definition version in _unionforms changed"),
        id_part,
        lambda b: re.sub(rb'(<c r="B3"[^>]*><is><t>)[^<]*(</t>)', rb"\g<1>97\2", b),
    )
    _edit(
        template,
        add("no-names.xlsx", USABLE, "every defined name deleted", "TPL-001"),
        "xl/workbook.xml",
        lambda b: (
            b.split(b"<definedNames>")[0] + b.split(b"</definedNames>")[1] if b"<definedNames>" in b else b
        ),
    )
    _edit(
        template,
        add("ref-names.xlsx", USABLE, "every field name turned into #REF!", "TPL-001"),
        "xl/workbook.xml",
        lambda b: _ref_names(b),
    )
    _edit(
        template,
        add("escape.xlsx", USABLE, "a control character in the unit (_x001B_)", "META-005"),
        sheet,
        lambda b: _replace_text(b, "乐山市总工会", b"_x001B_[2J"),
    )
    _edit(
        template,
        add("surrogate.xlsx", USABLE, "a lone surrogate escape (_xD800_) in the unit"),
        sheet,
        lambda b: _replace_text(b, "乐山市总工会", b"_xD800_"),
    )
    _edit(
        template,
        add("bad-number.xlsx", USABLE, "a 5,000-digit number in a count cell", "VAL-008"),
        "xl/worksheets/sheet1.xml",
        lambda b: b.replace(b"<v>5000</v>", b"<v>" + b"9" * 5000 + b"</v>", 1),
    )
    _edit(
        template,
        add("wrong-sheet.xlsx", "IN-036", "the names point at a sheet that was renamed"),
        "xl/workbook.xml",
        lambda b: b.replace(b'name="' + _sheet_name(b) + b'"', b'name="Sheet9"', 1),
    )
    return entries


def _replace_text(xml: bytes, text: str, new: bytes) -> bytes:
    """``xml`` with ``text`` replaced, however the writer spelled it (UTF-8 or character references)."""
    spellings = [text.encode(), "".join(f"&#{ord(c)};" for c in text).encode()]
    found = [s for s in spellings if s in xml]
    assert found, f"{text!r} is not in the part"
    return xml.replace(found[0], new)


def _prolog(xml: bytes, doctype: bytes) -> bytes:
    """``xml`` with ``doctype`` inserted before its root element (after a declaration, if any)."""
    if xml.startswith(b"<?xml"):
        head, rest = xml.split(b"?>", 1)
        return head + b"?>" + doctype + rest
    return doctype + xml


def _ref_names(workbook: bytes) -> bytes:
    return re.sub(rb"(<definedName name=\"F_[^\"]*\"[^>]*>)[^<]*(</definedName>)", rb"\1#REF!\2", workbook)


def _sheet_name(workbook: bytes) -> bytes:
    m = re.search(rb'<sheet [^>]*name="([^"]*)"', workbook)
    assert m
    return m.group(1)


def main() -> None:
    folder = Path(sys.argv[1])
    for entry in make(folder):
        print(f"{entry.name}\t{entry.expect}\t{entry.finding or ''}\t{entry.why}")


if __name__ == "__main__":
    main()
