"""Find forms through entry points: built-in and third-party plugins load by the same path.

A plugin that cannot be imported, raises, or returns something unusable is recorded as a problem;
the other plugins still load. :func:`default_registry` keeps the forms of a load that met no problem on
disk (:mod:`unionforms.plugins.registry_cache`) and takes them from there while nothing they came from
changed; the plugins are then loaded only when one of their other hooks is needed (:attr:`Registry.manager`).
"""

from __future__ import annotations

import os
import pickle
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING

import attrs

from unionforms.core.errors import InputError, PluginError, UnionformsError, tracing
from unionforms.core.model import Form

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
    #: Whether a plugin implements ``unionforms_adjust_template``, as the cache recorded it (None: ask the
    #: manager), so that reading a template checks the hooks without loading plugins that have none.
    _adjusting: bool | None = None

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

    @property
    def adjusts_templates(self) -> bool:
        """Whether any plugin implements ``unionforms_adjust_template`` (known from the cache while it
        is up to date, without loading the plugins)."""
        if self._manager is None and self._adjusting is not None:
            return self._adjusting
        return bool(self.manager.hook.unionforms_adjust_template.get_hookimpls())

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
        only_this = self._alone(plugin.obj, "unionforms_forms")
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

    def call_each(self, hook: str, **kwargs: object) -> Iterator[tuple[str, list[object]]]:
        """Call ``hook`` one plugin at a time, through pluggy and in its order: each implementing plugin's
        name and what its implementation returned (pluggy leaves out ``None``), so that a failure is
        charged to the right plugin. One that raises is PluginError PLUG-010 naming plugin and hook, the
        exception its cause."""
        for impl in reversed(getattr(self.manager.hook, hook).get_hookimpls()):  # pluggy calls the last first
            plugin, name = impl.plugin, impl.plugin_name
            try:
                results = self._alone(plugin, hook)(**kwargs)
            except Exception as exc:  # whatever the plugin raised, ours included: the plugin is at fault
                detail = _detail(exc, home=_home(plugin))
                raise PluginError("PLUG-010", plugin=name, hook=hook, detail=detail) from exc
            yield name, list(results)

    def _alone(self, plugin: object, hook: str) -> pluggy.HookCaller:
        """``hook`` of ``plugin`` alone, called through pluggy, so that a failure is charged to it."""
        others = [p for p in self.manager.get_plugins() if p is not plugin]
        return self.manager.subset_hook_caller(hook, remove_plugins=others)

    def get(self, form_id: str) -> Form:
        """The form with that id; InputError (IN-003) naming the known ids otherwise."""
        try:
            return self.forms[form_id]
        except KeyError:
            known = ", ".join(sorted(self.forms)) or "—"
            raise InputError("IN-003", form_id=form_id, known=known) from None

    def __iter__(self) -> Iterator[Form]:
        return iter(sorted(self.forms.values(), key=lambda f: (f.family, f.year, f.id)))


def _detail(exc: BaseException, home: str | None = None) -> str:
    """A plugin's exception as its author needs it: type, text and the line it came from (the last one
    in the plugin's own file ``home``, when known); the whole traceback when :func:`tracing`."""
    import traceback

    if tracing():
        return "".join(traceback.format_exception(exc)).rstrip()
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if home is not None and os.path.abspath(f.filename) == home]
    # else the last line outside unionforms and pluggy: where the plugin called into what then raised
    library = tuple(
        os.path.dirname(p) + os.sep for p in (os.path.dirname(os.path.abspath(__file__)), _pluggy_file())
    )
    theirs = [f for f in frames if not os.path.abspath(f.filename).startswith(library)]
    last = (own or theirs or frames)[-1:] or None
    where = f" ({last[0].filename}:{last[0].lineno}, in {last[0].name})" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"


def _pluggy_file() -> str:
    """Where pluggy is installed (its frames are not the plugin's)."""
    import pluggy

    return os.path.abspath(pluggy.__file__ or "")


def _home(plugin: object) -> str | None:
    """The file of a plugin's code (a module, or the module of an object's class), if it has one."""
    module = plugin if isinstance(plugin, types.ModuleType) else sys.modules.get(type(plugin).__module__)
    file = getattr(module, "__file__", None)
    return os.path.abspath(file) if isinstance(file, str) else None


def _manager() -> pluggy.PluginManager:
    import pluggy

    from unionforms.plugins import hookspecs

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


#: The cache's mark (never a form id) that a plugin implements ``unionforms_adjust_template``.
ADJUSTING = "\x00adjusts_templates"


def _cached(cls: type[Registry], group: str) -> Registry:
    """The registry of ``group`` from the cache if it is up to date; else loaded, and cached if clean."""
    from unionforms.plugins import registry_cache

    pickled = registry_cache.load_cached(group)
    if pickled is not None:
        adjusting = ADJUSTING in pickled
        forms = {k: v for k, v in pickled.items() if k != ADJUSTING}
        lazy = _CachedForms(forms, lambda: _load_and_keep(cls, group).forms)
        return cls(None, lazy, group=group, adjusting=adjusting)
    return _load_and_keep(cls, group)


def _load_and_keep(cls: type[Registry], group: str) -> Registry:
    """The registry of ``group`` loaded from the plugins, and kept in the cache if the load was clean."""
    from unionforms.plugins import registry_cache

    with registry_cache.recording() as touched:
        registry = cls.from_entry_points(group)
    if not registry.problems and touched.complete:
        names = [
            p.__name__ if isinstance(p, types.ModuleType) else getattr(p, "__module__", "")
            for p in registry.manager.get_plugins()
        ]
        files = [getattr(sys.modules.get(name), "__file__", None) for name in names]
        if all(files):  # every plugin's own code is a file whose changes can be seen
            marks = [ADJUSTING] if registry.adjusts_templates else []
            registry_cache.save(
                group, registry.forms, touched.paths, also=[f for f in files if f], marks=marks
            )
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
