"""Find forms through entry points: built-in and third-party plugins load by the same path.

A plugin that cannot be imported, raises, or returns something unusable is recorded as a problem;
the other plugins still load.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Iterator

import attrs
import pluggy

from . import hookspecs
from .errors import InputError, PluginError, UnionformsError
from .model import Form


@attrs.frozen
class Plugin:
    """A loaded plugin: its entry-point name and the module (or object) holding its hooks."""

    name: str
    obj: object


@attrs.define
class Registry:
    """The registered forms by id, the plugin manager, and every problem met while loading."""

    manager: pluggy.PluginManager
    forms: dict[str, Form] = attrs.field(factory=dict)
    problems: list[PluginError] = attrs.field(factory=list)

    @classmethod
    def from_entry_points(cls, group: str = hookspecs.ENTRY_POINT_GROUP) -> Registry:
        """Load every plugin advertised under ``group`` in the installed distributions."""
        registry = cls(_manager())
        for ep in sorted(importlib.metadata.entry_points(group=group), key=lambda e: e.name):
            try:
                obj = ep.load()
            except Exception as exc:  # a broken plugin must not stop the others
                registry.problems.append(
                    PluginError("PLUG-001", plugin=ep.name, target=ep.value, detail=_detail(exc))
                )
                continue
            registry.add(Plugin(ep.name, obj))
        return registry

    @classmethod
    def from_plugins(cls, plugins: Iterable[Plugin]) -> Registry:
        """A registry of the given plugin objects only (for tests and embedding)."""
        registry = cls(_manager())
        for plugin in plugins:
            registry.add(plugin)
        return registry

    def add(self, plugin: Plugin) -> None:
        """Register one plugin and collect the forms it provides."""
        try:
            self.manager.register(plugin.obj, name=plugin.name)
        except (ValueError, pluggy.PluginValidationError) as exc:
            self.problems.append(PluginError("PLUG-004", plugin=plugin.name, detail=_detail(exc)))
            return
        if not self.manager.get_hookcallers(plugin.obj):
            self.manager.unregister(plugin.obj)
            self.problems.append(PluginError("PLUG-005", plugin=plugin.name))
            return
        # Call this plugin's hook alone, through pluggy, so that a failure is charged to the right plugin.
        others = [p for p in self.manager.get_plugins() if p is not plugin.obj]
        only_this = self.manager.subset_hook_caller("unionforms_forms", remove_plugins=others)
        try:
            results = only_this() if only_this.get_hookimpls() else []
        except UnionformsError as exc:
            inner = exc.text().replace("\n", " ")
            self.problems.append(
                PluginError("PLUG-006", plugin=plugin.name, inner=inner, form=exc.form, rule=exc.rule)
            )
            return
        except Exception as exc:
            self.problems.append(PluginError("PLUG-002", plugin=plugin.name, detail=_detail(exc)))
            return
        for forms in results:
            if not isinstance(forms, (list, tuple)) or not all(isinstance(f, Form) for f in forms):
                self.problems.append(PluginError("PLUG-007", plugin=plugin.name, type=type(forms).__name__))
                return
        for form in (f for forms in results for f in forms):
            if form.id in self.forms:
                self.problems.append(PluginError("PLUG-003", plugin=plugin.name, form=form.id))
                continue
            self.forms[form.id] = form

    def get(self, form_id: str) -> Form:
        """The form with that id; InputError (IN-003) naming the known ids otherwise."""
        try:
            return self.forms[form_id]
        except KeyError:
            known = ", ".join(sorted(self.forms)) or "—"
            raise InputError("IN-003", form_id=form_id, known=known) from None

    def __iter__(self) -> Iterator[Form]:
        return iter(sorted(self.forms.values(), key=lambda f: (f.family, f.year, f.id)))


def _detail(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _manager() -> pluggy.PluginManager:
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    """The registry of installed plugins, loaded once per process."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Registry.from_entry_points()
    return _DEFAULT
