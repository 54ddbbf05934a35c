import pytest

from shop.text import slugify_greek, transliterate_greek


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ("Μέλι Θυμαρίσιο", "meli-thymarisio"),
        ("ΕΛΑΙΟΛΑΔΟ Καλαμάτας", "elaiolado-kalamatas"),
        ("Αυγά ελεύθερης βοσκής", "avga-eleftheris-voskis"),
        ("Ευχαριστώ", "efcharisto"),
        ("Αγγούρια και μπάμιες", "angouria-kai-mpamies"),
        ("Παϊδάκια", "paidakia"),
        ("Ψωμί ολικής 1 kg", "psomi-olikis-1-kg"),
        ("Χαλκιδική & Θάσος", "chalkidiki-thasos"),
        ("Honey 500g", "honey-500g"),
    ],
)
def test_slugify_greek_transliterates_to_latin(title, slug):
    assert slugify_greek(title) == slug


def test_transliterate_greek_keeps_case_and_other_scripts():
    assert transliterate_greek("Κρόκος Κοζάνης ΠΟΠ") == "Krokos Kozanis POP"
    assert transliterate_greek("Fair trade καφές") == "Fair trade kafes"


def test_oscar_uses_the_greek_slugifier():
    from oscar.core.utils import slugify

    assert slugify("Γραβιέρα Νάξου") == "graviera-naxou"
