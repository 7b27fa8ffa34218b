"""A real filler: LibreOffice, driven through UNO, types into a template and saves it as .xlsx.

Run with Debian's /usr/bin/python3 (which has python3-uno), not the project's venv:
    python3 uno_filler.py TEMPLATE.xlsx OUT.xlsx INPUT.json PROFILE_DIR
INPUT.json: {"sheet": name, "cells": [[ref, typed text], ...]}. Each text is entered as a filler types it
(setFormula: numbers become numbers, other text stays text).
"""

import contextlib
import json
import subprocess
import sys
import time
import uuid
from typing import Any

import uno
from com.sun.star.beans import PropertyValue


def prop(name: str, value: object) -> Any:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main() -> None:
    src, dst, spec, profile = sys.argv[1:5]
    with open(spec, encoding="utf-8") as fh:
        data = json.load(fh)
    pipe = "uf" + uuid.uuid4().hex
    office = subprocess.Popen(
        [
            "soffice",
            "-env:UserInstallation=file://" + profile,
            "--headless",
            "--norestore",
            "--nologo",
            f"--accept=pipe,name={pipe};urp;",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.time() + 60
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if time.time() > deadline:
                    raise
                time.sleep(0.3)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(src), "_blank", 0, (prop("Hidden", True),))
        sheet = doc.Sheets.getByName(data["sheet"])
        for ref, text in data["cells"]:
            sheet.getCellRangeByName(ref).setFormula(text)
        doc.storeToURL(uno.systemPathToFileUrl(dst), (prop("FilterName", "Calc MS Excel 2007 XML"),))
        doc.close(True)
        with contextlib.suppress(Exception):  # it may close the bridge before answering
            desktop.terminate()
    finally:
        try:
            office.wait(timeout=30)
        except subprocess.TimeoutExpired:
            office.kill()


if __name__ == "__main__":
    main()
