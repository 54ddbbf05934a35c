"""Greek that works on the embedded Whoosh backend: accents, case, final sigma and
Greeklish, with exact hits, for products and for the rest of the platform."""

import pytest
from django.urls import reverse
from django.utils.html import strip_tags

from catalogue_ext.search import matching_product_ids
from tests.factories import OrganisationFactory, create_offered_product
from tests.factories.thinktank import ArticleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def products():
    organisation = OrganisationFactory(is_verified=True)
    titles = {
        "honey": "Μέλι Θυμαρίσιο Κρήτης",
        "oil": "Ελαιόλαδο Έξτρα Παρθένο",
        "greek": "Ελληνικός καφές",
        "soap": "Σαπούνι ελαιολάδου",
        "tour": "Ξενάγηση στα πέτρινα γεφύρια",
        "rusks": "Παξιμάδια χαρουπιού",
    }
    return {
        key: create_offered_product(title=title, organisation=organisation).pk
        for key, title in titles.items()
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Accents and case.
        ("μελι", {"honey"}),
        ("ΜΕΛΙ", {"honey"}),
        ("Μέλι", {"honey"}),
        ("μέλι", {"honey"}),
        ("ελαιολαδο", {"oil"}),
        ("ΕΛΑΙΌΛΑΔΟ", {"oil"}),
        ("μελι θυμαρισιο", {"honey"}),
        # Final sigma: typed as σ or ς, upper case or not.
        ("ελληνικος", {"greek"}),
        ("ελληνικοσ", {"greek"}),
        ("ΕΛΛΗΝΙΚΟΣ", {"greek"}),
        # Greeklish, the way people type it.
        ("meli", {"honey"}),
        ("MELI", {"honey"}),
        ("elaiolado", {"oil"}),
        ("meli thymarisio", {"honey"}),
        ("meli thimarisio", {"honey"}),
        ("ellinikos", {"greek"}),
        ("sapouni", {"soap"}),
        ("ksenagisi", {"tour"}),
        ("xenagisi", {"tour"}),
        ("paximadia xaroupiou", {"rusks"}),
        ("paximadia charoupiou", {"rusks"}),
        # Nothing else matches.
        ("λαδι", set()),
        ("ladi", set()),
    ],
)
def test_greek_matrix_finds_exactly_the_right_products(products, query, expected):
    found = set(matching_product_ids(query))
    assert found == {products[key] for key in expected}


def test_site_search_finds_an_article_by_greeklish_and_without_accents(client):
    article = ArticleFactory(title="Οι μελισσοκομικοί συνεταιρισμοί της Κρήτης")
    ArticleFactory(title="Ενεργειακές κοινότητες")

    for query in ("μελισσοκομικοι", "ΜΕΛΙΣΣΟΚΟΜΙΚΟΊ", "melissokomikoi"):
        response = client.get(reverse("site-search"), {"q": query, "kind": "articles"})
        assert response.status_code == 200
        (group,) = response.context["groups"]
        assert [strip_tags(hit.title) for hit in group.hits] == [article.title], query
