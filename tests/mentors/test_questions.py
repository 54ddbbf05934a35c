"""The MENTORS question-and-answer space: asking, answering, commenting and editing with
history; accepting; rate limits; e-mail to the asker and followers; flags into the think
tank's community moderation; the list and question pages (with query-count guards).

Texts a person reads are checked on the English pages (``/en/``) or, for e-mails sent
in Greek, against the catalogue's own translation."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from mentors.models import Answer, AnswerComment, Moderation, Question
from mentors.services import questions as services
from tests.factories import OrganisationFactory, UserFactory, create_member
from tests.factories.mentors import (
    AnswerFactory,
    MentorProfileFactory,
    QuestionFactory,
    SessionFactory,
    theme,
)
from tests.factories.thinktank import compact_html
from thinktank import services as thinktank_services
from thinktank.models import Flag, Follow, ModerationAction, NotificationSettings, Revision

pytestmark = pytest.mark.django_db


def en(name, **kwargs):
    with translation.override("en"):
        return reverse(f"mentors:{name}", kwargs=kwargs)


def english(error):
    with translation.override("en"):
        return str(error)


def messages_of(response):
    with translation.override("en"):
        return [str(message) for message in response.wsgi_request._messages]


def ask(user=None, title="Πώς στήνουμε κοινωνικό αγρόκτημα;", themes=("agri-food",), **extra):
    return services.ask_question(
        user=user or UserFactory(),
        title=title,
        body=extra.pop("body", "Σε ακαλλιέργητη δημοτική έκταση."),
        themes=[theme(slug) for slug in themes],
        **extra,
    )


def revisions(post):
    return [(r.number, r.summary, r.data) for r in services.revisions_of(post).order_by("number")]


# Asking, answering, commenting, editing ---------------------------------------------------


def test_ask_question_saves_it_with_its_themes_and_first_revision():
    asker = UserFactory(first_name="Ελένη", last_name="Αλεξίου")
    session = SessionFactory()

    question = ask(asker, themes=("agri-food", "green-economy-energy-communities"), session=session)

    question.refresh_from_db()
    assert (question.title, question.body, question.author, question.session) == (
        "Πώς στήνουμε κοινωνικό αγρόκτημα;", "Σε ακαλλιέργητη δημοτική έκταση.", asker, session
    )  # fmt: skip
    assert sorted(question.themes.values_list("slug", flat=True)) == [
        "agri-food", "green-economy-energy-communities"
    ]  # fmt: skip
    assert (question.score, question.answer_count, question.moderation) == (0, 0, "visible")
    with translation.override("en"):
        assert revisions(question) == [
            (1, "Υποβλήθηκε", {"title": "Πώς στήνουμε κοινωνικό αγρόκτημα;",
                          "body": "Σε ακαλλιέργητη δημοτική έκταση."}),
        ]  # fmt: skip


@pytest.mark.parametrize(("title", "themes", "message"), [
    ("", ("agri-food",), "Write your question."),
    ("   ", ("agri-food",), "Write your question."),
    ("Τι κάνουμε;", (), "Choose at least one theme."),
])  # fmt: skip
def test_ask_question_without_title_or_theme_is_refused_and_saves_nothing(title, themes, message):
    with pytest.raises(services.QuestionsError) as refusal:
        ask(title=title, themes=themes)

    assert english(refusal.value) == message
    assert Question.objects.count() == 0
    assert Revision.objects.count() == 0


def test_ask_page_publishes_the_question_and_opens_it(client):
    asker = UserFactory()
    client.force_login(asker)

    response = client.post(en("question-create"), {
        "title": "Ποια νομική μορφή ταιριάζει;", "body": "Για πέντε παραγωγούς.",
        "themes": [theme("agri-food").pk, theme("local-employment").pk], "session": "",
    })  # fmt: skip

    question = Question.objects.get()
    assert response.status_code == 302
    assert response["Location"] == en("question", pk=question.pk)
    assert (question.title, question.author, question.session) == (
        "Ποια νομική μορφή ταιριάζει;", asker, None
    )  # fmt: skip
    assert messages_of(response) == ["Your question is published."]


def test_ask_page_needs_a_signed_in_user(client):
    response = client.post(en("question-create"), {"title": "Τι;", "themes": [theme("health").pk]})

    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/en/mentors/questions/new/"
    assert Question.objects.count() == 0


def test_answer_by_a_mentor_of_one_of_the_themes_is_marked():
    question = ask(themes=("agri-food", "health"))
    mentor = MentorProfileFactory(expertise=["health"])

    answer = services.answer(question=question, user=mentor.user, body="Με πρόληψη.")

    answer.refresh_from_db()
    assert (answer.by_mentor, answer.author, answer.body) == (True, mentor.user, "Με πρόληψη.")


def test_answer_by_a_mentor_of_the_questions_session_is_marked():
    mentor = MentorProfileFactory(expertise=["culture-and-tourism"])
    session = SessionFactory(mentors=[mentor])
    question = ask(themes=("agri-food",), session=session)

    answer = services.answer(question=question, user=mentor.user, body="Ναι.")

    assert answer.by_mentor is True


@pytest.mark.parametrize("who", ["member", "mentor of another theme"])
def test_answer_by_anyone_else_is_not_marked(who):
    question = ask(themes=("agri-food",))
    user = UserFactory() if who == "member" else MentorProfileFactory(expertise=["health"]).user

    answer = services.answer(question=question, user=user, body="Ίσως.")

    assert answer.by_mentor is False


def test_answers_keep_the_answer_count_exact():
    question = ask()

    for number in range(3):
        services.answer(question=question, user=UserFactory(), body=f"Απάντηση {number}")

    question.refresh_from_db()
    assert question.answer_count == 3 == Answer.objects.filter(question=question).count()
    assert [r[1] for r in revisions(Answer.objects.first())] == ["Απαντήθηκε"]


def test_answer_on_a_hidden_question_is_refused():
    question = QuestionFactory(moderation=Moderation.HIDDEN)

    with pytest.raises(services.QuestionsError) as refusal:
        services.answer(question=question, user=UserFactory(), body="Απάντηση")

    assert english(refusal.value) == "This question does not take answers now."
    assert Answer.objects.count() == 0


def test_answer_page_publishes_the_answer(client):
    question = ask()
    answerer = UserFactory()
    client.force_login(answerer)

    response = client.post(en("question", pk=question.pk), {"body": "Με συνέλευση."})

    answer = Answer.objects.get()
    assert response["Location"] == en("question", pk=question.pk) + f"#answer-{answer.pk}"
    assert (answer.author, answer.body) == (answerer, "Με συνέλευση.")
    assert messages_of(response) == ["Your answer is published."]


def test_comment_on_answer_is_saved_and_shown(client):
    answer = AnswerFactory()
    commenter = UserFactory(first_name="Νίκος", last_name="Παππάς")
    client.force_login(commenter)

    response = client.post(en("answer-comment", pk=answer.pk), {"body": "Ευχαριστώ!"})

    comment = AnswerComment.objects.get()
    assert (comment.answer, comment.author, comment.body) == (answer, commenter, "Ευχαριστώ!")
    assert response["Location"] == en("question", pk=answer.question_id) + f"#answer-{answer.pk}"
    page = compact_html(client.get(en("question", pk=answer.question_id)))
    assert (
        f'<li id="comment-{comment.pk}">Ευχαριστώ!<span class="entry-meta">— Νίκος Παππάς ·' in page
    )


def test_empty_comment_is_refused_and_saves_nothing(client):
    answer = AnswerFactory()
    client.force_login(UserFactory())

    response = client.post(en("answer-comment", pk=answer.pk), {"body": "  "})

    assert AnswerComment.objects.count() == 0
    assert messages_of(response) == ["Write your comment (at most 2000 characters)."]


def test_edit_question_records_a_revision_and_the_history_shows_the_change(client):
    asker = UserFactory(first_name="Ελένη", last_name="Αλεξίου")
    question = ask(asker, title="Πώς ξεκινάμε;", body="Πρώτη γραμμή")
    client.force_login(asker)

    response = client.post(en("question-edit", pk=question.pk), {
        "title": "Πώς ξεκινάμε έναν συνεταιρισμό;", "body": "Πρώτη γραμμή\nΔεύτερη γραμμή",
        "themes": [theme("agri-food").pk], "summary": "Πιο σαφής τίτλος",
    })  # fmt: skip

    question.refresh_from_db()
    assert response["Location"] == en("question", pk=question.pk)
    assert messages_of(response) == ["Saved as revision 2."]
    assert question.title == "Πώς ξεκινάμε έναν συνεταιρισμό;"
    assert revisions(question)[1] == (2, "Πιο σαφής τίτλος", {
        "title": "Πώς ξεκινάμε έναν συνεταιρισμό;", "body": "Πρώτη γραμμή\nΔεύτερη γραμμή",
    })  # fmt: skip
    history = compact_html(client.get(en("question-history", pk=question.pk)))
    assert '<h2 id="revision-2" class="h4">Revision 2</h2>' in history
    assert (
        '<del class="diff-line diff-line--removed"><span class="sr-only">removed:</span>'
        "Πώς ξεκινάμε;</del>"
    ) in history
    assert (
        '<ins class="diff-line diff-line--added"><span class="sr-only">added:</span>'
        "Δεύτερη γραμμή</ins>"
    ) in history


def test_edit_without_change_saves_no_revision():
    asker = UserFactory()
    question = ask(asker, title="Ίδιο;", body="Ίδιο")

    revision = services.edit_question(question=question, user=asker, title="Ίδιο;", body="Ίδιο")

    assert revision is None
    assert Revision.objects.count() == 1


def test_edit_answer_records_a_revision():
    answer = services.answer(question=ask(), user=(author := UserFactory()), body="Πρώτο")

    revision = services.edit_answer(answer=answer, user=author, body="Δεύτερο", summary="Διόρθωση")

    assert (revision.number, revision.summary, revision.data) == (
        2,
        "Διόρθωση",
        {"body": "Δεύτερο"},
    )
    answer.refresh_from_db()
    assert answer.body == "Δεύτερο"


@pytest.mark.parametrize("name", ["question-edit", "answer-edit"])
def test_someone_elses_post_cannot_be_edited(client, name):
    answer = AnswerFactory(body="Αρχικό")
    client.force_login(UserFactory())
    pk = answer.question_id if name == "question-edit" else answer.pk

    page = client.get(en(name, pk=pk))
    response = client.post(en(name, pk=pk), {"title": "Άλλο", "body": "Άλλο",
                                             "themes": [theme("agri-food").pk]})  # fmt: skip

    assert (page.status_code, response.status_code) == (403, 403)
    answer.refresh_from_db()
    answer.question.refresh_from_db()
    assert (answer.body, answer.question.body) == ("Αρχικό", "Πώς ξεκινάμε;")
    with pytest.raises(PermissionDenied):
        services.edit_answer(answer=answer, user=UserFactory(), body="Άλλο")


# Accepting -------------------------------------------------------------------------------


@pytest.fixture
def discussion():
    asker = UserFactory(email="asker@example.org")
    question = ask(asker, themes=("agri-food",))
    first = AnswerFactory(question=question, body="Πρώτη")
    second = AnswerFactory(question=question, body="Δεύτερη")
    return question, first, second


def test_asker_accepts_an_answer(client, discussion):
    question, first, _second = discussion
    client.force_login(question.author)

    response = client.post(en("answer-accept", pk=first.pk))

    question.refresh_from_db()
    assert question.accepted_answer == first
    assert response["Location"] == en("question", pk=question.pk) + f"#answer-{first.pk}"
    assert messages_of(response) == ["The answer is marked as accepted."]


def test_mentor_of_the_questions_theme_accepts_an_answer(discussion):
    question, first, _second = discussion
    mentor = MentorProfileFactory(expertise=["agri-food"])

    services.accept(question=question, answer=first, by=mentor.user)

    question.refresh_from_db()
    assert question.accepted_answer == first


def test_mentor_of_the_questions_session_accepts_an_answer():
    mentor = MentorProfileFactory(expertise=["health"])
    question = ask(themes=("agri-food",), session=SessionFactory(mentors=[mentor]))
    answer = AnswerFactory(question=question)

    services.accept(question=question, answer=answer, by=mentor.user)

    question.refresh_from_db()
    assert question.accepted_answer == answer


@pytest.mark.parametrize("who", ["member", "mentor of another theme", "the answer's author"])
def test_others_cannot_accept(client, discussion, who):
    question, first, _second = discussion
    user = {
        "member": lambda: UserFactory(),
        "mentor of another theme": lambda: MentorProfileFactory(expertise=["health"]).user,
        "the answer's author": lambda: first.author,
    }[who]()
    client.force_login(user)

    response = client.post(en("answer-accept", pk=first.pk))

    assert response.status_code == 403
    question.refresh_from_db()
    assert question.accepted_answer is None
    with pytest.raises(PermissionDenied):
        services.accept(question=question, answer=first, by=user)


def test_accepting_another_answer_replaces_the_accepted_one(client, discussion):
    question, first, second = discussion
    services.accept(question=question, answer=first, by=question.author)

    services.accept(question=question, answer=second, by=question.author)

    question.refresh_from_db()
    assert question.accepted_answer == second
    page = compact_html(client.get(en("question", pk=question.pk)))
    assert page.count("Accepted answer</span>") == 1
    assert page.index(f'id="answer-{second.pk}"') < page.index(f'id="answer-{first.pk}"')


def test_answer_of_another_question_cannot_be_accepted(discussion):
    question, _first, _second = discussion
    elsewhere = AnswerFactory()

    with pytest.raises(services.QuestionsError) as refusal:
        services.accept(question=question, answer=elsewhere, by=question.author)

    assert english(refusal.value) == "This answer belongs to another question."
    question.refresh_from_db()
    assert question.accepted_answer is None


def test_accept_buttons_are_shown_only_to_who_may_accept(client, discussion):
    question, _first, _second = discussion
    client.force_login(UserFactory())
    outsider_page = compact_html(client.get(en("question", pk=question.pk)))
    client.force_login(question.author)
    asker_page = compact_html(client.get(en("question", pk=question.pk)))

    assert "Accept this answer" not in outsider_page
    assert asker_page.count(">Accept this answer</button>") == 2


# The question page ----------------------------------------------------------------------


def test_question_page_orders_answers_accepted_first_then_by_score(client):
    question = ask(title="Τι προτείνετε;")
    mentor = MentorProfileFactory(
        expertise=["agri-food"], user__first_name="Σοφία", user__last_name="Ιωάννου"
    )
    low = AnswerFactory(question=question, body="Χαμηλή", score=1)
    high = AnswerFactory(question=question, body="Υψηλή", score=5)
    accepted = AnswerFactory(question=question, body="Αποδεκτή", author=mentor.user,
                             by_mentor=True, score=0, accepted=True)  # fmt: skip

    page = compact_html(client.get(en("question", pk=question.pk)))

    order = [page.index(f'id="answer-{a.pk}"') for a in (accepted, high, low)]
    assert order == sorted(order)
    assert (
        f'<h3 id="answer-{accepted.pk}-heading" class="h5">Answer by Σοφία Ιωάννου'
        '<span class="badge badge-success">Mentor</span><span class="badge badge-success">'
        '<span aria-hidden="true">✓</span>Accepted answer</span></h3>'
    ) in page
    assert '<h2 id="answers-heading">3 answers</h2>' in page


def test_vote_buttons_are_labelled_and_show_the_users_vote(client):
    question = ask()
    voter = UserFactory()
    services.vote(user=voter, question=question, value=1)
    client.force_login(voter)

    page = compact_html(client.get(en("question", pk=question.pk)))

    assert (
        '<div class="vote-box d-flex flex-wrap align-items-center my-2" role="group" '
        'aria-label="Votes on the question"><span class="vote-score mr-2">Votes:<strong>1'
        "</strong></span>"
    ) in page
    assert (
        '<button type="submit" name="value" value="1" class="btn btn-sm btn-primary" '
        'aria-pressed="true"><span aria-hidden="true">▲</span>Vote up</button>'
    ) in page
    assert (
        '<button type="submit" name="value" value="-1" class="btn btn-sm btn-outline-secondary" '
        'aria-pressed="false"><span aria-hidden="true">▼</span>Vote down</button>'
    ) in page


def test_hidden_and_removed_answers_are_not_shown_to_the_public(client):
    question = ask()
    AnswerFactory(question=question, body="Ορατή απάντηση")
    AnswerFactory(question=question, body="Κρυμμένη απάντηση", moderation=Moderation.HIDDEN)
    AnswerFactory(question=question, body="Αφαιρεμένη απάντηση", moderation=Moderation.REMOVED)

    page = client.get(en("question", pk=question.pk)).content.decode()

    assert "Ορατή απάντηση" in page
    assert "Κρυμμένη απάντηση" not in page
    assert "Αφαιρεμένη απάντηση" not in page


@pytest.mark.parametrize("state", [Moderation.HIDDEN, Moderation.REMOVED])
def test_hidden_and_removed_questions_are_not_shown_to_the_public(client, state):
    question = QuestionFactory(title="Κρυφή ερώτηση;", moderation=state)

    page = client.get(en("question", pk=question.pk))
    listing = client.get(en("questions")).content.decode()

    assert page.status_code == 404
    assert "Κρυφή ερώτηση;" not in listing


def test_follow_and_unfollow_a_question(client):
    question = ask()
    follower = UserFactory()
    client.force_login(follower)

    followed = client.post(en("question-follow", pk=question.pk))
    following = services.is_following(user=follower, question=question)
    page = compact_html(client.get(en("question", pk=question.pk)))
    unfollowed = client.post(en("question-follow", pk=question.pk), {"follow": "0"})

    assert following is True
    assert (
        '<input type="hidden" name="follow" value="0">'
        '<button type="submit" class="btn btn-secondary">Stop following</button>'
    ) in page
    assert messages_of(followed) == ["You will get an e-mail when someone answers this question."]
    assert messages_of(unfollowed)[-1] == "You no longer follow this question."
    assert Follow.objects.count() == 0


# Rate limits ----------------------------------------------------------------------------


def test_too_many_questions_are_refused_and_nothing_is_saved(settings):
    settings.MENTORS_RATE_LIMITS = {"questions": (2, 600)}
    asker = UserFactory()
    ask(asker, title="Πρώτη;")
    ask(asker, title="Δεύτερη;")

    with pytest.raises(services.QuestionsError) as refusal:
        ask(asker, title="Τρίτη;")

    assert str(refusal.value) == (
        "Κάνατε 2 ερωτήσεις τα τελευταία 10 λεπτά, όσες επιτρέπονται. "
        "Περιμένετε λίγο πριν κάνετε άλλη."
    )
    assert sorted(Question.objects.values_list("title", flat=True)) == ["Δεύτερη;", "Πρώτη;"]
    assert Revision.objects.count() == 2


def test_questions_older_than_the_window_do_not_count(settings):
    settings.MENTORS_RATE_LIMITS = {"questions": (2, 600)}
    asker = UserFactory()
    for title in ("Παλιά 1;", "Παλιά 2;"):
        old = ask(asker, title=title)
        Question.objects.filter(pk=old.pk).update(
            created_at=timezone.now() - datetime.timedelta(minutes=11)
        )

    ask(asker, title="Νέα;")

    assert Question.objects.count() == 3


def test_rate_limit_counts_each_user_separately(settings):
    settings.MENTORS_RATE_LIMITS = {"questions": (1, 600)}
    ask(UserFactory(), title="Ενός;")

    ask(UserFactory(), title="Άλλου;")

    assert Question.objects.count() == 2


def test_too_many_answers_are_refused_on_the_page_and_nothing_is_saved(client, settings):
    settings.MENTORS_RATE_LIMITS = {"answers": (1, 600)}
    question = ask()
    answerer = UserFactory()
    services.answer(question=question, user=answerer, body="Πρώτη")
    client.force_login(answerer)

    response = client.post(en("question", pk=question.pk), {"body": "Δεύτερη"})

    assert response.status_code == 200
    assert (
        '<div class="alert alert-danger" role="alert"><p class="mb-0">You have posted 1 answer '
        "in the last 10 minutes, the most allowed. Please wait a little before answering again."
        "</p></div>"
    ) in compact_html(response)
    assert list(Answer.objects.values_list("body", flat=True)) == ["Πρώτη"]
    question.refresh_from_db()
    assert question.answer_count == 1


def test_too_many_questions_are_refused_on_the_page(client, settings):
    settings.MENTORS_RATE_LIMITS = {"questions": (1, 600)}
    asker = UserFactory()
    ask(asker)
    client.force_login(asker)

    response = client.post(en("question-create"), {"title": "Κι άλλη;",
                                                   "themes": [theme("agri-food").pk]})  # fmt: skip

    assert response.status_code == 200
    assert "You have asked 1 question in the last 10 minutes" in response.content.decode()
    assert Question.objects.count() == 1


# Notifications ---------------------------------------------------------------------------


def test_new_answer_emails_the_asker_and_followers_but_not_the_answerer(
    django_capture_on_commit_callbacks, settings
):
    asker = UserFactory(email="asker@example.org")
    question = ask(asker, title="Πώς βρίσκουμε γη;")
    follower = UserFactory(email="follower@example.org")
    answerer = UserFactory(email="answerer@example.org", first_name="Μαρία", last_name="Νικολάου")
    muted = UserFactory(email="muted@example.org")
    NotificationSettings.objects.create(user=muted, email_enabled=False)
    UserFactory(email="bystander@example.org")
    for user in (follower, answerer, muted):
        services.follow_question(user=user, question=question)

    with django_capture_on_commit_callbacks(execute=True):
        answer = services.answer(question=question, user=answerer, body="Από τον Δήμο.")

    assert sorted(message.to[0] for message in mail.outbox) == [
        "asker@example.org", "follower@example.org"
    ]  # fmt: skip
    with translation.override("el"):
        subject = gettext("New answer: %(title)s") % {"title": "Πώς βρίσκουμε γη;"}
        intro = gettext("%(name)s answered the question “%(title)s”:") % {
            "name": "Μαρία Νικολάου", "title": "Πώς βρίσκουμε γη;"
        }  # fmt: skip
    assert {message.subject for message in mail.outbox} == {subject}
    body = mail.outbox[0].body
    assert body.startswith(intro + "\n\nΑπό τον Δήμο.\n")
    site = settings.SITE_URL.rstrip("/")
    assert f"\n{site}/mentors/questions/{question.pk}/#answer-{answer.pk}\n" in body
    assert body.endswith(f"\n{site}/mentors/questions/{question.pk}/\n")


def test_askers_own_answer_emails_nobody(django_capture_on_commit_callbacks):
    asker = UserFactory(email="asker@example.org")
    question = ask(asker)

    with django_capture_on_commit_callbacks(execute=True):
        services.answer(question=question, user=asker, body="Το βρήκα μόνος μου.")

    assert mail.outbox == []


def test_unfollowed_user_is_not_emailed(django_capture_on_commit_callbacks):
    question = ask(UserFactory(email="asker@example.org"))
    former = UserFactory(email="former@example.org")
    services.follow_question(user=former, question=question)
    services.unfollow_question(user=former, question=question)

    with django_capture_on_commit_callbacks(execute=True):
        services.answer(question=question, user=UserFactory(), body="Απάντηση")

    assert [message.to for message in mail.outbox] == [["asker@example.org"]]


# Community moderation ---------------------------------------------------------------------


def flaggers(count):
    people = []
    for number in range(count):
        organisation = OrganisationFactory(is_verified=True, name=f"Οργανισμός {number}")
        people.append(create_member(organisation, email=f"flagger{number}@example.org"))
    return people


def test_flags_of_three_organisations_hide_a_question_until_it_is_restored(client):
    question = ask(title="Αγοράστε φθηνά ρολόγια;")
    people = flaggers(3)
    for user in people[:2]:
        client.force_login(user)
        client.post(en("question-flag", pk=question.pk), {"reason": "spam", "comment": "Σπαμ"})
    question.refresh_from_db()
    still_visible = question.moderation
    client.force_login(people[2])
    last = client.post(en("question-flag", pk=question.pk), {"reason": "spam"})

    question.refresh_from_db()
    assert (still_visible, question.moderation) == ("visible", "hidden")
    assert messages_of(last)[-1] == "Thank you: your flag was recorded."
    assert Flag.objects.filter(object_id=question.pk).count() == 3
    client.logout()
    assert client.get(en("question", pk=question.pk)).status_code == 404
    assert "Αγοράστε φθηνά ρολόγια;" not in client.get(en("questions")).content.decode()

    reviewer_organisation = OrganisationFactory(is_verified=True, name="Ελεγκτές")
    reviewer = create_member(reviewer_organisation, email="reviewer@example.org")
    client.force_login(reviewer)
    queue = client.get(reverse("thinktank:moderation-queue"))
    review_url = reverse("thinktank:moderation-review", kwargs={"section": "questions",
                                                                "pk": question.pk})  # fmt: skip
    review = client.post(review_url, {"decision": "restore", "organisation":
                                      reviewer_organisation.pk, "note": "Εντάξει"})  # fmt: skip

    assert [(e.section, e.title) for e in queue.context["hidden_entries"]] == [
        ("questions", "Αγοράστε φθηνά ρολόγια;")
    ]
    assert len(queue.context["hidden_entries"][0].open_flags) == 3
    assert f'action="{review_url}"' in queue.content.decode()
    assert review.status_code == 302
    question.refresh_from_db()
    assert question.moderation == "visible"
    assert Flag.objects.filter(resolved_at__isnull=True).count() == 0
    assert list(ModerationAction.objects.order_by("pk").values_list("kind", "entry_title")) == [
        ("hidden", "Αγοράστε φθηνά ρολόγια;"), ("restored", "Αγοράστε φθηνά ρολόγια;")
    ]  # fmt: skip


def test_a_hidden_answer_leaves_the_answer_count_and_comes_back_when_restored():
    question = ask()
    kept = services.answer(question=question, user=UserFactory(), body="Καλή")
    spam = services.answer(question=question, user=UserFactory(), body="Σπαμ")
    people = flaggers(3)
    for user in people:
        services.flag_post(post=spam, user=user, reason="spam")
    spam.refresh_from_db()
    question.refresh_from_db()
    hidden = (spam.moderation, question.answer_count)

    reviewer_organisation = OrganisationFactory(is_verified=True)
    thinktank_services.review_entry(
        entry=spam, user=create_member(reviewer_organisation, email="r@example.org"),
        organisation=reviewer_organisation, restore=True,
    )  # fmt: skip

    question.refresh_from_db()
    spam.refresh_from_db()
    assert hidden == ("hidden", 1)
    assert (spam.moderation, question.answer_count) == ("visible", 2)
    assert kept.moderation == "visible"


def test_own_post_cannot_be_flagged():
    author = create_member(OrganisationFactory(is_verified=True), email="own@example.org")
    question = ask(author)

    with pytest.raises(services.QuestionsError) as refusal:
        services.flag_post(post=question, user=author, reason="spam")

    assert english(refusal.value) == "You cannot flag your own entry."
    assert Flag.objects.count() == 0


def test_answers_appear_in_the_moderation_queue_when_hidden(client):
    answer = AnswerFactory(body="Διαφήμιση")
    for user in flaggers(3):
        services.flag_post(post=answer, user=user, reason="spam")
    client.force_login(create_member(OrganisationFactory(is_verified=True), email="m@example.org"))

    queue = client.get(reverse("thinktank:moderation-queue"))

    assert [(e.section, e.pk) for e in queue.context["hidden_entries"]] == [("answers", answer.pk)]
    assert (
        "Answer in the MENTORS programme"
        in client.get("/en" + reverse("thinktank:moderation-queue")).content.decode()
    )


# The list page -------------------------------------------------------------------------


def titles(response):
    return [question.title for question in response.context["questions"]]


def test_list_sorts_by_newest_votes_and_unanswered(client):
    now = timezone.now()
    old = QuestionFactory(title="Παλιά;", created_at=now - datetime.timedelta(days=2), score=5)
    middle = QuestionFactory(title="Μεσαία;", created_at=now - datetime.timedelta(days=1), score=9)
    QuestionFactory(title="Νέα;", created_at=now, score=0)
    AnswerFactory(question=old)
    AnswerFactory(question=middle)

    newest = client.get(en("questions"))
    votes = client.get(en("questions"), {"sort": "votes"})
    unanswered = client.get(en("questions"), {"sort": "unanswered"})

    assert titles(newest) == ["Νέα;", "Μεσαία;", "Παλιά;"]
    assert titles(votes) == ["Μεσαία;", "Παλιά;", "Νέα;"]
    assert titles(unanswered) == ["Νέα;"]


def test_list_filters_by_theme_and_session(client):
    session = SessionFactory(title="Δίωρο αγροδιατροφής")
    QuestionFactory(title="Υγείας;", themes=["health"])
    QuestionFactory(title="Αγροτική;", themes=["agri-food"])
    QuestionFactory(title="Της συνεδρίας;", themes=["agri-food"], session=session)

    by_theme = client.get(en("questions"), {"theme": "health"})
    by_session = client.get(en("questions"), {"session": session.pk})

    assert titles(by_theme) == ["Υγείας;"]
    assert titles(by_session) == ["Της συνεδρίας;"]


def test_list_row_shows_score_answers_accepted_mark_and_themes(client):
    question = QuestionFactory(title="Πώς;", themes=["agri-food"], score=4)
    AnswerFactory(question=question, accepted=True)

    page = compact_html(client.get(en("questions")))

    assert (
        f'<h2 class="entry-card__title"><a href="{en("question", pk=question.pk)}">Πώς;</a></h2>'
        '<p class="entry-meta mb-1"><span>Votes: 4</span>·<span>Answers: 1</span>·'
        '<span class="badge badge-success">Has an accepted answer</span>'
    ) in page
    with translation.override("en"):
        title = str(theme("agri-food").title)
    assert f'<li><a class="certification-badge" href="?theme=agri-food">{title}</a></li>' in page
    assert '<p class="result-count" role="status">1 question</p>' in page


def test_list_is_paginated_twenty_per_page(client):
    for number in range(21):
        QuestionFactory(title=f"Ερώτηση {number:02d};")

    first = client.get(en("questions"))
    second = client.get(en("questions"), {"page": 2})

    assert len(titles(first)) == 20
    assert titles(second) == ["Ερώτηση 00;"]


@pytest.mark.parametrize("count", [1, 30])
def test_question_list_queries_do_not_grow_with_the_questions(
    client, django_assert_num_queries, count
):
    session = SessionFactory()
    for number in range(count):
        question = QuestionFactory(themes=["agri-food", "health"], session=session,
                                   author=UserFactory(first_name=f"Όνομα {number}"))  # fmt: skip
        AnswerFactory(question=question, accepted=True)

    # themes, sessions for the filter, count, page, prefetched themes
    with django_assert_num_queries(5):
        response = client.get(en("questions"))

    assert len(response.context["questions"]) == min(count, 20)


@pytest.mark.parametrize("count", [1, 30])
def test_question_page_queries_do_not_grow_with_the_answers(
    client, django_assert_num_queries, count
):
    question = ask(themes=("agri-food", "health"))
    viewer = UserFactory()
    for number in range(count):
        answer = AnswerFactory(question=question, body=f"Απάντηση {number}")
        AnswerComment.objects.create(answer=answer, author=UserFactory(), body="Σχόλιο")
        services.vote(user=viewer, answer=answer, value=1)
    client.force_login(viewer)
    client.get(en("question", pk=question.pk))  # warms the content-type cache

    # session & user (2), question, themes, can moderate, answers, comments, votes,
    # mentor profile, is following, flag organisations; the layout's own
    with django_assert_num_queries(14):
        response = client.get(en("question", pk=question.pk))

    assert len(response.context["answers"]) == count


def test_list_of_a_session_without_questions_is_empty(client):
    QuestionFactory(title="Άλλη;")
    session = SessionFactory()

    response = client.get(en("questions"), {"session": session.pk, "sort": "votes"})

    assert titles(response) == []
    assert response.context["sort"] == "votes"


def test_list_ignores_a_wrong_filter_but_keeps_the_others(client):
    QuestionFactory(title="Χαμηλή;", score=1)
    QuestionFactory(title="Υψηλή;", score=3)

    response = client.get(en("questions"), {"theme": "no-such-theme", "sort": "votes"})

    assert titles(response) == ["Υψηλή;", "Χαμηλή;"]
