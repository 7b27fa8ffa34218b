"""Plugin: the bangfu-2016 form (form.toml) and its mapping from bangfu-2013 (mapping.toml)."""

from importlib.resources import files

from unionforms import Form, FormMapping, hookimpl


@hookimpl
def unionforms_forms() -> list[Form]:
    return [Form.from_toml(files(__name__) / "form.toml")]


@hookimpl
def unionforms_mappings() -> list[FormMapping]:
    return [FormMapping.from_toml(files(__name__) / "mapping.toml")]
