import shutil
import tempfile

import pytest
from django.conf import settings


def pytest_configure(config):
    """Give each test process its own temporary folder.

    Whoosh's in-memory index still writes merge files to <tmp>/MAIN.tmp; two pytest-xdist
    workers sharing that folder delete each other's files.
    """
    config._coop_tempdir = tempfile.mkdtemp(prefix="coopsociety-tests-")
    tempfile.tempdir = config._coop_tempdir


def pytest_unconfigure(config):
    shutil.rmtree(getattr(config, "_coop_tempdir", ""), ignore_errors=True)


@pytest.fixture(autouse=True)
def _isolated_media(tmp_path, settings):
    """Uploaded and generated files go to a per-test folder that is removed afterwards."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    shutil.rmtree(tmp_path / "media", ignore_errors=True)


@pytest.fixture(autouse=True)
def _empty_search_index():
    """Each test starts with an empty in-memory index: rows of earlier tests are gone
    from the database, and their documents must not be found either."""
    from haystack import connections

    connections["default"].get_backend().clear()
    yield


@pytest.fixture(autouse=True)
def _empty_cache():
    from django.core.cache import cache

    from shop.page_cache import clear_process_memory

    cache.clear()
    clear_process_memory()
    yield
    cache.clear()
    clear_process_memory()


@pytest.fixture(autouse=True)
def _greek_by_default():
    """Each test starts in Greek: a request to an /en/ page leaves English active."""
    from django.utils import translation

    with translation.override(settings.LANGUAGE_CODE):
        yield


# Migrations that seed rows every test may rely on, with their seeding function.
SEEDING_MIGRATIONS = [
    ("catalogue_ext.migrations.0035_seed_certifications", "seed", "catalogue.Certification"),
    ("mentors.migrations.0002_seed_themes", "seed_themes", "mentors.Theme"),
]


@pytest.fixture(autouse=True)
def _seeded_rows(request):
    """Some rows are seeded by migrations (certifications, the MENTORS themes); a
    transactional test (browser and concurrency tests) flushes every table afterwards,
    seeded rows included, so put them back for the tests after it on the same worker."""
    marker = request.node.get_closest_marker("django_db")
    if marker is None:
        return
    transactional = marker.kwargs.get("transaction", False)
    request.getfixturevalue("transactional_db" if transactional else "db")
    import importlib

    from django.apps import apps

    for module_name, function_name, model_label in SEEDING_MIGRATIONS:
        if not apps.get_model(model_label).objects.exists():
            getattr(importlib.import_module(module_name), function_name)(apps, None)
