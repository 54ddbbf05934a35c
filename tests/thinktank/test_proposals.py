"""Proposals, open letters and interventions: the list with its endorsement counts, the
detail with its endorsing organisations and comments, endorsing, withdrawing and
commenting for one's own organisation only, writing and editing, and query counts."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType
from django.template.defaultfilters import date as format_date
from django.urls import reverse
from django.utils.timezone import localtime
from django.utils.translation import gettext, ngettext

from tests.factories import OrganisationFactory, UserFactory, create_member
from tests.factories.thinktank import ProposalFactory, listed_titles
from thinktank import services
from thinktank.models import Comment, Endorsement, Proposal, Revision, Status

pytestmark = pytest.mark.django_db

LIST_URL = "/thinktank/proposals/"


def revisions_of(proposal):
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(Proposal), object_id=proposal.pk
    )


def url(proposal, action):
    return reverse(f"thinktank:proposals-{action}", kwargs={"slug": proposal.slug})


def endorsed_by(count):
    return ngettext(
        "Endorsed by %(counter)s organisation", "Endorsed by %(counter)s organisations", count
    ) % {"counter": count}


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


ENDORSEMENT = re.compile(
    r'<li><a href="([^"]+)">([^<]+)</a> · <time datetime="[^"]+">([^<]+)</time></li>'
)


def endorsements_shown(response):
    html = response.content.decode()
    start = html.index('<section id="endorsements"')
    section = html[start : html.index("</section>", start)]
    return ENDORSEMENT.findall(section)


def comments_section(response):
    html = response.content.decode()
    start = html.index('<section id="comments"')
    return html[start : html.index("</section>", start)]


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


@pytest.fixture
def proposal(org_b):
    return ProposalFactory(
        title="Ταμείο για τις ενεργειακές κοινότητες",
        organisation=org_b,
        kind=Proposal.Kind.OPEN_LETTER,
        addressee="Υπουργείο Περιβάλλοντος και Ενέργειας",
    )


def form_data(organisation, **overrides):
    data = {
        "organisation": organisation.pk,
        "kind": Proposal.Kind.PROJECT,
        "title": "Κοινωνικό παντοπωλείο στη γειτονιά",
        "summary": "Ένα παντοπωλείο που λειτουργεί συνεταιριστικά.",
        "body": "Προτείνουμε ένα **κοινό** παντοπωλείο.",
        "theme": "",
        "status": Status.PUBLISHED,
        "publish_at": "2026-01-10T09:00",
        "addressee": "Δήμος Ηρακλείου",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value != ""}


# The list ------------------------------------------------------------------------------


def test_proposals_list_shows_addressee_and_number_of_endorsements(client, proposal, org_a):
    services.endorse(proposal=proposal, organisation=org_a, user=None)
    services.endorse(proposal=proposal, organisation=proposal.organisation, user=None)
    ProposalFactory(title="Χωρίς υπογραφές", kind=Proposal.Kind.INTERVENTION)
    ProposalFactory(title="Πρόχειρη πρόταση", status=Status.DRAFT)

    response = client.get(LIST_URL)

    assert listed_titles(response) == ["Χωρίς υπογραφές", "Ταμείο για τις ενεργειακές κοινότητες"]
    html = response.content.decode()
    addressee = gettext("Addressed to: %(addressee)s") % {
        "addressee": "Υπουργείο Περιβάλλοντος και Ενέργειας"
    }
    assert f'<p class="proposal-addressee">{addressee}</p>' in html
    endorsed = endorsed_by(2)
    assert f'<p class="proposal-endorsement-count">{endorsed}</p>' in html
    none_yet = gettext("No endorsements yet")
    assert f'<p class="proposal-endorsement-count">{none_yet}</p>' in html
    assert "Πρόχειρη πρόταση" not in html


@pytest.mark.parametrize("count", [1, 30])
def test_proposals_list_query_count_does_not_grow_with_proposals(
    client, django_assert_num_queries, count
):
    organisation = OrganisationFactory(is_verified=True)
    endorsers = [OrganisationFactory(is_verified=True) for _n in range(3)]
    author = create_member(organisation, first_name="Νίκος", last_name="Μαρκάκης")
    for number in range(count):
        proposal = ProposalFactory(title=f"Πρόταση {number}", organisation=organisation,
                                   author=author, addressee="Βουλή")  # fmt: skip
        for endorser in endorsers:
            services.endorse(proposal=proposal, organisation=endorser, user=None)
    client.get(LIST_URL)  # warm the per-process caches (content types, site)

    # Organisations for the filter, paginator count, the proposals with their counts.
    with django_assert_num_queries(3):
        response = client.get(LIST_URL)

    assert len(listed_titles(response)) == min(count, 20)
    endorsed = endorsed_by(3)
    assert response.content.decode().count(endorsed) == min(count, 20)


# The detail ----------------------------------------------------------------------------


def test_proposals_detail_shows_kind_addressee_and_no_endorsements_yet(client, proposal):
    response = client.get(proposal.get_absolute_url())

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<span class="entry-kind">{Proposal.Kind.OPEN_LETTER.label}</span>' in html
    addressee = gettext("Addressed to: %(addressee)s") % {
        "addressee": "Υπουργείο Περιβάλλοντος και Ενέργειας"
    }
    assert f'<p class="proposal-addressee">{addressee}</p>' in html
    assert f"<p>{gettext('No organisation endorses this proposal yet.')}</p>" in html
    assert f"<p>{gettext('No comments yet.')}</p>" in html
    assert url(proposal, "endorse") not in html
    assert url(proposal, "comment") not in html
    login = reverse("customer:login")
    assert (
        f'<a href="{login}?next={proposal.get_absolute_url()}">'
        f"{gettext('Log in as a member of a verified organisation to endorse or comment.')}</a>"
    ) in html


def test_proposals_detail_offers_a_member_to_endorse_for_their_organisation(
    client, proposal, org_a, member_a
):
    client.force_login(member_a)

    html = client.get(proposal.get_absolute_url()).content.decode()

    button = gettext("Endorse on behalf of %(organisation)s") % {
        "organisation": "Συνεταιρισμός Άλφα"
    }
    assert f'<form method="post" action="{url(proposal, "endorse")}" class="endorse-form">' in html
    assert f'<input type="hidden" name="organisation" value="{org_a.pk}">' in html
    assert f'<button type="submit" class="btn btn-primary">{button}</button>' in html
    assert url(proposal, "withdraw") not in html


def test_proposals_detail_lets_a_member_of_several_organisations_choose(
    client, proposal, org_a, member_a
):
    org_c = OrganisationFactory(is_verified=True, name="Γάμμα Ενεργειακή")
    org_c.users.add(member_a)
    OrganisationFactory(is_verified=False, name="Δέλτα Ανεπιβεβαίωτη").users.add(member_a)
    services.endorse(proposal=proposal, organisation=org_c, user=member_a)
    client.force_login(member_a)

    html = client.get(proposal.get_absolute_url()).content.decode()

    # Only Alpha can still endorse; Gamma may withdraw; the unverified one does not appear.
    assert f'<input type="hidden" name="organisation" value="{org_a.pk}">' in html
    button = gettext("Endorse on behalf of %(organisation)s") % {
        "organisation": "Συνεταιρισμός Άλφα"
    }
    assert button in html
    withdraw = gettext("Withdraw the endorsement of %(organisation)s") % {
        "organisation": "Γάμμα Ενεργειακή"
    }
    assert (
        f'<input type="hidden" name="organisation" value="{org_c.pk}">\n'
        f'            <button type="submit" class="btn btn-secondary">{withdraw}</button>'
    ) in html
    assert "Δέλτα Ανεπιβεβαίωτη" not in html


def test_proposals_detail_offers_a_select_when_several_organisations_can_endorse(
    client, proposal, org_a, member_a
):
    org_c = OrganisationFactory(is_verified=True, name="Γάμμα Ενεργειακή")
    org_c.users.add(member_a)
    client.force_login(member_a)

    html = client.get(proposal.get_absolute_url()).content.decode()

    assert (
        f'<label for="endorse-organisation">{gettext("Endorse on behalf of")}</label>\n'
        '                <select id="endorse-organisation" name="organisation">\n'
        f'                    <option value="{org_c.pk}">Γάμμα Ενεργειακή</option>'
        f'<option value="{org_a.pk}">Συνεταιρισμός Άλφα</option>\n'
        "                </select>\n"
        '                <button type="submit" class="btn btn-primary">'
        f"{gettext('Endorse')}</button>"
    ) in html


# Endorsing and withdrawing -----------------------------------------------------------------


def test_proposals_endorse_by_members_of_three_organisations_lists_them_in_order(client, proposal):
    names = ["Γεωργικός Συνεταιρισμός Πεζών", "ΚοινΣΕπ Αλληλεγγύη", "Ενεργειακή Κοινότητα Σητείας"]
    organisations = [OrganisationFactory(is_verified=True, name=name) for name in names]
    for number, organisation in enumerate(organisations):
        client.force_login(create_member(organisation, email=f"endorser{number}@example.org"))
        response = client.post(url(proposal, "endorse"), {"organisation": organisation.pk})
        assert response.status_code == 302
        assert response["Location"] == f"{proposal.get_absolute_url()}#endorsements"

    response = client.get(proposal.get_absolute_url())

    endorsements = list(Endorsement.objects.filter(proposal=proposal))
    assert [(e.organisation.name, e.endorsed_by.email) for e in endorsements] == [
        (name, f"endorser{number}@example.org") for number, name in enumerate(names)
    ]
    assert endorsements_shown(response) == [
        (
            e.organisation.get_absolute_url(),
            e.organisation.name,
            format_date(localtime(e.created_at), "j E Y"),
        )
        for e in endorsements
    ]
    html = response.content.decode()
    assert (
        f'<a href="{organisations[0].get_absolute_url()}">Γεωργικός Συνεταιρισμός Πεζών</a>' in html
    )
    # The last endorser's organisation has endorsed: only withdrawing is offered.
    assert url(proposal, "endorse") not in html
    assert f'class="btn btn-secondary">{gettext("Withdraw endorsement")}</button>' in html


def test_proposals_endorse_shows_a_confirmation(client, proposal, org_a, member_a):
    client.force_login(member_a)

    response = client.post(url(proposal, "endorse"), {"organisation": org_a.pk}, follow=True)

    assert messages_of(response) == [
        gettext("%(organisation)s now endorses this proposal.") % {"organisation": org_a.name}
    ]


def test_proposals_endorse_twice_is_refused_with_a_message(client, proposal, org_a, member_a):
    client.force_login(member_a)
    client.post(url(proposal, "endorse"), {"organisation": org_a.pk}, follow=True)
    first = Endorsement.objects.get()

    response = client.post(url(proposal, "endorse"), {"organisation": org_a.pk}, follow=True)

    assert messages_of(response) == [gettext("Your organisation already endorses this proposal.")]
    assert list(Endorsement.objects.all()) == [first]


def test_proposals_endorse_for_another_organisation_is_not_found(
    client, proposal, org_a, org_b, member_a
):
    client.force_login(member_a)

    response = client.post(url(proposal, "endorse"), {"organisation": org_b.pk})

    assert response.status_code == 404
    assert not Endorsement.objects.exists()


@pytest.mark.parametrize("posted", [{}, {"organisation": ""}, {"organisation": "abc"}])
def test_proposals_endorse_without_a_valid_organisation_is_not_found(
    client, proposal, member_a, posted
):
    client.force_login(member_a)

    response = client.post(url(proposal, "endorse"), posted)

    assert response.status_code == 404
    assert not Endorsement.objects.exists()


def test_proposals_endorse_by_a_user_without_organisation_is_not_found(client, proposal, org_a):
    client.force_login(UserFactory(email="xoris.organismo@example.org"))

    response = client.post(url(proposal, "endorse"), {"organisation": org_a.pk})

    assert response.status_code == 404
    assert not Endorsement.objects.exists()


def test_proposals_endorse_by_an_anonymous_visitor_redirects_to_log_in(client, proposal, org_a):
    response = client.post(url(proposal, "endorse"), {"organisation": org_a.pk})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('customer:login')}?next={url(proposal, 'endorse')}"
    assert not Endorsement.objects.exists()


def test_proposals_endorse_of_a_draft_is_refused(client, org_a, member_a):
    draft = ProposalFactory(organisation=org_a, status=Status.DRAFT)
    client.force_login(member_a)

    response = client.post(url(draft, "endorse"), {"organisation": org_a.pk}, follow=True)

    assert messages_of(response) == [gettext("Only published proposals can be endorsed.")]
    assert not Endorsement.objects.exists()


def test_proposals_withdraw_removes_the_endorsement(client, proposal, org_a, org_b, member_a):
    services.endorse(proposal=proposal, organisation=org_a, user=member_a)
    services.endorse(proposal=proposal, organisation=org_b, user=None)
    client.force_login(member_a)

    response = client.post(url(proposal, "withdraw"), {"organisation": org_a.pk}, follow=True)

    assert messages_of(response) == [
        gettext("%(organisation)s no longer endorses this proposal.") % {"organisation": org_a.name}
    ]
    assert [e.organisation for e in Endorsement.objects.all()] == [org_b]
    assert [name for _url, name, _date in endorsements_shown(response)] == ["ΚοινΣΕπ Βήτα"]


def test_proposals_withdraw_without_endorsement_is_refused_with_a_message(
    client, proposal, org_a, org_b, member_a
):
    services.endorse(proposal=proposal, organisation=org_b, user=None)
    client.force_login(member_a)

    response = client.post(url(proposal, "withdraw"), {"organisation": org_a.pk}, follow=True)

    assert messages_of(response) == [gettext("Your organisation does not endorse this proposal.")]
    assert [e.organisation for e in Endorsement.objects.all()] == [org_b]


def test_proposals_withdraw_for_another_organisation_is_not_found(
    client, proposal, org_b, member_a
):
    services.endorse(proposal=proposal, organisation=org_b, user=None)
    client.force_login(member_a)

    response = client.post(url(proposal, "withdraw"), {"organisation": org_b.pk})

    assert response.status_code == 404
    assert [e.organisation for e in Endorsement.objects.all()] == [org_b]


# Comments ------------------------------------------------------------------------------------


def test_proposals_comment_by_a_member_is_shown_with_author_organisation_and_date(
    client, proposal, org_a, member_a
):
    client.force_login(member_a)

    response = client.post(
        url(proposal, "comment"),
        {"organisation": org_a.pk, "body": "Συμφωνούμε **απόλυτα**."},
        follow=True,
    )

    comment = Comment.objects.get()
    assert (comment.proposal, comment.author, comment.organisation, comment.body) == (
        proposal, member_a, org_a, "Συμφωνούμε **απόλυτα**."
    )  # fmt: skip
    assert messages_of(response) == [gettext("Your comment was published.")]
    assert response.redirect_chain == [(f"{proposal.get_absolute_url()}#comments", 302)]
    section = comments_section(response)
    assert (
        '<span class="comment__author">Άννα Αλεξίου</span> · '
        f'<a href="{org_a.get_absolute_url()}">Συνεταιρισμός Άλφα</a>\n'
        f'                · <time datetime="{format_date(localtime(comment.created_at), "c")}">'
        f"{format_date(localtime(comment.created_at), 'j E Y, H:i')}</time>"
    ) in section
    assert (
        '<div class="comment__body"><p>Συμφωνούμε <strong>απόλυτα</strong>.</p></div>'
    ) in section


def test_proposals_comment_is_sanitised(client, proposal, org_a, member_a):
    client.force_login(member_a)

    client.post(
        url(proposal, "comment"),
        {
            "organisation": org_a.pk,
            "body": "Καλό <script>alert(1)</script> [x](javascript:alert(1)) "
            '<img src=x onerror="alert(2)">',
        },
    )

    response = client.get(proposal.get_absolute_url())
    section = comments_section(response)
    assert (
        '<div class="comment__body"><p>Καλό  <a rel="noopener nofollow ugc">x</a> </p></div>'
        in (section)
    )
    assert "<script" not in section
    assert "onerror" not in section
    assert "javascript:" not in response.content.decode()


def test_proposals_comment_form_is_offered_to_members_only(client, proposal, org_a, member_a):
    anonymous_html = client.get(proposal.get_absolute_url()).content.decode()
    client.force_login(UserFactory(email="xoris.organismo@example.org"))
    outsider_html = client.get(proposal.get_absolute_url()).content.decode()
    client.force_login(member_a)
    member_html = client.get(proposal.get_absolute_url()).content.decode()

    form = f'<form method="post" action="{url(proposal, "comment")}" class="comment-form">'
    assert form not in anonymous_html
    assert form not in outsider_html
    assert (
        f"<p>{gettext('Members of verified organisations endorse and comment on proposals.')}</p>"
    ) in outsider_html
    assert form in member_html
    assert f'<input type="hidden" name="organisation" value="{org_a.pk}" id="id_organisation">' in (
        member_html
    )
    assert f'<label for="id_body">{gettext("Your comment")}</label>' in member_html


@pytest.mark.parametrize("who", ["outsider", "other_member"])
def test_proposals_comment_by_a_non_member_is_not_found_and_not_saved(
    client, proposal, org_a, member_b, who
):
    user = UserFactory(email="xoris.organismo@example.org") if who == "outsider" else member_b
    client.force_login(user)

    response = client.post(url(proposal, "comment"), {"organisation": org_a.pk, "body": "Γεια"})

    assert response.status_code == 404
    assert not Comment.objects.exists()


def test_proposals_comment_by_an_anonymous_visitor_redirects_to_log_in(client, proposal, org_a):
    response = client.post(url(proposal, "comment"), {"organisation": org_a.pk, "body": "Γεια"})

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('customer:login')}?next={url(proposal, 'comment')}"
    assert not Comment.objects.exists()


def test_proposals_comment_empty_is_refused_with_a_message(client, proposal, org_a, member_a):
    client.force_login(member_a)

    response = client.post(url(proposal, "comment"), {"organisation": org_a.pk, "body": ""},
                           follow=True)  # fmt: skip

    assert messages_of(response) == [gettext("This field is required.")]
    assert not Comment.objects.exists()


def test_proposals_removed_comments_are_not_shown(client, proposal, org_a, member_a):
    services.add_comment(proposal=proposal, user=member_a, organisation=org_a, body="Ορατό σχόλιο")
    removed = services.add_comment(proposal=proposal, user=member_a, organisation=org_a,
                                   body="Αφαιρεμένο σχόλιο")  # fmt: skip
    Comment.objects.filter(pk=removed.pk).update(is_removed=True)

    section = comments_section(client.get(proposal.get_absolute_url()))

    assert "<p>Ορατό σχόλιο</p>" in section
    assert "Αφαιρεμένο σχόλιο" not in section


@pytest.mark.parametrize("count", [1, 5])
def test_proposals_detail_query_count_does_not_grow_with_endorsements_and_comments(
    client, django_assert_num_queries, proposal, count
):
    for number in range(count):
        organisation = OrganisationFactory(is_verified=True)
        member = create_member(organisation, first_name=f"Μέλος {number}")
        services.endorse(proposal=proposal, organisation=organisation, user=member)
        services.add_comment(proposal=proposal, user=member, organisation=organisation,
                             body=f"Σχόλιο {number}")  # fmt: skip
    client.get(proposal.get_absolute_url())

    # Proposal, revision count, endorsements, comments (the rest of the page is cached).
    with django_assert_num_queries(4):
        response = client.get(proposal.get_absolute_url())

    assert len(endorsements_shown(response)) == count
    assert comments_section(response).count('<div class="comment__body">') == count


# Writing and editing ---------------------------------------------------------------------


def test_proposals_create_by_a_member_saves_the_proposal_and_revision_1(client, org_a, member_a):
    client.force_login(member_a)

    response = client.post(reverse("thinktank:proposals-create"), form_data(org_a))

    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == proposal.get_absolute_url()
    assert (proposal.title, proposal.kind, proposal.addressee, proposal.organisation,
            proposal.author, proposal.slug) == (
        "Κοινωνικό παντοπωλείο στη γειτονιά", Proposal.Kind.PROJECT, "Δήμος Ηρακλείου", org_a,
        member_a, "koinoniko-pantopoleio-sti-geitonia",
    )  # fmt: skip
    revisions = list(revisions_of(proposal))
    assert [(r.number, r.author, r.organisation) for r in revisions] == [(1, member_a, org_a)]
    assert (revisions[0].data["kind"], revisions[0].data["addressee"]) == (
        Proposal.Kind.PROJECT, "Δήμος Ηρακλείου"
    )  # fmt: skip


def test_proposals_edit_by_a_member_saves_revision_2_and_shows_the_new_addressee(
    client, org_a, member_a
):
    proposal = ProposalFactory(organisation=org_a, author=member_a, title="Παντοπωλείο",
                               addressee="Δήμος Χανίων")  # fmt: skip
    client.force_login(member_a)

    response = client.post(
        proposal.url_for("edit"),
        form_data(org_a, title="Παντοπωλείο", addressee="Περιφέρεια Κρήτης",
                  change_summary="νέος αποδέκτης"),
    )  # fmt: skip

    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.addressee == "Περιφέρεια Κρήτης"
    assert [(r.number, r.summary) for r in revisions_of(proposal)] == [
        (2, "νέος αποδέκτης"),
        (1, gettext("Created")),
    ]
    html = client.get(proposal.get_absolute_url()).content.decode()
    addressee = gettext("Addressed to: %(addressee)s") % {"addressee": "Περιφέρεια Κρήτης"}
    assert f'<p class="proposal-addressee">{addressee}</p>' in html
    assert "Δήμος Χανίων" not in html


def test_proposals_create_and_edit_by_a_user_without_organisation_are_forbidden(client, org_a):
    proposal = ProposalFactory(organisation=org_a, addressee="Δήμος Χανίων")
    client.force_login(UserFactory(email="xoris.organismo@example.org"))

    create = client.post(reverse("thinktank:proposals-create"), form_data(org_a))
    edit = client.post(proposal.url_for("edit"), form_data(org_a, addressee="Αλλού"))

    assert (create.status_code, edit.status_code) == (403, 403)
    assert Proposal.objects.count() == 1
    proposal.refresh_from_db()
    assert proposal.addressee == "Δήμος Χανίων"
    assert [r.number for r in revisions_of(proposal)] == [1]


def test_proposals_create_and_edit_by_anonymous_visitors_redirect_to_log_in(client, org_a):
    proposal = ProposalFactory(organisation=org_a, addressee="Δήμος Χανίων")
    login = reverse("customer:login")

    create = client.post(reverse("thinktank:proposals-create"), form_data(org_a))
    edit = client.post(proposal.url_for("edit"), form_data(org_a, addressee="Αλλού"))

    assert create.status_code == 302
    assert create["Location"] == f"{login}?next=/thinktank/proposals/new/"
    assert edit.status_code == 302
    assert edit["Location"] == f"{login}?next={proposal.url_for('edit')}"
    assert Proposal.objects.count() == 1
    proposal.refresh_from_db()
    assert proposal.addressee == "Δήμος Χανίων"
    assert [r.number for r in revisions_of(proposal)] == [1]
