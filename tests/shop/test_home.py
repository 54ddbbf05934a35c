import re
from decimal import Decimal

import pytest

from tests.factories import OrganisationFactory, ProductClassFactory, create_offered_product

pytestmark = pytest.mark.django_db


def test_home_shows_the_three_pillars_in_the_founders_order(client):
    html = client.get("/").content.decode()

    ids = re.findall(r'<section class="pillar pillar--(\w+)"', html)
    assert ids == ["thinktank", "mentors", "market"]
    headings = re.findall(r'<h2 id="pillar-\w+">([^<]+)</h2>', html)
    assert headings == ["Δεξαμενή σκέψης", "Πρόγραμμα επιμόρφωσης ΜΕΝΤΟΡΕΣ", "Κοινωνική αγορά"]
    assert '<a class="btn btn-primary pillar__link" href="/thinktank/">' in html
    assert '<a class="btn btn-primary pillar__link" href="/mentors/">' in html
    assert '<a class="btn btn-primary pillar__link" href="/market/">' in html


def test_home_lists_the_ten_mentors_themes(client):
    html = client.get("/").content.decode()
    themes = re.findall(r'href="/mentors/#theme-([\w-]+)"', html)
    assert len(themes) == 10
    assert "Αγροδιατροφικός τομέας" in html


def test_home_market_pillar_shows_latest_products_with_vat_and_organisation(client):
    food = ProductClassFactory(name="Τρόφιμα", vat_rate="reduced")
    organisation = OrganisationFactory(name="Συνεταιρισμός Κροκοπαραγωγών Κοζάνης")
    create_offered_product(
        title="Κρόκος Κοζάνης ΠΟΠ 1 g", price=Decimal("7.00"), product_class=food,
        organisation=organisation,
    )  # fmt: skip

    html = client.get("/").content.decode()
    market = html[html.index('id="pillar-market"') :]

    assert "Κρόκος Κοζάνης ΠΟΠ 1 g" in market
    assert "Συνεταιρισμός Κροκοπαραγωγών Κοζάνης" in market
    assert "7,91\xa0€" in market  # 7,00 € + 13% VAT
    assert "συμπ. ΦΠΑ" in market
    assert "1 φορέα" in market


def test_home_in_english(client):
    html = client.get("/en/").content.decode()
    headings = re.findall(r'<h2 id="pillar-\w+">([^<]+)</h2>', html)
    assert headings == ["Think tank", "MENTORS programme", "Social market"]
    assert 'href="/" lang="el" hreflang="el"' in html


def test_shared_layout_is_accessible(client):
    html = client.get("/").content.decode()
    assert html.index('class="skip-link" href="#main"') < html.index("<header")
    assert '<main id="main"' in html
    assert '<nav class="site-nav" aria-label="Κύριο μενού">' in html
    assert '<form class="site-search" role="search"' in html
    assert '<label for="site-search-q" class="sr-only">' in html
    assert "<footer" in html
    # One h1 per page, before any h2.
    assert html.count("<h1") == 1
    assert html.index("<h1") < html.index("<h2")
    # No request leaves for a third party before the visitor acts.
    assert "googleapis" not in html
    assert "google-analytics" not in html
