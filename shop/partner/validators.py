"""Validators for Greek organisation identifiers: ΑΦΜ (VAT number) and IBAN."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# IBAN lengths (ISO 13616) of the countries whose banks Greek organisations use most.
IBAN_LENGTHS = {
    "GR": 27, "CY": 28, "DE": 22, "FR": 27, "IT": 27, "ES": 24, "NL": 18, "BE": 16,
    "AT": 20, "PT": 25, "IE": 22, "LU": 20, "BG": 22, "RO": 24, "MT": 31, "SI": 19,
    "HR": 21, "LT": 20, "LV": 21, "EE": 20, "FI": 18, "SE": 24, "DK": 18, "PL": 28,
    "CZ": 24, "SK": 24, "HU": 28, "GB": 22, "CH": 21, "NO": 15,
}  # fmt: skip


def normalise_vat_number(value):
    """Digits only: drops spaces and an ``EL``/``GR`` prefix (EU VIES style)."""
    value = re.sub(r"\s+", "", str(value or "")).upper()
    if value[:2] in {"EL", "GR"}:
        value = value[2:]
    return value


def vat_number_is_valid(value):
    """True when ``value`` is a nine-digit ΑΦΜ whose last digit is its check digit."""
    digits = normalise_vat_number(value)
    if not re.fullmatch(r"\d{9}", digits) or digits == "0" * 9:
        return False
    total = sum(int(digit) * 2 ** (8 - position) for position, digit in enumerate(digits[:8]))
    return total % 11 % 10 == int(digits[8])


def validate_vat_number(value):
    if not re.fullmatch(r"\d{9}", normalise_vat_number(value)):
        raise ValidationError(_("A Greek VAT number (ΑΦΜ) has exactly 9 digits."), code="format")
    if not vat_number_is_valid(value):
        raise ValidationError(
            _("This VAT number (ΑΦΜ) is not valid: its check digit does not match."),
            code="checksum",
        )


def normalise_iban(value):
    return re.sub(r"[\s-]+", "", str(value or "")).upper()


def iban_is_valid(value):
    """ISO 13616: known country length, then the mod-97 check of the rearranged number."""
    iban = normalise_iban(value)
    if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{10,30}", iban):
        return False
    expected_length = IBAN_LENGTHS.get(iban[:2])
    if expected_length is not None and len(iban) != expected_length:
        return False
    rearranged = iban[4:] + iban[:4]
    number = "".join(str(int(char, 36)) for char in rearranged)
    return int(number) % 97 == 1


def validate_iban(value):
    iban = normalise_iban(value)
    expected_length = IBAN_LENGTHS.get(iban[:2])
    if expected_length is not None and len(iban) != expected_length:
        raise ValidationError(
            _("An IBAN of %(country)s has %(length)d characters; this one has %(given)d."),
            code="length",
            params={"country": iban[:2], "length": expected_length, "given": len(iban)},
        )
    if not iban_is_valid(iban):
        raise ValidationError(
            _("This IBAN is not valid: check for a mistyped character."), code="checksum"
        )
