"""Shared fixtures: a local HTTP server, isolated data and model folders."""
import pytest

from tests.httpserver import LocalServer


@pytest.fixture
def http_server():
    with LocalServer() as server:
        yield server


@pytest.fixture(autouse=True)
def _isolated_paths(settings, tmp_path):
    """No test reads or writes the developer's data/ or model/ folders."""
    settings.DATA_DIR = tmp_path / "data"
    settings.RE_SYS_MODEL_DIR = tmp_path / "model"
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Cached aggregates, API answers and sign-in counts never leak from one test into the next."""
    from django.core.cache import caches

    for cache in caches.all(initialized_only=True):
        cache.clear()
    yield
    for cache in caches.all(initialized_only=True):
        cache.clear()
