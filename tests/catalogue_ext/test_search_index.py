"""Only what a shopper may see is in the search index, and it follows every change."""

import pytest
from haystack.query import SearchQuerySet
from oscar.core.loading import get_model

from tests.factories import OrganisationFactory, create_offered_product

Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.django_db


def indexed_titles():
    return sorted(result.title for result in SearchQuerySet().models(Product))


def test_products_of_verified_organisations_are_indexed():
    create_offered_product(title="Μέλι", organisation=OrganisationFactory(is_verified=True))
    assert indexed_titles() == ["Μέλι"]


def test_hidden_products_and_unverified_organisations_are_not_indexed():
    create_offered_product(title="Κρυφό", is_public=False,
                           organisation=OrganisationFactory(is_verified=True))  # fmt: skip
    create_offered_product(title="Νέου φορέα", organisation=OrganisationFactory(is_verified=False))
    assert indexed_titles() == []


def test_verifying_an_organisation_indexes_its_products_and_hiding_removes_them():
    organisation = OrganisationFactory(is_verified=False)
    product = create_offered_product(title="Μέλι", organisation=organisation)
    assert indexed_titles() == []

    organisation.is_verified = True
    organisation.save(update_fields=["is_verified"])
    assert indexed_titles() == ["Μέλι"]

    product.is_public = False
    product.save()
    assert indexed_titles() == []


def test_catalogue_page_lists_only_visible_products(client):
    create_offered_product(title="Ορατό", organisation=OrganisationFactory(is_verified=True))
    create_offered_product(title="Αόρατο", organisation=OrganisationFactory(is_verified=False))

    html = client.get("/market/catalogue/").content.decode()

    assert "Ορατό" in html
    assert "Αόρατο" not in html


def test_a_profile_edit_does_not_reindex_the_organisations_products(django_assert_num_queries):
    organisation = OrganisationFactory(is_verified=True)
    create_offered_product(title="Μέλι", organisation=organisation)
    organisation.description = "Νέα περιγραφή"
    # The save and the one look-up of the previous verification state; no product query.
    with django_assert_num_queries(2):
        organisation.save()
    assert indexed_titles() == ["Μέλι"]


def test_unverifying_through_a_full_save_removes_the_products():
    organisation = OrganisationFactory(is_verified=True)
    create_offered_product(title="Μέλι", organisation=organisation)
    organisation.is_verified = False
    organisation.save()
    assert indexed_titles() == []


@pytest.mark.parametrize("query", ["μελι", "ΜΕΛΙ", "Μέλι", "μέλι", "θυμαρισιο", "ΘΥΜΑΡΊΣΙΟ"])
def test_product_search_ignores_accents_and_case(query):
    verified = OrganisationFactory(is_verified=True)
    create_offered_product(title="Μέλι Θυμαρίσιο", organisation=verified)
    create_offered_product(title="Ελαιόλαδο", organisation=verified)

    found = [result.title for result in SearchQuerySet().models(Product).auto_query(query)]

    assert found == ["Μέλι Θυμαρίσιο"]


def test_market_search_page_finds_products_without_accents(client):
    create_offered_product(
        title="Ελαιόλαδο Κορωνέικη", organisation=OrganisationFactory(is_verified=True)
    )

    response = client.get("/market/search/", {"q": "ελαιολαδο"})

    assert [product.title for product in response.context["page_obj"].object_list] == [
        "Ελαιόλαδο Κορωνέικη"
    ]
