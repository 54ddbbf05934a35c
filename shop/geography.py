"""The country the platform works in."""

from oscar.core.loading import get_model

Country = get_model("address", "Country")


def greece():
    """Greece's country row (addresses of organisations, shipping addresses), made on
    first use when Oscar's country list has not been loaded."""
    country, _created = Country.objects.get_or_create(
        iso_3166_1_a2="GR",
        defaults={
            "iso_3166_1_a3": "GRC",
            "iso_3166_1_numeric": "300",
            "printable_name": "Ελλάδα",
            "name": "Hellenic Republic",
            "is_shipping_country": True,
        },
    )
    return country
