"""The extension points. A plugin implements any of these with ``@unionforms.hookimpl``.

A plugin is a module named by an entry point in the group ``unionforms`` (see ``specs/plugins.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from .model import Form

PROJECT = "unionforms"
ENTRY_POINT_GROUP = "unionforms"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def unionforms_forms() -> list[Form]:  # type: ignore[empty-body]
    """Return the form definitions this plugin provides."""


@hookspec
def unionforms_adjust_template(form: Form, workbook: Any, sheet: Any, layout: Any) -> None:
    """Adjust a generated Excel template of ``form`` in place (widths, page breaks, an extra note)."""
