import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from shop.partner.validators import (
    iban_is_valid,
    normalise_iban,
    normalise_vat_number,
    validate_iban,
    validate_vat_number,
    vat_number_is_valid,
)


@pytest.mark.parametrize("value", ["094259216", "090000045", "EL094259216", "094 259 216"])
def test_valid_greek_vat_numbers(value):
    assert vat_number_is_valid(value)
    validate_vat_number(value)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("094259217", "checksum"),  # last digit changed
        ("123456789", "checksum"),
        ("000000000", "checksum"),
        ("09425921", "format"),  # eight digits
        ("0942592160", "format"),  # ten digits
        ("09425921Α", "format"),  # a Greek capital alpha, not a digit
        ("", "format"),
    ],
)
def test_invalid_greek_vat_numbers(value, code):
    assert not vat_number_is_valid(value)
    with pytest.raises(ValidationError) as raised:
        validate_vat_number(value)
    assert raised.value.code == code


def test_vat_number_messages_are_clear():
    with translation.override("en"):
        with pytest.raises(ValidationError) as raised:
            validate_vat_number("094259217")
        assert raised.value.messages == [
            "This VAT number (ΑΦΜ) is not valid: its check digit does not match."
        ]
    with translation.override("el"), pytest.raises(ValidationError) as raised:
        validate_vat_number("1234")
    assert raised.value.messages == ["Ο ΑΦΜ έχει ακριβώς 9 ψηφία."]


def test_normalise_vat_number_drops_spaces_and_eu_prefix():
    assert normalise_vat_number(" el 094 259 216 ") == "094259216"


@pytest.mark.parametrize(
    "value",
    [
        "GR16 0110 1250 0000 0001 2300 695",
        "gr1601101250000000012300695",
        "DE89 3704 0044 0532 0130 00",
        "GB82 WEST 1234 5698 7654 32",
    ],
)
def test_valid_ibans(value):
    assert iban_is_valid(value)
    validate_iban(value)


def test_iban_with_a_mistyped_digit_is_rejected():
    with translation.override("en"):
        with pytest.raises(ValidationError) as raised:
            validate_iban("GR16 0110 1250 0000 0001 2300 696")
        assert raised.value.messages == ["This IBAN is not valid: check for a mistyped character."]
    assert raised.value.code == "checksum"


def test_greek_iban_of_wrong_length_is_rejected_with_the_lengths():
    with translation.override("en"):
        with pytest.raises(ValidationError) as raised:
            validate_iban("GR16 0110 1250 0000 0001 2300 69")
        assert raised.value.messages == ["An IBAN of GR has 27 characters; this one has 26."]
    assert raised.value.code == "length"
    assert raised.value.messages == ["Ένα IBAN της χώρας GR έχει 27 χαρακτήρες· αυτό έχει 26."]


def test_normalise_iban():
    assert normalise_iban("gr16-0110 1250") == "GR1601101250"
