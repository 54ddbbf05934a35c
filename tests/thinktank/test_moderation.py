"""Community moderation: flags of three different organisations hide an entry until
members of verified organisations review it; every action is in the public log."""

import pytest
from django.urls import reverse

from tests.factories import OrganisationFactory, UserFactory, create_member
from thinktank import services
from thinktank.models import Article, Flag, Moderation, ModerationAction

pytestmark = pytest.mark.django_db


@pytest.fixture
def author_org():
    return OrganisationFactory(is_verified=True, name="Συγγραφείς")


@pytest.fixture
def spam(author_org):
    author = create_member(author_org, email="author@example.org")
    article = Article(title="Αγοράστε φθηνά ρολόγια", body="Διαφήμιση", summary="Διαφήμιση")
    services.save_entry(entry=article, user=author, organisation=author_org)
    return article


def flaggers(count, *, same_organisation=False):
    """``count`` members: each of a different verified organisation, or all of one."""
    shared = OrganisationFactory(is_verified=True, name="Κοινός οργανισμός")
    users = []
    for number in range(count):
        organisation = shared if same_organisation else OrganisationFactory(
            is_verified=True, name=f"Οργανισμός {number}"
        )  # fmt: skip
        users.append((create_member(organisation, email=f"f{number}@example.org"), organisation))
    return users


def flag_through_page(client, entry, user, reason="spam"):
    client.force_login(user)
    return client.post(
        reverse("thinktank:articles-flag", kwargs={"slug": entry.slug}),
        {"reason": reason, "comment": "Ανεπιθύμητο"},
    )


def test_flags_of_three_organisations_hide_the_entry(client, spam):
    people = flaggers(3)

    for user, _organisation in people[:2]:
        flag_through_page(client, spam, user)
    spam.refresh_from_db()
    still_visible = spam.moderation
    flag_through_page(client, spam, people[2][0])

    spam.refresh_from_db()
    assert still_visible == Moderation.VISIBLE
    assert spam.moderation == Moderation.HIDDEN
    assert Flag.objects.count() == 3
    client.logout()
    assert client.get(spam.get_absolute_url()).status_code == 404
    assert list(client.get(reverse("thinktank:articles-list")).context["entries"]) == []
    log = client.get(reverse("thinktank:moderation-log"))
    assert [(a.kind, a.entry_title) for a in log.context["actions"]] == [
        ("hidden", "Αγοράστε φθηνά ρολόγια")
    ]


def test_many_flags_from_one_organisation_do_not_hide(client, spam):
    for user, _organisation in flaggers(5, same_organisation=True):
        flag_through_page(client, spam, user)

    spam.refresh_from_db()
    assert spam.moderation == Moderation.VISIBLE
    assert Flag.objects.count() == 5
    assert ModerationAction.objects.count() == 0


def test_flags_of_users_without_organisation_do_not_count(client, spam):
    for number in range(4):
        flag_through_page(client, spam, UserFactory(email=f"lone{number}@example.org"))

    spam.refresh_from_db()
    assert Flag.objects.count() == 4
    assert spam.moderation == Moderation.VISIBLE


def test_flagging_twice_is_refused(client, spam):
    (user, _organisation), = flaggers(1)  # fmt: skip

    flag_through_page(client, spam, user)
    second = flag_through_page(client, spam, user)

    assert Flag.objects.count() == 1
    messages = [str(m) for m in second.wsgi_request._messages]
    assert messages[-1] == "Έχετε ήδη επισημάνει αυτή την καταχώριση."


def test_anonymous_cannot_flag(client, spam):
    response = client.post(
        reverse("thinktank:articles-flag", kwargs={"slug": spam.slug}), {"reason": "spam"}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("customer:login"))
    assert Flag.objects.count() == 0


@pytest.mark.parametrize("decision, state, kind", [
    ("restore", Moderation.VISIBLE, "restored"),
    ("remove", Moderation.REMOVED, "removed"),
])  # fmt: skip
def test_member_of_a_verified_organisation_reviews_a_hidden_entry(
    client, spam, decision, state, kind
):
    people = flaggers(3)
    for user, organisation in people:
        services.flag_entry(entry=spam, user=user, organisation=organisation, reason="spam")
    reviewer_org = OrganisationFactory(is_verified=True, name="Ελεγκτές")
    reviewer = create_member(reviewer_org, email="reviewer@example.org")
    client.force_login(reviewer)

    queue = client.get(reverse("thinktank:moderation-queue"))
    response = client.post(
        reverse("thinktank:moderation-review", kwargs={"section": "articles", "pk": spam.pk}),
        {"decision": decision, "organisation": reviewer_org.pk, "note": "Ελέγχθηκε"},
    )

    assert [e.title for e in queue.context["hidden_entries"]] == ["Αγοράστε φθηνά ρολόγια"]
    assert len(queue.context["hidden_entries"][0].open_flags) == 3
    assert response.status_code == 302
    spam.refresh_from_db()
    assert spam.moderation == state
    assert Flag.objects.filter(resolved_at__isnull=True).count() == 0
    latest = ModerationAction.objects.first()
    assert (latest.kind, latest.organisation, latest.note) == (kind, reviewer_org, "Ελέγχθηκε")
    public_log = client.get(reverse("thinktank:moderation-log")).content.decode()
    assert "Ελεγκτές" in public_log and "Ελέγχθηκε" in public_log


@pytest.mark.parametrize("who", ["no organisation", "unverified organisation"])
def test_only_members_of_verified_organisations_review(client, spam, who):
    for user, organisation in flaggers(3):
        services.flag_entry(entry=spam, user=user, organisation=organisation, reason="spam")
    if who == "no organisation":
        outsider = UserFactory(email="out@example.org")
    else:
        outsider = create_member(OrganisationFactory(is_verified=False), email="out@example.org")
    client.force_login(outsider)

    queue = client.get(reverse("thinktank:moderation-queue"))
    review = client.post(
        reverse("thinktank:moderation-review", kwargs={"section": "articles", "pk": spam.pk}),
        {"decision": "restore", "organisation": "1"},
    )

    assert (queue.status_code, review.status_code) == (403, 403)
    spam.refresh_from_db()
    assert spam.moderation == Moderation.HIDDEN
