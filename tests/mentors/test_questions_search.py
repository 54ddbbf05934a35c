"""Questions and answers are found by the site search, accent- and case-insensitively,
through the think tank's shared index fields; hidden or removed posts never are."""

import pytest
from django.utils import translation
from haystack.query import SearchQuerySet

from mentors.models import Answer, Question
from mentors.search_indexes import AnswerIndex, QuestionIndex
from mentors.services import questions as services
from shop.search_views import KIND_BY_KEY, results_of
from shop.text import fold_for_search
from tests.factories import OrganisationFactory, UserFactory, create_member
from tests.factories.mentors import theme
from tests.factories.thinktank import compact_html
from thinktank.search_indexes import ArticleIndex

pytestmark = pytest.mark.django_db


def ask(title, body="", themes=("agri-food",)):
    return services.ask_question(
        user=UserFactory(), title=title, body=body, themes=[theme(slug) for slug in themes]
    )


def found(query):
    """(section, title, pk) of the "questions" kind's results for ``query`` as typed."""
    results = results_of(KIND_BY_KEY["questions"], query, fold_for_search(query))
    return sorted((r.tt_section, r.tt_title, int(r.pk)) for r in results)


def hide(post):
    for number in range(3):
        organisation = OrganisationFactory(is_verified=True)
        user = create_member(organisation, email=f"flag{number}-{post.pk}@example.org")
        services.flag_post(post=post, user=user, reason="spam", organisation=organisation)
    post.refresh_from_db()
    assert post.moderation == "hidden"


def test_indexes_share_the_think_tanks_stored_fields():
    ours = {name: type(field) for name, field in QuestionIndex.fields.items()}
    answers = {name: type(field) for name, field in AnswerIndex.fields.items()}
    theirs = {name: type(field) for name, field in ArticleIndex.fields.items()}

    assert ours == answers == theirs
    assert [(name, field.indexed, field.stored) for name, field in
            sorted(QuestionIndex.fields.items())] == [
        (name, field.indexed, field.stored) for name, field in sorted(ArticleIndex.fields.items())
    ]  # fmt: skip


def test_a_question_is_found_by_a_word_of_its_answer_without_accents():
    question = ask("Πώς ξεκινάμε ένα κοινωνικό αγρόκτημα;")
    answer = services.answer(
        question=question, user=UserFactory(), body="Με **ελαιόλαδο** από δημοτικές εκτάσεις."
    )

    assert found("ελαιολαδο") == [("answers", "Πώς ξεκινάμε ένα κοινωνικό αγρόκτημα;", answer.pk)]
    assert found("ΕΛΑΙΌΛΑΔΟ") == found("ελαιολαδο")


def test_a_question_is_found_by_its_title_and_body_without_accents():
    question = ask("Ποια νομική μορφή;", body="Κοινωνική Συνεταιριστική Επιχείρηση")

    assert found("νομικη") == [("questions", "Ποια νομική μορφή;", question.pk)]
    assert found("συνεταιριστικη") == [("questions", "Ποια νομική μορφή;", question.pk)]


def test_search_page_links_questions_and_answers_in_the_visitors_language(client):
    question = ask("Τι είναι το κοινωνικό μέρισμα;")
    answer = services.answer(question=question, user=UserFactory(), body="Ένα μέρισμα για όλους.")

    page = compact_html(client.get("/en/search/", {"q": "μερισμα", "kind": "questions"}))

    assert (
        f'<a href="/en/mentors/questions/{question.pk}/">Τι είναι το κοινωνικό'
        "<mark>μέρισμα</mark>;</a>"
    ) in page
    assert (
        f'<a href="/en/mentors/questions/{question.pk}/#answer-{answer.pk}">Τι είναι το '
        "κοινωνικό<mark>μέρισμα</mark>;</a>"
    ) in page
    assert '<h2 id="search-group-questions" class="h4">Questions and answers (2)</h2>' in page


def test_search_page_offers_the_questions_and_answers_kind(client):
    page = compact_html(client.get("/en/search/"))

    assert '<option value="questions">Questions and answers</option>' in page


def test_hidden_question_and_its_answers_leave_the_index():
    question = ask("Πού βρίσκουμε χρηματοδότηση;")
    services.answer(question=question, user=UserFactory(), body="Στο πρόγραμμα ΕΣΠΑ.")
    before = (found("χρηματοδοτηση"), found("εσπα"))

    hide(question)

    assert [len(results) for results in before] == [1, 1]
    assert (found("χρηματοδοτηση"), found("εσπα")) == ([], [])


def test_hidden_answer_leaves_the_index_and_returns_when_restored():
    from thinktank import services as thinktank_services

    question = ask("Πώς πουλάμε;")
    answer = services.answer(question=question, user=UserFactory(), body="Μέσω καταναλωτικού.")
    hide(answer)
    hidden = found("καταναλωτικου")
    reviewer_organisation = OrganisationFactory(is_verified=True)
    thinktank_services.review_entry(
        entry=Answer.objects.get(pk=answer.pk),
        user=create_member(reviewer_organisation, email="reviewer@example.org"),
        organisation=reviewer_organisation,
        restore=True,
    )

    assert hidden == []
    assert found("καταναλωτικου") == [("answers", "Πώς πουλάμε;", answer.pk)]


def test_only_visible_posts_are_indexed_by_a_rebuild():
    from django.core.management import call_command

    ask("Ορατή ερώτηση;")
    hidden = ask("Κρυφή ερώτηση;")
    Question.objects.filter(pk=hidden.pk).update(moderation="hidden")

    with translation.override("en"):
        call_command("rebuild_index", interactive=False, verbosity=0)

    titles = sorted(r.tt_title for r in SearchQuerySet().models(Question))
    assert titles == ["Ορατή ερώτηση;"]
