"""Greek is the default language and English the second: both catalogues complete."""

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from django.conf import settings

ROOT = Path(settings.BASE_DIR)
CATALOGUES = sorted(
    path
    for pattern in ("**/locale/*/LC_MESSAGES/django.po", "**/oscar_locale/*/LC_MESSAGES/django.po")
    for path in ROOT.glob(pattern)
    if ".venv" not in path.parts and "var" not in path.parts
)


def test_every_app_has_greek_and_english_catalogues():
    catalogues = {str(path.relative_to(ROOT)) for path in CATALOGUES}
    for app in ("shop", "catalogue_ext", "thinktank", "mentors"):
        for language in ("el", "en"):
            assert f"{app}/locale/{language}/LC_MESSAGES/django.po" in catalogues
    # Greek for the Oscar strings that Oscar's own catalogue leaves untranslated.
    assert "shop/oscar_locale/el/LC_MESSAGES/django.po" in catalogues


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda path: str(path.relative_to(ROOT)))
def test_catalogue_is_complete_and_compiled(po_path):
    with po_path.open("rb") as handle:
        catalogue = read_po(handle)
    messages = [message for message in catalogue if message.id]
    assert messages, "an empty catalogue translates nothing"
    untranslated = [
        message.id
        for message in messages
        if not message.string or (isinstance(message.string, tuple) and not all(message.string))
    ]
    fuzzy = [message.id for message in messages if message.fuzzy]
    assert untranslated == []
    assert fuzzy == []

    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
    with mo_path.open("rb") as handle:
        compiled = read_mo(handle)
    compiled_strings = {
        key(message): as_tuple(message.string) for message in compiled if message.id
    }
    assert compiled_strings == {key(message): as_tuple(message.string) for message in messages}


def as_tuple(value):
    return (value,) if isinstance(value, str) else tuple(value)


def key(message):
    context = message.context
    if isinstance(context, bytes):  # babel's .mo reader leaves contexts undecoded
        context = context.decode()
    return (context, as_tuple(message.id))


def test_greek_pages_of_the_shop_are_in_greek(client, db):
    from tests.factories import OrganisationFactory, create_offered_product

    create_offered_product(
        title="Μέλι Θυμαρίσιο 450 g", organisation=OrganisationFactory(is_verified=True)
    )
    html = client.get("/market/catalogue/").content.decode()
    assert "Ταξινόμηση κατά" in html
    assert "Show results for" not in html
    assert "Refine by" not in html
    assert "results - showing" not in html
    assert "Προσθήκη στο καλάθι" in html
    login = client.get("/accounts/login/").content.decode()
    assert ">Log In<" not in login
    assert "Εγγραφή" in login
