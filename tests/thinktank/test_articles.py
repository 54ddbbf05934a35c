"""Opinion articles: list, signed detail with reading time and related articles, feeds,
writing and editing through the form, filters, pagination and query counts."""

import datetime
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext

from tests.factories import OrganisationFactory, UserFactory, create_member
from tests.factories.thinktank import ArticleFactory, compact_html, listed_titles
from thinktank.models import THEME_CHOICES, Article, Moderation, Revision, Status

pytestmark = pytest.mark.django_db

ATHENS = zoneinfo.ZoneInfo("Europe/Athens")
LIST_URL = "/thinktank/articles/"
THEME_A, THEME_B = THEME_CHOICES[0][0], THEME_CHOICES[1][0]


def at_noon(year, month, day):
    return datetime.datetime(year, month, day, 12, 0, tzinfo=ATHENS)


def revisions_of(entry):
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(Article), object_id=entry.pk
    )


def reading_time(minutes):
    return ngettext("%(minutes)s min read", "%(minutes)s min read", minutes) % {"minutes": minutes}


@pytest.fixture
def organisation():
    return OrganisationFactory(is_verified=True, name="Ενεργειακή Κοινότητα Σητείας")


@pytest.fixture
def member(organisation):
    return create_member(
        organisation, email="grafei@example.org", first_name="Μαρία", last_name="Λαμπράκη"
    )


def form_data(organisation, **overrides):
    data = {
        "organisation": organisation.pk,
        "title": "Γιατί η ενέργεια είναι κοινό αγαθό",
        "summary": "Οι ενεργειακές κοινότητες ως απάντηση στην ακρίβεια.",
        "body": "Η ενέργεια **ανήκει** σε όλους μας.",
        "theme": THEME_A,
        "status": Status.PUBLISHED,
        "publish_at": "2025-02-01T10:30",
    }
    data.update(overrides)
    return data


# The list ------------------------------------------------------------------------------


def test_articles_list_shows_only_published_articles_to_anonymous_visitors(client):
    ArticleFactory(title="Δημοσιευμένο άρθρο", publish_at=at_noon(2025, 1, 10))
    ArticleFactory(title="Πρόχειρο άρθρο", status=Status.DRAFT)
    ArticleFactory(
        title="Προγραμματισμένο άρθρο", publish_at=timezone.now() + datetime.timedelta(days=2)
    )
    ArticleFactory(title="Διαγραμμένο άρθρο", deleted_at=timezone.now())
    ArticleFactory(title="Κρυμμένο άρθρο", moderation=Moderation.HIDDEN)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert listed_titles(response) == ["Δημοσιευμένο άρθρο"]
    html = response.content.decode()
    for hidden_title in (
        "Πρόχειρο άρθρο",
        "Προγραμματισμένο άρθρο",
        "Διαγραμμένο άρθρο",
        "Κρυμμένο άρθρο",
    ):
        assert hidden_title not in html


def test_articles_list_shows_author_organisation_and_reading_time(client, organisation, member):
    ArticleFactory(
        title="Μικρό άρθρο", organisation=organisation, author=member, body="λέξη " * 450
    )

    html = compact_html(client.get(LIST_URL))

    storefront = organisation.get_absolute_url()
    assert f'<a href="{storefront}">Ενεργειακή Κοινότητα Σητείας</a>· Μαρία Λαμπράκη ·' in html
    assert f'<p class="entry-card__facts">{reading_time(3)}</p>' in html


def test_articles_list_offers_the_rss_and_atom_feeds(client):
    html = compact_html(client.get(LIST_URL))

    rss, atom = reverse("thinktank:articles-feed"), reverse("thinktank:articles-atom")
    assert rss == "/thinktank/articles/feed/" and atom == "/thinktank/articles/feed/atom/"
    title = gettext("Opinion articles")
    assert (
        f'<link rel="alternate" type="application/rss+xml" title="{title} (RSS)" href="{rss}">'
        in html
    )
    assert (
        f'<link rel="alternate" type="application/atom+xml" title="{title} (Atom)" href="{atom}">'
        in html
    )
    assert (
        f'<p class="feed-links">{gettext("Subscribe:")}'
        f'<a href="{rss}" type="application/rss+xml">{gettext("RSS feed")}</a>·'
        f'<a href="{atom}" type="application/atom+xml">{gettext("Atom feed")}</a></p>'
    ) in html


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"organisation": "sitia"}, ["Ήλιος για όλους"]),
        ({"theme": THEME_B}, ["Κοινωνικά παντοπωλεία"]),
        ({"date_from": "2025-04-01", "date_to": "2025-06-30"}, ["Συνεταιρισμοί και νέοι"]),
        ({"date_from": "2025-05-01"}, ["Κοινωνικά παντοπωλεία", "Συνεταιρισμοί και νέοι"]),
        ({"date_to": "2025-04-30"}, ["Ήλιος για όλους"]),
        ({"organisation": "sitia", "theme": THEME_B}, []),
    ],
)
def test_articles_list_filters_narrow_the_articles(client, filters, expected):
    sitia = OrganisationFactory(is_verified=True, name="Sitia", code="sitia")
    other = OrganisationFactory(is_verified=True, name="Volos", code="volos")
    ArticleFactory(
        title="Ήλιος για όλους", organisation=sitia, theme=THEME_A, publish_at=at_noon(2025, 3, 10)
    )
    ArticleFactory(
        title="Συνεταιρισμοί και νέοι",
        organisation=other,
        theme=THEME_A,
        publish_at=at_noon(2025, 5, 15),
    )
    ArticleFactory(
        title="Κοινωνικά παντοπωλεία",
        organisation=other,
        theme=THEME_B,
        publish_at=at_noon(2025, 7, 20),
    )

    response = client.get(LIST_URL, filters)

    assert listed_titles(response) == expected


def test_articles_list_second_page_shows_the_oldest_articles(client):
    for day in range(1, 23):
        ArticleFactory(title=f"Άρθρο της {day}ης Απριλίου", publish_at=at_noon(2025, 4, day))

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})

    assert listed_titles(first) == [f"Άρθρο της {day}ης Απριλίου" for day in range(22, 2, -1)]
    assert listed_titles(second) == ["Άρθρο της 2ης Απριλίου", "Άρθρο της 1ης Απριλίου"]


@pytest.mark.parametrize("count", [1, 30])
def test_articles_list_query_count_does_not_grow_with_articles(
    client, django_assert_num_queries, count
):
    organisation = OrganisationFactory(is_verified=True)
    author = create_member(organisation, first_name="Νίκος", last_name="Μαρκάκης")
    for number in range(count):
        ArticleFactory(
            organisation=organisation, author=author, theme=THEME_A, title=f"Άρθρο {number}"
        )
    client.get(LIST_URL)  # warm the per-process caches (content types, site)

    with django_assert_num_queries(3):
        response = client.get(LIST_URL)

    assert len(listed_titles(response)) == min(count, 20)


# The detail ----------------------------------------------------------------------------


def test_articles_detail_shows_the_signature_reading_time_and_text(client, organisation, member):
    article = ArticleFactory(
        title="Η ενέργεια ως κοινό αγαθό",
        organisation=organisation,
        author=member,
        body="Η *ενέργεια* ανήκει σε όλους. " + "λέξη " * 395,  # 400 words
    )

    response = client.get(article.get_absolute_url())

    html = compact_html(response)
    assert response.status_code == 200
    signed = gettext("Signed by %(author)s (%(organisation)s)") % {
        "author": "Μαρία Λαμπράκη",
        "organisation": "Ενεργειακή Κοινότητα Σητείας",
    }
    assert (
        f'<p class="entry-byline">{signed}</p><p class="entry-reading-time">{reading_time(2)}</p>'
        in html
    )
    assert "<p>Η<em>ενέργεια</em>ανήκει σε όλους." in html


def test_articles_detail_reading_time_is_one_minute_for_a_short_article(client):
    article = ArticleFactory(body="Λίγα λόγια.")

    html = compact_html(client.get(article.get_absolute_url()))

    assert f'<p class="entry-reading-time">{reading_time(1)}</p>' in html


def test_articles_detail_without_author_is_signed_by_the_organisation(client, organisation):
    article = ArticleFactory(organisation=organisation, author=None)

    html = compact_html(client.get(article.get_absolute_url()))

    signed = gettext("Signed by %(organisation)s") % {
        "organisation": "Ενεργειακή Κοινότητα Σητείας"
    }
    assert f'<p class="entry-byline">{signed}</p>' in html


def test_articles_detail_lists_related_published_articles(client, organisation):
    article = ArticleFactory(title="Το κύριο άρθρο", organisation=organisation, theme=THEME_A)
    ArticleFactory(title="Ίδιο θέμα", theme=THEME_A, publish_at=at_noon(2025, 3, 1))
    ArticleFactory(title="Ίδιο θέμα αλλά πρόχειρο", theme=THEME_A, status=Status.DRAFT)
    ArticleFactory(title="Άλλο θέμα", theme=THEME_B)

    response = client.get(article.get_absolute_url())

    html = compact_html(response)
    assert [related.title for related in response.context["related_articles"]] == ["Ίδιο θέμα"]
    related = next(iter(response.context["related_articles"]))
    assert (
        '<section class="related-entries" aria-labelledby="related-articles-title">'
        f'<h2 id="related-articles-title">{gettext("Related articles")}</h2>'
        f'<ul><li><a href="{related.get_absolute_url()}">Ίδιο θέμα</a>'
        f'<span class="entry-meta">· {related.organisation.name}</span></li></ul></section>'
    ) in html
    assert "Ίδιο θέμα αλλά πρόχειρο" not in html
    assert "Άλλο θέμα" not in html


def test_articles_detail_without_related_articles_has_no_related_section(client):
    article = ArticleFactory(theme=THEME_A)

    html = client.get(article.get_absolute_url()).content.decode()

    assert "related-entries" not in html


# Writing and editing ---------------------------------------------------------------------


def test_articles_create_by_a_member_saves_the_article_and_revision_1(client, organisation, member):
    client.force_login(member)

    response = client.post(reverse("thinktank:articles-create"), form_data(organisation))

    article = Article.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"]
        == article.get_absolute_url()
        == "/thinktank/articles/giati-i-energeia-einai-koino-agatho/"
    )
    assert (article.title, article.body, article.theme, article.organisation, article.author) == (
        "Γιατί η ενέργεια είναι κοινό αγαθό",
        "Η ενέργεια **ανήκει** σε όλους μας.",
        THEME_A,
        organisation,
        member,
    )
    assert article.publish_at == datetime.datetime(2025, 2, 1, 10, 30, tzinfo=ATHENS)
    assert [(r.number, r.author, r.organisation) for r in revisions_of(article)] == [
        (1, member, organisation)
    ]
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<p>Η ενέργεια <strong>ανήκει</strong> σε όλους μας.</p>" in html


def test_articles_edit_by_a_member_saves_revision_2_and_shows_the_new_text(
    client, organisation, member
):
    article = ArticleFactory(organisation=organisation, author=member, body="Πρώτη εκδοχή.")
    client.force_login(member)

    response = client.post(
        article.url_for("edit"),
        form_data(
            organisation,
            title=article.title,
            body="Δεύτερη, **καλύτερη** εκδοχή.",
            change_summary="ξαναγράφτηκε",
        ),
    )

    assert response.status_code == 302
    article.refresh_from_db()
    assert article.body == "Δεύτερη, **καλύτερη** εκδοχή."
    assert [(r.number, r.author, r.summary) for r in revisions_of(article)] == [
        (2, member, "ξαναγράφτηκε"),
        (1, member, gettext("Created")),
    ]
    html = client.get(article.get_absolute_url()).content.decode()
    assert "<p>Δεύτερη, <strong>καλύτερη</strong> εκδοχή.</p>" in html
    assert "Πρώτη εκδοχή." not in html


def test_articles_edit_by_a_member_of_another_organisation_is_forbidden(client, organisation):
    article = ArticleFactory(organisation=organisation, body="Πρώτη εκδοχή.")
    outsider_organisation = OrganisationFactory(is_verified=True)
    client.force_login(create_member(outsider_organisation, email="allos@example.org"))

    response = client.post(
        article.url_for("edit"), form_data(outsider_organisation, body="Ξένη αλλαγή.")
    )

    assert response.status_code == 403
    article.refresh_from_db()
    assert article.body == "Πρώτη εκδοχή."
    assert [r.number for r in revisions_of(article)] == [1]


def test_articles_create_by_a_user_without_organisation_is_forbidden(client, organisation):
    client.force_login(UserFactory(email="xoris.organismo@example.org"))

    get_response = client.get(reverse("thinktank:articles-create"))
    post_response = client.post(reverse("thinktank:articles-create"), form_data(organisation))

    assert (get_response.status_code, post_response.status_code) == (403, 403)
    assert not Article.objects.exists()
    assert not Revision.objects.exists()


def test_articles_edit_by_a_user_without_organisation_is_forbidden(client, organisation):
    article = ArticleFactory(organisation=organisation, body="Πρώτη εκδοχή.")
    client.force_login(UserFactory(email="xoris.organismo@example.org"))

    get_response = client.get(article.url_for("edit"))
    post_response = client.post(article.url_for("edit"), form_data(organisation, body="Αλλαγμένο."))

    assert (get_response.status_code, post_response.status_code) == (403, 403)
    article.refresh_from_db()
    assert article.body == "Πρώτη εκδοχή."
    assert [r.number for r in revisions_of(article)] == [1]


def test_articles_create_and_edit_by_anonymous_visitors_redirect_to_log_in(client, organisation):
    article = ArticleFactory(organisation=organisation, body="Πρώτη εκδοχή.")
    login = reverse("customer:login")

    create = client.post(reverse("thinktank:articles-create"), form_data(organisation))
    edit = client.post(article.url_for("edit"), form_data(organisation, body="Αλλαγμένο."))

    assert (
        create.status_code == 302 and create["Location"] == f"{login}?next=/thinktank/articles/new/"
    )
    assert edit.status_code == 302 and edit["Location"] == f"{login}?next={article.url_for('edit')}"
    assert Article.objects.count() == 1
    article.refresh_from_db()
    assert article.body == "Πρώτη εκδοχή."
    assert [r.number for r in revisions_of(article)] == [1]
