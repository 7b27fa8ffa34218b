"""Plugin: the bangfu-2016 form, defined in form.toml beside this module."""

from importlib.resources import files

from unionforms import Form, hookimpl


@hookimpl
def unionforms_forms() -> list[Form]:
    return [Form.from_toml(files(__name__) / "form.toml")]
