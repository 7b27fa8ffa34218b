"""Shared fixtures: the registry of installed forms, loaded through entry points as users get it."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, settings

from unionforms import Form, Registry, default_registry

# Generated reports are large; timing varies on CI machines, so no per-example deadline.
settings.register_profile("unionforms", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("unionforms")

FORM_IDS = ["songwennuan-2014", "songwennuan-2017", "bangfu-2013", "bangfu-2016"]


@pytest.fixture(scope="session")
def registry() -> Registry:
    return default_registry()


@pytest.fixture(params=FORM_IDS, scope="session")
def form(request: pytest.FixtureRequest, registry: Registry) -> Form:
    return registry.get(request.param)
