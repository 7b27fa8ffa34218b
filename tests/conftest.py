"""Shared fixtures: the registry of installed forms, loaded through entry points as users get it."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from unionforms import Form, Registry, default_registry

# The registry cache of this run (and of the commands it starts) in a folder of its own, not the user's.
_CACHE = tempfile.mkdtemp(prefix="unionforms-test-cache-")
os.environ["UNIONFORMS_CACHE_DIR"] = _CACHE
atexit.register(shutil.rmtree, _CACHE, True)

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


#: ``../shared`` beside the clone: the printed notices (seeds) and the OOXML schemas. Tests that compare
#: with them skip, saying why, on a clone that has no ``../shared``.
SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The printed notices the four forms come from, as one text."""
    seeds = sorted((SHARED / "seeds").glob("*.txt"))
    if not seeds:
        pytest.skip(f"no printed notices at {SHARED / 'seeds'}: clone with ../shared beside it to compare")
    return "".join(p.read_text(encoding="utf-8") for p in seeds)
