"""Find forms through entry points: built-in and third-party plugins load by the same path.

A plugin that cannot be imported, raises, or returns something unusable is recorded as a problem;
the other plugins still load. :func:`default_registry` keeps the forms of a load that met no problem on
disk (:mod:`unionforms.registry_cache`) and takes them from there while nothing they came from changed;
the plugins are then loaded only when one of their other hooks is needed (:attr:`Registry.manager`).
"""

from __future__ import annotations

import pickle
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

import attrs

from .errors import InputError, PluginError, UnionformsError
from .model import Form

if TYPE_CHECKING:
    import pluggy

#: The entry-point group of form plugins: ``hookspecs.ENTRY_POINT_GROUP``, named here so that a registry
#: taken from the cache never imports pluggy.
DEFAULT_GROUP = "unionforms"


@attrs.frozen
class Plugin:
    """A loaded plugin: its entry-point name and the module (or object) holding its hooks."""

    name: str
    obj: object


@attrs.define
class Registry:
    """The registered forms by id, the plugin manager, and every problem met while loading.

    A registry made from the cache has its forms but no manager yet: :attr:`manager` loads the plugins
    of ``group`` when first asked for (to call a hook other than ``unionforms_forms``).
    """

    _manager: pluggy.PluginManager | None
    forms: Mapping[str, Form] = attrs.field(factory=dict)
    problems: list[PluginError] = attrs.field(factory=list)
    group: str | None = None

    def __reduce__(self) -> tuple[Callable[[str], Registry], tuple[str]]:
        """A registry travels to a spawned worker (no ``fork``: Windows) as its entry-point group, which
        the worker loads itself, from the cache as here; one made of given plugins cannot travel."""
        if self.group is None:
            raise TypeError("a registry of given plugins cannot be sent to another process")
        return _of_group, (self.group,)

    @property
    def manager(self) -> pluggy.PluginManager:
        """The plugin manager holding every loaded plugin, for calling their hooks."""
        if self._manager is None:
            loaded = Registry.from_entry_points(self.group)
            self._manager = loaded.manager
            self.problems.extend(loaded.problems)
        return self._manager

    @classmethod
    def from_entry_points(cls, group: str | None = None, *, cache: bool = False) -> Registry:
        """Load every plugin advertised under ``group`` (default ``unionforms``) in the installed
        distributions. With ``cache``, take the forms from the on-disk cache while it is up to date, and
        keep them there after a load without problems."""
        group = group or DEFAULT_GROUP
        if cache:
            return _cached(cls, group)
        import importlib.metadata

        registry = cls(_manager(), group=group)
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
        import pluggy

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
        known = self.forms if isinstance(self.forms, dict) else dict(self.forms)
        for form in (f for forms in results for f in forms):
            if form.id in known:
                self.problems.append(PluginError("PLUG-003", plugin=plugin.name, form=form.id))
                continue
            known[form.id] = form
        self.forms = known

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
    import pluggy

    from . import hookspecs

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return pm


class _CachedForms(Mapping[str, Form]):
    """The forms of the cache by id, each unpickled when first asked for: a command on one form does
    not pay for the others.

    An entry that does not unpickle to the form of its id (the recorded signatures leave no way for
    that but a damaged file) is taken from ``reload()``, a load from the plugins, instead.
    """

    def __init__(self, pickled: Mapping[str, bytes], reload: Callable[[], Mapping[str, Form]]) -> None:
        self._pickled = pickled
        self._forms: dict[str, Form] = {}
        self._reload = reload
        self._reloaded: Mapping[str, Form] | None = None

    def __getitem__(self, form_id: str) -> Form:
        form = self._forms.get(form_id)
        if form is None:
            data = self._pickled[form_id]  # KeyError: no such form
            try:
                form = pickle.loads(data)
            except Exception:
                form = None
            if not (isinstance(form, Form) and form.id == form_id):
                if self._reloaded is None:
                    self._reloaded = self._reload()
                form = self._reloaded[form_id]
            self._forms[form_id] = form
        return form

    def __iter__(self) -> Iterator[str]:
        return iter(self._pickled)

    def __len__(self) -> int:
        return len(self._pickled)


def _cached(cls: type[Registry], group: str) -> Registry:
    """The registry of ``group`` from the cache if it is up to date; else loaded, and cached if clean."""
    from . import registry_cache

    pickled = registry_cache.load_cached(group)
    if pickled is not None:
        return cls(None, _CachedForms(pickled, lambda: _load_and_keep(cls, group).forms), group=group)
    return _load_and_keep(cls, group)


def _load_and_keep(cls: type[Registry], group: str) -> Registry:
    """The registry of ``group`` loaded from the plugins, and kept in the cache if the load was clean."""
    from . import registry_cache

    with registry_cache.recording() as touched:
        registry = cls.from_entry_points(group)
    if not registry.problems and touched.complete:
        names = [
            p.__name__ if isinstance(p, types.ModuleType) else getattr(p, "__module__", "")
            for p in registry.manager.get_plugins()
        ]
        files = [getattr(sys.modules.get(name), "__file__", None) for name in names]
        if all(files):  # every plugin's own code is a file whose changes can be seen
            registry_cache.save(group, registry.forms, touched.paths, also=[f for f in files if f])
    return registry


_DEFAULT: Registry | None = None


def _of_group(group: str) -> Registry:
    """The registry of ``group`` in this process (the default one for the default group)."""
    return default_registry() if group == DEFAULT_GROUP else Registry.from_entry_points(group, cache=True)


def default_registry() -> Registry:
    """The registry of installed plugins, loaded once per process, from the cache when it is up to date."""
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Registry.from_entry_points(cache=True)
    return _DEFAULT
