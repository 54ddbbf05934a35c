"""Votes on questions and answers: one per user and post, never on one's own post, the
same vote again withdraws it, another value replaces it, and the score is always the
exact sum of the votes (also when people vote at the same moment, on PostgreSQL)."""

import threading

import pytest
from django.db import connection
from django.db.models import Sum
from django.utils import translation

from mentors.models import Answer, Question, Vote
from mentors.services import questions as services
from tests.factories import UserFactory
from tests.factories.mentors import AnswerFactory, QuestionFactory

pytestmark = pytest.mark.django_db


def en(name, **kwargs):
    from django.urls import reverse

    with translation.override("en"):
        return reverse(f"mentors:{name}", kwargs=kwargs)


def english(error):
    with translation.override("en"):
        return str(error)


def score_of(post):
    return type(post).objects.values_list("score", flat=True).get(pk=post.pk)


def sum_of_votes(**target):
    return Vote.objects.filter(**target).aggregate(total=Sum("value"))["total"] or 0


@pytest.fixture
def question():
    return QuestionFactory(title="Ποιο είναι το πρώτο βήμα;")


@pytest.fixture
def answer(question):
    return AnswerFactory(question=question, body="Μια συνέλευση.")


@pytest.mark.parametrize("kind", ["question", "answer"])
def test_vote_up_counts_once(kind, question, answer):
    post = {"question": question, "answer": answer}[kind]
    voter = UserFactory()

    result = services.vote(user=voter, value=1, **{kind: post})

    assert (result.value, result.score) == (1, 1)
    assert score_of(post) == 1
    assert list(Vote.objects.values_list("user", kind, "value")) == [(voter.pk, post.pk, 1)]


@pytest.mark.parametrize("kind", ["question", "answer"])
def test_the_same_vote_again_withdraws_it(kind, question, answer):
    post = {"question": question, "answer": answer}[kind]
    voter = UserFactory()
    services.vote(user=voter, value=1, **{kind: post})

    result = services.vote(user=voter, value=1, **{kind: post})

    assert (result.value, result.score) == (0, 0)
    assert score_of(post) == 0
    assert Vote.objects.count() == 0


def test_another_value_replaces_the_vote(question):
    voter = UserFactory()
    services.vote(user=voter, question=question, value=1)

    result = services.vote(user=voter, question=question, value=-1)

    assert (result.value, result.score) == (-1, -1)
    assert list(Vote.objects.values_list("user", "question", "value")) == [
        (voter.pk, question.pk, -1)
    ]


@pytest.mark.parametrize("kind", ["question", "answer"])
def test_own_post_cannot_be_voted_on(kind, question, answer):
    post = {"question": question, "answer": answer}[kind]

    with pytest.raises(services.QuestionsError) as refusal:
        services.vote(user=post.author, value=1, **{kind: post})

    assert english(refusal.value) == "You cannot vote on your own post."
    assert Vote.objects.count() == 0
    assert score_of(post) == 0


def test_score_is_the_exact_sum_after_many_repeated_votes(question, answer):
    voters = [UserFactory() for _number in range(6)]
    # Each voter goes up, down, up, up (withdrawn), down: ends at -1 for even, and the
    # odd ones stop after "up, down, up": +1.
    for number, voter in enumerate(voters):
        values = [1, -1, 1, 1, -1] if number % 2 == 0 else [1, -1, 1]
        for value in values:
            services.vote(user=voter, question=question, value=value)
            services.vote(user=voter, answer=answer, value=-value)

    assert score_of(question) == sum_of_votes(question=question) == -3 + 3 == 0
    assert score_of(answer) == sum_of_votes(answer=answer) == 3 - 3 == 0
    assert Vote.objects.filter(question=question).count() == 6
    assert Vote.objects.filter(answer=answer).count() == 6


def test_score_counts_every_voter(question):
    for _number in range(4):
        services.vote(user=UserFactory(), question=question, value=1)
    services.vote(user=UserFactory(), question=question, value=-1)

    assert score_of(question) == 3 == sum_of_votes(question=question)


def test_invalid_value_is_refused(question):
    with pytest.raises(services.QuestionsError) as refusal:
        services.vote(user=UserFactory(), question=question, value=2)

    assert english(refusal.value) == "A vote is up or down."
    assert Vote.objects.count() == 0


def test_hidden_post_cannot_be_voted_on(question):
    Question.objects.filter(pk=question.pk).update(moderation="hidden")

    with pytest.raises(services.QuestionsError) as refusal:
        services.vote(user=UserFactory(), question=question, value=1)

    assert english(refusal.value) == "This post cannot be voted on now."
    assert Vote.objects.count() == 0


# Through the page -------------------------------------------------------------------------


def test_vote_button_counts_the_vote_and_returns_to_the_question(client, question):
    voter = UserFactory()
    client.force_login(voter)

    response = client.post(en("question-vote", pk=question.pk), {"value": "1"})

    assert response.status_code == 302
    assert response["Location"] == en("question", pk=question.pk) + "#question"
    assert score_of(question) == 1
    with translation.override("en"):
        assert [str(m) for m in response.wsgi_request._messages] == [
            "Thank you: your vote was counted."
        ]


def test_vote_button_on_own_answer_shows_the_refusal(client, answer):
    client.force_login(answer.author)

    response = client.post(en("answer-vote", pk=answer.pk), {"value": "-1"})

    assert response["Location"] == en("question", pk=answer.question_id) + f"#answer-{answer.pk}"
    with translation.override("en"):
        assert [str(m) for m in response.wsgi_request._messages] == [
            "You cannot vote on your own post."
        ]
    assert Vote.objects.count() == 0


def test_vote_answers_json_when_asked(client, answer):
    client.force_login(UserFactory())

    up = client.post(en("answer-vote", pk=answer.pk), {"value": "1"},
                     headers={"Accept": "application/json"})  # fmt: skip
    again = client.post(en("answer-vote", pk=answer.pk), {"value": "1"},
                        headers={"Accept": "application/json"})  # fmt: skip

    assert (up.status_code, up.json()) == (200, {"value": 1, "score": 1})
    assert (again.status_code, again.json()) == (200, {"value": 0, "score": 0})


def test_vote_returns_to_a_next_address_on_this_site_only(client, question):
    client.force_login(UserFactory())

    here = client.post(en("question-vote", pk=question.pk), {"value": "1", "next": "/en/mentors/"})
    away = client.post(
        en("question-vote", pk=question.pk), {"value": "1", "next": "https://evil.example/"}
    )

    assert here["Location"] == "/en/mentors/"
    assert away["Location"] == en("question", pk=question.pk) + "#question"


def test_anonymous_visitor_cannot_vote(client, question):
    response = client.post(en("question-vote", pk=question.pk), {"value": "1"})

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert Vote.objects.count() == 0
    assert score_of(question) == 0


# At the same moment (PostgreSQL) -------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_simultaneous_votes_keep_the_score_exact():
    if connection.vendor != "postgresql":
        pytest.skip("row locks are needed to vote at the same moment; SQLite serialises writes")
    question = QuestionFactory()
    answer = AnswerFactory(question=question)
    voters = [UserFactory() for _number in range(8)]
    barrier = threading.Barrier(len(voters))
    errors = []

    def vote_twice(voter):
        from django.db import connection as thread_connection

        try:
            barrier.wait()
            services.vote(user=voter, question=question, value=1)
            services.vote(user=voter, answer=answer, value=-1)
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)
        finally:
            thread_connection.close()

    threads = [threading.Thread(target=vote_twice, args=(voter,)) for voter in voters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert score_of(question) == 8 == sum_of_votes(question=question)
    assert Answer.objects.get(pk=answer.pk).score == -8 == sum_of_votes(answer=answer)
