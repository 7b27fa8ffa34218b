"""The plugins' ``unionforms_adjust_template``, called one plugin at a time and checked after each.

The reader finds every value by a defined name (``specs/excel-template.md`` §3), and openpyxl moves cells
without moving the names that point at them: a hook that inserts a row makes a template whose 地市级 figure
reads back as 县级. So after each plugin's hook, every name must still point where the layout put it, the
cell there must be the one the writer made (not one moved in from another row), every input cell must
keep its value and locking, and the form sheet's name and the ``_unionforms`` sheet must be unchanged;
otherwise the template is refused with a PLUG error naming the plugin and what moved (which also keeps the
fingerprint, computed afterwards from the names, that of the layout). A hook that raises is PLUG-010, one
that returns a value PLUG-011 (:meth:`unionforms.plugins.registry.Registry.call_each`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import attrs

from unionforms.core.errors import PluginError
from unionforms.excel.contract import ID_SHEET

if TYPE_CHECKING:
    from openpyxl.cell.cell import Cell
    from openpyxl.workbook.workbook import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

    from unionforms.core.model import Form
    from unionforms.excel.layout import SheetLayout
    from unionforms.plugins.registry import Registry

HOOK = "unionforms_adjust_template"


@attrs.frozen
class _Before:
    """The template as the writer left it: every defined name's target, the input cells (the objects
    themselves, with value and locking), the sheet's name and the identity sheet's values."""

    names: dict[str, str]
    inputs: dict[str, tuple[str, Cell, object, bool]]  # name -> (ref, cell, value, locked)
    title: str
    identity: tuple[tuple[object, ...], ...]


def adjust(registry: Registry, form: Form, wb: Workbook, ws: Worksheet, layout: SheetLayout) -> None:
    """Run every plugin's ``unionforms_adjust_template`` on the built template, checking after each."""
    before = _snapshot(wb, ws)
    for plugin, results in registry.call_each(HOOK, form=form, workbook=wb, sheet=ws, layout=layout):
        if results:
            raise PluginError(
                "PLUG-011", plugin=plugin, hook=HOOK, type=type(results[0]).__name__, form=form.id
            )
        _check(before, plugin, form, wb, ws)


def _ref(attr_text: object) -> str:
    return str(attr_text).rpartition("!")[2].replace("$", "")


def _identity(wb: Workbook) -> tuple[tuple[object, ...], ...]:
    if ID_SHEET not in wb.sheetnames:
        return ()
    ws = wb[ID_SHEET]
    return (ws.sheet_state, *ws.iter_rows(values_only=True))


def _snapshot(wb: Workbook, ws: Worksheet) -> _Before:
    names = {name: str(d.attr_text) for name, d in wb.defined_names.items()}
    inputs = {}
    for name, text in names.items():
        sheet, _, ref = text.rpartition("!")
        if sheet.strip("'").replace("''", "'") == ws.title and ":" not in ref:
            cell = ws[_ref(ref)]
            inputs[name] = (_ref(ref), cell, cell.value, bool(cell.protection.locked))
    return _Before(names, inputs, ws.title, _identity(wb))


def _check(before: _Before, plugin: str, form: Form, wb: Workbook, ws: Worksheet) -> None:
    """PLUG-012 naming the first name or cell that moved, PLUG-013 what was changed; nothing if all hold."""
    if ws.title != before.title:
        raise PluginError("PLUG-013", plugin=plugin, name=before.title, form=form.id)
    if _identity(wb) != before.identity:
        raise PluginError("PLUG-013", plugin=plugin, name=ID_SHEET, form=form.id)
    for name, text in before.names.items():  # in the writer's order: fields first
        now = wb.defined_names.get(name)
        if now is None or str(now.attr_text) != text:
            found = "（已删除 deleted）" if now is None else _ref(now.attr_text)
            raise PluginError(
                "PLUG-012", plugin=plugin, name=name, expected=_ref(text), found=found, form=form.id
            )
    for name, (ref, cell, value, locked) in before.inputs.items():
        if ws[ref] is not cell:  # openpyxl moved the cell object (insert, delete, move_range) away
            gone = ws.cell(row=cell.row, column=cell.column) is not cell
            found = "（已删除 deleted）" if gone else cell.coordinate
            raise PluginError("PLUG-012", plugin=plugin, name=name, expected=ref, found=found, form=form.id)
        if cell.value != value or bool(cell.protection.locked) != locked:
            raise PluginError("PLUG-013", plugin=plugin, name=f"{name} ({ref})", form=form.id)
