"""The programme's pages: session list (filters, upcoming/past, places), session detail,
theme pages with their FAQ, mentors, seminars with their day-by-day agenda, the hub and
the home page's middle pillar.

The clock is frozen at Saturday 20 March 2021, 12:00 in Athens (Django's
``timezone.now`` patched), a week before the first seminar (26–28 March 2021).
"""

import datetime
import html
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from mentors.models import Moderation, Registration
from tests.factories import UserFactory
from tests.factories.mentors import (
    AnswerFactory,
    CoOrganiserFactory,
    MentorProfileFactory,
    QuestionFactory,
    RegistrationFactory,
    SeminarFactory,
    SessionFactory,
    athens,
    theme,
)

pytestmark = pytest.mark.django_db

NOW = athens(2021, 3, 20, 12, 0)


@pytest.fixture(autouse=True)
def frozen_clock():
    with mock.patch("django.utils.timezone.now", return_value=NOW):
        yield


def compact_html(response):
    r"""The page with runs of ASCII whitespace made one space, and none between two tags:
    ``<li>\n  <a href="/">Α</a> ·\n <span>`` becomes ``<li><a href="/">Α</a> · <span>``."""
    text = re.sub(r"[ \t\r\n\f]+", " ", response.content.decode())
    return re.sub(r"> <", "><", text)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return compact_html(response)


def titles(markup, css_class="entry-card__title"):
    """The linked titles of the cards with ``css_class``, in order."""
    pattern = rf'class="{css_class}"><a href="[^"]*">([^<]*)</a>'
    return [html.unescape(title) for title in re.findall(pattern, markup)]


def section(markup, start_marker, end_marker="</section>"):
    start = markup.index(start_marker)
    return markup[start : markup.index(end_marker, start) + len(end_marker)]


def queries_for(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def eleni():
    return MentorProfileFactory(
        slug="eleni-papadopoulou",
        user__first_name="Ελένη",
        user__last_name="Παπαδοπούλου",
        bio="Γεωπόνος, μέλος του **Αγροτικού Συνεταιρισμού**. <script>alert(1)</script>",
        expertise=["agri-food"],
    )


def giorgos():
    return MentorProfileFactory(
        slug="giorgos-alexiou", user__first_name="Γιώργος", user__last_name="Αλεξίου"
    )


def heraklion():
    return CoOrganiserFactory(name="Δήμος Ηρακλείου", region="crete")


def register(session, confirmed=0, waitlisted=0, cancelled=0):
    for status, count in (
        (Registration.Status.CONFIRMED, confirmed),
        (Registration.Status.WAITLISTED, waitlisted),
        (Registration.Status.CANCELLED, cancelled),
    ):
        for _ in range(count):
            RegistrationFactory(session=session, status=status)


# Session list -------------------------------------------------------------------------------


def test_session_list_item_shows_every_fact(client):
    session = SessionFactory(
        title="Κοινωνικά αγροκτήματα",
        starts_at=athens(2021, 3, 26, 18, 0),
        mentors=[eleni(), giorgos()],
        co_organiser=heraklion(),
        capacity=20,
    )
    register(session, confirmed=3, waitlisted=1, cancelled=1)

    markup = page(client, "/en/mentors/sessions/")

    pk = session.pk
    assert section(markup, "<article", "</article>") == (
        f'<article class="entry-card session-card" aria-labelledby="session-{pk}-title">'
        f'<h2 id="session-{pk}-title" class="entry-card__title">'
        f'<a href="/en/mentors/sessions/{pk}/">Κοινωνικά αγροκτήματα</a></h2>'
        '<dl class="session-facts">'
        "<dt>When</dt>"
        '<dd><time datetime="2021-03-26T18:00:00+02:00">Friday 26 March 2021, 18:00</time>–'
        '<time datetime="2021-03-26T20:00:00+02:00">20:00</time>'
        '<span class="entry-meta">(2 hours)</span></dd>'
        "<dt>Theme</dt>"
        '<dd><a href="/en/mentors/themes/agri-food/">The agri-food sector</a></dd>'
        "<dt>Mentors</dt>"
        '<dd><a href="/en/mentors/people/giorgos-alexiou/">Γιώργος Αλεξίου</a>, '
        '<a href="/en/mentors/people/eleni-papadopoulou/">Ελένη Παπαδοπούλου</a></dd>'
        "<dt>Co-organised with</dt>"
        '<dd>Δήμος Ηρακλείου <span class="entry-meta">· Crete</span></dd>'
        "<dt>Places</dt>"
        '<dd class="session-places">17 of 20 places left</dd>'
        "</dl></article>"
    )
    assert "<h1>Upcoming sessions</h1>" in markup
    assert '<p class="result-count" role="status">1 session</p>' in markup


def test_session_list_in_greek_shows_athens_time_and_greek_names(client):
    SessionFactory(title="Κοινωνικά αγροκτήματα", starts_at=athens(2021, 3, 26, 18, 0))

    markup = page(client, "/mentors/sessions/")

    assert (
        '<time datetime="2021-03-26T18:00:00+02:00">Παρασκευή 26 Μαρτίου 2021, 18:00</time>'
        in markup
    )
    assert '<a href="/mentors/themes/agri-food/">Αγροδιατροφικός τομέας</a>' in markup


@pytest.mark.parametrize(
    ("capacity", "confirmed", "waitlisted", "text"),
    [
        (None, 4, 0, "Open to all: no limit on places"),
        (20, 3, 0, "17 of 20 places left"),
        (2, 1, 0, "1 of 2 places left"),
        (2, 2, 3, "Full: waitlist open"),
        (2, 3, 0, "Full: waitlist open"),  # capacity lowered after registrations
    ],
)
def test_session_list_places_left(client, capacity, confirmed, waitlisted, text):
    session = SessionFactory(capacity=capacity)
    register(session, confirmed=confirmed, waitlisted=waitlisted, cancelled=1)

    markup = page(client, "/en/mentors/sessions/")

    assert re.findall(r'<dd class="session-places">([^<]*)</dd>', markup) == [text]


def test_session_list_upcoming_soonest_first_and_past_newest_first(client):
    SessionFactory(title="Παλιά", starts_at=athens(2021, 3, 10, 18, 0))
    SessionFactory(title="Πρόσφατη", starts_at=athens(2021, 3, 15, 18, 0))
    SessionFactory(title="Τώρα σε εξέλιξη", starts_at=athens(2021, 3, 20, 11, 0))
    SessionFactory(title="Την Κυριακή", starts_at=athens(2021, 3, 28, 10, 0))
    SessionFactory(title="Την Παρασκευή", starts_at=athens(2021, 3, 26, 18, 0))
    SessionFactory(title="Αδημοσίευτη", starts_at=athens(2021, 3, 27, 18, 0), is_published=False)
    SessionFactory(
        title="Αδημοσίευτη παλιά", starts_at=athens(2021, 3, 1, 18, 0), is_published=False
    )

    upcoming = page(client, "/en/mentors/sessions/")
    past = page(client, "/en/mentors/sessions/?when=past")

    assert titles(upcoming) == ["Τώρα σε εξέλιξη", "Την Παρασκευή", "Την Κυριακή"]
    assert titles(past) == ["Πρόσφατη", "Παλιά"]
    assert "<h1>Past sessions</h1>" in past
    assert '<p class="result-count" role="status">2 sessions</p>' in past
    assert '<input type="hidden" name="when" value="past">' in past
    assert '<input type="hidden" name="when" value="past">' not in upcoming
    # Past sessions show no places.
    assert 'class="session-places"' not in past
    assert (
        '<a class="nav-link active" href="/en/mentors/sessions/?when=past" aria-current="page">'
        "Past sessions</a>"
    ) in past


@pytest.fixture
def filtered_sessions():
    eleni_profile, giorgos_profile = eleni(), giorgos()
    first = SeminarFactory(title="Τριήμερο σεμινάριο Κρήτης", slug="trihmero-kritis")
    second = SeminarFactory(title="Σεμινάριο Αττικής", slug="seminario-attikis")
    crete = heraklion()
    attica = CoOrganiserFactory(name="Περιφέρεια Αττικής", kind="region", region="attica")
    SessionFactory(
        title="Α",
        theme=theme("agri-food"),
        seminar=first,
        co_organiser=crete,
        mentors=[eleni_profile],
        starts_at=athens(2021, 3, 26, 10, 0),
    )
    SessionFactory(
        title="Β",
        theme=theme("health"),
        seminar=second,
        co_organiser=attica,
        mentors=[giorgos_profile],
        starts_at=athens(2021, 3, 27, 10, 0),
    )
    SessionFactory(
        title="Γ",
        theme=theme("agri-food"),
        mentors=[eleni_profile, giorgos_profile],
        starts_at=athens(2021, 3, 28, 10, 0),
    )
    SessionFactory(
        title="Δ παλιά",
        theme=theme("agri-food"),
        seminar=first,
        starts_at=athens(2021, 3, 1, 10, 0),
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("", ["Α", "Β", "Γ"]),
        ("theme=agri-food", ["Α", "Γ"]),
        ("theme=health", ["Β"]),
        ("seminar=trihmero-kritis", ["Α"]),
        ("region=attica", ["Β"]),
        ("region=crete", ["Α"]),
        ("mentor=giorgos-alexiou", ["Β", "Γ"]),
        ("mentor=eleni-papadopoulou", ["Α", "Γ"]),
        ("theme=agri-food&mentor=giorgos-alexiou", ["Γ"]),
        ("theme=no-such-theme&region=crete", ["Α"]),  # a bad value is ignored
        ("when=past&seminar=trihmero-kritis", ["Δ παλιά"]),
        ("when=past&theme=health", []),
    ],
)
def test_session_list_filters(client, filtered_sessions, query, expected):
    markup = page(client, f"/en/mentors/sessions/?{query}")

    assert titles(markup) == expected


def test_session_list_filter_form_offers_only_what_has_sessions(client, filtered_sessions):
    markup = page(client, "/en/mentors/sessions/?region=crete")

    assert (
        '<select name="region" id="id_region"><option value="">All regions</option>'
        '<option value="attica">Attica</option>'
        '<option value="crete" selected>Crete</option></select>'
    ) in markup
    assert (
        '<select name="mentor" id="id_mentor"><option value="" selected>All mentors</option>'
        '<option value="giorgos-alexiou">Γιώργος Αλεξίου</option>'
        '<option value="eleni-papadopoulou">Ελένη Παπαδοπούλου</option></select>'
    ) in markup
    assert markup.count('<option value="', markup.index('name="theme"')) >= 11
    assert '<label for="id_seminar">Seminar</label>' in markup
    assert "No upcoming sessions match these filters." not in markup


def test_session_list_empty(client):
    markup = page(client, "/en/mentors/sessions/?theme=health")

    assert "<p>No upcoming sessions match these filters.</p>" in markup
    assert '<p class="result-count" role="status">0 sessions</p>' in markup


def test_session_list_is_paginated_by_20_keeping_the_filters(client):
    for day in range(21):
        SessionFactory(title=f"Συνεδρία {day + 1:02d}", starts_at=athens(2021, 4, 1 + day, 10))

    first = page(client, "/en/mentors/sessions/?theme=agri-food")
    second = page(client, "/en/mentors/sessions/?theme=agri-food&page=2")

    assert titles(first) == [f"Συνεδρία {number:02d}" for number in range(1, 21)]
    assert titles(second) == ["Συνεδρία 21"]
    assert '<p class="result-count" role="status">21 sessions</p>' in first
    assert 'rel="next" href="?theme=agri-food&amp;page=2">Next</a>' in first


def make_listed_sessions(count, start=0):
    crete = CoOrganiserFactory(name="Δήμος Ηρακλείου", region="crete")
    seminar = SeminarFactory(slug=f"seminar-{start}")
    for number in range(start, start + count):
        session = SessionFactory(
            starts_at=athens(2021, 4, 1, 10) + datetime.timedelta(days=number),
            mentors=[MentorProfileFactory(), MentorProfileFactory()],
            co_organiser=crete,
            seminar=seminar,
            capacity=10,
        )
        register(session, confirmed=2, waitlisted=1)


def test_session_list_query_count_does_not_grow_with_sessions(client, django_assert_num_queries):
    make_listed_sessions(1)
    with django_assert_num_queries(7):
        # filters (themes, seminars, regions, mentors), count, sessions, their mentors
        client.get("/en/mentors/sessions/")

    make_listed_sessions(29, start=1)
    with django_assert_num_queries(7):
        response = client.get("/en/mentors/sessions/")
    assert len(titles(compact_html(response))) == 20


# Session detail -------------------------------------------------------------------------------


def test_session_detail_shows_every_fact(client):
    seminar = SeminarFactory(title="Τριήμερο σεμινάριο", slug="trihmero")
    session = SessionFactory(
        title="Κοινωνικά αγροκτήματα",
        starts_at=athens(2021, 3, 26, 18, 0),
        duration=datetime.timedelta(hours=1, minutes=30),
        mentors=[eleni(), giorgos()],
        co_organiser=CoOrganiserFactory(
            name="Δήμος Ηρακλείου", region="crete", website="https://www.heraklion.gr/"
        ),
        seminar=seminar,
        capacity=20,
        description="Τα **κοινωνικά αγροκτήματα** στην πράξη.\n\n<script>alert(1)</script>",
        minutes="Πρακτικά: ακόμη όχι.",
        recording_url="https://video.example.org/recording",
    )

    markup = page(client, f"/en/mentors/sessions/{session.pk}/")

    assert "<h1>Κοινωνικά αγροκτήματα</h1>" in markup
    facts = section(markup, '<dl class="session-facts">', "</dl>")
    assert facts.startswith(
        '<dl class="session-facts">'
        "<dt>Theme</dt>"
        '<dd><a href="/en/mentors/themes/agri-food/">The agri-food sector</a></dd>'
        "<dt>When</dt>"
        '<dd><time datetime="2021-03-26T18:00:00+02:00">Friday 26 March 2021, 18:00</time>–'
        '<time datetime="2021-03-26T19:30:00+02:00">19:30</time>'
        '<span class="entry-meta">(Greece time)</span></dd>'
        "<dt>Duration</dt><dd>1 hour 30 minutes</dd>"
        "<dt>Mentors</dt>"
        '<dd><a href="/en/mentors/people/giorgos-alexiou/">Γιώργος Αλεξίου</a>, '
        '<a href="/en/mentors/people/eleni-papadopoulou/">Ελένη Παπαδοπούλου</a></dd>'
        "<dt>Co-organised with</dt>"
        '<dd><a href="https://www.heraklion.gr/" rel="noopener">Δήμος Ηρακλείου</a>'
        '<span class="entry-meta">· Municipality, Crete</span></dd>'
        "<dt>Seminar</dt>"
        '<dd><a href="/en/mentors/seminars/trihmero/">Τριήμερο σεμινάριο</a></dd>'
    )
    assert facts.endswith("<dt>Where</dt><dd>Online, by teleconference</dd></dl>")
    assert (
        '<div class="entry-body"><p>Τα <strong>κοινωνικά αγροκτήματα</strong> στην πράξη.</p>'
    ) in markup
    assert "<script>alert(1)</script>" not in markup
    # Minutes and recording come once the session is over.
    assert "https://video.example.org/recording" not in markup
    assert "Πρακτικά" not in markup
    assert "This session has taken place." not in markup


def test_session_detail_after_the_session_shows_recording_and_minutes(client):
    session = SessionFactory(
        starts_at=athens(2021, 3, 15, 18, 0),
        minutes="## Συμπεράσματα\n\n1. Κοινωνικά αγροκτήματα σε κάθε δήμο.",
        recording_url="https://video.example.org/recording",
    )

    markup = page(client, f"/en/mentors/sessions/{session.pk}/")

    assert '<p class="alert alert-info" role="status">This session has taken place.</p>' in (markup)
    assert section(markup, '<section class="session-afterwards"') == (
        '<section class="session-afterwards" aria-labelledby="session-afterwards-title">'
        '<h2 id="session-afterwards-title">After the session</h2>'
        '<p><a href="https://video.example.org/recording" rel="noopener">'
        "Watch the recording</a></p>"
        "<h3>Minutes</h3>"
        '<div class="entry-body"><h2>Συμπεράσματα</h2>'
        "<ol><li>Κοινωνικά αγροκτήματα σε κάθε δήμο.</li></ol></div></section>"
    )


def test_session_detail_after_the_session_shows_its_accepted_answers(client):
    session = SessionFactory(starts_at=athens(2021, 3, 15, 18, 0))  # before the frozen NOW
    settled = QuestionFactory(session=session, title="Πώς βρίσκουμε γη;")
    AnswerFactory(question=settled, body="Από τον **Δήμο**.", accepted=True)
    open_question = QuestionFactory(session=session, title="Ποιος πληρώνει;")
    AnswerFactory(question=open_question, body="Δεν ξέρουμε ακόμη.")
    QuestionFactory(title="Άλλης συνεδρίας;")

    markup = page(client, f"/en/mentors/sessions/{session.pk}/")
    afterwards = section(markup, '<section class="session-afterwards"')

    assert "<h3>Answers given in this session</h3>" in afterwards
    assert re.findall(r'<h4 id="answered-\d+"><a href="[^"]+">([^<]+)</a></h4>', afterwards) == [
        "Πώς βρίσκουμε γη;"
    ]
    assert '<div class="entry-body"><p>Από τον <strong>Δήμο</strong>.</p></div>' in afterwards
    assert "Δεν ξέρουμε ακόμη." not in afterwards


def test_session_detail_live_session_says_so(client):
    session = SessionFactory(starts_at=athens(2021, 3, 20, 11, 0))

    markup = page(client, f"/en/mentors/sessions/{session.pk}/")

    assert (
        '<p class="alert alert-success" role="status">This session is taking place now.</p>'
    ) in markup


def test_session_detail_of_a_missing_session_is_not_found(client):
    assert client.get("/en/mentors/sessions/999999/").status_code == 404


# Theme pages -----------------------------------------------------------------------------------


def test_theme_page_shows_subtopics_sessions_mentors_and_faq(client):
    agri_food = theme("agri-food")
    SessionFactory(title="Την Κυριακή", starts_at=athens(2021, 3, 28, 10, 0))
    SessionFactory(title="Την Παρασκευή", starts_at=athens(2021, 3, 26, 18, 0))
    SessionFactory(title="Τον Ιανουάριο", starts_at=athens(2021, 1, 15, 18, 0))
    SessionFactory(title="Υγεία", theme=theme("health"), starts_at=athens(2021, 3, 26, 10, 0))
    SessionFactory(title="Αδημοσίευτη", starts_at=athens(2021, 3, 27, 10, 0), is_published=False)
    eleni()
    MentorProfileFactory(
        slug="nikos",
        user__first_name="Νίκος",
        user__last_name="Βασιλείου",
        expertise=["agri-food", "health"],
    )
    MentorProfileFactory(expertise=["health"])
    answered = QuestionFactory(title="Πώς στήνεται ένα κοινωνικό αγρόκτημα;")
    AnswerFactory(question=answered, body="Με **δήμο** και συνεταιρισμό.", accepted=True)
    AnswerFactory(question=answered, body="Άλλη απάντηση, όχι αποδεκτή.")
    AnswerFactory(question=QuestionFactory(title="Χωρίς αποδεκτή απάντηση;"))
    AnswerFactory(
        question=QuestionFactory(title="Για την υγεία;", themes=["health"]), accepted=True
    )
    AnswerFactory(
        question=QuestionFactory(title="Κρυμμένη;", moderation=Moderation.HIDDEN), accepted=True
    )
    AnswerFactory(
        question=QuestionFactory(title="Με κρυμμένη απάντηση;"),
        moderation=Moderation.HIDDEN,
        accepted=True,
    )
    both = QuestionFactory(title="Αγροτουρισμός;", themes=["agri-food", "culture-and-tourism"])
    AnswerFactory(question=both, body="Ναι.", accepted=True)

    markup = page(client, f"/en/mentors/themes/{agri_food.slug}/")

    assert "<h1>Theme 5: The agri-food sector</h1>" in markup
    assert section(markup, '<section class="theme-subtopics"') == (
        '<section class="theme-subtopics" aria-labelledby="theme-subtopics-title">'
        '<h2 id="theme-subtopics-title">Sub-topics</h2>'
        "<ul><li>The food needs of social services</li><li>Uncultivated land</li>"
        "<li>Social farms</li><li>Community-supported agriculture (without middlemen)</li>"
        "<li>Bridges between rural municipalities and urban centres</li></ul></section>"
    )
    assert titles(section(markup, '<section class="theme-upcoming"')) == [
        "Την Παρασκευή",
        "Την Κυριακή",
    ]
    assert titles(section(markup, '<section class="theme-past"')) == ["Τον Ιανουάριο"]
    assert section(markup, '<section class="theme-mentors"') == (
        '<section class="theme-mentors" aria-labelledby="theme-mentors-title">'
        '<h2 id="theme-mentors-title">Mentors with this expertise</h2>'
        '<ul class="hub-entries">'
        '<li><a href="/en/mentors/people/nikos/">Νίκος Βασιλείου</a></li>'
        '<li><a href="/en/mentors/people/eleni-papadopoulou/">Ελένη Παπαδοπούλου</a></li>'
        "</ul></section>"
    )
    assert section(markup, '<section class="theme-faq"') == (
        '<section class="theme-faq" aria-labelledby="theme-faq-title">'
        '<h2 id="theme-faq-title">Frequently asked questions</h2>'
        f'<article class="faq-item" aria-labelledby="faq-{both.pk}">'
        f'<h3 id="faq-{both.pk}"><a href="/en/mentors/questions/{both.pk}/">Αγροτουρισμός;</a>'
        '</h3><div class="entry-body"><p>Ναι.</p></div></article>'
        f'<article class="faq-item" aria-labelledby="faq-{answered.pk}">'
        f'<h3 id="faq-{answered.pk}"><a href="/en/mentors/questions/{answered.pk}/">'
        "Πώς στήνεται ένα κοινωνικό αγρόκτημα;</a></h3>"
        '<div class="entry-body"><p>Με <strong>δήμο</strong> και συνεταιρισμό.</p></div>'
        "</article></section>"
    )
    assert (
        '<a href="/en/mentors/themes/agri-food/calendar.ics">'
        "Subscribe to this theme’s calendar (iCalendar)</a>"
    ) in markup


def test_theme_page_without_content(client):
    markup = page(client, "/en/mentors/themes/agenda-and-resources/")

    assert "<h1>Theme 1: The social economy agenda and the mobilisation of resources</h1>" in markup
    assert 'class="theme-subtopics"' not in markup
    assert "<p>No upcoming sessions on this theme yet.</p>" in markup
    assert 'class="theme-past"' not in markup
    assert "<p>No mentors listed for this theme yet.</p>" in markup
    assert "<p>No accepted answers on this theme yet.</p>" in markup


def test_theme_page_of_an_unknown_theme_is_not_found(client):
    assert client.get("/en/mentors/themes/no-such-theme/").status_code == 404


def make_theme_content(count, start=0):
    for number in range(start, start + count):
        SessionFactory(
            starts_at=athens(2021, 4, 1, 10) + datetime.timedelta(days=number),
            mentors=[MentorProfileFactory()],
            co_organiser=heraklion(),
            capacity=10,
        )
        SessionFactory(
            starts_at=athens(2021, 2, 1, 10) + datetime.timedelta(hours=number),
            mentors=[MentorProfileFactory()],
        )
        MentorProfileFactory(expertise=["agri-food"])
        AnswerFactory(question=QuestionFactory(), accepted=True)


def test_theme_page_query_count_does_not_grow(client):
    make_theme_content(1)
    with_one = queries_for(client, "/en/mentors/themes/agri-food/")

    make_theme_content(29, start=1)
    with_many = queries_for(client, "/en/mentors/themes/agri-food/")

    assert with_many == with_one == 7


# Mentors ----------------------------------------------------------------------------------------


def test_mentor_page_shows_bio_expertise_and_sessions(client):
    mentor = eleni()
    SessionFactory(title="Επόμενη", starts_at=athens(2021, 3, 26, 18, 0), mentors=[mentor])
    SessionFactory(title="Προηγούμενη", starts_at=athens(2021, 3, 1, 18, 0), mentors=[mentor])
    SessionFactory(title="Άλλου μέντορα", starts_at=athens(2021, 3, 26, 10, 0))

    markup = page(client, "/en/mentors/people/eleni-papadopoulou/")

    assert "<h1>Ελένη Παπαδοπούλου</h1>" in markup
    assert (
        '<p>Expertise: <a href="/en/mentors/themes/agri-food/">The agri-food sector</a></p>'
        '<div class="entry-body"><p>Γεωπόνος, μέλος του <strong>Αγροτικού Συνεταιρισμού</strong>.'
    ) in markup
    assert "<script>" not in section(markup, '<div class="mentor-profile">', "</div></div>")
    assert titles(section(markup, '<section aria-labelledby="mentor-upcoming-title">')) == [
        "Επόμενη"
    ]
    assert titles(section(markup, '<section aria-labelledby="mentor-past-title">')) == [
        "Προηγούμενη"
    ]


def test_mentor_page_of_an_unknown_mentor_is_not_found(client):
    assert client.get("/en/mentors/people/nobody/").status_code == 404


def test_mentor_list_by_surname(client):
    eleni()
    giorgos()
    MentorProfileFactory(slug="nikos", user__first_name="Νίκος", user__last_name="Βασιλείου")

    markup = page(client, "/en/mentors/people/")

    assert titles(markup) == ["Γιώργος Αλεξίου", "Νίκος Βασιλείου", "Ελένη Παπαδοπούλου"]
    assert (
        '<p>Expertise: <a href="/en/mentors/themes/agri-food/">The agri-food sector</a></p>'
    ) in markup


# Seminars ---------------------------------------------------------------------------------------


def test_seminar_page_groups_the_agenda_by_day_in_athens(client):
    heraklion_municipality = heraklion()
    crete = CoOrganiserFactory(name="Περιφέρεια Κρήτης", kind="region", region="crete")
    seminar = SeminarFactory(
        title="Τριήμερο σεμινάριο επιμόρφωσης",
        slug="trihmero-2021",
        starts_on=datetime.date(2021, 3, 26),
        ends_on=datetime.date(2021, 3, 28),
        co_organisers=[heraklion_municipality, crete],
    )
    mentor = eleni()
    friday = SessionFactory(
        title="Η ατζέντα",
        theme=theme("agenda-and-resources"),
        seminar=seminar,
        starts_at=athens(2021, 3, 26, 18, 0),
        mentors=[mentor, giorgos()],
    )
    saturday = SessionFactory(
        title="Αγροδιατροφικός τομέας",
        seminar=seminar,
        starts_at=athens(2021, 3, 27, 10, 0),
        mentors=[mentor],
    )
    saturday_late = SessionFactory(
        title="Νυχτερινή",
        theme=theme("health"),
        seminar=seminar,
        starts_at=athens(2021, 3, 27, 22, 0),
    )
    # 00:30 in Athens is still 27 March in UTC: it belongs to Sunday.
    sunday = SessionFactory(
        title="Μεσάνυχτα",
        theme=theme("benefits"),
        seminar=seminar,
        starts_at=athens(2021, 3, 28, 0, 30),
    )
    SessionFactory(
        title="Αδημοσίευτη",
        seminar=seminar,
        starts_at=athens(2021, 3, 28, 10, 0),
        is_published=False,
    )

    markup = page(client, "/en/mentors/seminars/trihmero-2021/")

    assert "<h1>Τριήμερο σεμινάριο επιμόρφωσης</h1>" in markup
    assert (
        '<p class="lead"><time datetime="2021-03-26">26 March 2021</time> – '
        '<time datetime="2021-03-28">28 March 2021</time></p>'
    ) in markup
    assert section(markup, '<section class="seminar-partners"') == (
        '<section class="seminar-partners" aria-labelledby="seminar-partners-title">'
        '<h2 id="seminar-partners-title">Co-organisers</h2><ul>'
        '<li>Δήμος Ηρακλείου <span class="entry-meta">· Municipality, Crete</span></li>'
        '<li>Περιφέρεια Κρήτης <span class="entry-meta">· Region, Crete</span></li></ul></section>'
    )
    agenda = markup[markup.index('<section class="seminar-agenda"') :]
    assert re.findall(r'<h3 id="agenda-day-\d">(.*?)</h3>', agenda) == [
        '<time datetime="2021-03-26">Friday 26 March 2021</time>',
        '<time datetime="2021-03-27">Saturday 27 March 2021</time>',
        '<time datetime="2021-03-28">Sunday 28 March 2021</time>',
    ]
    days = re.findall(r'<ol class="agenda-sessions">(.*?)</ol>', agenda)
    assert days == [
        '<li class="agenda-session">'
        '<time datetime="2021-03-26T18:00:00+02:00">18:00</time>–'
        '<time datetime="2021-03-26T20:00:00+02:00">20:00</time>'
        f' · <a href="/en/mentors/sessions/{friday.pk}/">Η ατζέντα</a>'
        '<span class="entry-meta">· <a href="/en/mentors/themes/agenda-and-resources/">'
        "The social economy agenda and the mobilisation of resources</a> · "
        '<a href="/en/mentors/people/giorgos-alexiou/">Γιώργος Αλεξίου</a>, '
        '<a href="/en/mentors/people/eleni-papadopoulou/">Ελένη Παπαδοπούλου</a></span></li>',
        '<li class="agenda-session">'
        '<time datetime="2021-03-27T10:00:00+02:00">10:00</time>–'
        '<time datetime="2021-03-27T12:00:00+02:00">12:00</time>'
        f' · <a href="/en/mentors/sessions/{saturday.pk}/">Αγροδιατροφικός τομέας</a>'
        '<span class="entry-meta">· <a href="/en/mentors/themes/agri-food/">'
        "The agri-food sector</a> · "
        '<a href="/en/mentors/people/eleni-papadopoulou/">Ελένη Παπαδοπούλου</a></span></li>'
        '<li class="agenda-session">'
        '<time datetime="2021-03-27T22:00:00+02:00">22:00</time>–'
        '<time datetime="2021-03-28T00:00:00+02:00">00:00</time>'
        f' · <a href="/en/mentors/sessions/{saturday_late.pk}/">Νυχτερινή</a>'
        '<span class="entry-meta">· <a href="/en/mentors/themes/health/">'
        "Social enterprises and health</a></span></li>",
        '<li class="agenda-session">'
        '<time datetime="2021-03-28T00:30:00+02:00">00:30</time>–'
        '<time datetime="2021-03-28T02:30:00+02:00">02:30</time>'
        f' · <a href="/en/mentors/sessions/{sunday.pk}/">Μεσάνυχτα</a>'
        '<span class="entry-meta">· <a href="/en/mentors/themes/benefits/">'
        "The benefits</a></span></li>",
    ]
    assert "Αδημοσίευτη" not in markup


def test_seminar_page_of_an_unknown_seminar_is_not_found(client):
    assert client.get("/en/mentors/seminars/no-such-seminar/").status_code == 404


def make_seminar_sessions(seminar, count, start=0):
    for number in range(start, start + count):
        SessionFactory(
            seminar=seminar,
            starts_at=athens(2021, 3, 26, 8) + datetime.timedelta(hours=2 * number),
            mentors=[MentorProfileFactory(), MentorProfileFactory()],
        )


def test_seminar_page_query_count_does_not_grow(client):
    seminar = SeminarFactory(slug="big", co_organisers=[heraklion()])
    make_seminar_sessions(seminar, 1)
    with_one = queries_for(client, "/en/mentors/seminars/big/")

    make_seminar_sessions(seminar, 29, start=1)
    with_many = queries_for(client, "/en/mentors/seminars/big/")

    assert with_many == with_one == 4


def test_seminar_list_latest_first_with_session_counts(client):
    old = SeminarFactory(
        title="Σεμινάριο 2020",
        starts_on=datetime.date(2020, 5, 1),
        ends_on=datetime.date(2020, 5, 1),
    )
    new = SeminarFactory(
        title="Σεμινάριο 2021",
        starts_on=datetime.date(2021, 3, 26),
        ends_on=datetime.date(2021, 3, 28),
        co_organisers=[heraklion()],
    )
    SessionFactory(seminar=new)
    SessionFactory(seminar=new)
    SessionFactory(seminar=new, is_published=False)
    SessionFactory(seminar=old)

    markup = page(client, "/en/mentors/seminars/")

    assert titles(markup) == ["Σεμινάριο 2021", "Σεμινάριο 2020"]
    assert (
        '<p class="entry-meta"><time datetime="2021-03-26">26 March 2021</time> – '
        '<time datetime="2021-03-28">28 March 2021</time> · 2 sessions</p>'
        "<p>Co-organised with: Δήμος Ηρακλείου</p>"
    ) in markup
    assert (
        '<p class="entry-meta"><time datetime="2020-05-01">1 May 2020</time> · 1 session</p>'
    ) in markup


# Hub ----------------------------------------------------------------------------------------------


def hub_titles(markup, section_id):
    block = section(markup, f'<section class="section-card" aria-labelledby="{section_id}">')
    return [html.unescape(title) for title in re.findall(r'<li><a href="[^"]*">([^<]*)</a>', block)]


def test_hub_shows_next_sessions_seminars_themes_and_latest_questions(client):
    for day in range(7):
        SessionFactory(title=f"Συνεδρία {day + 1}", starts_at=athens(2021, 3, 21 + day, 18, 0))
    SessionFactory(title="Παλιά", starts_at=athens(2021, 3, 1, 18, 0))
    SessionFactory(title="Αδημοσίευτη", starts_at=athens(2021, 3, 20, 18, 0), is_published=False)
    for year in (2018, 2019, 2020, 2021):
        SeminarFactory(
            title=f"Σεμινάριο {year}",
            starts_on=datetime.date(year, 3, 26),
            ends_on=datetime.date(year, 3, 28),
        )
    for number in range(6):
        QuestionFactory(
            title=f"Ερώτηση {number + 1};", created_at=NOW - datetime.timedelta(days=6 - number)
        )
    hidden = QuestionFactory(title="Κρυμμένη;", moderation=Moderation.HIDDEN)

    markup = page(client, "/en/mentors/")

    assert "<h1>MENTORS programme</h1>" in markup
    assert hub_titles(markup, "hub-sessions") == [f"Συνεδρία {n}" for n in range(1, 6)]
    assert hub_titles(markup, "hub-seminars") == [
        "Σεμινάριο 2021",
        "Σεμινάριο 2020",
        "Σεμινάριο 2019",
    ]
    assert hub_titles(markup, "hub-questions") == [f"Ερώτηση {n};" for n in range(6, 1, -1)]
    assert f"/mentors/questions/{hidden.pk}/" not in markup
    first_session = section(markup, '<section class="section-card" aria-labelledby="hub-sessions">')
    assert (
        '<span class="entry-meta">· <time datetime="2021-03-21T18:00:00+02:00">'
        "Sunday 21 March 2021, 18:00</time> · The agri-food sector · "
        "Open to all: no limit on places</span>"
    ) in first_session
    themes = section(markup, '<section id="themes"')
    assert re.findall(r'<li id="theme-([\w-]+)"><h3><a href="([^"]+)">', themes) == [
        (slug, f"/en/mentors/themes/{slug}/")
        for slug in [
            "agenda-and-resources",
            "local-employment",
            "local-development",
            "local-government",
            "agri-food",
            "green-economy-energy-communities",
            "health",
            "culture-and-tourism",
            "social-capital",
            "benefits",
        ]
    ]
    assert '<ol class="theme-list">' in themes
    assert "<li>Social farms</li>" in themes


def test_hub_without_content(client):
    markup = page(client, "/en/mentors/")

    assert "<p>No sessions are planned yet.</p>" in markup
    assert "<p>No seminars yet.</p>" in markup
    assert "<p>No questions yet.</p>" in markup


def make_hub_content(count, start=0):
    for number in range(start, start + count):
        SessionFactory(
            starts_at=athens(2021, 4, 1, 10) + datetime.timedelta(days=number),
            mentors=[MentorProfileFactory()],
            capacity=5,
        )
        SeminarFactory(co_organisers=[heraklion()])
        QuestionFactory()


def test_hub_query_count_does_not_grow(client):
    make_hub_content(1)
    with_one = queries_for(client, "/en/mentors/")

    make_hub_content(29, start=1)
    with_many = queries_for(client, "/en/mentors/")

    assert with_many == with_one == 5


# Home page -------------------------------------------------------------------------------------


def test_home_middle_pillar_shows_the_next_three_sessions(client):
    sessions = [
        SessionFactory(title=f"Συνεδρία {day + 1}", starts_at=athens(2021, 3, 26 + day, 18, 0))
        for day in range(4)
    ]
    SessionFactory(title="Παλιά", starts_at=athens(2021, 3, 1, 18, 0))
    SessionFactory(title="Αδημοσίευτη", starts_at=athens(2021, 3, 21, 18, 0), is_published=False)
    sessions[1].theme = theme("health")
    sessions[1].save()

    markup = page(client, "/")

    pillar = section(markup, '<section class="pillar pillar--mentors"')
    entries = section(pillar, '<ul class="pillar__entries">', "</ul>")
    assert entries == (
        '<ul class="pillar__entries">'
        f'<li><a href="/mentors/sessions/{sessions[0].pk}/">Συνεδρία 1</a>'
        '<span class="entry-meta">· <time datetime="2021-03-26T18:00:00+02:00">'
        "26 Μαρτίου 2021, 18:00</time> · Αγροδιατροφικός τομέας</span></li>"
        f'<li><a href="/mentors/sessions/{sessions[1].pk}/">Συνεδρία 2</a>'
        '<span class="entry-meta">· <time datetime="2021-03-27T18:00:00+02:00">'
        "27 Μαρτίου 2021, 18:00</time> · Κοινωνικές επιχειρήσεις και υγεία</span></li>"
        f'<li><a href="/mentors/sessions/{sessions[2].pk}/">Συνεδρία 3</a>'
        '<span class="entry-meta">· <time datetime="2021-03-28T18:00:00+03:00">'
        "28 Μαρτίου 2021, 18:00</time> · Αγροδιατροφικός τομέας</span></li></ul>"
    )
    assert len(re.findall(r'href="/mentors/#theme-[\w-]+"', pillar)) == 10
    assert '<a class="btn btn-primary pillar__link" href="/mentors/">' in pillar


def test_home_middle_pillar_without_sessions_keeps_the_themes(client):
    markup = page(client, "/")

    pillar = section(markup, '<section class="pillar pillar--mentors"')
    assert "pillar__entries" not in pillar
    assert len(re.findall(r'href="/mentors/#theme-[\w-]+"', pillar)) == 10


def test_session_pages_open_for_a_signed_in_user(client):
    session = SessionFactory()
    client.force_login(UserFactory())

    assert client.get(f"/en/mentors/sessions/{session.pk}/").status_code == 200
    assert client.get("/en/mentors/sessions/").status_code == 200
