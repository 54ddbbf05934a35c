"""The selling settings page of an organisation: delivery options, fee table, payments."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from oscar.core.loading import get_model

from shop.organisations.selling_forms import SellingSettingsForm
from tests.factories import OrganisationFactory, UserFactory, create_member

Partner = get_model("partner", "Partner")
PartnerAddress = get_model("partner", "PartnerAddress")
ShippingFee = get_model("partner", "ShippingFee")
Country = get_model("address", "Country")

pytestmark = pytest.mark.django_db

IBAN = "GR1601101250000000012300695"


@pytest.fixture
def organisation():
    organisation = OrganisationFactory(
        name="Συνεταιρισμός Μελιού Δοκιμής",
        iban=IBAN,
        offers_pickup=True,
        offers_shipping=False,
        accepts_cash=True,
        accepts_bank_transfer=False,
    )
    greece, _ = Country.objects.get_or_create(
        iso_3166_1_a2="GR", defaults={"name": "Ελλάδα", "printable_name": "Ελλάδα"}
    )
    PartnerAddress.objects.create(
        partner=organisation, line1="Πλατεία 3", line4="Αρχάνες", postcode="70100", country=greece
    )
    return organisation


@pytest.fixture
def member(organisation):
    return create_member(organisation)


def url(organisation, language="el"):
    with translation.override(language):
        return reverse("organisations:selling", kwargs={"slug": organisation.slug})


def form_data(rows=(), *, initial=0, deleted=(), **fields):
    """POST data of the page: ticked checkboxes are "on", a value of None leaves the
    field out (an unticked checkbox), ``rows`` are (min_subtotal, fee) of the table."""
    data = {
        "offers_pickup": "on",
        "pickup_instructions": "Δευτέρα έως Παρασκευή, 9:00-14:00",
        "offers_shipping": "on",
        "accepts_cash": "on",
        "tax_office": "ΔΟΥ Ηρακλείου",
        "language": "el",
        "fees-TOTAL_FORMS": str(len(rows)),
        "fees-INITIAL_FORMS": str(initial),
        "fees-MIN_NUM_FORMS": "0",
        "fees-MAX_NUM_FORMS": "1000",
    }
    for index, (min_subtotal, fee) in enumerate(rows):
        data[f"fees-{index}-min_subtotal"] = min_subtotal
        data[f"fees-{index}-fee"] = fee
    for index in deleted:
        data[f"fees-{index}-DELETE"] = "on"
    data.update(fields)
    return {key: value for key, value in data.items() if value is not None}


def stored_fees(organisation):
    return list(
        ShippingFee.objects.filter(organisation=organisation)
        .order_by("min_subtotal")
        .values_list("min_subtotal", "fee")
    )


def settings_of(organisation):
    organisation.refresh_from_db()
    return {
        "offers_pickup": organisation.offers_pickup,
        "offers_shipping": organisation.offers_shipping,
        "accepts_bank_transfer": organisation.accepts_bank_transfer,
        "accepts_cash": organisation.accepts_cash,
        "tax_office": organisation.tax_office,
    }


# Who may open the page ---------------------------------------------------------------


def test_selling_settings_anonymous_visitor_is_sent_to_log_in(client, organisation):
    response = client.get(url(organisation))

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={url(organisation)}"


def test_selling_settings_are_not_found_for_a_non_member(client, organisation, member):
    other_member = create_member(OrganisationFactory())
    client.force_login(other_member)
    before = settings_of(organisation)

    assert client.get(url(organisation)).status_code == 404
    response = client.post(url(organisation), form_data([("0", "4.50")], offers_pickup=None))

    assert response.status_code == 404
    assert settings_of(organisation) == before
    assert stored_fees(organisation) == []


def test_selling_settings_of_a_missing_organisation_are_not_found(client, member):
    client.force_login(member)

    response = client.get(reverse("organisations:selling", kwargs={"slug": "no-such-one"}))

    assert response.status_code == 404


def test_selling_settings_platform_staff_can_edit(client, organisation):
    client.force_login(UserFactory(is_staff=True))

    response = client.post(url(organisation), form_data([("0", "5.00")]))

    assert response.status_code == 302
    assert stored_fees(organisation) == [(Decimal("0.00"), Decimal("5.00"))]
    assert settings_of(organisation)["offers_shipping"] is True


# Saving ------------------------------------------------------------------------------


def test_selling_settings_member_saves_pickup_and_shipping_with_two_fee_rows(
    client, organisation, member
):
    client.force_login(member)

    response = client.post(
        url(organisation),
        form_data([("0", "4,50"), ("60.00", "0")], accepts_bank_transfer="on", language="en"),
    )

    assert response.status_code == 302
    assert response.url == url(organisation)
    assert stored_fees(organisation) == [
        (Decimal("0.00"), Decimal("4.50")),
        (Decimal("60.00"), Decimal("0.00")),
    ]
    assert settings_of(organisation) == {
        "offers_pickup": True,
        "offers_shipping": True,
        "accepts_bank_transfer": True,
        "accepts_cash": True,
        "tax_office": "ΔΟΥ Ηρακλείου",
    }
    assert organisation.pickup_instructions == "Δευτέρα έως Παρασκευή, 9:00-14:00"
    assert organisation.language == "en"
    assert organisation.shipping_fee_for(Decimal("59.99")) == Decimal("4.50")
    assert organisation.shipping_fee_for(Decimal("60.00")) == Decimal("0.00")
    assert [m.level_tag for m in get_messages(response.wsgi_request)] == ["success"]


def test_selling_settings_edit_the_fee_table_deletes_and_changes_rows(client, organisation, member):
    ShippingFee.objects.create(organisation=organisation, min_subtotal=0, fee=Decimal("4.50"))
    kept = ShippingFee.objects.create(
        organisation=organisation, min_subtotal=Decimal("60"), fee=Decimal("0")
    )
    client.force_login(member)

    # The first row is deleted and the second row is moved to 0 €, with a new row added.
    response = client.post(
        url(organisation),
        form_data(
            [("0", "4.50"), ("0", "3.90"), ("100", "0")],
            initial=2,
            deleted=[0],
        ),
    )

    assert response.status_code == 302
    assert stored_fees(organisation) == [
        (Decimal("0.00"), Decimal("3.90")),
        (Decimal("100.00"), Decimal("0.00")),
    ]
    assert not ShippingFee.objects.filter(pk=kept.pk).exists()


def test_selling_settings_a_cleared_row_is_removed(client, organisation, member):
    ShippingFee.objects.create(organisation=organisation, min_subtotal=0, fee=Decimal("4.50"))
    ShippingFee.objects.create(organisation=organisation, min_subtotal=60, fee=Decimal("0"))
    client.force_login(member)

    response = client.post(url(organisation), form_data([("0", "4.50"), ("", "")], initial=2))

    assert response.status_code == 302
    assert stored_fees(organisation) == [(Decimal("0.00"), Decimal("4.50"))]


def test_selling_settings_posted_rows_are_the_whole_table(client, organisation, member):
    """A page opened before someone else changed the table: the rows it posts are
    judged alone, never mixed with the stored ones."""
    ShippingFee.objects.create(organisation=organisation, min_subtotal=0, fee=Decimal("4.50"))
    client.force_login(member)

    response, _ = _refused(
        client, organisation, form_data([("0", "4.50"), ("0", "3.00")], initial=0)
    )

    assert response.context["fees"].errors[1]["min_subtotal"] == [
        "Another row is already for orders from 0.00 €: give each row a different "
        "amount, or delete one of them."
    ]


def test_selling_settings_a_half_filled_row_is_refused(client, organisation, member):
    client.force_login(member)

    response, _ = _refused(client, organisation, form_data([("0", "4.50"), ("", "2")]))

    assert response.context["fees"].errors[1] == {"min_subtotal": ["This field is required."]}


def test_selling_settings_page_shows_the_stored_rows_and_blank_rows(client, organisation, member):
    ShippingFee.objects.create(organisation=organisation, min_subtotal=0, fee=Decimal("4.50"))
    ShippingFee.objects.create(organisation=organisation, min_subtotal=60, fee=Decimal("0"))
    client.force_login(member)

    response = client.get(url(organisation, "en"))

    assert response.status_code == 200
    fees = response.context["fees"]
    assert fees.initial_form_count() == 2
    assert fees.total_form_count() == 4
    content = response.content.decode()
    assert ">Shipping fee table</caption>" in content
    assert '<th scope="col">For orders from (€)</th>' in content
    assert 'name="fees-0-fee" value="4.50"' in content
    assert 'name="fees-1-min_subtotal" value="60.00"' in content


def test_selling_settings_amounts_are_shown_with_a_greek_decimal_comma(
    client, organisation, member
):
    ShippingFee.objects.create(organisation=organisation, min_subtotal=0, fee=Decimal("4.50"))
    client.force_login(member)

    response = client.get(url(organisation))

    assert 'name="fees-0-fee" value="4,50"' in response.content.decode()


def test_selling_settings_saving_keeps_the_stripe_state_changed_meanwhile(organisation):
    form = SellingSettingsForm(form_data([("0", "4.50")]), organisation=organisation)
    assert form.is_valid(), form.errors
    # A Stripe webhook updates the account while the member is saving.
    Partner.objects.filter(pk=organisation.pk).update(
        stripe_account_id="acct_123", stripe_charges_enabled=True, stripe_payouts_enabled=True
    )

    form.save()

    organisation.refresh_from_db()
    assert organisation.stripe_account_id == "acct_123"
    assert organisation.stripe_charges_enabled and organisation.stripe_payouts_enabled
    assert organisation.offers_shipping is True


# Refusals ----------------------------------------------------------------------------


def _refused(client, organisation, data):
    """Post in English; the page comes back (200) and nothing is stored."""
    before = settings_of(organisation)
    fees_before = stored_fees(organisation)
    response = client.post(url(organisation, "en"), data)
    assert response.status_code == 200
    assert settings_of(organisation) == before
    assert stored_fees(organisation) == fees_before
    content = response.content.decode()
    assert "The settings have not been saved" in content
    return response, content


def test_selling_settings_refuse_duplicate_thresholds(client, organisation, member):
    client.force_login(member)

    response, content = _refused(
        client, organisation, form_data([("0", "4.50"), ("60", "0"), ("60.00", "2")])
    )

    errors = response.context["fees"].errors
    assert errors[0] == {} and errors[1] == {}
    assert errors[2]["min_subtotal"] == [
        "Another row is already for orders from 60.00 €: give each row a different "
        "amount, or delete one of them."
    ]
    # The message is tied to its field.
    assert 'aria-describedby="id_fees-2-min_subtotal_error"' in content
    assert 'id="id_fees-2-min_subtotal_error"' in content


def test_selling_settings_refuse_bank_transfer_without_iban(client, member, organisation):
    Partner.objects.filter(pk=organisation.pk).update(iban="")
    client.force_login(member)

    response, content = _refused(
        client,
        organisation,
        form_data([("0", "4.50")], accepts_bank_transfer="on", accepts_cash=None),
    )

    assert response.context["form"].errors["accepts_bank_transfer"] == [
        "Bank transfers need the organisation's IBAN, and the profile has none: "
        "add the IBAN to the profile first."
    ]
    # The choice was bank transfer: no second message that no method was chosen.
    assert response.context["form"].payment_errors == []
    with translation.override("en"):
        edit_url = reverse("organisations:edit", kwargs={"slug": organisation.slug})
    assert f'<a href="{edit_url}">Edit the profile</a></p>' in content
    assert "Add the IBAN to the profile" in content


def test_selling_settings_refuse_no_delivery_option(client, organisation, member):
    client.force_login(member)

    response, content = _refused(
        client, organisation, form_data(offers_pickup=None, offers_shipping=None)
    )

    assert response.context["form"].delivery_errors == [
        "Offer at least one way to deliver goods: pickup, shipping or both."
    ]
    assert 'aria-describedby="selling-delivery-errors"' in content


def test_selling_settings_refuse_no_payment_method(client, organisation, member):
    client.force_login(member)

    response, content = _refused(
        client, organisation, form_data([("0", "4.50")], accepts_cash=None)
    )

    assert response.context["form"].payment_errors == [
        "Accept at least one way of payment: bank transfer, cash or card."
    ]
    assert 'aria-describedby="selling-payment-errors"' in content


def test_selling_settings_a_ready_stripe_account_counts_as_a_payment_method(
    client, organisation, member, settings
):
    settings.STRIPE_ENABLED = True
    Partner.objects.filter(pk=organisation.pk).update(
        stripe_account_id="acct_1", stripe_charges_enabled=True, stripe_payouts_enabled=True
    )
    client.force_login(member)

    response = client.post(url(organisation), form_data([("0", "4.50")], accepts_cash=None))

    assert response.status_code == 302
    assert settings_of(organisation)["accepts_cash"] is False


def test_selling_settings_refuse_shipping_without_fee_rows(client, organisation, member):
    client.force_login(member)

    response, _ = _refused(client, organisation, form_data([("", ""), ("", "")]))

    assert response.context["fees"].non_form_errors() == [
        "Give at least one row of the shipping fee table (for example: for orders from "
        "0 €, a fee of 4.50 €), or do not offer shipping."
    ]


def test_selling_settings_refuse_a_table_not_starting_at_zero(client, organisation, member):
    client.force_login(member)

    response, _ = _refused(client, organisation, form_data([("20", "4.50")]))

    assert response.context["fees"].non_form_errors() == [
        "The first row must be for orders from 0 €, so that every order has a shipping "
        "fee. Use a fee of 0 € for free shipping."
    ]


def test_selling_settings_refuse_negative_and_malformed_amounts(client, organisation, member):
    client.force_login(member)

    response, _ = _refused(client, organisation, form_data([("0", "-1"), ("abc", "2")]))

    errors = response.context["fees"].errors
    assert errors[0]["fee"] == ["Ensure this value is greater than or equal to 0."]
    assert errors[1]["min_subtotal"] == ["Enter a number."]


def test_selling_settings_refuse_pickup_without_any_address(client, member, organisation):
    organisation.addresses.all().delete()
    client.force_login(member)

    response, _ = _refused(client, organisation, form_data([("0", "4.50")], pickup_instructions=""))

    assert "pickup_instructions" in response.context["form"].errors


def test_selling_settings_without_shipping_need_no_fee_rows(client, organisation, member):
    client.force_login(member)

    response = client.post(url(organisation), form_data(offers_shipping=None))

    assert response.status_code == 302
    assert settings_of(organisation)["offers_shipping"] is False
    assert stored_fees(organisation) == []


def test_selling_settings_tampered_formset_is_refused_without_error(client, organisation, member):
    client.force_login(member)
    data = form_data([("0", "4.50")])
    del data["fees-TOTAL_FORMS"]

    _refused(client, organisation, data)


# Card payments -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("account", "charges", "payouts", "state_text", "button"),
    [
        ("", False, False, "Not connected", "Connect a Stripe account"),
        ("acct_1", True, False, "Onboarding incomplete", "Continue the onboarding with Stripe"),
        ("acct_1", True, True, "Ready", None),
    ],
)
def test_selling_settings_show_the_stripe_state_when_enabled(
    client, organisation, member, settings, account, charges, payouts, state_text, button
):
    settings.STRIPE_ENABLED = True
    Partner.objects.filter(pk=organisation.pk).update(
        stripe_account_id=account, stripe_charges_enabled=charges, stripe_payouts_enabled=payouts
    )
    client.force_login(member)

    content = client.get(url(organisation, "en")).content.decode()

    assert f"<strong>{state_text}:</strong>" in content
    assert "Card payments are not available on this platform." not in content
    with translation.override("en"):
        stripe_url = reverse("organisations:stripe", kwargs={"slug": organisation.slug})
    if button:
        assert f'<form method="post" action="{stripe_url}">' in content
        assert button in content
    else:
        assert stripe_url not in content


def test_selling_settings_say_cards_are_unavailable_without_stripe(
    client, organisation, member, settings
):
    settings.STRIPE_ENABLED = False
    Partner.objects.filter(pk=organisation.pk).update(
        stripe_account_id="acct_1", stripe_charges_enabled=True, stripe_payouts_enabled=True
    )
    client.force_login(member)

    content = client.get(url(organisation, "en")).content.decode()

    assert "Card payments are not available on this platform." in content
    assert "Connect a Stripe account" not in content
    assert "/selling/stripe/" not in content


# Links and queries -------------------------------------------------------------------


def test_selling_settings_are_linked_for_members_only(client, organisation, member):
    Partner.objects.filter(pk=organisation.pk).update(is_verified=True)
    link = f'href="{url(organisation)}"'

    client.force_login(UserFactory())
    assert link not in client.get(organisation.get_absolute_url()).content.decode()

    client.force_login(member)
    assert link in client.get(organisation.get_absolute_url()).content.decode()
    assert link in client.get(reverse("organisations:mine")).content.decode()
    edit_url = reverse("organisations:edit", kwargs={"slug": organisation.slug})
    assert link in client.get(edit_url).content.decode()


def test_selling_settings_page_queries_do_not_grow_with_fee_rows(
    client, organisation, member, django_assert_max_num_queries
):
    ShippingFee.objects.create(organisation=organisation, min_subtotal=0, fee=Decimal("4.50"))
    client.force_login(member)
    client.get(url(organisation))  # warm caches (site, session)

    with CaptureQueriesContext(connection) as one_row:
        assert client.get(url(organisation)).status_code == 200
    for threshold in range(10, 100, 10):
        ShippingFee.objects.create(
            organisation=organisation, min_subtotal=threshold, fee=Decimal("1.00")
        )
    with django_assert_max_num_queries(len(one_row)):
        response = client.get(url(organisation))
    assert response.context["fees"].initial_form_count() == 10
    assert len(one_row) <= 12, [query["sql"] for query in one_row.captured_queries]
