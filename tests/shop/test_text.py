import pytest

from shop.text import (
    greeklish_key,
    greeklish_keys,
    searchable_text,
    slugify_greek,
    transliterate_greek,
)


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


@pytest.mark.parametrize(
    ("greek", "greeklish"),
    [
        ("Ελαιόλαδο", "elaiolado"),
        ("ΕΛΑΙΟΛΑΔΟ", "elaiolado"),
        ("Μέλι Θυμαρίσιο", "meli thymarisio"),
        ("Μέλι Θυμαρίσιο", "meli thimarisio"),
        ("Θάλασσα", "8alassa"),
        ("Σαπούνι", "sapouni"),
        ("Ξενάγηση", "ksenagisi"),
        ("Μπουγάτσα", "bougatsa"),
        ("Ντομάτα", "ntomata"),
        ("Ελληνικός", "ellinikos"),
    ],
)
def test_greek_and_greeklish_share_a_key(greek, greeklish):
    assert greeklish_key(greek) == greeklish_key(greeklish)


def test_greeklish_keys_give_both_spellings_of_chi():
    assert greeklish_keys("Χαρούπι").split("\n") == ["harupi", "xarupi"]
    assert greeklish_key("xaroupi") == "xarupi"
    assert greeklish_key("charoupi") == "harupi"


def test_searchable_text_is_folded_text_then_its_keys():
    assert searchable_text("Μέλι ΘΥΜΑΡΊΣΙΟ") == "μελι θυμαρισιο\nmeli thimarisio"
