"""Fill an empty database with the Greek demo data of the social market.

Every step finds what an earlier run created and updates it, so loading twice gives
the same rows as loading once.
"""

from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.sites.models import Site
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from shop.demo_data import (
    CATEGORIES,
    CERTIFICATIONS,
    COORDINATES,
    ORGANISATIONS,
    PRODUCT_CLASSES,
    SELLING,
    SERVICES,
)
from shop.demo_images import product_image

Country = get_model("address", "Country")
Partner = get_model("partner", "Partner")
PartnerAddress = get_model("partner", "PartnerAddress")
StockRecord = get_model("partner", "StockRecord")
ShippingFee = get_model("partner", "ShippingFee")
Product = get_model("catalogue", "Product")
ProductClass = get_model("catalogue", "ProductClass")
ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
Certification = get_model("catalogue", "Certification")

DEMO_PASSWORD = "coop-demo-2026"  # noqa: S105 (a documented demo log-in)
DEMO_EMAIL_DOMAIN = "demo.coopsociety.gr"
STAFF_EMAIL = f"staff@{DEMO_EMAIL_DOMAIN}"


def demo_member_email(login):
    return f"{login}@{DEMO_EMAIL_DOMAIN}"


@transaction.atomic
def load_market_demo():
    """Create or update the demo organisations, their members, products and services."""
    _configure_site()
    greece = _ensure_greece()
    product_classes = _product_classes()
    categories = {key: create_from_breadcrumbs(path) for key, path in CATEGORIES.items()}
    _user(STAFF_EMAIL, username="staff", first_name="Ομάδα", last_name="Πλατφόρμας", staff=True)
    dashboard_access = Permission.objects.get(
        codename="dashboard_access", content_type__app_label="partner"
    )

    for org_number, data in enumerate(ORGANISATIONS, start=1):
        organisation = _organisation(data, greece, number=org_number)
        member = _user(
            demo_member_email(data["login"]),
            username=data["login"],
            first_name="Μέλος",
            last_name=data["name"][:150],
        )
        member.user_permissions.add(dashboard_access)
        organisation.users.add(member)
        for product_number, row in enumerate(data["products"], start=1):
            upc = f"DEMO-{org_number:02d}-{product_number:02d}"
            _product(upc, row, organisation, product_classes, categories)

    # The think tank's entries are written by these organisations' members.
    from thinktank.demo import load_thinktank_demo

    load_thinktank_demo()
    # The MENTORS programme: its mentors belong to these organisations, its questions
    # are asked and answered by their members.
    from mentors.demo import load_mentors_demo

    load_mentors_demo()
    return demo_counts()


def demo_counts():
    """Row counts that a repeated load must leave unchanged."""
    return {
        "organisations": Partner.objects.count(),
        "products": Product.objects.count(),
        "stock_records": StockRecord.objects.count(),
        "images": ProductImage.objects.count(),
        "product_classes": ProductClass.objects.count(),
        "users": get_user_model().objects.count(),
        "shipping_fees": ShippingFee.objects.count(),
    }


def _configure_site():
    Site.objects.update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": urlsplit(settings.SITE_URL).netloc, "name": "Συνεργατική Κοινωνία"},
    )


def _ensure_greece():
    if not Country.objects.exists():
        call_command("oscar_populate_countries", "--no-shipping", verbosity=0)
    greece, _ = Country.objects.update_or_create(
        iso_3166_1_a2="GR",
        defaults={
            "iso_3166_1_a3": "GRC",
            "iso_3166_1_numeric": "300",
            "printable_name": "Ελλάδα",
            "name": "Ελληνική Δημοκρατία",
            "is_shipping_country": True,
            "display_order": 1,
        },
    )
    return greece


def _product_classes():
    classes = {}
    for key, (name, vat_rate, track_stock, requires_shipping, kind) in PRODUCT_CLASSES.items():
        classes[key], _ = ProductClass.objects.update_or_create(
            name=name,
            defaults={
                "vat_rate": vat_rate,
                "track_stock": track_stock,
                "requires_shipping": requires_shipping,
                "kind": kind,
            },
        )
    return classes


def _user(email, *, username, first_name, last_name, staff=False):
    user, created = get_user_model().objects.get_or_create(
        email=email,
        defaults={
            "username": username,
            "first_name": first_name,
            "last_name": last_name,
            "is_staff": staff,
            "is_superuser": staff,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


def demo_vat_number(number):
    """A valid ΑΦΜ (right check digit) made from a running number."""
    base = f"{99_000_000 + number:08d}"
    total = sum(int(digit) * 2 ** (8 - position) for position, digit in enumerate(base))
    return base + str(total % 11 % 10)


def demo_iban(number):
    """A valid Greek IBAN (right check digits) at a made-up account number."""
    bban = f"0110125{number:016d}"
    rearranged = bban + "GR00"
    check = 98 - int("".join(str(int(char, 36)) for char in rearranged)) % 97
    return f"GR{check:02d}{bban}"


def _organisation(data, greece, *, number):
    latitude, longitude = COORDINATES[data["login"]]
    tax_office, pickup_instructions, shipping_fees = SELLING[data["login"]]
    iban = demo_iban(number)
    organisation, _ = Partner.objects.update_or_create(
        name=data["name"],
        defaults={
            "legal_form": data["legal_form"],
            "region": data["region"],
            "municipality": data["municipality"],
            "description": data["description"],
            "website": data["website"],
            "vat_number": demo_vat_number(number),
            "gemi_number": f"{150_000_000_000 + number * 1_000:012d}",
            "iban": iban,
            "tax_office": tax_office,
            "offers_pickup": True,
            "pickup_instructions": pickup_instructions,
            "offers_shipping": shipping_fees is not None,
            "accepts_bank_transfer": bool(iban),
            "accepts_cash": True,
            "contact_email": f"info@{data['login']}.example.org",
            "contact_phone": f"+30 210 555 {number:04d}",
            "facebook_url": f"https://www.facebook.com/{data['login']}",
            "latitude": latitude,
            "longitude": longitude,
            "is_verified": True,
        },
    )
    if organisation.verified_at is None:
        organisation.verified_at = organisation.created
        organisation.save(update_fields=["verified_at"])
    if not organisation.logo:
        organisation.logo.save(
            f"{organisation.code}.jpg", ContentFile(product_image(data["name"], size=256))
        )
    _shipping_fee_table(organisation, shipping_fees or [])
    line1, city, postcode = data["address"]
    PartnerAddress.objects.update_or_create(
        partner=organisation,
        defaults={
            "line1": line1,
            "line4": city,
            "postcode": postcode,
            "country": greece,
        },
    )
    return organisation


def _shipping_fee_table(organisation, rows):
    """The organisation's fee table is exactly ``rows``, (orders from, fee) pairs."""
    thresholds = [min_subtotal for min_subtotal, _ in rows]
    organisation.shipping_fees.exclude(min_subtotal__in=thresholds).delete()
    for min_subtotal, fee in rows:
        ShippingFee.objects.update_or_create(
            organisation=organisation, min_subtotal=min_subtotal, defaults={"fee": fee}
        )


def _product(upc, row, organisation, product_classes, categories):
    title, class_key, category_key, price, stock, description = row
    service = {}
    if title in SERVICES:
        minutes, location, area, booking, places = SERVICES[title]
        stock = places
        service = {
            "service_duration": timedelta(minutes=minutes) if minutes else None,
            "service_location": location,
            "service_area": area,
            "service_booking": booking,
        }
    product, _ = Product.objects.update_or_create(
        upc=upc,
        defaults={
            "title": title,
            "description": description,
            "product_class": product_classes[class_key],
            "structure": Product.STANDALONE,
            "is_public": True,
            **service,
        },
    )
    product.certifications.set(Certification.objects.filter(code__in=CERTIFICATIONS.get(title, [])))
    ProductCategory.objects.get_or_create(product=product, category=categories[category_key])
    StockRecord.objects.update_or_create(
        product=product,
        partner=organisation,
        defaults={
            "partner_sku": upc,
            "price": price,
            "price_currency": settings.OSCAR_DEFAULT_CURRENCY,
            "num_in_stock": stock,
        },
    )
    if not product.images.exists():
        ProductImage.objects.create(
            product=product,
            original=ContentFile(product_image(title), name=f"{product.slug}.jpg"),
            caption=title,
            display_order=0,
        )
    return product
