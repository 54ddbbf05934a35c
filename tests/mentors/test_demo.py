import datetime
import re
import zoneinfo

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from mentors.demo import mentors_demo_counts
from mentors.models import (
    Answer,
    MentorProfile,
    Moderation,
    Question,
    Registration,
    Seminar,
    Session,
    Vote,
)
from shop.demo import DEMO_PASSWORD, demo_member_email
from thinktank.models import Revision

pytestmark = pytest.mark.django_db

ATHENS = zoneinfo.ZoneInfo("Europe/Athens")
EXPECTED_COUNTS = {
    "co_organisers": 5,
    "mentors": 6,
    "seminars": 2,
    "sessions": 14,
    "registrations": 53,
    "questions": 10,
    "answers": 21,
    "accepted_answers": 6,
    "comments": 3,
    "votes": 77,
}
RECORDING = re.compile(r"^https://www\.youtube\.com/watch\?v=[A-Za-z0-9_-]{11}$")


def _sum_of_votes(post):
    return post.votes.aggregate(total=Sum("value"))["total"] or 0


def test_load_demo_builds_the_programme_once_and_emails_nobody(
    client, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)
    assert mentors_demo_counts() == EXPECTED_COUNTS
    today = timezone.localdate(timezone.now(), ATHENS)

    # The first seminar: six past two-hour sessions, 10:00 and 18:00 on 26–28 March 2021.
    first = Seminar.objects.get(slug="triimero-seminario-epimorfosis-mentores")
    assert first.title == "Τριήμερο σεμινάριο επιμόρφωσης ΜΕΝΤΟΡΕΣ"
    assert (first.starts_on, first.ends_on) == (
        datetime.date(2021, 3, 26),
        datetime.date(2021, 3, 28),
    )
    assert sorted(first.co_organisers.values_list("name", "kind")) == [
        ("Δήμος Χαλανδρίου", "municipality"),
        ("Περιφέρεια Κρήτης", "region"),
    ]
    sessions = list(first.sessions.order_by("starts_at"))
    assert [s.starts_at.astimezone(ATHENS).strftime("%d/%m/%Y %H:%M") for s in sessions] == [
        "26/03/2021 10:00",
        "26/03/2021 18:00",
        "27/03/2021 10:00",
        "27/03/2021 18:00",
        "28/03/2021 10:00",
        "28/03/2021 18:00",
    ]
    assert [s.theme.slug for s in sessions] == [
        "agenda-and-resources",
        "local-employment",
        "local-government",
        "agri-food",
        "green-economy-energy-communities",
        "health",
    ]
    for session in sessions:
        assert session.is_past
        assert session.ends_at - session.starts_at == datetime.timedelta(hours=2)
        assert 1 <= session.mentors.count() <= 2, session.title
        assert RECORDING.match(session.recording_url), session.recording_url
        assert session.minutes.startswith("**Μέντορ"), session.title
        assert "## Κύρια σημεία" in session.minutes
        assert session.co_organiser.name in {"Δήμος Χαλανδρίου", "Περιφέρεια Κρήτης"}

    # The next seminar, ten days after the load, and two standalone sessions.
    upcoming = Seminar.objects.exclude(pk=first.pk).get()
    assert upcoming.starts_on == today + datetime.timedelta(days=10)
    assert upcoming.ends_on == today + datetime.timedelta(days=12)
    assert sorted(upcoming.co_organisers.values_list("name", flat=True)) == [
        "Δήμος Καρδίτσας",
        "Περιφέρεια Θεσσαλίας",
    ]
    next_sessions = list(upcoming.sessions.order_by("starts_at"))
    assert len(next_sessions) == 6
    agri_food = next_sessions[0]
    assert agri_food.title == "Κοινωνικά αγροκτήματα και τροφή χωρίς μεσάζοντες"
    assert agri_food.theme.slug == "agri-food"
    assert agri_food.starts_at.astimezone(ATHENS) == datetime.datetime.combine(
        upcoming.starts_on, datetime.time(10), tzinfo=ATHENS
    )
    assert sorted(s.capacity for s in next_sessions) == [30, 40, 40, 40, 50, 60]
    zoom = [s for s in next_sessions if s.room_kind == Session.Room.LINK]
    assert [s.room_link for s in zoom] == ["https://zoom.us/j/84512937604"]
    jitsi_server = settings.JITSI_SERVER_URL.rstrip("/")
    for session in next_sessions:
        if session.room_kind == Session.Room.JITSI:
            assert session.room_link == f"{jitsi_server}/{session.jitsi_room}"
    standalone = list(Session.objects.filter(seminar=None).order_by("starts_at"))
    assert [s.starts_at.astimezone(ATHENS) for s in standalone] == [
        datetime.datetime.combine(
            today + datetime.timedelta(days=2), datetime.time(18), tzinfo=ATHENS
        ),
        datetime.datetime.combine(
            today + datetime.timedelta(days=5), datetime.time(18), tzinfo=ATHENS
        ),
    ]
    clinic = standalone[1]
    assert clinic.capacity == 3
    assert list(
        clinic.registrations.order_by("created_at", "pk").values_list("status", flat=True)
    ) == [
        "confirmed",
        "confirmed",
        "confirmed",
        "waitlisted",
        "waitlisted",
    ]
    assert Registration.objects.filter(status="cancelled").count() == 1
    assert Registration.objects.filter(session__in=next_sessions).count() == 24

    # Mentors: Greek names, demo log-in, bio, organisation and expertise.
    mentors = list(MentorProfile.objects.select_related("user", "organisation"))
    assert sorted(m.name for m in mentors) == [
        "Γιάννης Τσιρογιάννης",
        "Δήμητρα Αναγνωστοπούλου",
        "Ελένη Παπαδημητρίου",
        "Μαρία Κατσαρού",
        "Νίκος Σαρρής",
        "Στέλιος Ζήκος",
    ]
    for mentor in mentors:
        assert mentor.user.email.endswith("@mentors.demo.coopsociety.gr")
        assert 80 <= len(mentor.bio.split()) <= 150, mentor.slug
        assert mentor.organisation is not None
        assert mentor.expertise.exists()
    assert MentorProfile.objects.get(slug="eleni-papadimitriou").user.email == (
        "eleni.papadimitriou@mentors.demo.coopsociety.gr"
    )
    assert client.login(
        username="maria.katsarou@mentors.demo.coopsociety.gr", password=DEMO_PASSWORD
    )
    client.logout()

    # Questions and answers: scores are the sums of their votes, nobody voted on their
    # own post, mentors' answers are marked, every post has its first revision.
    assert Question.objects.filter(session__seminar=first).count() == 6
    for question in Question.objects.all():
        assert question.score == _sum_of_votes(question), question.title
        visible = question.answers.filter(moderation=Moderation.VISIBLE).count()
        assert question.answer_count == visible, question.title
        assert question.accepted_answer is None or question.accepted_answer.question == question
        if question.session is not None and question.session.is_past:
            assert question.created_at.astimezone(ATHENS).date() == (
                question.session.starts_at.astimezone(ATHENS).date()
            )
    for answer in Answer.objects.select_related("question", "author"):
        assert answer.score == _sum_of_votes(answer)
        assert answer.created_at >= answer.question.created_at
        themes = answer.question.themes.all()
        is_mentor = MentorProfile.objects.filter(user=answer.author, expertise__in=themes).exists()
        assert answer.by_mentor == is_mentor
    assert Answer.objects.filter(by_mentor=True).count() == 9
    for vote in Vote.objects.select_related("question", "answer"):
        assert vote.user_id != (vote.question or vote.answer).author_id
    assert Vote.objects.filter(value=-1).count() == 1
    accepted = Answer.objects.filter(pk__in=Question.objects.values("accepted_answer"))
    assert accepted.count() == 6
    assert set(accepted.values_list("by_mentor", flat=True)) == {True}
    for model in (Question, Answer):
        content_type = ContentType.objects.get_for_model(model)
        for post in model.objects.all():
            revisions = Revision.objects.filter(content_type=content_type, object_id=post.pk)
            assert [(r.number, r.created_at) for r in revisions] == [(1, post.created_at)]
    asker = Question.objects.get(title__startswith="Πώς βρίσκουμε ακαλλιέργητη").author
    assert asker.email == demo_member_email("meli-chalkidikis")

    # The pages show it.
    land = Question.objects.get(title__startswith="Πώς βρίσκουμε ακαλλιέργητη")
    pages = {
        reverse("mentors:hub"): [upcoming.title, first.title, agri_food.title],
        reverse("mentors:sessions"): [agri_food.title, standalone[0].title],
        reverse("mentors:questions"): [q.title for q in Question.objects.all()],
        reverse("mentors:theme", kwargs={"slug": "agri-food"}): [land.title, agri_food.title],
        first.get_absolute_url(): [s.title for s in sessions],
        sessions[3].get_absolute_url(): [sessions[3].recording_url, "Κύρια σημεία", land.title],
        land.get_absolute_url(): ["Τρία βήματα, με τη σειρά που δούλεψαν για εμάς στο Ηράκλειο"],
        mentors[0].get_absolute_url(): [mentors[0].name],
    }
    for url, texts in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        content = response.content.decode()
        for text in texts:
            assert escape(text) in content, (url, text)

    # Loading again changes nothing, and the demo e-mails nobody.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("load_demo", verbosity=0)
    assert mentors_demo_counts() == EXPECTED_COUNTS
    assert mailoutbox == []
