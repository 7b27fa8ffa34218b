"""Nothing shipped is there only for the tests: vulture over src/ alone (with ``[tool.vulture]`` of
pyproject.toml and its whitelist of names that frameworks use) finds no unused code."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_vulture_finds_no_dead_code_in_src() -> None:
    exe = Path(sys.executable).with_name("vulture")
    result = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, check=False, timeout=300)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert result.stdout == ""


def test_vulture_would_find_a_function_only_a_test_calls(tmp_path: Path) -> None:
    """The check can fail: a shipped function that nothing in src/ calls is reported."""
    shipped = "def used() -> int:\n    return 1\n\n\ndef only_tests_call_me() -> int:\n    return 2\n"
    (tmp_path / "shipped.py").write_text(shipped)
    (tmp_path / "main.py").write_text("from shipped import used\n\nprint(used())\n")
    exe = Path(sys.executable).with_name("vulture")
    result = subprocess.run(
        [str(exe), str(tmp_path)], capture_output=True, text=True, check=False, timeout=300
    )
    assert result.returncode == 3 and "only_tests_call_me" in result.stdout and "'used'" not in result.stdout
