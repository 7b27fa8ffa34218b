"""Names explain themselves and are unique across the package: no public class, type alias or function
name is defined at the top level of two modules, so that a name read anywhere means one thing (a CLI
command's function is ``<command>_command``, beside the library function it calls)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "unionforms"


def _is_type_alias(node: ast.stmt) -> str | None:
    """``Name = A | B`` at module level, with a CapWords name: a type alias."""
    if (
        isinstance(node, ast.Assign)
        and len(node.targets) == 1
        and isinstance(node.targets[0], ast.Name)
        and node.targets[0].id[:1].isupper()
        and not node.targets[0].id.isupper()
        and isinstance(node.value, ast.BinOp)
        and isinstance(node.value.op, ast.BitOr)
    ):
        return node.targets[0].id
    return None


def defined_twice(root: Path) -> dict[str, list[str]]:
    """Each public class, type alias or function name defined at the top level of more than one module
    under ``root``, with those modules."""
    where: dict[str, list[str]] = defaultdict(list)
    for path in sorted(root.rglob("*.py")):
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                name: str | None = node.name
            else:
                name = _is_type_alias(node)
            if name is not None and not name.startswith("_"):
                where[name].append(str(path.relative_to(root)))
    return {name: modules for name, modules in where.items() if len(modules) > 1}


def test_no_public_name_is_defined_in_two_modules() -> None:
    assert defined_twice(SRC) == {}


def test_a_name_defined_in_two_modules_is_found(tmp_path: Path) -> None:
    values = "class Problem:\n    pass\n\n\nCell = int | str\n\n\ndef load() -> None:\n    pass\n"
    (tmp_path / "values.py").write_text(values, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "check.py").write_text(
        "class Problem:\n    pass\n\n\nclass _Private:\n    pass\n\n\nCell = str | None\nLIMIT = 1 | 2\n",
        encoding="utf-8",
    )
    other = "class _Private:\n    pass\n\n\ndef load() -> None:\n    pass\n"
    (tmp_path / "other.py").write_text(other, encoding="utf-8")
    assert defined_twice(tmp_path) == {
        "Problem": ["sub/check.py", "values.py"],
        "Cell": ["sub/check.py", "values.py"],
        "load": ["other.py", "values.py"],
    }
