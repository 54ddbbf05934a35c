"""Browser tests: Playwright driving the system Chromium against a live test server.

CI installs Debian's `chromium` (see .ci/run). On a machine without it these tests are
skipped with the reason printed, except under CI, where a missing browser fails.
"""

import os
import shutil

import pytest

from shop.settings.env import EXCLUDED_SEARCH_INDEXES

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = os.path.exists(CHROMIUM)
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    if HAVE_CHROMIUM:
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(f"CI needs Chromium for the browser tests; none at {CHROMIUM}")
    reason = "Chromium is not installed (apt-get install chromium) — browser tests not run"
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.skipif(True, reason=reason))


@pytest.fixture(scope="module")
def browser(django_db_setup):
    """Chromium for one test module.

    While Playwright is open its sync API keeps an event loop running in this thread,
    where the tests also write their data through the ORM: Django refuses that unless
    told it is safe, so it is told for this module only. The test database is set up
    before, as that needs the same permission.
    """
    from playwright.sync_api import sync_playwright

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield browser
            browser.close()
    finally:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="el-GR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture(scope="session")
def _shared_search_index_path(tmp_path_factory):
    return str(tmp_path_factory.mktemp("whoosh"))


@pytest.fixture(autouse=True)
def _shared_search_index(_shared_search_index_path, settings):
    """A file search index that the live server's thread and the test's thread share.

    The in-memory Whoosh index of the test settings lives per thread, so products saved
    by a test would be invisible to the live server. The path stays the same for the
    whole session because the live server's thread keeps the connection it opened first.
    """
    from haystack import connections

    settings.HAYSTACK_CONNECTIONS = {
        "default": {
            "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
            "PATH": _shared_search_index_path,
            "EXCLUDED_INDEXES": EXCLUDED_SEARCH_INDEXES,
        }
    }
    engine = connections.reload("default")
    # Delete the documents, not the folder: the live server's thread keeps it open.
    engine.get_backend().clear(models=engine.get_unified_index().get_indexed_models())
    yield
    # Rebuilt from the restored settings (the in-memory index) on next use.
    connections.thread_local.connections.pop("default", None)
