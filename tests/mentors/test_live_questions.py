"""The live list of a session's questions: JSON ordered by votes then newest, the
server-rendered list (it works without JavaScript) with the polling attributes, and the
form that asks a question linked to the session."""

import datetime
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone, translation

from mentors.models import Question
from tests.factories import UserFactory
from tests.factories.mentors import AnswerFactory, QuestionFactory, SessionFactory
from tests.factories.thinktank import compact_html

pytestmark = pytest.mark.django_db


def en(name, **kwargs):
    from django.urls import reverse

    with translation.override("en"):
        return reverse(f"mentors:{name}", kwargs=kwargs)


@pytest.fixture
def live_session():
    starts = (timezone.now() - datetime.timedelta(minutes=30)).replace(second=0, microsecond=0)
    return SessionFactory(title="Κοινωνικά αγροκτήματα", starts_at=starts)


def questions_of(session):
    """Three visible questions (one with a tie broken by date), a hidden one, and one
    of another session."""
    now = timezone.now()
    popular = QuestionFactory(title="Δημοφιλής;", session=session, score=5,
                              created_at=now - datetime.timedelta(minutes=20))  # fmt: skip
    older_tie = QuestionFactory(title="Παλιότερη ισοβαθμία;", session=session, score=2,
                                created_at=now - datetime.timedelta(minutes=15))  # fmt: skip
    newer_tie = QuestionFactory(title="Νεότερη ισοβαθμία;", session=session, score=2,
                                created_at=now - datetime.timedelta(minutes=5))  # fmt: skip
    AnswerFactory(question=newer_tie)
    AnswerFactory(question=newer_tie)
    QuestionFactory(title="Κρυφή;", session=session, score=9, moderation="hidden")
    QuestionFactory(title="Άλλης συνεδρίας;", session=SessionFactory(), score=7)
    return popular, older_tie, newer_tie


def test_json_lists_visible_questions_by_score_then_newest(client, live_session):
    popular, older_tie, newer_tie = questions_of(live_session)

    response = client.get(en("session-questions-json", pk=live_session.pk))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert response.json() == [
        {"id": popular.pk, "title": "Δημοφιλής;", "score": 5, "answers": 0,
         "url": f"/en/mentors/questions/{popular.pk}/"},
        {"id": newer_tie.pk, "title": "Νεότερη ισοβαθμία;", "score": 2, "answers": 2,
         "url": f"/en/mentors/questions/{newer_tie.pk}/"},
        {"id": older_tie.pk, "title": "Παλιότερη ισοβαθμία;", "score": 2, "answers": 0,
         "url": f"/en/mentors/questions/{older_tie.pk}/"},
    ]  # fmt: skip


def test_json_follows_new_votes(client, live_session):
    from mentors.services import questions as services

    popular, older_tie, newer_tie = questions_of(live_session)
    for _number in range(4):
        services.vote(user=UserFactory(), question=older_tie, value=1)

    response = client.get(en("session-questions-json", pk=live_session.pk))

    assert [(item["id"], item["score"]) for item in response.json()] == [
        (older_tie.pk, 6), (popular.pk, 5), (newer_tie.pk, 2)
    ]  # fmt: skip


def test_json_of_a_session_without_questions_is_an_empty_list(client, live_session):
    response = client.get(en("session-questions-json", pk=live_session.pk))

    assert response.json() == []


def test_json_of_an_unpublished_session_is_not_found(client):
    session = SessionFactory(is_published=False)
    QuestionFactory(session=session)

    assert client.get(en("session-questions-json", pk=session.pk)).status_code == 404


def render_partial(session, user=None):
    """The partial as the English session page includes it, whitespace compacted."""
    request = RequestFactory().get(f"/en/mentors/sessions/{session.pk}/")
    request.user = user or AnonymousUser()
    with translation.override("en"):
        html = render_to_string(
            "mentors/questions/session_questions.html", {"session": session}, request=request
        )
    return compact_html(HttpResponse(html))


def test_partial_renders_the_list_in_the_same_order_with_polling_attributes(live_session):
    popular, older_tie, newer_tie = questions_of(live_session)

    html = render_partial(live_session, user=UserFactory())

    assert (
        f'<section id="live-questions" class="live-questions mt-4" '
        f'aria-labelledby="live-questions-heading" data-live-questions '
        f'data-url="/en/mentors/sessions/{live_session.pk}/questions.json" data-live="true" '
    ) in html
    assert (
        '<div class="live-questions__region" aria-live="polite" data-live-questions-list '
        f'data-state="{popular.pk}:5:0|{newer_tie.pk}:2:2|{older_tie.pk}:2:0|">'
    ) in html
    assert (
        '<ol class="live-questions__list">'
        f'<li><a href="/en/mentors/questions/{popular.pk}/">Δημοφιλής;</a>'
        '<span class="entry-meta">(Votes: 5 · Answers: 0)</span></li>'
        f'<li><a href="/en/mentors/questions/{newer_tie.pk}/">Νεότερη ισοβαθμία;</a>'
        '<span class="entry-meta">(Votes: 2 · Answers: 2)</span></li>'
        f'<li><a href="/en/mentors/questions/{older_tie.pk}/">Παλιότερη ισοβαθμία;</a>'
        '<span class="entry-meta">(Votes: 2 · Answers: 0)</span></li></ol>'
    ) in html
    assert "Κρυφή;" not in html
    assert "Άλλης συνεδρίας;" not in html
    assert '<script src="/static/js/live-questions.js" defer></script>' in html


def test_partial_of_a_session_that_is_not_live_does_not_poll(client):
    session = SessionFactory()

    html = render_partial(session)

    assert 'data-live="false"' in html
    assert '<p class="live-questions__empty">No questions yet. Be the first to ask.</p>' in html
    assert (
        f'<a href="/en/accounts/login/?next=/en/mentors/sessions/{session.pk}/%23live-questions">'
        "Log in to ask a question</a>"
    ) in html


def test_partial_with_only_hidden_questions_says_there_are_none(live_session):
    QuestionFactory(session=live_session, moderation="hidden")

    html = render_partial(live_session)

    assert "<ol" not in html.split('aria-live="polite"')[1].split("</div>")[0]
    assert '<p class="live-questions__empty">No questions yet. Be the first to ask.</p>' in html


def test_question_asked_from_the_live_form_is_linked_to_the_session(client, live_session):
    asker = UserFactory()
    client.force_login(asker)
    html = render_partial(live_session, user=asker)
    session_page = f"/en/mentors/sessions/{live_session.pk}/"

    response = client.post(en("question-create"), {
        "title": "Πότε ανοίγει το πρόγραμμα;", "body": "", "themes": [live_session.theme_id],
        "session": live_session.pk, "next": f"{session_page}#live-questions",
    })  # fmt: skip

    question = Question.objects.get()
    assert f'<input type="hidden" name="session" value="{live_session.pk}">' in html
    assert f'<input type="hidden" name="themes" value="{live_session.theme_id}">' in html
    assert response["Location"] == f"{session_page}#live-questions"
    assert (question.session, question.author, list(question.themes.all())) == (
        live_session, asker, [live_session.theme]
    )  # fmt: skip
    listed = client.get(en("session-questions-json", pk=live_session.pk)).json()
    assert [item["title"] for item in listed] == ["Πότε ανοίγει το πρόγραμμα;"]


def test_session_page_includes_the_live_list(client, live_session):
    QuestionFactory(title="Από τη σελίδα;", session=live_session)

    page = compact_html(client.get(f"/en/mentors/sessions/{live_session.pk}/"))

    assert '<section id="live-questions"' in page
    assert "Από τη σελίδα;</a>" in page


def test_live_script_polls_every_ten_seconds_and_reads_the_attributes():
    from django.contrib.staticfiles import finders

    script = Path(finders.find("js/live-questions.js")).read_text(encoding="utf-8")

    assert "var POLL_MILLISECONDS = 10000;" in script
    for attribute in ("data-url", "data-live", "data-ends-at", "data-state",
                      "data-label-votes", "data-label-answers", "data-empty-text"):  # fmt: skip
        assert attribute in script
