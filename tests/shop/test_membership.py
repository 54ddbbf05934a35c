"""Joining an organisation, managing its members and profile, and verifying it."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.core.loading import get_model
from PIL import Image

from shop.organisations import services
from tests.factories import (
    InvitationFactory,
    JoinRequestFactory,
    OrganisationFactory,
    UserFactory,
    create_member,
)

pytestmark = pytest.mark.django_db

Partner = get_model("partner", "Partner")
Country = get_model("address", "Country")
Invitation = get_model("partner", "Invitation")
JoinRequest = get_model("partner", "JoinRequest")
VerificationVouch = get_model("partner", "VerificationVouch")

BASE = "/en/market/organisations"


@pytest.fixture(autouse=True)
def greece():
    country, _created = Country.objects.get_or_create(
        iso_3166_1_a2="GR", defaults={"printable_name": "Ελλάδα", "name": "Hellenic Republic"}
    )
    return country


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Μελισσοκόμοι Χαλκιδικής", is_verified=True)


@pytest.fixture
def member(organisation):
    return create_member(organisation, email="member@example.org")


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def has_dashboard_access(user):
    return get_user_model().objects.get(pk=user.pk).has_perm("partner.dashboard_access")


def png(name="logo.png", size=(200, 200)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "seagreen").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def profile(**changes):
    data = {
        "name": "ΚοινΣΕπ Το Αλώνι",
        "legal_form": "koinsep",
        "vat_number": "094259216",
        "gemi_number": "123456789",
        "description": "Κοινωνική κουζίνα.",
        "region": "thessaly",
        "municipality": "Καρδίτσα",
        "address_line": "Πλαστήρα 12",
        "city": "Καρδίτσα",
        "postcode": "43100",
        "website": "https://aloni.example.org",
        "contact_email": "info@aloni.example.org",
        "contact_phone": "2441012345",
        "iban": "GR16 0110 1250 0000 0001 2300 695",
    }
    data.update(changes)
    return data


# Creating an organisation ---------------------------------------------------------------


def test_create_organisation_makes_the_creator_its_unverified_member(client):
    creator = UserFactory()
    client.force_login(creator)

    response = client.post(f"{BASE}/new/", profile(logo=png()))

    organisation = Partner.objects.get(name="ΚοινΣΕπ Το Αλώνι")
    assert response.status_code == 302
    assert response.url == f"{BASE}/{organisation.code}/"
    assert organisation.code == "koinsep-to-aloni"
    assert list(organisation.users.all()) == [creator]
    assert organisation.is_verified is False
    assert organisation.verified_at is None
    assert organisation.vat_number == "094259216"
    assert organisation.iban == "GR1601101250000000012300695"
    assert organisation.logo.name.startswith("organisations/logos/")
    assert organisation.logo.name.endswith(".png")
    address = organisation.addresses.get()
    assert (address.line1, address.line4, address.postcode, address.country.iso_3166_1_a2) == (
        "Πλαστήρα 12",
        "Καρδίτσα",
        "43100",
        "GR",
    )
    assert has_dashboard_access(creator)
    assert messages_of(response) == [
        "The organisation ΚοινΣΕπ Το Αλώνι has been created. It will appear in the directory "
        "once it is verified."
    ]
    client.get("/market/organisations/")  # shows the message above
    directory = client.get("/market/organisations/").content.decode()
    assert "ΚοινΣΕπ Το Αλώνι" not in directory


def test_create_organisation_asks_an_anonymous_visitor_to_log_in(client):
    response = client.post(f"{BASE}/new/", profile())

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={BASE}/new/"
    assert Partner.objects.count() == 0


def test_create_organisation_with_bad_vat_number_and_iban_creates_nothing(client):
    client.force_login(UserFactory())

    response = client.post(
        "/market/organisations/new/",
        profile(vat_number="094259217", iban="GR1601101250000000012300696"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "vat_number": ["Ο ΑΦΜ δεν είναι έγκυρος: το ψηφίο ελέγχου δεν ταιριάζει."],
        "iban": [
            "Το IBAN δεν είναι έγκυρο: ελέγξτε μήπως κάποιος χαρακτήρας πληκτρολογήθηκε λάθος."
        ],
    }
    assert "Ο ΑΦΜ δεν είναι έγκυρος" in response.content.decode()
    assert Partner.objects.count() == 0
    assert get_model("partner", "PartnerAddress").objects.count() == 0


def test_create_organisation_refuses_a_logo_that_is_not_an_image(client):
    user = UserFactory()
    client.force_login(user)
    fake = SimpleUploadedFile("logo.png", b"<?php echo 'hi'; ?>", content_type="image/png")

    response = client.post("/market/organisations/new/", profile(logo=fake))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "logo": ["Το αρχείο δεν είναι εικόνα ή είναι κατεστραμμένο."]
    }
    assert Partner.objects.count() == 0
    assert not has_dashboard_access(user)


# Asking to join -------------------------------------------------------------------------


def test_signed_in_visitor_asks_to_join(client, organisation, member):
    visitor = UserFactory()
    client.force_login(visitor)

    storefront = client.get(f"{BASE}/{organisation.code}/").content.decode()
    response = client.post(f"{BASE}/{organisation.code}/join/", {"message": "Γεια σας"})

    assert "Ask to join" in storefront
    assert response.status_code == 302
    assert response.url == f"{BASE}/{organisation.code}/"
    join_request = JoinRequest.objects.get()
    assert (join_request.organisation, join_request.user, join_request.message) == (
        organisation,
        visitor,
        "Γεια σας",
    )
    assert join_request.status == "pending"
    assert not organisation.users.filter(pk=visitor.pk).exists()
    assert messages_of(response) == [
        "Your request has been sent to the members of Μελισσοκόμοι Χαλκιδικής."
    ]


def test_second_pending_join_request_is_refused(client, organisation):
    visitor = UserFactory()
    JoinRequestFactory(organisation=organisation, user=visitor)
    client.force_login(visitor)

    response = client.post(f"{BASE}/{organisation.code}/join/")

    assert response.status_code == 302
    assert JoinRequest.objects.count() == 1
    assert messages_of(response) == [
        "You have already asked to join this organisation; its members have not decided yet."
    ]


def test_cannot_ask_to_join_an_unverified_organisation_one_cannot_see(client):
    hidden = OrganisationFactory(is_verified=False)
    client.force_login(UserFactory())

    response = client.post(f"{BASE}/{hidden.code}/join/")

    assert response.status_code == 404
    assert JoinRequest.objects.count() == 0


@pytest.mark.parametrize(("decision", "status"), [("accept", "accepted"), ("decline", "declined")])
def test_member_decides_a_join_request(client, organisation, member, decision, status):
    join_request = JoinRequestFactory(organisation=organisation)
    client.force_login(member)

    response = client.post(
        f"{BASE}/{organisation.code}/requests/{join_request.pk}/", {"decision": decision}
    )

    join_request.refresh_from_db()
    assert response.status_code == 302
    assert response.url == f"{BASE}/{organisation.code}/members/"
    assert join_request.status == status
    assert join_request.decided_by == member
    assert join_request.decided_at is not None
    accepted = decision == "accept"
    assert organisation.users.filter(pk=join_request.user.pk).exists() is accepted
    assert has_dashboard_access(join_request.user) is accepted


def test_stranger_cannot_decide_a_join_request(client, organisation, member):
    join_request = JoinRequestFactory(organisation=organisation)
    stranger = create_member(OrganisationFactory(is_verified=True))
    client.force_login(stranger)

    response = client.post(
        f"{BASE}/{organisation.code}/requests/{join_request.pk}/", {"decision": "accept"}
    )

    join_request.refresh_from_db()
    assert response.status_code == 404
    assert join_request.status == "pending"
    assert join_request.decided_by is None
    assert list(organisation.users.all()) == [member]
    with pytest.raises(PermissionDenied):
        services.decide_join_request(join_request=join_request, by=stranger, accept=True)
    assert list(organisation.users.all()) == [member]


def test_a_decided_join_request_cannot_be_decided_again(organisation, member):
    join_request = JoinRequestFactory(organisation=organisation)
    services.decide_join_request(join_request=join_request, by=member, accept=False)

    with pytest.raises(ValidationError) as error:
        services.decide_join_request(join_request=join_request, by=member, accept=True)

    assert error.value.messages == ["Για αυτό το αίτημα έχει ήδη ληφθεί απόφαση."]
    assert list(organisation.users.all()) == [member]


# Invitations ----------------------------------------------------------------------------


def test_invitation_is_emailed_and_accepted(client, organisation, member, settings):
    settings.SITE_URL = "https://coopsociety.gr"
    client.force_login(member)

    response = client.post(
        f"{BASE}/{organisation.code}/members/invite/", {"email": "New.Member@Example.org"}
    )

    invitation = Invitation.objects.get()
    assert response.status_code == 302
    assert messages_of(response) == ["An invitation has been sent to New.Member@example.org."]
    assert (invitation.organisation, invitation.email, invitation.invited_by) == (
        organisation,
        "New.Member@example.org",
        member,
    )
    assert len(invitation.token) == 43
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["New.Member@example.org"]
    assert message.subject == "Invitation to join Μελισσοκόμοι Χαλκιδικής"
    link = f"https://coopsociety.gr{BASE}/invitations/{invitation.token}/"
    assert link in message.body

    newcomer = UserFactory(email="new.member@example.org")
    client.force_login(newcomer)
    page = client.get(f"{BASE}/invitations/{invitation.token}/")
    accepted = client.post(f"{BASE}/invitations/{invitation.token}/")

    invitation.refresh_from_db()
    assert "You are invited to become a member of Μελισσοκόμοι Χαλκιδικής." in (
        page.content.decode()
    )
    assert accepted.status_code == 302
    assert accepted.url == f"{BASE}/{organisation.code}/"
    assert set(organisation.users.all()) == {member, newcomer}
    assert invitation.accepted_by == newcomer
    assert invitation.accepted_at is not None
    assert has_dashboard_access(newcomer)


def test_invitation_email_is_in_the_current_language(client, organisation, member):
    client.force_login(member)

    client.post(f"/market/organisations/{organisation.code}/members/invite/", {"email": "a@b.gr"})

    token = Invitation.objects.get().token
    assert f"/market/organisations/invitations/{token}/" in mail.outbox[0].body
    assert "/en/" not in mail.outbox[0].body


def test_invitation_link_sends_anonymous_visitor_to_log_in_and_back(client):
    invitation = InvitationFactory()

    response = client.get(f"{BASE}/invitations/{invitation.token}/")

    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={BASE}/invitations/{invitation.token}/"


def test_stranger_cannot_invite(client, organisation, member):
    client.force_login(UserFactory())

    response = client.post(f"{BASE}/{organisation.code}/members/invite/", {"email": "x@y.gr"})

    assert response.status_code == 404
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


def test_used_invitation_cannot_be_used_again(client, organisation, member):
    invitation = InvitationFactory(organisation=organisation)
    first, second = UserFactory(), UserFactory()
    services.accept_invitation(token=invitation.token, user=first)
    client.force_login(second)

    response = client.post(f"{BASE}/invitations/{invitation.token}/")

    assert response.status_code == 302
    assert response.url == f"{BASE}/mine/"
    assert messages_of(response) == ["This invitation has already been used."]
    assert set(organisation.users.all()) == {member, first}
    assert not has_dashboard_access(second)


def test_expired_invitation_is_refused(client, organisation, member):
    invitation = InvitationFactory(
        organisation=organisation, created=timezone.now() - timedelta(days=14, seconds=1)
    )
    user = UserFactory()
    client.force_login(user)

    page = client.get(f"{BASE}/invitations/{invitation.token}/")
    response = client.post(f"{BASE}/invitations/{invitation.token}/")

    invitation.refresh_from_db()
    expired = "This invitation has expired; ask the organisation for a new one."
    assert expired in page.content.decode()
    assert messages_of(response) == [expired]
    assert invitation.accepted_at is None
    assert list(organisation.users.all()) == [member]


def test_unknown_invitation_token_is_refused(client):
    user = UserFactory()
    client.force_login(user)

    response = client.post(f"{BASE}/invitations/not-a-real-token/")

    assert messages_of(response) == ["This invitation link is not valid."]
    assert not user.partners.exists()


# Removing members -----------------------------------------------------------------------


def test_member_removes_another_member(client, organisation, member):
    other = create_member(organisation)
    client.force_login(member)

    response = client.post(f"{BASE}/{organisation.code}/members/{other.pk}/remove/")

    assert response.status_code == 302
    assert response.url == f"{BASE}/{organisation.code}/members/"
    assert list(organisation.users.all()) == [member]
    assert not has_dashboard_access(other)
    assert has_dashboard_access(member)


def test_member_who_leaves_keeps_dashboard_access_of_another_membership(organisation, member):
    other_organisation = OrganisationFactory()
    other_organisation.users.add(member)
    create_member(organisation)

    services.remove_member(organisation=organisation, member=member, by=member)

    assert list(member.partners.all()) == [other_organisation]
    assert has_dashboard_access(member)


def test_last_member_cannot_be_removed(client, organisation, member):
    client.force_login(member)

    response = client.post(f"{BASE}/{organisation.code}/members/{member.pk}/remove/")

    assert response.status_code == 302
    assert messages_of(response) == [
        "The last member cannot be removed: an organisation needs at least one member to manage it."
    ]
    assert list(organisation.users.all()) == [member]
    assert has_dashboard_access(member)


def test_non_member_cannot_remove_a_member(client, organisation, member):
    create_member(organisation)
    client.force_login(UserFactory())

    response = client.post(f"{BASE}/{organisation.code}/members/{member.pk}/remove/")

    assert response.status_code == 404
    assert organisation.users.count() == 2
    assert has_dashboard_access(member)


# Verification ---------------------------------------------------------------------------


@pytest.fixture
def newcomer():
    organisation = OrganisationFactory(name="Νέα ΚοινΣΕπ", is_verified=False)
    create_member(organisation)
    return organisation


def test_one_vouch_does_not_verify(client, newcomer, member):
    client.force_login(member)

    storefront = client.get(f"{BASE}/{newcomer.code}/")
    response = client.post(f"{BASE}/{newcomer.code}/vouch/")

    newcomer.refresh_from_db()
    assert storefront.status_code == 200  # members of verified organisations see it
    assert "Vouch for this organisation" in storefront.content.decode()
    assert response.status_code == 302
    assert messages_of(response) == ["Thank you: you have vouched for Νέα ΚοινΣΕπ."]
    vouch = VerificationVouch.objects.get()
    assert (vouch.organisation, vouch.voucher, vouch.voucher_organisation.name) == (
        newcomer,
        member,
        "Μελισσοκόμοι Χαλκιδικής",
    )
    assert newcomer.is_verified is False
    assert "Μελισσοκόμοι Χαλκιδικής" in client.get(f"{BASE}/{newcomer.code}/").content.decode()


def test_second_vouch_from_the_same_organisation_does_not_count(newcomer, organisation, member):
    colleague = create_member(organisation)
    services.vouch_for(organisation=newcomer, by=member)

    with pytest.raises(ValidationError) as error:
        services.vouch_for(organisation=newcomer, by=colleague)

    newcomer.refresh_from_db()
    assert error.value.messages == ["Μέλος του φορέα σας έχει ήδη εγγυηθεί γι' αυτόν τον φορέα."]
    assert VerificationVouch.objects.count() == 1
    assert newcomer.is_verified is False


def test_member_of_an_unverified_organisation_cannot_vouch(client, newcomer):
    unverified_member = create_member(OrganisationFactory(is_verified=False))
    client.force_login(unverified_member)

    response = client.post(f"{BASE}/{newcomer.code}/vouch/")

    newcomer.refresh_from_db()
    # An unverified organisation is hidden from people who may not vouch for it.
    assert response.status_code == 404
    with pytest.raises(PermissionDenied) as error:
        services.vouch_for(organisation=newcomer, by=unverified_member)
    assert str(error.value) == "Only members of verified organisations can vouch for another."
    assert VerificationVouch.objects.count() == 0
    assert newcomer.is_verified is False


def test_two_vouches_from_two_verified_organisations_verify(newcomer, member):
    second = create_member(OrganisationFactory(is_verified=True))

    services.vouch_for(organisation=newcomer, by=member)
    services.vouch_for(organisation=newcomer, by=second)

    newcomer.refresh_from_db()
    assert newcomer.is_verified is True
    assert newcomer.verified_at is not None
    assert VerificationVouch.objects.count() == 2


def test_a_vouch_by_someone_who_has_since_joined_does_not_count(newcomer, member):
    second = create_member(OrganisationFactory(is_verified=True))
    services.vouch_for(organisation=newcomer, by=member)
    newcomer.users.add(member)

    services.vouch_for(organisation=newcomer, by=second)

    newcomer.refresh_from_db()
    assert newcomer.is_verified is False


def test_member_cannot_vouch_for_own_organisation(newcomer, organisation, member):
    newcomer.users.add(member)  # also a member of the verified organisation

    with pytest.raises(PermissionDenied) as error:
        services.vouch_for(organisation=newcomer, by=member)

    newcomer.refresh_from_db()
    assert str(error.value) == "Δεν μπορείτε να εγγυηθείτε για τον δικό σας φορέα."
    assert VerificationVouch.objects.count() == 0
    assert newcomer.is_verified is False


def test_staff_verify_at_once(client, newcomer):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)

    storefront = client.get(f"{BASE}/{newcomer.code}/").content.decode()
    response = client.post(f"{BASE}/{newcomer.code}/verify/")

    newcomer.refresh_from_db()
    assert ">Verify</button>" in storefront
    assert response.status_code == 302
    assert messages_of(response) == ["Νέα ΚοινΣΕπ is now verified."]
    assert newcomer.is_verified is True
    assert newcomer.verified_at is not None
    client.get("/market/organisations/")  # shows the message above
    directory = client.get("/market/organisations/").content.decode()
    assert '<a href="/market/organisations/nea-koinsep/">Νέα ΚοινΣΕπ</a>' in directory


def test_non_staff_cannot_verify(client, newcomer, member):
    client.force_login(member)

    response = client.post(f"{BASE}/{newcomer.code}/verify/")

    newcomer.refresh_from_db()
    assert messages_of(response) == ["Only platform staff can verify an organisation directly."]
    assert newcomer.is_verified is False


# Editing the profile --------------------------------------------------------------------


def test_member_edits_the_profile(client, organisation, member):
    client.force_login(member)

    page = client.get(f"{BASE}/{organisation.code}/edit/")
    response = client.post(
        f"{BASE}/{organisation.code}/edit/",
        profile(name="Μελισσοκόμοι Χαλκιδικής", description="Μέλι από τη Χαλκιδική."),
    )

    organisation.refresh_from_db()
    assert page.status_code == 200
    assert response.status_code == 302
    assert response.url == f"{BASE}/{organisation.code}/"
    assert organisation.description == "Μέλι από τη Χαλκιδική."
    assert organisation.municipality == "Καρδίτσα"
    assert organisation.addresses.get().line1 == "Πλαστήρα 12"
    assert messages_of(response) == ["The profile has been saved."]


def test_stranger_cannot_edit_the_profile(client, organisation, member):
    client.force_login(UserFactory())

    page = client.get(f"{BASE}/{organisation.code}/edit/")
    response = client.post(f"{BASE}/{organisation.code}/edit/", profile(description="Χακ"))

    organisation.refresh_from_db()
    assert page.status_code == 404
    assert response.status_code == 404
    assert organisation.description == ""
    assert organisation.name == "Μελισσοκόμοι Χαλκιδικής"
    assert organisation.addresses.count() == 0


# Pages ----------------------------------------------------------------------------------


def test_storefront_offers_management_links_to_members(client, organisation, member):
    client.force_login(member)

    html = client.get(f"{BASE}/{organisation.code}/").content.decode()

    assert f'href="{BASE}/{organisation.code}/edit/"' in html
    assert f'href="{BASE}/{organisation.code}/members/"' in html
    assert "Ask to join" not in html
    assert "Vouch for this organisation" not in html


def test_my_organisations_lists_memberships_invitations_and_requests(client, organisation, member):
    other = OrganisationFactory(name="Ενεργειακή Κοινότητα", is_verified=True)
    JoinRequestFactory(organisation=other, user=member)
    inviting = OrganisationFactory(name="Καταναλωτικός Συνεταιρισμός", is_verified=True)
    invitation = InvitationFactory(organisation=inviting, email="Member@example.org")
    client.force_login(member)

    html = client.get(f"{BASE}/mine/").content.decode()

    assert f'<a href="{BASE}/{organisation.code}/">Μελισσοκόμοι Χαλκιδικής</a>' in html
    assert f'href="{BASE}/invitations/{invitation.token}/"' in html
    assert "Ενεργειακή Κοινότητα: pending" in html


def page_queries(client, url):
    client.get(url)
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries), response


def test_page_queries_do_not_grow_with_members(client, organisation, member):
    client.force_login(member)
    url = f"{BASE}/{organisation.code}/members/"
    JoinRequestFactory(organisation=organisation)
    InvitationFactory(organisation=organisation, invited_by=member)
    with_one, _response = page_queries(client, url)
    for _ in range(9):
        create_member(organisation)
        JoinRequestFactory(organisation=organisation)
        InvitationFactory(organisation=organisation, invited_by=member)
    with_ten, response = page_queries(client, url)

    assert with_ten == with_one
    assert len(response.context["members"]) == 10
    assert response.content.decode().count('name="decision" value="accept"') == 10


def test_my_organisations_lists_organisations_awaiting_a_vouch(client, newcomer, member):
    vouched = OrganisationFactory(name="Ήδη εγγυημένη", is_verified=False)
    services.vouch_for(organisation=vouched, by=member)
    client.force_login(member)

    response = client.get(f"{BASE}/mine/")

    assert [organisation.name for organisation in response.context["awaiting_vouch"]] == [
        "Νέα ΚοινΣΕπ"
    ]
    assert f'<a href="{BASE}/{newcomer.code}/">Νέα ΚοινΣΕπ</a>' in response.content.decode()


def test_stranger_does_not_see_an_unverified_storefront_or_vouch_list(client, newcomer):
    client.force_login(UserFactory())

    assert client.get(f"{BASE}/{newcomer.code}/").status_code == 404
    assert list(client.get(f"{BASE}/mine/").context["awaiting_vouch"]) == []


def test_my_organisations_queries_do_not_grow_with_items(client, organisation, member):
    client.force_login(member)
    url = f"{BASE}/mine/"

    def add_items():
        other = OrganisationFactory(is_verified=True)
        JoinRequestFactory(organisation=other, user=member)
        InvitationFactory(organisation=other, email=member.email)
        OrganisationFactory(is_verified=False)  # awaiting a vouch
        OrganisationFactory().users.add(member)

    add_items()
    with_one, _response = page_queries(client, url)
    for _ in range(9):
        add_items()
    with_ten, response = page_queries(client, url)

    assert with_ten == with_one
    assert len(response.context["join_requests"]) == 10
    assert len(response.context["invitations"]) == 10
    assert len(response.context["awaiting_vouch"]) == 10
    assert len(response.context["organisations"]) == 11


def test_site_header_links_to_my_organisations_for_signed_in_users(client, member):
    anonymous = client.get(f"{BASE}/").content.decode()
    client.force_login(member)
    signed_in = client.get(f"{BASE}/").content.decode()

    assert f'<a href="{BASE}/mine/">My organisations</a>' in signed_in
    assert f'href="{BASE}/mine/"' not in anonymous


def test_member_adds_social_links_typed_without_https(client, organisation, member):
    client.force_login(member)
    url = f"/market/organisations/{organisation.code}/edit/"
    form = client.get(url).context["form"]
    data = {key: value for key, value in form.initial.items() if value is not None}
    data.update(
        name=organisation.name,
        legal_form=organisation.legal_form,
        facebook_url="www.facebook.com/meli",
        website="meli.example.org",
    )
    data = {key: value for key, value in data.items() if key not in {"logo", "cover_image"}}

    response = client.post(url, data)

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.facebook_url == "https://www.facebook.com/meli"
    assert organisation.website == "https://meli.example.org"
