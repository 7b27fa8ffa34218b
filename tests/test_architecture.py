"""The architecture holds: no import cycles, and data flows one way through the layers in pyproject.toml."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept() -> None:
    exe = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(exe), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout


def test_commands_that_write_nothing_never_import_openpyxl() -> None:
    code = (
        "import sys\n"
        "from unionforms.cli import main\n"
        "for argv in (['list'], ['show', 'bangfu-2016', '--json'], ['schema', 'bangfu-2013']):\n"
        "    main(argv)\n"
        "assert 'openpyxl' not in sys.modules, 'openpyxl was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
