"""Horizontal editing with history: revisions, diff, revert, delete and restore."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import OrganisationFactory, UserFactory, create_member
from thinktank import services
from thinktank.models import Article, ModerationAction, Proposal, Revision

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_a():
    return OrganisationFactory(is_verified=True, name="Συνεταιρισμός Άλφα")


@pytest.fixture
def org_b():
    return OrganisationFactory(is_verified=True, name="ΚοινΣΕπ Βήτα")


@pytest.fixture
def member_a(org_a):
    return create_member(org_a, email="a@example.org", first_name="Άννα", last_name="Αλεξίου")


@pytest.fixture
def member_b(org_b):
    return create_member(org_b, email="b@example.org", first_name="Βασίλης", last_name="Βλάχος")


def write_article(*, user, organisation, title="Η αξία της συνεργασίας", body="Πρώτο κείμενο.",
                  open_for_editing=False):  # fmt: skip
    article = Article(
        title=title,
        body=body,
        summary="Σύνοψη",
        open_for_editing=open_for_editing,
    )
    services.save_entry(entry=article, user=user, organisation=organisation)
    return article


def edit_data(article, organisation, **changes):
    data = {
        "organisation": organisation.pk,
        "title": article.title,
        "summary": article.summary,
        "body": article.body,
        "theme": article.theme,
        "status": article.status,
        "publish_at": timezone.localtime(article.publish_at).strftime("%Y-%m-%dT%H:%M"),
        "open_for_editing": "on" if article.open_for_editing else "",
        "change_summary": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_edit_twice_diff_and_revert_keep_all_revisions(client, member_a, org_a):
    article = write_article(user=member_a, organisation=org_a, body="Η πρώτη εκδοχή.")
    client.force_login(member_a)
    edit_url = reverse("thinktank:articles-edit", kwargs={"slug": article.slug})

    first = client.post(edit_url, edit_data(article, org_a, body="Η δεύτερη εκδοχή.",
                                            change_summary="Νέα διατύπωση"))  # fmt: skip
    article.refresh_from_db()
    second = client.post(edit_url, edit_data(article, org_a, body="Η τρίτη εκδοχή."))

    assert first.status_code == second.status_code == 302
    article.refresh_from_db()
    assert article.body == "Η τρίτη εκδοχή."
    revisions = list(services.revisions_of(article))
    assert [r.number for r in revisions] == [3, 2, 1]
    assert [r.data["body"] for r in revisions] == [
        "Η τρίτη εκδοχή.",
        "Η δεύτερη εκδοχή.",
        "Η πρώτη εκδοχή.",
    ]
    assert revisions[1].summary == "Νέα διατύπωση"

    diff = client.get(
        reverse("thinktank:articles-diff", kwargs={"slug": article.slug}) + "?from=1&to=2"
    )
    html = diff.content.decode()
    assert diff.status_code == 200
    assert '<del class="diff-line diff-line--removed">' in html
    assert "Η πρώτη εκδοχή.</del>" in html
    assert "Η δεύτερη εκδοχή.</ins>" in html
    assert [change["name"] for change in diff.context["changes"]] == ["body"]

    revert = client.post(
        reverse("thinktank:articles-revert", kwargs={"slug": article.slug, "number": 1})
    )
    assert revert.status_code == 302
    article.refresh_from_db()
    assert article.body == "Η πρώτη εκδοχή."
    assert list(services.revisions_of(article).values_list("number", flat=True)) == [4, 3, 2, 1]
    assert services.revisions_of(article).first().summary == "Επαναφορά στην αναθεώρηση 1"
    history = client.get(reverse("thinktank:articles-history", kwargs={"slug": article.slug}))
    assert [r.number for r in history.context["revisions"]] == [4, 3, 2, 1]
    assert ModerationAction.objects.filter(kind="reverted").count() == 1


def test_saving_unchanged_entry_adds_no_revision(member_a, org_a):
    article = write_article(user=member_a, organisation=org_a)

    assert services.save_entry(entry=article, user=member_a, organisation=org_a) is None
    assert Revision.objects.count() == 1


def test_anyone_reads_history_and_diff_of_a_published_entry(client, member_a, org_a):
    article = write_article(user=member_a, organisation=org_a, body="Α")
    article.body = "Β"
    services.save_entry(entry=article, user=member_a, organisation=org_a, summary="Διόρθωση")

    history = client.get(reverse("thinktank:articles-history", kwargs={"slug": article.slug}))
    diff = client.get(reverse("thinktank:articles-diff", kwargs={"slug": article.slug}))

    assert history.status_code == 200
    assert "Διόρθωση" in history.content.decode()
    assert diff.status_code == 200
    assert (diff.context["older"].number, diff.context["newer"].number) == (1, 2)


def test_member_of_another_organisation_cannot_edit_a_closed_entry(client, member_a, org_a,
                                                                    member_b, org_b):  # fmt: skip
    article = write_article(user=member_a, organisation=org_a, body="Αρχικό")
    client.force_login(member_b)
    edit_url = reverse("thinktank:articles-edit", kwargs={"slug": article.slug})

    page = client.get(edit_url)
    post = client.post(edit_url, edit_data(article, org_b, body="Αλλαγμένο"))
    revert = client.post(
        reverse("thinktank:articles-revert", kwargs={"slug": article.slug, "number": 1})
    )
    delete = client.post(reverse("thinktank:articles-delete", kwargs={"slug": article.slug}))

    assert (page.status_code, post.status_code, revert.status_code, delete.status_code) == (
        403, 403, 403, 403,
    )  # fmt: skip
    article.refresh_from_db()
    assert (article.body, article.deleted_at) == ("Αρχικό", None)
    assert Revision.objects.count() == 1


def test_member_of_another_organisation_improves_an_open_entry(client, member_a, org_a,
                                                               member_b, org_b):  # fmt: skip
    proposal = Proposal(title="Ανοιχτή επιστολή", kind="open_letter",
                        body="Ζητούμε", open_for_editing=True)  # fmt: skip
    services.save_entry(entry=proposal, user=member_a, organisation=org_a)
    client.force_login(member_b)

    response = client.post(
        reverse("thinktank:proposals-edit", kwargs={"slug": proposal.slug}),
        {
            "organisation": org_b.pk,
            "kind": "open_letter",
            "title": proposal.title,
            "body": "Ζητούμε με σαφήνεια",
            "status": "published",
            "publish_at": timezone.localtime(proposal.publish_at).strftime("%Y-%m-%dT%H:%M"),
            "open_for_editing": "on",
            "change_summary": "Πιο σαφές",
        },
    )

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.body == "Ζητούμε με σαφήνεια"
    assert proposal.organisation == org_a  # the owner stays the same
    latest = services.revisions_of(proposal).first()
    assert (latest.number, latest.author, latest.organisation) == (2, member_b, org_b)


@pytest.mark.parametrize("who", ["anonymous", "no organisation", "unverified organisation"])
def test_non_members_cannot_create_or_edit(client, member_a, org_a, who):
    article = write_article(user=member_a, organisation=org_a, body="Αρχικό")
    if who == "no organisation":
        client.force_login(UserFactory(email="x@example.org"))
    elif who == "unverified organisation":
        unverified = OrganisationFactory(is_verified=False)
        client.force_login(create_member(unverified, email="u@example.org"))
    create_url = reverse("thinktank:articles-create")
    edit_url = reverse("thinktank:articles-edit", kwargs={"slug": article.slug})

    responses = [
        client.get(create_url),
        client.post(create_url, {"title": "Νέο", "body": "x", "status": "published"}),
        client.get(edit_url),
        client.post(edit_url, edit_data(article, org_a, body="Αλλαγμένο")),
    ]

    expected = 302 if who == "anonymous" else 403
    assert [r.status_code for r in responses] == [expected] * 4
    if who == "anonymous":
        assert responses[0]["Location"].startswith(reverse("customer:login"))
    assert Article.objects.count() == 1
    article.refresh_from_db()
    assert article.body == "Αρχικό"


def test_delete_and_restore(client, member_a, org_a):
    article = write_article(user=member_a, organisation=org_a)
    client.force_login(member_a)
    detail_url = article.get_absolute_url()

    client.post(reverse("thinktank:articles-delete", kwargs={"slug": article.slug}))
    client.logout()
    hidden = client.get(detail_url)
    listed = client.get(reverse("thinktank:articles-list"))
    client.force_login(member_a)
    seen_by_owner = client.get(detail_url)
    client.post(reverse("thinktank:articles-restore", kwargs={"slug": article.slug}))
    client.logout()
    back = client.get(detail_url)

    assert hidden.status_code == 404
    assert list(listed.context["entries"]) == []
    assert seen_by_owner.status_code == 200
    assert back.status_code == 200
    assert list(ModerationAction.objects.values_list("kind", flat=True)) == [
        "undeleted",
        "deleted",
    ]


def test_drafts_and_scheduled_entries_are_seen_only_by_their_organisation(
    client, member_a, org_a, member_b
):
    from datetime import timedelta

    draft = write_article(user=member_a, organisation=org_a, title="Πρόχειρο κείμενο")
    draft.status = "draft"
    services.save_entry(entry=draft, user=member_a, organisation=org_a)
    scheduled = write_article(user=member_a, organisation=org_a, title="Προγραμματισμένο κείμενο")
    scheduled.publish_at = timezone.now() + timedelta(days=2)
    services.save_entry(entry=scheduled, user=member_a, organisation=org_a)

    anonymous = [client.get(e.get_absolute_url()).status_code for e in (draft, scheduled)]
    client.force_login(member_b)
    other_member = [client.get(e.get_absolute_url()).status_code for e in (draft, scheduled)]
    client.force_login(member_a)
    owner = [client.get(e.get_absolute_url()).status_code for e in (draft, scheduled)]
    hub = client.get(reverse("thinktank:hub"))

    assert anonymous == [404, 404]
    assert other_member == [404, 404]
    assert owner == [200, 200]
    assert [e.title for e in hub.context["drafts"]] == [
        "Πρόχειρο κείμενο",
        "Προγραμματισμένο κείμενο",
    ]


def test_deleted_entries_are_listed_for_their_organisation_to_restore(client, member_a, org_a,
                                                                      member_b):  # fmt: skip
    article = write_article(user=member_a, organisation=org_a, title="Παλιό άρθρο")
    services.delete_entry(entry=article, user=member_a, organisation=org_a)

    client.force_login(member_a)
    own = client.get(reverse("thinktank:hub"))
    client.force_login(member_b)
    other = client.get(reverse("thinktank:hub"))

    assert [e.title for e in own.context["drafts"]] == ["Παλιό άρθρο"]
    assert other.context["drafts"] == []
