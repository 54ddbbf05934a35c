"""The key pages are light and work without JavaScript.

Each key page, in Greek, loads at most its budget of scripts and styles (gzipped, as
served) and only the scripts it needs; its text is in the HTML itself; every content
picture has its size, is lazy-loaded and decoded off the main thread, except the one
main picture of a detail page, fetched first. Reading and buying need no script: the
test client runs none, and the buying tests submit exactly what each page's form
sends, as a browser without JavaScript would. (tests/shop/test_checkout.py checks the
orders a checkout makes in detail; here it is the HTML forms that are checked.)

Measured with `tests/benchmarks/page_weight.py`, gzipped JS + CSS per page:
most pages 49.7 KB of CSS and no script (the think-tank hub 0.9 KB for its consented
Facebook embed, a session 1.4 KB for its live questions); the organisation directory
53.8 KB of CSS and 53.0 KB of JS (Leaflet for its map). Before, every page also loaded
jQuery, Bootstrap's and Oscar's scripts: 55.6 KB more.
"""

import io
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from oscar.core.loading import get_model
from PIL import Image

from tests.benchmarks.page_weight import page_weight
from tests.factories import OrganisationFactory, create_member
from tests.factories.bulk import (
    answered_questions,
    category,
    library_documents,
    market_products,
    png_file,
    programme_sessions,
    published_articles,
)
from tests.factories.market import VALID_IBAN, product_of, selling_organisation
from tests.factories.mentors import MentorProfileFactory
from tests.factories.thinktank import EventFactory, NewsItemFactory, VideoFactory

Basket = get_model("basket", "Basket")
Line = get_model("basket", "Line")
ProductImage = get_model("catalogue", "ProductImage")

pytestmark = pytest.mark.django_db

# Gzipped bytes of scripts and styles; the measured figures are in the docstring.
BUDGET = 55_000
MAP_BUDGET = 115_000
MAP_SCRIPTS = [
    "vendor/leaflet/leaflet.js",
    "vendor/leaflet.markercluster/leaflet.markercluster.js",
    "js/organisations-map.js",
]


# Key pages: each builds what it shows and gives (path, text the page must hold) ----


def home(client):
    market_products(2, title="Θυμαρίσιο μέλι")
    published_articles(1)
    programme_sessions(1)
    return "/", "Θυμαρίσιο μέλι 1"


def catalogue(client):
    market_products(2, title="Θυμαρίσιο μέλι")
    return "/market/catalogue/", "Θυμαρίσιο μέλι 2"


def category_page(client):
    honey = category("Τρόφιμα > Μέλι")
    market_products(2, title="Ανθόμελο", category=honey)
    return honey.get_absolute_url(), "Ανθόμελο 1"


def product_detail(client):
    (product,) = market_products(1, title="Πευκόμελο")
    for position in (1, 2):
        ProductImage.objects.create(
            product=product, original=png_file(f"more-{position}.png"), display_order=position
        )
    return product.get_absolute_url(), "Πευκόμελο 1"


def storefront(client):
    organisation = OrganisationFactory(
        is_verified=True,
        name="Μελισσοκόμοι Σητείας",
        logo=png_file("logo.png", size=(300, 200)),
        cover_image=png_file("cover.png", size=(1600, 500)),
    )
    market_products(2, title="Μέλι Σητείας", organisation=organisation)
    return organisation.get_absolute_url(), "Μέλι Σητείας 2"


def organisation_directory(client):
    for name in ("Ελαιουργική Κρήτης", "Οινοποιοί Νάουσας"):
        OrganisationFactory(
            is_verified=True, name=name, latitude=35.3, longitude=25.1, logo=png_file()
        )
    # The list under the map is the directory for whoever has no map.
    return "/market/organisations/", "Οινοποιοί Νάουσας"


def market_search(client):
    market_products(2, title="Μέλι ανθέων")
    return "/market/search/?q=μελι", "Μέλι ανθέων 2"


def thinktank_hub(client):
    organisation = OrganisationFactory(is_verified=True)
    NewsItemFactory(organisation=organisation, title="Γενική συνέλευση του δικτύου")
    EventFactory(organisation=organisation)
    VideoFactory(organisation=organisation)
    published_articles(1, organisation=organisation)
    library_documents(1)
    return "/thinktank/", "Γενική συνέλευση του δικτύου"


def article_detail(client):
    (article,) = published_articles(1)
    return article.get_absolute_url(), article.title


def library(client):
    (document,) = library_documents(1)
    return "/thinktank/library/", document.title


def session_list(client):
    (session,) = programme_sessions(1)
    return "/mentors/sessions/", session.title


def session_detail(client):
    (session,) = programme_sessions(1)
    answered_questions(1, session=session)
    return session.get_absolute_url(), session.title


def question_list(client):
    (question,) = answered_questions(1)
    return "/mentors/questions/", question.title


def question_detail(client):
    (question,) = answered_questions(1)
    return question.get_absolute_url(), question.title


def _honey_in_basket(client):
    bees = selling_organisation("Μελισσοκομικός Συνεταιρισμός Κρήτης", iban=VALID_IBAN)
    honey = product_of(bees, "Θυμαρίσιο μέλι 450 g", "8.00", stock=5)
    ProductImage.objects.create(product=honey, original=png_file("honey.png"), display_order=0)
    assert client.post(f"/market/basket/add/{honey.pk}/", {"quantity": 1}).status_code == 302
    return bees, honey


def basket(client):
    _honey_in_basket(client)
    return "/market/basket/", "Θυμαρίσιο μέλι 450 g"


def checkout(client):
    _honey_in_basket(client)
    return "/market/checkout/", "Μελισσοκομικός Συνεταιρισμός Κρήτης"


KEY_PAGES = [
    home,
    catalogue,
    category_page,
    product_detail,
    storefront,
    organisation_directory,
    market_search,
    thinktank_hub,
    article_detail,
    library,
    session_list,
    session_detail,
    question_list,
    question_detail,
    basket,
    checkout,
]
# The scripts a page may load; the others load none.
SCRIPTS = {
    "organisation_directory": MAP_SCRIPTS,
    "thinktank_hub": ["js/consent-embed.js"],
    "session_detail": ["js/live-questions.js"],
}


def mentor_detail(client):
    mentor = MentorProfileFactory(photo=png_file("photo.png", size=(400, 500)))
    return mentor.get_absolute_url(), mentor.name


def network(client):
    OrganisationFactory(is_verified=True, name="Κοινότητα Ζαγορίου", logo=png_file())
    return "/thinktank/network/", "Κοινότητα Ζαγορίου"


def product_with_one_image(client):
    (product,) = market_products(1, title="Κηρήθρα")
    return product.get_absolute_url(), "Κηρήθρα 1"


def product_without_image(client):
    product = product_of(selling_organisation("Κηροπλάστες"), "Κεριά μελισσών", "6.00")
    return product.get_absolute_url(), "Κεριά μελισσών"


# Pages with pictures, and the index of the one fetched first (a detail page's main one).
PICTURE_PAGES = {
    home: None,
    catalogue: None,
    category_page: None,
    product_detail: 0,
    product_with_one_image: 0,
    product_without_image: 0,  # Oscar's "no picture" picture
    storefront: 0,
    organisation_directory: None,
    market_search: None,
    basket: None,
    network: None,
    mentor_detail: 0,
}


def visit(client, scenario):
    path, text = scenario(client)
    response = client.get(path)
    assert response.status_code == 200, path
    html = response.content.decode()
    assert text in html, f"{text!r} is not in the HTML of {path}"
    return html


# Weight ------------------------------------------------------------------------------


def test_page_weight_adds_files_by_their_names_and_inline_code(tmp_path):
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "app.js").write_text("console.log('γεια');" * 50)
    (tmp_path / "site.css").write_text("body { color: #1d2327; }\n" * 40)
    html = """<html><head>
        <link rel="stylesheet" href="/static/site.3f2a9c01b7de.css?v=2">
        <link rel="icon" href="/static/favicon.svg"><style>p { margin: 0; }</style>
        </head><body><img src="/media/a.jpg" width="96" height="96" loading="lazy">
        <script src="/static/js/app.js" defer></script><script>var ready = true;</script>
        <script type="application/ld+json">{"@type": "Article"}</script>
        <script src="https://js.stripe.com/v3/"></script></body></html>"""

    weight = page_weight(html, tmp_path)

    app = (tmp_path / "js" / "app.js").read_bytes()
    assert weight["js_files"] == ["js/app.js"]
    assert weight["css_files"] == ["site.css"]
    assert weight["external"] == ["https://js.stripe.com/v3/"]
    assert weight["js_bytes"] == len(app) + len("var ready = true;")
    assert weight["css_bytes"] == 40 * len("body { color: #1d2327; }\n") + len("p { margin: 0; }")
    assert 0 < weight["js_gzip_bytes"] < weight["js_bytes"]
    assert weight["images"] == [
        {
            "src": "/media/a.jpg",
            "alt": None,
            "width": "96",
            "height": "96",
            "loading": "lazy",
            "decoding": None,
            "fetchpriority": None,
        }
    ]
    with pytest.raises(FileNotFoundError):
        page_weight('<script src="/static/js/gone.js"></script>', tmp_path)


@pytest.mark.parametrize("scenario", KEY_PAGES, ids=lambda scenario: scenario.__name__)
def test_key_page_loads_only_its_own_scripts_within_budget(client, scenario):
    weight = page_weight(visit(client, scenario))
    total = weight["js_gzip_bytes"] + weight["css_gzip_bytes"]
    name = scenario.__name__
    print(f"\nWEIGHT {name} js={weight['js_gzip_bytes']} css={weight['css_gzip_bytes']}")

    assert weight["js_files"] == SCRIPTS.get(name, [])
    assert weight["external"] == []
    assert weight["css_files"][-2:] == ["oscar/css/styles.css", "css/site.css"]
    assert total <= (MAP_BUDGET if name == "organisation_directory" else BUDGET), weight


def test_the_product_page_runs_no_jquery_bootstrap_or_oscar_script(client):
    html = visit(client, product_detail)

    assert "jquery" not in html.lower()
    assert "bootstrap.bundle" not in html
    assert "oscar/js/" not in html
    assert "$(function" not in html


def test_account_pages_keep_oscar_scripts_for_their_menus(client):
    client.force_login(create_member(OrganisationFactory()))

    weight = page_weight(client.get("/accounts/addresses/").content.decode())

    assert weight["js_files"] == [
        "oscar/js/jquery/jquery.min.js",
        "oscar/js/bootstrap4/bootstrap.bundle.min.js",
        "oscar/js/oscar/ui.js",
    ]


# Pictures ----------------------------------------------------------------------------


def pixel_size(src):
    with default_storage.open(src.removeprefix(settings.MEDIA_URL)) as file:
        return Image.open(file).size


@pytest.mark.parametrize("scenario", list(PICTURE_PAGES), ids=lambda scenario: scenario.__name__)
def test_content_pictures_have_their_size_and_load_lazily(client, scenario):
    images = page_weight(visit(client, scenario))["images"]
    pictures = [image for image in images if image["src"].startswith(settings.MEDIA_URL)]

    assert pictures, "the page shows no picture"
    for image in images:
        assert image["width"].isdigit() and image["height"].isdigit(), image
    for picture in pictures:
        assert pixel_size(picture["src"]) == (int(picture["width"]), int(picture["height"]))
        assert picture["decoding"] == "async", picture
    first = PICTURE_PAGES[scenario]
    for index, picture in enumerate(pictures):
        if index == first:
            assert (picture["fetchpriority"], picture["loading"]) == ("high", None), picture
        else:
            assert (picture["fetchpriority"], picture["loading"]) == (None, "lazy"), picture


def test_organisation_logos_are_small_and_keep_their_transparency(client):
    buffer = io.BytesIO()
    logo = Image.new("RGBA", (400, 400), (0, 0, 0, 0))
    logo.paste((31, 107, 67, 255), (100, 100, 300, 300))
    logo.save(buffer, format="PNG")
    OrganisationFactory(
        is_verified=True, name="Κοινότητα Ζαγορίου", logo=ContentFile(buffer.getvalue(), "logo.png")
    )

    html = client.get("/market/organisations/").content.decode()

    (picture,) = [
        image
        for image in page_weight(html)["images"]
        if image["src"].startswith(settings.MEDIA_URL)
    ]
    with default_storage.open(picture["src"].removeprefix(settings.MEDIA_URL)) as file:
        thumbnail = Image.open(file)
        thumbnail.load()
    assert (thumbnail.format, thumbnail.size) == ("WEBP", (64, 64))
    assert thumbnail.convert("RGBA").getpixel((0, 0))[3] == 0
    assert thumbnail.convert("RGBA").getpixel((32, 32))[3] == 255


def test_product_gallery_shows_every_picture_without_a_script(client):
    html = visit(client, product_detail)

    for number in (1, 2, 3):
        assert f'id="product-image-{number}"' in html
        assert f'href="#product-image-{number}"' in html
    assert "data-slide" not in html


# Buying without JavaScript -----------------------------------------------------------


class Forms(HTMLParser):
    """The forms of a page as a browser without JavaScript submits them: for each, its
    method, action, the values it sends as it stands, the radio choices it offers and
    its named submit buttons."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.forms = {}
        self._form = self._select = self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {name: value if value is not None else "" for name, value in attrs}
        if tag == "form":
            self._form = {
                "method": attributes.get("method", "get").lower(),
                "action": attributes.get("action", ""),
                "data": {},
                "radios": {},
                "buttons": [],
            }
            key = attributes.get("id") or attributes.get("class") or len(self.forms)
            self.forms[key] = self._form
        elif self._form is None or "disabled" in attributes:
            return
        elif tag == "input":
            self._input(attributes)
        elif tag == "button" and attributes.get("type", "submit") == "submit":
            if attributes.get("name"):
                self._form["buttons"].append((attributes["name"], attributes.get("value", "")))
        elif tag == "select":
            self._select = attributes.get("name")
        elif tag == "option" and self._select:
            if "selected" in attributes or self._select not in self._form["data"]:
                self._form["data"][self._select] = attributes.get("value", "")
        elif tag == "textarea":
            self._textarea = attributes.get("name")
            self._form["data"][self._textarea] = ""

    def _input(self, attributes):
        kind, name = attributes.get("type", "text"), attributes.get("name")
        if not name or kind in ("submit", "button", "image", "reset", "file"):
            return
        if kind == "radio":
            self._form["radios"].setdefault(name, []).append(attributes.get("value", "on"))
        if kind in ("radio", "checkbox"):
            if "checked" in attributes:
                self._form["data"][name] = attributes.get("value", "on")
            return
        self._form["data"][name] = attributes.get("value", "")

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form["data"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def form_of(client, path, form_id):
    response = client.get(path)
    assert response.status_code == 200
    form = Forms(response.content.decode()).forms[form_id]
    assert form["method"] == "post"
    return form


def submit(client, form, path, button=None, **values):
    data = {**form["data"], **values}
    if button:
        assert button in form["buttons"], form["buttons"]
        data[button[0]] = button[1]
    return client.post(form["action"] or path, data)


def basket_lines(client):
    basket_id = client.get("/market/basket/").context["basket"].id
    return list(
        Line.objects.filter(basket_id=basket_id)
        .order_by("product__title")
        .values_list("product__title", "quantity")
    )


def test_a_product_goes_into_the_basket_with_the_product_pages_form(client):
    (product,) = market_products(1, title="Ελαιόλαδο")
    form = form_of(client, product.get_absolute_url(), "add_to_basket_form")

    response = submit(client, form, product.get_absolute_url(), quantity="2")

    assert response.status_code == 302
    assert basket_lines(client) == [("Ελαιόλαδο 1", 2)]


def test_the_catalogue_cards_add_to_the_basket_with_their_own_forms(client):
    (product,) = market_products(1, title="Ελαιόλαδο")
    forms = Forms(client.get("/market/catalogue/").content.decode()).forms
    (form,) = [form for form in forms.values() if form["action"].endswith(f"/add/{product.pk}/")]

    assert form["method"] == "post"
    assert submit(client, form, "/market/catalogue/").status_code == 302
    assert basket_lines(client) == [("Ελαιόλαδο 1", 1)]


def test_basket_quantities_change_and_lines_go_with_plain_buttons(client):
    first, second = market_products(2, title="Ελαιόλαδο")
    for product in (first, second):
        client.post(f"/market/basket/add/{product.pk}/", {"quantity": 1})
    form = form_of(client, "/market/basket/", "basket_formset")

    # The quantity's own "Update" button is the form's first: Enter in a field presses it.
    submit(client, form, "/market/basket/", **{"form-0-quantity": "3", "form-1-quantity": "1"})
    assert basket_lines(client) == [("Ελαιόλαδο 1", 3), ("Ελαιόλαδο 2", 1)]

    form = form_of(client, "/market/basket/", "basket_formset")
    response = submit(client, form, "/market/basket/", button=("form-1-DELETE", "on"))

    assert response.status_code == 302
    assert basket_lines(client) == [("Ελαιόλαδο 1", 3)]


def test_a_member_saves_a_line_for_later_and_brings_it_back_with_buttons(client):
    member = create_member(OrganisationFactory())
    client.force_login(member)
    (product,) = market_products(1, title="Ελαιόλαδο")
    client.post(f"/market/basket/add/{product.pk}/", {"quantity": 1})
    form = form_of(client, "/market/basket/", "basket_formset")

    submit(client, form, "/market/basket/", button=("form-0-save_for_later", "on"))

    assert basket_lines(client) == []
    saved = Basket.saved.get(owner=member)
    assert list(saved.lines.values_list("product__title", flat=True)) == ["Ελαιόλαδο 1"]

    form = form_of(client, "/market/basket/", "saved_basket_formset")
    submit(client, form, "/market/basket/", button=("saved-0-move_to_basket", "on"))

    assert basket_lines(client) == [("Ελαιόλαδο 1", 1)]
    assert not saved.lines.exists()


def test_checkout_with_bank_transfer_works_with_the_plain_form(client):
    bees, _honey = _honey_in_basket(client)
    form = form_of(client, "/market/checkout/", "checkout-form")
    delivery, payment = f"org-{bees.pk}-delivery_method", f"org-{bees.pk}-payment_method"
    assert "pickup" in form["radios"][delivery]
    assert "bank_transfer" in form["radios"][payment]

    response = submit(
        client,
        form,
        "/market/checkout/",
        **{
            "contact-name": "Ελένη Παπαδάκη",
            "contact-email": "eleni@example.org",
            "contact-phone": "6912345678",
            delivery: "pickup",
            payment: "bank_transfer",
        },
    )

    assert response.status_code == 302
    purchase_page = client.get(response["Location"]).content.decode()
    assert bees.iban_display in purchase_page
    assert page_weight(purchase_page)["js_files"] == []
    assert basket_lines(client) == []
