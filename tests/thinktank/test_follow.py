"""Follow a section, an organisation or an entry, and get an e-mail on changes."""

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import OrganisationFactory, UserFactory, create_member
from thinktank import services
from thinktank.models import Article, Follow, NewsItem

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    return OrganisationFactory(is_verified=True, name="Ενεργειακή Κοινότητα Κρήτης")


@pytest.fixture
def author(org):
    return create_member(org, email="author@example.org", first_name="Ελένη", last_name="Μαρή")


def publish_news(author, org, title="Νέο φωτοβολταϊκό πάρκο"):
    news = NewsItem(kind="announcement", title=title, body="Κείμενο")
    services.save_entry(entry=news, user=author, organisation=org)
    return news


def test_section_follower_is_emailed_about_a_new_entry(
    client, org, author, django_capture_on_commit_callbacks
):
    reader = UserFactory(email="reader@example.org")
    client.force_login(reader)
    client.post(reverse("thinktank:news-follow-section"))

    with django_capture_on_commit_callbacks(execute=True):
        publish_news(author, org)

    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    assert mail.outbox[0].subject == "Νέο στη δεξαμενή σκέψης: Νέο φωτοβολταϊκό πάρκο"
    assert "/thinktank/news/neo-fotovoltaiko-parko/" in mail.outbox[0].body


def test_organisation_and_entry_followers_hear_of_edits_but_not_the_editor(
    org, author, django_capture_on_commit_callbacks
):
    news = publish_news(author, org)
    org_follower = UserFactory(email="org@example.org")
    entry_follower = UserFactory(email="entry@example.org")
    services.follow(user=org_follower, organisation=org)
    services.follow(user=entry_follower, entry=news)
    services.follow(user=author, entry=news)
    mail.outbox.clear()

    news.body = "Νέο κείμενο"
    with django_capture_on_commit_callbacks(execute=True):
        services.save_entry(entry=news, user=author, organisation=org, summary="Ενημέρωση")

    assert sorted(m.to[0] for m in mail.outbox) == ["entry@example.org", "org@example.org"]
    assert "Ενημέρωση" in mail.outbox[0].body


def test_user_mutes_notifications_from_the_settings_page(
    client, org, author, django_capture_on_commit_callbacks
):
    reader = UserFactory(email="reader@example.org")
    services.follow(user=reader, section="news")
    client.force_login(reader)

    response = client.post(reverse("thinktank:notifications"), {"notify_on_revisions": "on"})
    with django_capture_on_commit_callbacks(execute=True):
        publish_news(author, org)

    assert response.status_code == 302
    assert mail.outbox == []


def test_user_follows_and_unfollows_an_entry(client, org, author):
    news = publish_news(author, org)
    reader = UserFactory(email="reader@example.org")
    client.force_login(reader)

    client.post(reverse("thinktank:news-follow", kwargs={"slug": news.slug}))
    following = client.get(news.get_absolute_url()).context["is_following"]
    settings_page = client.get(reverse("thinktank:notifications"))
    client.post(reverse("thinktank:notifications"), {"unfollow": Follow.objects.get().pk})

    assert following is True
    assert "Νέο φωτοβολταϊκό πάρκο" in settings_page.content.decode()
    assert Follow.objects.count() == 0


def test_user_cannot_remove_another_users_follow(client, org, author):
    other = UserFactory(email="other@example.org")
    follow = services.follow(user=other, section="articles")
    client.force_login(UserFactory(email="me@example.org"))

    response = client.post(reverse("thinktank:notifications"), {"unfollow": follow.pk})

    assert response.status_code == 404
    assert Follow.objects.filter(pk=follow.pk).exists()


def test_drafts_notify_nobody(org, author, django_capture_on_commit_callbacks):
    services.follow(user=UserFactory(email="reader@example.org"), section="articles")

    with django_capture_on_commit_callbacks(execute=True):
        services.save_entry(
            entry=Article(title="Πρόχειρο", body="x", status="draft"), user=author, organisation=org
        )

    assert mail.outbox == []


def test_reader_follows_an_organisation_from_the_network_page(
    client, org, author, django_capture_on_commit_callbacks
):
    reader = UserFactory(email="reader@example.org")
    client.force_login(reader)
    follow_url = reverse("thinktank:organisation-follow", kwargs={"slug": org.code})

    client.post(follow_url)
    page = client.get(reverse("thinktank:network"))
    with django_capture_on_commit_callbacks(execute=True):
        publish_news(author, org)
    client.post(follow_url, {"follow": "0"})

    assert page.context["followed_organisation_ids"] == {org.pk}
    assert [m.to for m in mail.outbox] == [["reader@example.org"]]
    assert Follow.objects.count() == 0


def test_unverified_organisations_cannot_be_followed(client):
    unverified = OrganisationFactory(is_verified=False)
    client.force_login(UserFactory(email="reader@example.org"))

    response = client.post(
        reverse("thinktank:organisation-follow", kwargs={"slug": unverified.code})
    )

    assert response.status_code == 404
    assert Follow.objects.count() == 0
