"""The extension points. A plugin implements any of these with ``@unionforms.hookimpl``.

A plugin is a module named by an entry point in the group ``unionforms`` (see ``specs/plugins.md``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from unionforms.authoring.mapping import FormMapping
    from unionforms.core.model import Form
    from unionforms.excel.layout import SheetLayout

PROJECT = "unionforms"
ENTRY_POINT_GROUP = "unionforms"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def unionforms_forms() -> list[Form]:  # type: ignore[empty-body]
    """Return the form definitions this plugin provides (a list of :class:`~unionforms.Form`).

    Called once per plugin, through pluggy, when the registry loads; a plugin that raises or returns
    anything else is reported as PLUG-002 and the other plugins still load.
    """


@hookspec
def unionforms_adjust_template(form: Form, workbook: Workbook, sheet: Worksheet, layout: SheetLayout) -> None:
    """Adjust a generated Excel template of ``form`` in place (widths, page breaks, an extra note).

    Called one plugin at a time through pluggy (:meth:`~unionforms.plugins.registry.Registry.call_each`) after
    the template is built and before it is saved; ``layout`` says where every row and cell stands. Each
    call is checked (:mod:`unionforms.excel.adjust`): a name or input cell moved is PLUG-012, an input
    cell, the sheet's name or the ``_unionforms`` sheet changed PLUG-013, an exception PLUG-010, a
    return value PLUG-011. Returns nothing.
    """


@hookspec
def unionforms_mappings() -> list[FormMapping]:  # type: ignore[empty-body]
    """Return the cross-year mappings this plugin declares: how its forms' codes map to earlier forms.

    Usually one ``FormMapping.from_toml(files(__name__) / "mapping.toml")`` (``specs/mapping.md``).
    Called when a mapping is looked up, not when the registry loads.
    """
