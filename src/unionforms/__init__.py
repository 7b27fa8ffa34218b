"""unionforms: statistical report forms of Chinese trade unions — define, fill, read, check, add up.

The names below are imported when first used (:pep:`562`), not when the package is: a command that
only lists the forms must not pay for the rule evaluator, and ``import unionforms.core.catalogue`` must not
import the whole library.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from unionforms.authoring.mapping import FormMapping
    from unionforms.core.errors import (
        CATALOGUE,
        DefinitionError,
        InputError,
        PluginError,
        RuleSyntaxError,
        UnionformsError,
    )
    from unionforms.core.evaluate import Outcome, Status, evaluate
    from unionforms.core.findings import Finding, Severity, Tally
    from unionforms.core.model import Field, Form, Header, Line, Notes, Row
    from unionforms.core.report import Meta, ReadResult, Report, Source
    from unionforms.core.rules import Missing, Rule
    from unionforms.core.units import UNITS, Kind
    from unionforms.core.validate import check_read, check_rules, typed_values, validate
    from unionforms.io.frames import to_frame
    from unionforms.plugins.hookspecs import hookimpl
    from unionforms.plugins.registry import Registry, default_registry

#: Public name -> the module that defines it.
_WHERE = {
    **dict.fromkeys(
        ("CATALOGUE", "DefinitionError", "InputError", "PluginError", "RuleSyntaxError", "UnionformsError"),
        "core.errors",
    ),
    **dict.fromkeys(("Outcome", "Status", "evaluate"), "core.evaluate"),
    **dict.fromkeys(("Finding", "Severity", "Tally"), "core.findings"),
    "hookimpl": "plugins.hookspecs",
    "to_frame": "io.frames",
    "FormMapping": "authoring.mapping",
    **dict.fromkeys(("Field", "Form", "Header", "Line", "Notes", "Row"), "core.model"),
    **dict.fromkeys(("Registry", "default_registry"), "plugins.registry"),
    **dict.fromkeys(("Meta", "ReadResult", "Report", "Source"), "core.report"),
    **dict.fromkeys(("Missing", "Rule"), "core.rules"),
    **dict.fromkeys(("UNITS", "Kind"), "core.units"),
    **dict.fromkeys(("check_read", "check_rules", "typed_values", "validate"), "core.validate"),
}

__all__ = [
    "CATALOGUE",
    "UNITS",
    "DefinitionError",
    "Field",
    "Finding",
    "Form",
    "FormMapping",
    "Header",
    "InputError",
    "Kind",
    "Line",
    "Meta",
    "Missing",
    "Notes",
    "Outcome",
    "PluginError",
    "ReadResult",
    "Registry",
    "Report",
    "Row",
    "Rule",
    "RuleSyntaxError",
    "Severity",
    "Source",
    "Status",
    "Tally",
    "UnionformsError",
    "check_read",
    "check_rules",
    "default_registry",
    "evaluate",
    "hookimpl",
    "to_frame",
    "typed_values",
    "validate",
]


def __getattr__(name: str) -> object:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # later lookups are plain attribute reads
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


#: Modules that moved into the sub-packages (0.2): old dotted path -> new. Importing an old path still
#: works, through :class:`_Moved`, with a DeprecationWarning naming the new one.
MOVED = {
    f"{__name__}.{name}": f"{__name__}.{package}.{name}"
    for package, names in {
        "core": (
            "catalogue", "completeness", "describe", "display", "errors", "evaluate", "findings", "inputs",
            "model", "outputs", "portable", "report", "rules", "textsafe", "units", "validate", "values",
        ),
        "plugins": ("hookspecs", "registry", "registry_cache"),
        "collect": (
            "aggregate", "annotate", "batch", "current", "export", "progress", "roster", "totals", "workers",
        ),
        "authoring": ("compare", "diff", "mapping", "scaffold"),
    }.items()
    for name in names
}  # fmt: skip
MOVED[f"{__name__}.check"] = f"{__name__}.authoring.definition_check"  # and renamed: one "check" fewer


class _Moved:
    """The import system's finder and loader for :data:`MOVED`: an old path gives the module at the new."""

    @classmethod
    def find_spec(
        cls, name: str, path: object = None, target: object = None
    ) -> importlib.machinery.ModuleSpec | None:
        if name not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(name, cls)  # type: ignore[arg-type]

    @staticmethod
    def create_module(spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        import warnings

        new = MOVED[spec.name]
        warnings.warn(
            f"{spec.name} 已移至 {new}，请改为 import {new} / "
            f"{spec.name} moved to {new}; the old path will be removed",
            DeprecationWarning,
            stacklevel=2,
        )
        module = importlib.import_module(new)
        module.__dict__.setdefault("__moved_spec__", module.__spec__)
        return module

    @staticmethod
    def exec_module(module: types.ModuleType) -> None:
        module.__spec__ = module.__dict__[
            "__moved_spec__"
        ]  # the import system set the old path's; keep the real


sys.meta_path.append(_Moved)


class _Package(types.ModuleType):
    """``validate`` and ``evaluate`` name both a module and its function; the package exports the function.

    Importing the old path ``unionforms.validate`` (see :data:`MOVED`) makes the import system set the
    package's attribute to the module; this keeps the function there instead.
    """

    def __setattr__(self, name: str, value: object) -> None:
        if name in ("validate", "evaluate") and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
