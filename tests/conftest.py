"""Shared fixtures: the registry of installed forms, loaded through entry points as users get it."""

from __future__ import annotations

import pytest

from unionforms import Form, Registry, default_registry

FORM_IDS = ["songwennuan-2014", "songwennuan-2017", "bangfu-2013", "bangfu-2016"]


@pytest.fixture(scope="session")
def registry() -> Registry:
    return default_registry()


@pytest.fixture(params=FORM_IDS)
def form(request: pytest.FixtureRequest, registry: Registry) -> Form:
    return registry.get(request.param)
