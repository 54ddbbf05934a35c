"""Joining an organisation and managing it: membership, invitations and verification.

Every function takes keyword arguments only, checks who may act, and writes inside one
transaction. Refusals are raised as ValidationError (the request cannot be done) or
PermissionDenied (this person may not do it), with a message the views show as is.
"""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from oscar.core.loading import get_model

from shop.geography import greece
from shop.organisations.access import is_member

Partner = get_model("partner", "Partner")
PartnerAddress = get_model("partner", "PartnerAddress")
JoinRequest = get_model("partner", "JoinRequest")
Invitation = get_model("partner", "Invitation")
VerificationVouch = get_model("partner", "VerificationVouch")

#: Vouches from this many different verified organisations verify a new one.
VOUCHES_NEEDED = 2

PROFILE_FIELDS = (
    "name",
    "legal_form",
    "vat_number",
    "gemi_number",
    "description",
    "region",
    "municipality",
    "website",
    "facebook_url",
    "instagram_url",
    "youtube_url",
    "linkedin_url",
    "contact_email",
    "contact_phone",
    "iban",
    "logo",
    "cover_image",
)
#: Form keys of the address, and the PartnerAddress fields they are stored in.
ADDRESS_FIELDS = {"address_line": "line1", "city": "line4", "postcode": "postcode"}


# Membership ---------------------------------------------------------------------------


def _dashboard_permission():
    return Permission.objects.get(codename="dashboard_access", content_type__app_label="partner")


def _add_member(*, organisation, user):
    organisation.users.add(user)
    user.user_permissions.add(_dashboard_permission())


def _remove_membership(*, organisation, user):
    organisation.users.remove(user)
    if not user.partners.exists():
        user.user_permissions.remove(_dashboard_permission())


def _require_member(*, organisation, user):
    if not is_member(user, organisation):
        raise PermissionDenied(_("Only the organisation's members can do this."))


def _locked(organisation):
    """The organisation's row, locked until the transaction ends."""
    return Partner.objects.select_for_update().get(pk=organisation.pk)


# Profile ------------------------------------------------------------------------------


def _save_profile(*, organisation, data):
    for field in PROFILE_FIELDS:
        if field in data:
            value = data[field]
            if field in ("logo", "cover_image", "contact_phone") and value in (None, False):
                value = ""  # nothing given, or an image cleared
            setattr(organisation, field, value)
    organisation.full_clean(exclude=["code", "users"])
    organisation.save()
    address = {target: data.get(source, "") or "" for source, target in ADDRESS_FIELDS.items()}
    existing = organisation.addresses.order_by("id").first()
    if not any(address.values()):
        if existing is not None:
            existing.delete()
        return
    country = greece()
    if existing is None:
        existing = PartnerAddress(partner=organisation)
    for field, value in address.items():
        setattr(existing, field, value)
    existing.country = country
    existing.save()


def create_organisation(*, user, data):
    """A new, unverified organisation whose first member is ``user``."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to create an organisation."))
    with transaction.atomic():
        organisation = Partner(is_verified=False)
        _save_profile(organisation=organisation, data=data)
        _add_member(organisation=organisation, user=user)
    return organisation


def update_organisation(*, organisation, by, data):
    """Change the organisation's profile; its members only."""
    _require_member(organisation=organisation, user=by)
    with transaction.atomic():
        _save_profile(organisation=organisation, data=data)
    return organisation


# Joining ------------------------------------------------------------------------------


def request_to_join(*, organisation, user, message=""):
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to ask to join an organisation."))
    if is_member(user, organisation):
        raise ValidationError(_("You are already a member of this organisation."))
    try:
        with transaction.atomic():
            return JoinRequest.objects.create(
                organisation=organisation, user=user, message=message.strip()
            )
    except IntegrityError as error:
        raise ValidationError(
            _("You have already asked to join this organisation; its members have not decided yet.")
        ) from error


def decide_join_request(*, join_request, by, accept):
    """A member accepts (the person becomes a member) or declines a pending request."""
    _require_member(organisation=join_request.organisation, user=by)
    with transaction.atomic():
        join_request = JoinRequest.objects.select_for_update().get(pk=join_request.pk)
        if join_request.status != JoinRequest.Status.PENDING:
            raise ValidationError(_("This request has already been decided."))
        join_request.status = JoinRequest.Status.ACCEPTED if accept else JoinRequest.Status.DECLINED
        join_request.decided_by = by
        join_request.decided_at = timezone.now()
        join_request.save(update_fields=["status", "decided_by", "decided_at"])
        if accept:
            _add_member(organisation=join_request.organisation, user=join_request.user)
    return join_request


def invite_member(*, organisation, email, by):
    """Invite ``email`` to become a member: an e-mail with a link valid for 14 days."""
    _require_member(organisation=organisation, user=by)
    email = get_user_model().objects.normalize_email(email.strip())
    if organisation.users.filter(email__iexact=email).exists():
        raise ValidationError(_("%(email)s is already a member."), params={"email": email})
    with transaction.atomic():
        invitation = Invitation.objects.create(
            organisation=organisation, email=email, invited_by=by
        )
    link = settings.SITE_URL.rstrip("/") + reverse(
        "organisations:invitation", kwargs={"token": invitation.token}
    )
    context = {
        "organisation": organisation,
        "invited_by": by,
        "link": link,
        "expires_at": invitation.expires_at,
    }
    subject = render_to_string("shop/organisations/emails/invitation_subject.txt", context)
    body = render_to_string("shop/organisations/emails/invitation_body.txt", context)
    send_mail(" ".join(subject.split()), body, settings.DEFAULT_FROM_EMAIL, [email])
    return invitation


def invitation_for_token(token):
    """The invitation if it can still be accepted; ValidationError otherwise."""
    invitation = Invitation.objects.select_related("organisation").filter(token=token).first()
    if invitation is None:
        raise ValidationError(_("This invitation link is not valid."))
    if invitation.accepted_at is not None:
        raise ValidationError(_("This invitation has already been used."))
    if invitation.is_expired:
        raise ValidationError(_("This invitation has expired; ask the organisation for a new one."))
    return invitation


def accept_invitation(*, token, user):
    """``user`` accepts the invitation and becomes a member; each link works once."""
    if not user.is_authenticated:
        raise PermissionDenied(_("Sign in to accept the invitation."))
    with transaction.atomic():
        invitation = invitation_for_token(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise ValidationError(_("This invitation has already been used."))
        if is_member(user, invitation.organisation):
            raise ValidationError(_("You are already a member of this organisation."))
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        _add_member(organisation=invitation.organisation, user=user)
        JoinRequest.objects.filter(
            organisation=invitation.organisation, user=user, status=JoinRequest.Status.PENDING
        ).update(status=JoinRequest.Status.ACCEPTED, decided_at=invitation.accepted_at)
    return invitation.organisation


def remove_member(*, organisation, member, by):
    """A member leaves (``member`` is ``by``) or removes another; never the last one."""
    _require_member(organisation=organisation, user=by)
    with transaction.atomic():
        organisation = _locked(organisation)
        if not organisation.users.filter(pk=member.pk).exists():
            raise ValidationError(_("This person is not a member of the organisation."))
        if organisation.users.count() <= 1:
            raise ValidationError(
                _(
                    "The last member cannot be removed: an organisation needs at least "
                    "one member to manage it."
                )
            )
        _remove_membership(organisation=organisation, user=member)


# Verification -------------------------------------------------------------------------


def _counting_vouches(organisation):
    """Vouches that count: by verified organisations, from people who are not members."""
    return (
        VerificationVouch.objects.filter(
            organisation=organisation, voucher_organisation__is_verified=True
        )
        .exclude(voucher__in=organisation.users.all())
        .exclude(voucher_organisation=organisation)
    )


def _mark_verified(organisation):
    organisation.is_verified = True
    organisation.verified_at = timezone.now()
    organisation.save(update_fields=["is_verified", "verified_at", "updated"])


def vouch_for(*, organisation, by):
    """A member of a verified organisation vouches for an unverified one.

    It is verified once members of two different verified organisations, none of them a
    member of it, have vouched. Returns the vouch.
    """
    if not by.is_authenticated:
        raise PermissionDenied(_("Sign in to vouch for an organisation."))
    with transaction.atomic():
        organisation = _locked(organisation)
        if organisation.is_verified:
            raise ValidationError(_("This organisation is already verified."))
        if is_member(by, organisation):
            raise PermissionDenied(_("You cannot vouch for your own organisation."))
        own = list(by.partners.filter(is_verified=True).order_by("id"))
        if not own:
            raise PermissionDenied(
                _("Only members of verified organisations can vouch for another.")
            )
        already = set(
            VerificationVouch.objects.filter(
                organisation=organisation, voucher_organisation__in=own
            ).values_list("voucher_organisation_id", flat=True)
        )
        available = [candidate for candidate in own if candidate.pk not in already]
        if not available:
            raise ValidationError(
                _("A member of your organisation has already vouched for this one.")
            )
        vouch = VerificationVouch.objects.create(
            organisation=organisation, voucher=by, voucher_organisation=available[0]
        )
        counted = _counting_vouches(organisation).values("voucher_organisation").distinct().count()
        if counted >= VOUCHES_NEEDED:
            _mark_verified(organisation)
    return vouch


def verify_by_staff(*, organisation, by):
    """Platform staff verify an organisation at once."""
    if not (by.is_authenticated and by.is_staff):
        raise PermissionDenied(_("Only platform staff can verify an organisation directly."))
    with transaction.atomic():
        organisation = _locked(organisation)
        if organisation.is_verified:
            raise ValidationError(_("This organisation is already verified."))
        _mark_verified(organisation)
    return organisation
