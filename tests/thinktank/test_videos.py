"""Videos of past events: list with the event and recording date, detail with a
click-to-load placeholder (nothing from YouTube or Vimeo before the click) or the
browser's own player, writing and editing through the form, filters, pagination and
query counts."""

import datetime
import re
import zoneinfo

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.template.defaultfilters import date as format_date
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tests.factories import OrganisationFactory, UserFactory, create_member
from tests.factories.thinktank import EventFactory, VideoFactory, compact_html, listed_titles
from thinktank.models import THEME_CHOICES, Moderation, Revision, Status, Video

pytestmark = pytest.mark.django_db

ATHENS = zoneinfo.ZoneInfo("Europe/Athens")
LIST_URL = "/thinktank/videos/"
THEME_A, THEME_B = THEME_CHOICES[0][0], THEME_CHOICES[1][0]
YOUTUBE_LINK = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
YOUTUBE_PLAYER = "https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ?rel=0"
# The smallest start of an MP4 file: a box of type "ftyp".
MP4_BYTES = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def at_noon(year, month, day):
    return datetime.datetime(year, month, day, 12, 0, tzinfo=ATHENS)


def revisions_of(entry):
    return Revision.objects.filter(
        content_type=ContentType.objects.get_for_model(Video), object_id=entry.pk
    )


@pytest.fixture
def organisation():
    return OrganisationFactory(is_verified=True, name="Κοινότητα Μάθησης Ρεθύμνου")


@pytest.fixture
def member(organisation):
    return create_member(organisation, email="video@example.org")


@pytest.fixture
def past_event(organisation):
    return EventFactory(
        title="Φεστιβάλ Κοινωνικής Οικονομίας",
        organisation=organisation,
        starts_at=at_noon(2025, 2, 1),
        publish_at=at_noon(2025, 1, 10),
    )


def form_data(organisation, **overrides):
    data = {
        "organisation": organisation.pk,
        "title": "Η ομιλία για τις ενεργειακές κοινότητες",
        "summary": "Η βιντεοσκόπηση της ομιλίας.",
        "body": "Μίλησαν **τρία** μέλη του δικτύου.",
        "theme": THEME_A,
        "status": Status.PUBLISHED,
        "publish_at": "2025-02-05T18:00",
        "video_url": YOUTUBE_LINK,
        "event": "",
        "recorded_on": "2025-02-01",
    }
    data.update(overrides)
    return data


# The list ------------------------------------------------------------------------------


def test_videos_list_shows_only_published_videos_to_anonymous_visitors(client):
    VideoFactory(title="Δημοσιευμένο βίντεο", publish_at=at_noon(2025, 1, 10))
    VideoFactory(title="Πρόχειρο βίντεο", status=Status.DRAFT)
    VideoFactory(
        title="Προγραμματισμένο βίντεο", publish_at=timezone.now() + datetime.timedelta(days=2)
    )
    VideoFactory(title="Διαγραμμένο βίντεο", deleted_at=timezone.now())
    VideoFactory(title="Κρυμμένο βίντεο", moderation=Moderation.HIDDEN)

    response = client.get(LIST_URL)

    assert response.status_code == 200
    assert listed_titles(response) == ["Δημοσιευμένο βίντεο"]
    html = response.content.decode()
    for hidden_title in (
        "Πρόχειρο βίντεο",
        "Προγραμματισμένο βίντεο",
        "Διαγραμμένο βίντεο",
        "Κρυμμένο βίντεο",
    ):
        assert hidden_title not in html


def test_videos_list_shows_the_event_and_recording_date(client, past_event):
    VideoFactory(
        title="Ομιλία στο φεστιβάλ", event=past_event, recorded_on=datetime.date(2025, 2, 1)
    )
    draft_event = EventFactory(title="Μυστική εκδήλωση", status=Status.DRAFT)
    VideoFactory(
        title="Βίντεο χωρίς δημόσια εκδήλωση",
        event=draft_event,
        recorded_on=None,
        publish_at=at_noon(2024, 12, 1),
    )

    html = compact_html(client.get(LIST_URL))

    recorded = format_date(datetime.date(2025, 2, 1), "j E Y")
    assert (
        f'<p class="entry-card__facts">{gettext("Event:")}'
        f'<a href="{past_event.get_absolute_url()}">Φεστιβάλ Κοινωνικής Οικονομίας</a>· '
        f'{gettext("Recorded on")}<time datetime="2025-02-01">{recorded}</time></p>'
    ) in html
    assert html.count('class="entry-card__facts"') == 1
    assert "Μυστική εκδήλωση" not in html


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"organisation": "rethymno"}, ["Βίντεο Ρεθύμνου"]),
        ({"theme": THEME_B}, ["Βίντεο Ιουλίου"]),
        ({"date_from": "2025-04-01", "date_to": "2025-06-30"}, ["Βίντεο Μαΐου"]),
        ({"date_from": "2025-05-01"}, ["Βίντεο Ιουλίου", "Βίντεο Μαΐου"]),
        ({"date_to": "2025-04-30"}, ["Βίντεο Ρεθύμνου"]),
        ({"organisation": "rethymno", "theme": THEME_B}, []),
    ],
)
def test_videos_list_filters_narrow_the_videos(client, filters, expected):
    rethymno = OrganisationFactory(is_verified=True, name="Rethymno", code="rethymno")
    other = OrganisationFactory(is_verified=True, name="Kozani", code="kozani")
    VideoFactory(
        title="Βίντεο Ρεθύμνου",
        organisation=rethymno,
        theme=THEME_A,
        publish_at=at_noon(2025, 3, 10),
    )
    VideoFactory(
        title="Βίντεο Μαΐου", organisation=other, theme=THEME_A, publish_at=at_noon(2025, 5, 15)
    )
    VideoFactory(
        title="Βίντεο Ιουλίου", organisation=other, theme=THEME_B, publish_at=at_noon(2025, 7, 20)
    )

    response = client.get(LIST_URL, filters)

    assert listed_titles(response) == expected


def test_videos_list_second_page_shows_the_oldest_videos(client):
    for day in range(1, 23):
        VideoFactory(title=f"Βίντεο της {day}ης Ιουνίου", publish_at=at_noon(2025, 6, day))

    first = client.get(LIST_URL)
    second = client.get(LIST_URL, {"page": 2})

    assert listed_titles(first) == [f"Βίντεο της {day}ης Ιουνίου" for day in range(22, 2, -1)]
    assert listed_titles(second) == ["Βίντεο της 2ης Ιουνίου", "Βίντεο της 1ης Ιουνίου"]


@pytest.mark.parametrize("count", [1, 30])
def test_videos_list_query_count_does_not_grow_with_videos(
    client, django_assert_num_queries, count
):
    organisation = OrganisationFactory(is_verified=True)
    author = create_member(organisation, first_name="Γιώργος", last_name="Σαββάκης")
    for number in range(count):
        event = EventFactory(organisation=organisation, title=f"Εκδήλωση {number}")
        VideoFactory(
            organisation=organisation,
            author=author,
            theme=THEME_A,
            event=event,
            recorded_on=datetime.date(2025, 1, 1),
            title=f"Βίντεο {number}",
        )
    client.get(LIST_URL)  # warm the per-process caches (content types, site)

    with django_assert_num_queries(3):
        response = client.get(LIST_URL)

    assert len(listed_titles(response)) == min(count, 20)
    assert compact_html(response).count('<p class="entry-card__facts">') == min(count, 20)


# The detail ----------------------------------------------------------------------------


def test_videos_detail_of_a_youtube_video_requests_nothing_from_youtube(client, past_event):
    video = VideoFactory(
        title="Ομιλία στο φεστιβάλ",
        video_url=YOUTUBE_LINK,
        event=past_event,
        recorded_on=datetime.date(2025, 2, 1),
    )

    response = client.get(video.get_absolute_url())

    raw = response.content.decode()
    html = compact_html(response)
    assert response.status_code == 200
    assert "<iframe" not in raw
    assert not re.search(r"""\ssrc=["'][^"']*youtube""", raw, flags=re.IGNORECASE)
    assert (
        '<div class="consent-embed entry-video" data-consent-embed'
        f' data-embed-src="{YOUTUBE_PLAYER}"'
        ' data-embed-title="Ομιλία στο φεστιβάλ"'
        ' data-embed-allow="encrypted-media; fullscreen; picture-in-picture"'
        ' data-embed-width="640" data-embed-height="360">'
    ) in html
    explanation = gettext(
        "This video comes from %(provider)s. It is loaded only if you ask for it: %(provider)s "
        "then learns that you visited this page and may set its cookies."
    ) % {"provider": "YouTube"}
    play = gettext("Play the video (loads %(provider)s)") % {"provider": "YouTube"}
    watch = gettext("Or watch it on %(provider)s") % {"provider": "YouTube"}
    assert (
        f"<p>{explanation}</p>"
        f'<button type="button" class="btn btn-primary" data-consent-load>{play}</button>'
        f'<p><a href="{YOUTUBE_LINK}" rel="noopener">{watch}</a></p></div>'
        f'<script src="{static("js/consent-embed.js")}" defer></script>'
    ) in html
    recorded = format_date(datetime.date(2025, 2, 1), "j E Y")
    assert (
        f'<dl class="entry-facts"><dt>{gettext("Recorded at the event")}</dt>'
        f'<dd><a href="{past_event.get_absolute_url()}">Φεστιβάλ Κοινωνικής Οικονομίας</a></dd>'
        f"<dt>{gettext('Recorded on')}</dt>"
        f'<dd><time datetime="2025-02-01">{recorded}</time></dd></dl>'
    ) in html
    assert "<video" not in raw


def test_videos_detail_of_a_vimeo_video_uses_the_do_not_track_player(client):
    video = VideoFactory(video_url="https://vimeo.com/76979871")

    response = client.get(video.get_absolute_url())

    raw = response.content.decode()
    assert "<iframe" not in raw
    assert not re.search(r"""\ssrc=["'][^"']*vimeo""", raw, flags=re.IGNORECASE)
    assert 'data-embed-src="https://player.vimeo.com/video/76979871?dnt=1"' in raw
    play = gettext("Play the video (loads %(provider)s)") % {"provider": "Vimeo"}
    assert f'<button type="button" class="btn btn-primary" data-consent-load>{play}</button>' in raw


def test_videos_detail_of_an_uploaded_file_uses_the_browsers_player(client):
    video = VideoFactory(
        title="Η γενική συνέλευση",
        video_url="",
        video_file=ContentFile(MP4_BYTES, name="synelefsi.mp4"),
    )

    response = client.get(video.get_absolute_url())

    raw = response.content.decode()
    html = compact_html(response)
    assert video.video_file.url.startswith("/media/videos/") and video.video_file.url.endswith(
        ".mp4"
    )
    assert (
        f'<video controls preload="metadata" src="{video.video_file.url}"'
        ' aria-label="Η γενική συνέλευση">'
        f'<a href="{video.video_file.url}">{gettext("Download the video")}</a></video>'
    ) in html
    assert "data-consent-embed" not in raw
    assert "consent-embed.js" not in raw
    assert "<iframe" not in raw


def test_videos_detail_does_not_link_an_unpublished_event(client):
    draft_event = EventFactory(title="Μυστική εκδήλωση", status=Status.DRAFT)
    video = VideoFactory(event=draft_event, recorded_on=None)

    html = compact_html(client.get(video.get_absolute_url()))

    assert "Μυστική εκδήλωση" not in html
    assert draft_event.get_absolute_url() not in html
    assert "entry-facts" not in html


# Writing and editing ---------------------------------------------------------------------


def test_videos_create_by_a_member_saves_the_video_and_revision_1(
    client, organisation, member, past_event
):
    client.force_login(member)

    response = client.post(
        reverse("thinktank:videos-create"), form_data(organisation, event=past_event.pk)
    )

    video = Video.objects.get()
    assert response.status_code == 302
    assert response["Location"] == video.get_absolute_url()
    assert (video.title, video.video_url, video.event, video.recorded_on) == (
        "Η ομιλία για τις ενεργειακές κοινότητες",
        YOUTUBE_LINK,
        past_event,
        datetime.date(2025, 2, 1),
    )
    assert (video.organisation, video.author, video.video_file.name) == (organisation, member, "")
    assert [(r.number, r.author, r.organisation) for r in revisions_of(video)] == [
        (1, member, organisation)
    ]
    assert revisions_of(video).get().data["event_id"] == past_event.pk


def test_videos_create_refuses_a_link_that_is_not_youtube_or_vimeo(client, organisation, member):
    client.force_login(member)

    response = client.post(
        reverse("thinktank:videos-create"),
        form_data(organisation, video_url="https://example.org/video"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["video_url"][0] == gettext(
        "Give a YouTube or Vimeo link."
    )
    assert (
        f'<p class="text-danger" role="alert">{gettext("Give a YouTube or Vimeo link.")}</p>'
        in (compact_html(response))
    )
    assert not Video.objects.exists()
    assert not Revision.objects.exists()


def test_videos_edit_by_a_member_saves_revision_2_and_shows_the_new_text(
    client, organisation, member
):
    video = VideoFactory(organisation=organisation, author=member, body="Πρώτη περιγραφή.")
    client.force_login(member)

    response = client.post(
        video.url_for("edit"),
        form_data(
            organisation,
            title=video.title,
            body="Η **νέα** περιγραφή.",
            video_url="https://youtu.be/dQw4w9WgXcQ",
            change_summary="νέος σύνδεσμος",
        ),
    )

    assert response.status_code == 302
    video.refresh_from_db()
    assert (video.body, video.video_url) == ("Η **νέα** περιγραφή.", "https://youtu.be/dQw4w9WgXcQ")
    assert [(r.number, r.summary) for r in revisions_of(video)] == [
        (2, "νέος σύνδεσμος"),
        (1, gettext("Created")),
    ]
    html = compact_html(client.get(video.get_absolute_url()))
    assert "<p>Η<strong>νέα</strong>περιγραφή.</p>" in html
    assert f'data-embed-src="{YOUTUBE_PLAYER}"' in html
    assert "Πρώτη περιγραφή." not in html


def test_videos_create_by_a_user_without_organisation_is_forbidden(client, organisation):
    client.force_login(UserFactory(email="xoris.organismo@example.org"))

    get_response = client.get(reverse("thinktank:videos-create"))
    post_response = client.post(reverse("thinktank:videos-create"), form_data(organisation))

    assert (get_response.status_code, post_response.status_code) == (403, 403)
    assert not Video.objects.exists()
    assert not Revision.objects.exists()


def test_videos_edit_by_a_user_without_organisation_is_forbidden(client, organisation):
    video = VideoFactory(organisation=organisation, body="Πρώτη περιγραφή.")
    client.force_login(UserFactory(email="xoris.organismo@example.org"))

    get_response = client.get(video.url_for("edit"))
    post_response = client.post(video.url_for("edit"), form_data(organisation, body="Αλλαγμένο."))

    assert (get_response.status_code, post_response.status_code) == (403, 403)
    video.refresh_from_db()
    assert video.body == "Πρώτη περιγραφή."
    assert [r.number for r in revisions_of(video)] == [1]


def test_videos_create_and_edit_by_anonymous_visitors_redirect_to_log_in(client, organisation):
    video = VideoFactory(organisation=organisation, body="Πρώτη περιγραφή.")
    login = reverse("customer:login")

    create = client.post(reverse("thinktank:videos-create"), form_data(organisation))
    edit = client.post(video.url_for("edit"), form_data(organisation, body="Αλλαγμένο."))

    assert (
        create.status_code == 302 and create["Location"] == f"{login}?next=/thinktank/videos/new/"
    )
    assert edit.status_code == 302 and edit["Location"] == f"{login}?next={video.url_for('edit')}"
    assert Video.objects.count() == 1
    video.refresh_from_db()
    assert video.body == "Πρώτη περιγραφή."
    assert [r.number for r in revisions_of(video)] == [1]
