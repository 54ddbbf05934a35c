"""The site-wide search page: think-tank entries and products grouped by kind, a kind
selector, highlighted matches; the header search box; the think tank in the sitemap."""

import datetime
import itertools
import re

import pytest
from django.utils import timezone, translation

from shop.text import fold_for_search, slugify_greek
from tests.factories import OrganisationFactory, create_offered_product
from thinktank.models import Article, Event, NewsItem, Status

pytestmark = pytest.mark.django_db

_slugs = itertools.count()


@pytest.fixture
def organisation():
    return OrganisationFactory(is_verified=True, name="Συνεταιρισμός Άλφα")


def write(model=Article, *, organisation, title, summary="", body="", **fields):
    return model.objects.create(
        title=title,
        slug=f"{slugify_greek(title)}-{next(_slugs)}",
        summary=summary,
        body=body,
        organisation=organisation,
        **fields,
    )


def group_headings(html):
    return re.findall(r'<h2 id="search-group-[a-z]+" class="h4">([^<]*)</h2>', html)


RESULT_TITLE = re.compile(
    r'<h3 class="search-result__title h5 mb-1"><a href="[^"]*">(.*?)</a></h3>'
)


def result_titles(html):
    return [re.sub(r"</?mark>", "", title) for title in RESULT_TITLE.findall(html)]


# Folding -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Μέλι ΕΛΑΙΌΛΑΔΟ Ψωμιά", "μελι ελαιολαδο ψωμια"),
        ("ΟΙ ΚΑΡΠΟΊ ΤΗΣ ΓΗΣ", "οι καρποι τησ γησ"),
        ("Οι καρποί της γης", "οι καρποι τησ γησ"),
        ("Παϊδάκια, ΰ, ΐ", "παιδακια, υ, ι"),
        ("Honey Café 500g", "honey cafe 500g"),
        (None, ""),
    ],
)
def test_fold_for_search_drops_accents_and_case(text, folded):
    assert fold_for_search(text) == folded


# The results page -------------------------------------------------------------------------


def test_results_are_grouped_by_kind_with_exact_counts(client, organisation):
    create_offered_product(organisation=organisation, title="Μέλι θυμαρίσιο")
    create_offered_product(organisation=organisation, title="Μέλι ανθέων")
    create_offered_product(organisation=organisation, title="Ελαιόλαδο")
    write(organisation=organisation, title="Το μέλι της Κρήτης")
    write(organisation=organisation, title="Η αξία της συνεργασίας")

    response = client.get("/search/", {"q": "μέλι"})
    html = response.content.decode()

    assert response.status_code == 200
    assert group_headings(html) == ["Άρθρα Γνώμης (1)", "Προϊόντα και υπηρεσίες (2)"]
    titles = result_titles(html)
    assert titles[0] == "Το μέλι της Κρήτης"
    assert sorted(titles[1:]) == ["Μέλι ανθέων", "Μέλι θυμαρίσιο"]
    assert "Ελαιόλαδο" not in html
    assert "Η αξία της συνεργασίας" not in html


def test_english_page_counts_and_links_in_english(client, organisation):
    create_offered_product(organisation=organisation, title="Μέλι θυμαρίσιο")
    create_offered_product(organisation=organisation, title="Μέλι ανθέων")
    article = write(organisation=organisation, title="Το μέλι της Κρήτης")

    response = client.get("/en/search/", {"q": "μέλι"})
    html = response.content.decode()

    assert response.status_code == 200
    assert '<html lang="en"' in html
    assert "<h1>Search the whole site</h1>" in html
    assert group_headings(html) == ["Opinion articles (1)", "Products and services (2)"]
    assert "3 results for “μέλι”" in html
    assert f'<a href="/en/thinktank/articles/{article.slug}/">' in html


def test_links_follow_the_visitors_language_not_the_indexing_one(client, organisation):
    with translation.override("en"):
        article = write(organisation=organisation, title="Μέλι")

    html = client.get("/search/", {"q": "μελι"}).content.decode()

    assert f'<a href="/thinktank/articles/{article.slug}/"><mark>Μέλι</mark></a>' in html


def test_kind_selector_narrows_to_one_kind(client, organisation):
    create_offered_product(organisation=organisation, title="Μέλι θυμαρίσιο")
    write(organisation=organisation, title="Το μέλι της Κρήτης")
    write(NewsItem, organisation=organisation, title="Μέλι στην αγορά", kind="announcement")

    products = client.get("/en/search/", {"q": "μέλι", "kind": "products"}).content.decode()
    news = client.get("/en/search/", {"q": "μέλι", "kind": "news"}).content.decode()

    assert group_headings(products) == ["Products and services (1)"]
    assert result_titles(products) == ["Μέλι θυμαρίσιο"]
    assert '<option value="products" selected>Products and services</option>' in products
    assert group_headings(news) == ["News (1)"]
    assert result_titles(news) == ["Μέλι στην αγορά"]


def test_unknown_kind_is_treated_as_all(client, organisation):
    create_offered_product(organisation=organisation, title="Μέλι θυμαρίσιο")
    write(organisation=organisation, title="Το μέλι της Κρήτης")

    html = client.get("/en/search/", {"q": "μέλι", "kind": "recipes"}).content.decode()

    assert group_headings(html) == ["Opinion articles (1)", "Products and services (1)"]
    assert '<option value="all" selected>Everywhere</option>' in html


def test_a_group_shows_five_results_and_links_to_all_of_them(client, organisation):
    for number in range(7):
        write(organisation=organisation, title=f"Μέλι {number}")

    html = client.get("/en/search/", {"q": "μελι"}).content.decode()

    assert group_headings(html) == ["Opinion articles (7)"]
    assert len(result_titles(html)) == 5
    assert '<a href="?q=%CE%BC%CE%B5%CE%BB%CE%B9&amp;kind=articles">' in html
    assert "Show all 7 results in “Opinion articles”" in html


def test_one_kind_is_paginated_twenty_per_page(client, organisation):
    for number in range(23):
        write(organisation=organisation, title=f"Μέλι {number}")

    first = client.get("/en/search/", {"q": "μελι", "kind": "articles"}).content.decode()
    second = client.get("/en/search/", {"q": "μελι", "kind": "articles", "page": 2})
    second = second.content.decode()

    assert group_headings(first) == ["Opinion articles (23)"]
    assert len(result_titles(first)) == 20
    assert len(result_titles(second)) == 3
    assert set(result_titles(first)) | set(result_titles(second)) == {
        f"Μέλι {number}" for number in range(23)
    }
    assert "Page 1 of 2" in first
    assert 'href="?q=%CE%BC%CE%B5%CE%BB%CE%B9&amp;kind=articles&amp;page=2"' in first
    assert "Show all" not in first


def test_matches_are_highlighted_and_titles_escaped(client, organisation):
    write(organisation=organisation, title="<script>alert(1)</script> Μέλι",
          summary="Το ΜΈΛΙ & το <b>θυμάρι</b> της Κρήτης.")  # fmt: skip

    html = client.get("/en/search/", {"q": "μελι"}).content.decode()

    assert "&lt;script&gt;alert(1)&lt;/script&gt; <mark>Μέλι</mark>" in html
    assert (
        '<p class="search-result__snippet mb-0">Το <mark>ΜΈΛΙ</mark> &amp; το '
        "&lt;b&gt;θυμάρι&lt;/b&gt; της Κρήτης.</p>"
    ) in html
    assert "<script>alert(1)" not in html


def test_result_shows_organisation_and_date(client, organisation):
    starts = datetime.datetime(2031, 5, 17, 18, 0, tzinfo=datetime.UTC)
    write(Event, organisation=organisation, title="Γιορτή του μελιού", starts_at=starts,
          summary="Γευσιγνωσία μελιού.")  # fmt: skip

    html = client.get("/en/search/", {"q": "μελιου"}).content.decode()

    assert group_headings(html) == ["Events (1)"]
    assert '<span class="search-result__organisation">Συνεταιρισμός Άλφα</span>' in html
    assert '<time datetime="2031-05-17T21:00:00+03:00">17 May 2031</time>' in html


def test_products_are_found_with_the_accents_as_typed(client, organisation):
    create_offered_product(organisation=organisation, title="Μέλι θυμαρίσιο",
                           description="<p>Από τα βουνά της <em>Κρήτης</em>.</p>")  # fmt: skip

    for query in ("μέλι", "ΜΈΛΙ", "Μέλι"):
        html = client.get("/en/search/", {"q": query}).content.decode()
        assert group_headings(html) == ["Products and services (1)"]
    assert '<span class="search-result__organisation">Συνεταιρισμός Άλφα</span>' in html
    assert '<p class="search-result__snippet mb-0">Από τα βουνά της Κρήτης.</p>' in html


def test_unpublished_entries_and_invisible_products_are_not_shown(client, organisation):
    write(organisation=organisation, title="Μέλι πρόχειρο", status=Status.DRAFT)
    write(organisation=organisation, title="Μέλι αύριο",
          publish_at=timezone.now() + datetime.timedelta(days=1))  # fmt: skip
    create_offered_product(organisation=OrganisationFactory(is_verified=False), title="Μέλι νέο")

    html = client.get("/en/search/", {"q": "μέλι"}).content.decode()

    assert group_headings(html) == []
    assert "0 results for “μέλι”" in html
    assert "Nothing matches your search. Try other or fewer words." in html


@pytest.mark.parametrize("query", ["", "   "])
def test_empty_query_shows_the_form_without_results(client, organisation, query):
    write(organisation=organisation, title="Μέλι")

    response = client.get("/en/search/", {"q": query, "kind": "articles"})
    html = response.content.decode()

    assert response.status_code == 200
    assert '<input type="search" name="q" autocomplete="off" maxlength="200" id="search-q">' in html
    assert group_headings(html) == []
    assert 'role="status"' not in html
    assert "Nothing matches your search" not in html


@pytest.mark.parametrize("query", ["!!!", '"', "AND (", "-"])
def test_query_without_words_finds_nothing_and_fails_nothing(client, organisation, query):
    write(organisation=organisation, title="Μέλι")

    response = client.get("/en/search/", {"q": query})
    html = response.content.decode()

    assert response.status_code == 200
    assert group_headings(html) == []
    assert "Nothing matches your search. Try other or fewer words." in html


def test_page_without_parameters_shows_the_form(client):
    response = client.get("/search/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="status"' not in html
    assert '<label for="search-q">' in html
    assert '<label for="search-kind">' in html


# The shown products and their organisations: two queries; think-tank results: none.
EXPECTED_QUERIES = {"all": 2, "products": 2, "articles": 0}


@pytest.mark.parametrize("count", [1, 30])
@pytest.mark.parametrize("kind", ["all", "products", "articles"])
def test_search_queries_do_not_grow_with_the_results(
    client, organisation, django_assert_num_queries, count, kind
):
    for number in range(count):
        create_offered_product(organisation=organisation, title=f"Μέλι {number}")
        write(organisation=organisation, title=f"Μέλι {number}")

    with django_assert_num_queries(EXPECTED_QUERIES[kind]):
        response = client.get("/en/search/", {"q": "μέλι", "kind": kind})

    shown = {"all": min(count, 5) * 2, "products": min(count, 20), "articles": min(count, 20)}
    assert len(result_titles(response.content.decode())) == shown[kind]


# The header search box -------------------------------------------------------------------


@pytest.mark.parametrize(("path", "action"), [("/", "/search/"), ("/en/", "/en/search/")])
def test_header_search_box_submits_to_the_site_search(client, path, action):
    html = client.get(path).content.decode()
    header_form = re.search(r'<form class="site-search" role="search"[^>]*>', html).group()
    assert f'method="get" action="{action}"' in header_form


def test_header_search_box_is_labelled_for_the_whole_site(client):
    html = client.get("/en/").content.decode()
    assert (
        '<form class="site-search" role="search" aria-label="Search the whole site" '
        'method="get" action="/en/search/">'
    ) in html
    assert '<label for="site-search-q" class="sr-only">Search the whole site</label>' in html


# The sitemap -------------------------------------------------------------------------------


def test_sitemap_lists_published_entries_and_section_pages(client, organisation):
    article = write(organisation=organisation, title="Δημοσιευμένο")
    event = write(Event, organisation=organisation, title="Εκδήλωση",
                  starts_at=timezone.now() + datetime.timedelta(days=2))  # fmt: skip
    draft = write(organisation=organisation, title="Πρόχειρο", status=Status.DRAFT)
    Article.objects.filter(pk=article.pk).update(
        updated_at=datetime.datetime(2024, 3, 4, 10, 0, tzinfo=datetime.UTC)
    )

    xml = client.get("/sitemap.xml").content.decode()

    assert f"<loc>http://example.com/thinktank/articles/{article.slug}/</loc>" in xml
    assert f"<loc>http://example.com/en/thinktank/articles/{article.slug}/</loc>" in xml
    assert f"<loc>http://example.com/thinktank/events/{event.slug}/</loc>" in xml
    assert "<lastmod>2024-03-04</lastmod>" in xml
    assert draft.slug not in xml
    for section in ("news", "articles", "library", "events", "videos", "proposals", "network"):
        assert f"<loc>http://example.com/thinktank/{section}/</loc>" in xml
        assert f"<loc>http://example.com/en/thinktank/{section}/</loc>" in xml
    assert "<loc>http://example.com/thinktank/</loc>" in xml
    assert "<loc>http://example.com/market/catalogue/</loc>" in xml


def test_the_header_search_offers_every_kind_and_keeps_the_chosen_one(client):
    from shop.search_views import KINDS

    page = client.get("/search/", {"q": "μελι", "kind": "products"}).content.decode()

    options = re.findall(
        r'<option value="([a-z]+)"( selected)?>',
        page.split('id="site-search-kind"')[1].split("</select>")[0],
    )
    assert [value for value, _selected in options] == ["all", *[kind.key for kind in KINDS]]
    assert [value for value, selected in options if selected] == ["products"]
    home = client.get("/").content.decode()
    assert 'id="site-search-kind"' in home
    assert (
        '<option value="all">' in home
        and " selected>" not in home.split('id="site-search-kind"')[1].split("</select>")[0]
    )


def test_organisations_and_mentors_sessions_are_found_too(client):
    from django.utils import timezone as tz

    from mentors.models import Session, Theme

    coop = OrganisationFactory(
        name="Αγροτικός Συνεταιρισμός Αρχανών", is_verified=True, municipality="Αρχάνες"
    )
    OrganisationFactory(name="Συνεταιρισμός Αρχανών υπό έγκριση", is_verified=False)
    theme = Theme.objects.order_by("position").first()
    session = Session.objects.create(
        theme=theme, title="Συνεταιρισμοί και αγροτική παραγωγή",
        starts_at=tz.now() + datetime.timedelta(days=7),
    )  # fmt: skip
    Session.objects.create(
        theme=theme, title="Αγροτική παραγωγή: πρόχειρο", is_published=False,
        starts_at=tz.now() + datetime.timedelta(days=8),
    )  # fmt: skip

    page = client.get("/search/", {"q": "archanon", "kind": "organisations"})
    (group,) = page.context["groups"]
    assert [(re.sub("<[^>]+>", "", hit.title), hit.url) for hit in group.hits] == [
        (coop.name, coop.get_absolute_url())
    ]
    page = client.get("/search/", {"q": "αγροτικη παραγωγη", "kind": "sessions"})
    (group,) = page.context["groups"]
    assert [hit.url for hit in group.hits] == [session.get_absolute_url()]
