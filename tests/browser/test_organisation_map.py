"""The organisation directory's map: clustered markers of the filtered organisations,
popups that lead to the storefronts, the list without JavaScript, and WCAG 2.1 AA at
desktop and phone widths. Map tiles never come from the internet: the tile server is a
name that does not exist and every request to it gets a 1×1 PNG."""

import base64
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests.browser.test_thinktank_accessibility import violations_on
from tests.factories import OrganisationFactory, create_offered_product

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TILE_SERVER = "https://tiles.invalid"
PNG_1X1 = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)


def serve_blank_tiles(context):
    """Every tile request is answered here; any other request off our server fails."""
    context.route(
        f"{TILE_SERVER}/**",
        lambda route: route.fulfill(status=200, content_type="image/png", body=PNG_1X1),
    )


class BlankTilesBrowser:
    """The browser, whose new contexts answer tile requests with a blank tile."""

    def __init__(self, browser):
        self.browser = browser

    def new_context(self, **options):
        context = self.browser.new_context(**options)
        serve_blank_tiles(context)
        return context


@pytest.fixture(autouse=True)
def _tiles(settings):
    settings.MAP_TILE_URL = TILE_SERVER + "/{z}/{x}/{y}.png"


@pytest.fixture
def network():
    def organisation(name, region, latitude=None, longitude=None, **extra):
        found = OrganisationFactory(
            name=name, region=region, is_verified=extra.pop("is_verified", True),
            latitude=latitude and Decimal(latitude), longitude=longitude and Decimal(longitude),
            **extra,
        )  # fmt: skip
        create_offered_product(organisation=found)
        return found

    return {
        # Three in Heraklion, a few hundred metres apart: one cluster at the first view.
        "archanes": organisation("Αγροτικός Συνεταιρισμός Αρχανών", "crete", "35.2370", "25.1590"),
        "bees": organisation("Μελισσοκόμοι Ηρακλείου", "crete", "35.2390", "25.1610"),
        "weavers": organisation("Γυναικείος Συνεταιρισμός Υφαντών", "crete", "35.2410", "25.1570"),
        "thessaloniki": organisation("ΚοινΣΕπ Θεσσαλονίκης", "central-macedonia",
                                     "40.6400", "22.9400"),
        "athens": organisation("Καταναλωτικός Συνεταιρισμός Αθήνας", "attica",
                               "37.9800", "23.7300"),
        # Not on the map: no location, or not verified.
        "sifnos": organisation("Ενεργειακή Κοινότητα Σίφνου", "south-aegean"),
        "unverified": organisation("Νέος Συνεταιρισμός Χανίων", "crete", "35.5100", "24.0200",
                                   is_verified=False),
    }  # fmt: skip


def markers_on_map(page):
    """(single markers, clusters, organisations they stand for) as drawn on the map."""
    page.wait_for_selector("#organisations-map[data-markers]")
    return page.evaluate(
        """() => {
            const map = document.getElementById("organisations-map");
            const singles = map.querySelectorAll("img.leaflet-marker-icon").length;
            const clusters = [...map.querySelectorAll(".marker-cluster")];
            const inClusters = clusters.reduce((sum, c) => sum + Number(c.textContent), 0);
            return [singles, clusters.length, singles + inClusters];
        }"""
    )


def test_map_shows_the_filtered_organisations_clustered(live_server, browser, network):
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    serve_blank_tiles(context)
    page = context.new_page()
    page.set_default_timeout(15_000)

    page.goto(live_server.url + "/en/market/organisations/")

    expect(page.locator("[data-organisations-map]")).to_be_visible()
    # Three in Heraklion make one cluster; Thessaloniki and Athens stand alone.
    assert markers_on_map(page) == [2, 1, 5]
    cluster = page.locator(".marker-cluster")
    expect(cluster).to_have_attribute("role", "button")
    expect(cluster).to_have_attribute("aria-label", "3 organisations here: zoom in")
    expect(page.locator(".leaflet-tile-loaded").first).to_be_attached()

    # Narrowed to Crete, as a visitor does with the form: only the three are on the map.
    page.select_option("#id_region", "crete")
    page.get_by_role("button", name="Show", exact=True).click()
    page.wait_for_url("**/en/market/organisations/?*region=crete*")
    singles, clusters, organisations = markers_on_map(page)
    assert organisations == 3
    assert page.locator(".organisation-card__name").all_inner_texts() == [
        "Αγροτικός Συνεταιρισμός Αρχανών",
        "Γυναικείος Συνεταιρισμός Υφαντών",
        "Μελισσοκόμοι Ηρακλείου",
    ]

    # A marker is reached from the keyboard; its popup leads to the storefront.
    page.goto(live_server.url + "/en/market/organisations/?region=attica")
    assert markers_on_map(page) == [1, 0, 1]
    marker = page.get_by_role("button", name="Καταναλωτικός Συνεταιρισμός Αθήνας")
    marker.focus()
    page.keyboard.press("Enter")
    popup_link = page.locator(".leaflet-popup-content a")
    expect(popup_link).to_have_text("Καταναλωτικός Συνεταιρισμός Αθήνας")
    expect(page.locator(".leaflet-popup-close-button")).to_have_attribute("aria-label", "Close")
    popup_link.click()
    page.wait_for_url(f"**/en{network['athens'].get_absolute_url()}")
    expect(page.locator("h1")).to_have_text("Καταναλωτικός Συνεταιρισμός Αθήνας")
    context.close()


def test_skip_link_leads_past_the_map_to_the_list(live_server, page, network):
    serve_blank_tiles(page.context)
    page.goto(live_server.url + "/market/organisations/")
    markers_on_map(page)

    skip = page.locator(".organisations-map__skip")
    skip.focus()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")

    expect(page.locator("#organisation-list")).to_be_focused()


def test_without_javascript_the_list_is_the_directory(live_server, browser, network):
    context = browser.new_context(locale="el-GR", java_script_enabled=False)
    serve_blank_tiles(context)
    page = context.new_page()

    page.goto(live_server.url + "/market/organisations/?region=crete")

    expect(page.locator("[data-organisations-map]")).to_be_hidden()
    expect(page.locator(".leaflet-container")).to_have_count(0)
    assert len(page.locator(".organisation-card__name").all_inner_texts()) == 3
    context.close()


@pytest.mark.parametrize("width", [1280, 360])
def test_directory_with_its_map_meets_wcag_21_aa(live_server, browser, network, width):
    paths = [
        "/market/organisations/",
        "/market/organisations/?region=crete&kind=good",
        "/market/organisations/?sort=nearest&near=35.3,25.1",
    ]
    assert violations_on(BlankTilesBrowser(browser), live_server, paths, width) == {}
