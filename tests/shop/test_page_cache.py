"""Anonymous visitors' pages come from the cache until their content changes."""

import re
import threading
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from shop import page_cache
from tests.factories.market import product_of, selling_organisation
from tests.factories.thinktank import NewsItemFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_ENABLED = True


@pytest.fixture
def honey():
    bees = selling_organisation("Μελισσοκομικός Συνεταιρισμός Κρήτης", is_verified=True)
    return product_of(bees, "Θυμαρίσιο μέλι 450 g", "8.00", stock=10)


def test_second_anonymous_visit_is_served_from_the_cache_without_queries(client, honey):
    first = client.get(honey.get_absolute_url())
    assert first.status_code == 200
    assert first["X-Page-Cache"] == "miss"

    with CaptureQueriesContext(connection) as queries:
        second = client.get(honey.get_absolute_url())
    assert second["X-Page-Cache"] == "hit"
    assert len(queries) == 0
    assert "Θυμαρίσιο μέλι 450 g" in second.content.decode()


def test_an_edited_product_shows_at_once(client, honey, django_capture_on_commit_callbacks):
    client.get(honey.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        honey.title = "Θυμαρίσιο μέλι 900 g"
        honey.save()

    page = client.get(honey.get_absolute_url())
    assert page["X-Page-Cache"] == "miss"
    assert "Θυμαρίσιο μέλι 900 g" in page.content.decode()


def test_a_price_change_reaches_the_catalogue_at_once(
    client, honey, django_capture_on_commit_callbacks
):
    # Prices are shown with VAT (13% on honey).
    assert "9,04" in client.get("/market/catalogue/").content.decode()
    record = honey.stockrecords.get()
    with django_capture_on_commit_callbacks(execute=True):
        record.price = "10.00"
        record.save()

    page = client.get("/market/catalogue/")
    assert page["X-Page-Cache"] == "miss"
    assert "11,30" in page.content.decode()


def test_sections_are_invalidated_on_their_own(client, honey, django_capture_on_commit_callbacks):
    news_item = NewsItemFactory(title="Γενική συνέλευση")
    client.get(honey.get_absolute_url())
    client.get("/thinktank/news/")
    with django_capture_on_commit_callbacks(execute=True):
        news_item.title = "Νέα γενική συνέλευση"
        news_item.save()

    assert client.get(honey.get_absolute_url())["X-Page-Cache"] == "hit"
    news = client.get("/thinktank/news/")
    assert news["X-Page-Cache"] == "miss"
    assert "Νέα γενική συνέλευση" in news.content.decode()


def test_each_language_has_its_own_page(client, honey):
    greek = client.get("/market/catalogue/")
    english = client.get("/en/market/catalogue/")
    assert english["X-Page-Cache"] == "miss"
    assert client.get("/en/market/catalogue/")["X-Page-Cache"] == "hit"
    assert 'lang="el"' in greek.content.decode()
    assert 'lang="en"' in client.get("/en/market/catalogue/").content.decode()


def test_signed_in_members_and_visitors_with_a_basket_are_never_served_from_the_cache(
    client, honey, django_user_model
):
    client.get(honey.get_absolute_url())
    user = django_user_model.objects.create_user(
        username="eleni", email="eleni@example.org", password="pw-123456"
    )
    client.force_login(user)
    page = client.get(honey.get_absolute_url())
    assert "X-Page-Cache" not in page

    guest = Client()
    guest.post(f"/market/basket/add/{honey.pk}/", {"quantity": 1})
    assert "oscar_open_basket" in guest.cookies
    page = guest.get(honey.get_absolute_url())
    assert "X-Page-Cache" not in page


def test_personal_pages_are_not_cached(client):
    for path in ("/market/basket/", "/accounts/login/", "/healthz"):
        client.get(path)
        assert "X-Page-Cache" not in client.get(path), path


def test_a_page_from_the_cache_carries_a_working_token_for_each_visitor(honey):
    Client().get(honey.get_absolute_url())  # stored by someone else

    visitor = Client(enforce_csrf_checks=True)
    page = visitor.get(honey.get_absolute_url())
    assert page["X-Page-Cache"] == "hit"
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())[1]
    assert "csrftoken" in visitor.cookies

    added = visitor.post(
        f"/market/basket/add/{honey.pk}/",
        {"quantity": 1, "csrfmiddlewaretoken": token},
    )
    assert added.status_code == 302
    assert visitor.get("/market/basket/").context["basket"].num_items == 1


def test_nothing_is_cached_when_the_cache_is_off(client, honey, settings):
    settings.PAGE_CACHE_ENABLED = False
    client.get(honey.get_absolute_url())
    assert "X-Page-Cache" not in client.get(honey.get_absolute_url())


def page_key(path):
    request = RequestFactory().get(path)
    request.LANGUAGE_CODE = "el"
    return page_cache._page_key(request, page_cache.page_sections(path))


def test_visitors_wait_for_the_page_another_process_is_rendering(client, honey):
    path = honey.get_absolute_url()
    client.get(path)
    key = page_key(path)
    stored = cache.get(key)
    assert stored is not None
    cache.delete(key)
    page_cache.clear_process_memory()  # as in another process
    cache.add(f"{key}:rendering", 1, 10)  # someone else is rendering it

    threading.Timer(0.2, lambda: cache.set(key, stored)).start()
    with CaptureQueriesContext(connection) as queries:
        second = client.get(path)
    assert second["X-Page-Cache"] == "hit"
    assert len(queries) == 0


def test_a_visitor_renders_the_page_when_the_other_renderer_stored_nothing(client, honey):
    path = honey.get_absolute_url()
    key = page_key(path)
    cache.add(f"{key}:rendering", 1, 10)

    threading.Timer(0.2, lambda: cache.delete(f"{key}:rendering")).start()
    started = time.monotonic()
    page = client.get(path)
    assert page["X-Page-Cache"] == "miss"
    assert time.monotonic() - started < page_cache.RENDER_LOCK_SECONDS


# Each process's memory: generations read at most once a second, popular pages kept.


def test_a_process_serves_a_page_it_kept_without_asking_the_shared_cache(client, honey):
    path = honey.get_absolute_url()
    client.get(path)
    cache.delete(page_key(path))  # the shared copy is gone

    with CaptureQueriesContext(connection) as queries:
        again = client.get(path)

    assert again["X-Page-Cache"] == "hit"
    assert len(queries) == 0
    assert "Θυμαρίσιο μέλι 450 g" in again.content.decode()


def test_a_change_made_by_this_process_shows_at_once_despite_its_memory(
    client, honey, settings, django_capture_on_commit_callbacks
):
    settings.PAGE_CACHE_LOCAL_SECONDS = 60
    client.get(honey.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        honey.title = "Θυμαρίσιο μέλι 900 g"
        honey.save()

    page = client.get(honey.get_absolute_url())
    assert page["X-Page-Cache"] == "miss"
    assert "Θυμαρίσιο μέλι 900 g" in page.content.decode()


def test_a_change_made_by_another_process_shows_within_the_local_seconds(client, honey, settings):
    settings.PAGE_CACHE_LOCAL_SECONDS = 0.3
    path = honey.get_absolute_url()
    client.get(path)
    client.get(path)
    # Another process saved a product: it bumped the shared generation only.
    honey.__class__.objects.filter(pk=honey.pk).update(title="Θυμαρίσιο μέλι 900 g")
    cache.incr(page_cache._generation_key("market"))

    assert client.get(path)["X-Page-Cache"] == "hit"  # within the local seconds
    time.sleep(0.35)
    page = client.get(path)
    assert page["X-Page-Cache"] == "miss"
    assert "Θυμαρίσιο μέλι 900 g" in page.content.decode()


def test_pages_kept_in_memory_are_not_served_after_the_shared_cache_was_emptied(
    client, honey, settings
):
    settings.PAGE_CACHE_LOCAL_SECONDS = 0
    path = honey.get_absolute_url()
    client.get(path)
    generation_before = cache.get(page_cache._generation_key("market"))
    honey.__class__.objects.filter(pk=honey.pk).update(title="Θυμαρίσιο μέλι 900 g")

    cache.clear()  # e.g. Redis restarted: the generations start again elsewhere

    page = client.get(path)
    assert page["X-Page-Cache"] == "miss"
    assert "Θυμαρίσιο μέλι 900 g" in page.content.decode()
    assert cache.get(page_cache._generation_key("market")) != generation_before


def test_a_process_keeps_only_its_most_recent_pages(client, honey, settings):
    settings.PAGE_CACHE_LOCAL_PAGES = 2
    page_cache.clear_process_memory()
    paths = [honey.get_absolute_url(), "/market/catalogue/", "/thinktank/news/"]
    for path in paths:
        client.get(path)
    for path in paths:
        cache.delete(page_key(path))

    assert client.get(paths[0])["X-Page-Cache"] == "miss"  # the oldest was let go
    assert client.get(paths[2])["X-Page-Cache"] == "hit"
