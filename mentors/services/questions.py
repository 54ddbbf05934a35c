"""Business rules of the MENTORS question-and-answer space.

Asking, answering, commenting and editing (every state kept as a think-tank
``Revision``, generic by content type); votes (one per user and post, never on one's
own post, the same vote again withdraws it) with scores changed by ``F()`` updates
inside a transaction; accepting one answer (the asker, or a mentor of one of the
question's themes or of its session); rate limits counted from the database;
follows and e-mail on new answers; flags into the think tank's community moderation.

Every refusal a person should read raises ``QuestionsError`` with a translated
message; a refusal of rights raises ``PermissionDenied``.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mass_mail
from django.db import transaction
from django.db.models import Case, F, IntegerField, Prefetch, Q, Value, When
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from mentors.models import (
    Answer,
    AnswerComment,
    MentorProfile,
    Moderation,
    Question,
    Vote,
)
from thinktank import services as thinktank_services
from thinktank.access import can_moderate, verified_organisations_of
from thinktank.models import Follow, NotificationSettings, Revision

# How many posts of each kind one person may make in a window of seconds. Overridden by
# settings.MENTORS_RATE_LIMITS, e.g. {"questions": (5, 600), "answers": (20, 600)}.
DEFAULT_RATE_LIMITS = {
    "questions": (5, 10 * 60),
    "answers": (20, 10 * 60),
    "comments": (30, 10 * 60),
}
RATE_LIMITED_MODELS = {"questions": Question, "answers": Answer, "comments": AnswerComment}
RATE_LIMIT_MESSAGES = {
    "questions": ngettext_lazy(
        "You have asked %(count)s question in the last %(minutes)s minutes, the most "
        "allowed. Please wait a little before asking another.",
        "You have asked %(count)s questions in the last %(minutes)s minutes, the most "
        "allowed. Please wait a little before asking another.",
        "count",
    ),
    "answers": ngettext_lazy(
        "You have posted %(count)s answer in the last %(minutes)s minutes, the most "
        "allowed. Please wait a little before answering again.",
        "You have posted %(count)s answers in the last %(minutes)s minutes, the most "
        "allowed. Please wait a little before answering again.",
        "count",
    ),
    "comments": ngettext_lazy(
        "You have written %(count)s comment in the last %(minutes)s minutes, the most "
        "allowed. Please wait a little before commenting again.",
        "You have written %(count)s comments in the last %(minutes)s minutes, the most "
        "allowed. Please wait a little before commenting again.",
        "count",
    ),
}

MAX_TITLE_LENGTH = Question._meta.get_field("title").max_length
MAX_COMMENT_LENGTH = AnswerComment._meta.get_field("body").max_length


class QuestionsError(Exception):
    """A rule of the question-and-answer space refused the action; the message is for
    the person who tried it."""


# Who may do what --------------------------------------------------------------------


def _mentor_profile(user):
    if user is None or not user.is_authenticated:
        return None
    return MentorProfile.objects.filter(user=user).only("pk").first()


def is_mentor_for(user, question):
    """Is ``user`` a mentor of one of the question's themes or of its session?"""
    profile = _mentor_profile(user)
    if profile is None:
        return False
    if question.session_id and question.session.mentors.filter(pk=profile.pk).exists():
        return True
    return profile.expertise.filter(pk__in=question.themes.values("pk")).exists()


def can_accept(user, question):
    """The asker, a mentor of one of the question's themes or of its session (and
    platform staff) may accept an answer."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or question.author_id == user.pk:
        return True
    return is_mentor_for(user, question)


def can_edit(user, post):
    """Authors edit their own questions and answers (staff every one), unless removed."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff:
        return True
    return post.author_id == user.pk and post.moderation != Moderation.REMOVED


def can_see(user, post):
    """Visible posts are public. Hidden ones (pending review) are seen by their author
    and by those who review flags; removed ones by their author and staff. An answer
    is seen only where its question is."""
    if isinstance(post, Answer) and not can_see(user, post.question):
        return False
    if post.moderation == Moderation.VISIBLE:
        return True
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or post.author_id == user.pk:
        return True
    return post.moderation == Moderation.HIDDEN and can_moderate(user)


def visible_questions():
    return Question.objects.filter(moderation=Moderation.VISIBLE)


# Rate limits ------------------------------------------------------------------------


def rate_limit(kind):
    """``(count, seconds)``: at most ``count`` posts of ``kind`` per ``seconds``."""
    limits = {**DEFAULT_RATE_LIMITS, **getattr(settings, "MENTORS_RATE_LIMITS", {})}
    return limits[kind]


def check_rate_limit(*, user, kind, now=None):
    """Refuse a post when ``user`` already made as many of ``kind`` as allowed in the
    window. Counted from the database (``created_at``), so it holds on every cache and
    across every server; the user's row is locked so that two requests at once are
    counted one after the other."""
    count, seconds = rate_limit(kind)
    now = now or timezone.now()
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    recent = (
        RATE_LIMITED_MODELS[kind]
        .objects.filter(author=user, created_at__gt=now - datetime.timedelta(seconds=seconds))
        .count()
    )
    if recent >= count:
        minutes = max(1, round(seconds / 60))
        raise QuestionsError(RATE_LIMIT_MESSAGES[kind] % {"count": count, "minutes": minutes})


# History ------------------------------------------------------------------------------


def revisions_of(post):
    return thinktank_services.revisions_of(post)


def _record_revision(*, post, user, summary):
    target = {"content_type": ContentType.objects.get_for_model(type(post)), "object_id": post.pk}
    last = revisions_of(post).order_by("-number").values_list("number", flat=True).first() or 0
    return Revision.objects.create(
        **target,
        number=last + 1,
        author=user,
        summary=str(summary)[:200],
        data=thinktank_services.snapshot(post),
    )


def history_of(post):
    """The post's revisions, newest first, each with ``changes`` from the one before
    (as ``thinktank.services.diff_revisions`` gives them; empty for the first)."""
    revisions = list(revisions_of(post))
    for newer, older in zip(revisions, revisions[1:] + [None], strict=True):
        newer.changes = thinktank_services.diff_revisions(older, newer, type(post)) if older else []
    return revisions


# Asking, answering, commenting, editing ----------------------------------------------


def _clean_text(value):
    return (value or "").strip()


@transaction.atomic
def ask_question(*, user, title, body, themes, session=None):
    """A signed-in user asks a question on one or more themes, optionally during or
    about a session. Its first revision is kept."""
    title, body, themes = _clean_text(title), _clean_text(body), list(themes)
    if not title:
        raise QuestionsError(_("Write your question."))
    if len(title) > MAX_TITLE_LENGTH:
        raise QuestionsError(_("The question is too long; put the details below it."))
    if not themes:
        raise QuestionsError(_("Choose at least one theme."))
    check_rate_limit(user=user, kind="questions")
    question = Question.objects.create(title=title, body=body, author=user, session=session)
    question.themes.set(themes)
    _record_revision(post=question, user=user, summary=_("Asked"))
    return question


@transaction.atomic
def edit_question(*, question, user, title, body, themes=None, summary=""):
    """Save the author's new text as a revision. Returns the revision, or None when
    nothing changed."""
    if not can_edit(user, question):
        raise PermissionDenied
    title, body = _clean_text(title), _clean_text(body)
    if not title:
        raise QuestionsError(_("Write your question."))
    if len(title) > MAX_TITLE_LENGTH:
        raise QuestionsError(_("The question is too long; put the details below it."))
    themes_changed = False
    if themes is not None:
        themes = list(themes)
        if not themes:
            raise QuestionsError(_("Choose at least one theme."))
        themes_changed = {t.pk for t in themes} != set(question.themes.values_list("pk", flat=True))
        if themes_changed:
            question.themes.set(themes)
    if (question.title, question.body) == (title, body):
        if themes_changed:
            question.save(update_fields=["updated_at"])
        return None
    question.title, question.body = title, body
    question.save(update_fields=["title", "body", "updated_at"])
    return _record_revision(post=question, user=user, summary=summary or _("Edited"))


@transaction.atomic
def answer(*, question, user, body, notify=True):
    """A signed-in user answers a visible question. The answer is marked as a mentor's
    when its author mentors one of the question's themes or its session. The asker and
    the question's followers are e-mailed once the answer is saved."""
    body = _clean_text(body)
    if not body:
        raise QuestionsError(_("Write your answer."))
    if question.moderation != Moderation.VISIBLE:
        raise QuestionsError(_("This question does not take answers now."))
    check_rate_limit(user=user, kind="answers")
    new = Answer.objects.create(
        question=question, body=body, author=user, by_mentor=is_mentor_for(user, question)
    )
    Question.objects.filter(pk=question.pk).update(answer_count=F("answer_count") + 1)
    question.refresh_from_db(fields=["answer_count"])
    _record_revision(post=new, user=user, summary=_("Answered"))
    if notify:
        from mentors.tasks_questions import notify_new_answer

        transaction.on_commit(lambda: notify_new_answer.delay(new.pk))
    return new


@transaction.atomic
def edit_answer(*, answer, user, body, summary=""):
    """Save the author's new text as a revision; None when nothing changed."""
    if not can_edit(user, answer):
        raise PermissionDenied
    body = _clean_text(body)
    if not body:
        raise QuestionsError(_("Write your answer."))
    if answer.body == body:
        return None
    answer.body = body
    answer.save(update_fields=["body", "updated_at"])
    return _record_revision(post=answer, user=user, summary=summary or _("Edited"))


@transaction.atomic
def comment_on_answer(*, answer, user, body):
    body = _clean_text(body)
    if not body:
        raise QuestionsError(_("Write your comment."))
    if len(body) > MAX_COMMENT_LENGTH:
        raise QuestionsError(_("The comment is too long."))
    if answer.moderation != Moderation.VISIBLE or (
        answer.question.moderation != Moderation.VISIBLE
    ):
        raise QuestionsError(_("This answer does not take comments now."))
    check_rate_limit(user=user, kind="comments")
    return AnswerComment.objects.create(answer=answer, author=user, body=body)


# Votes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class VoteResult:
    """The voter's vote after the action (+1, −1, or 0 for none) and the post's score."""

    value: int
    score: int


@transaction.atomic
def vote(*, user, question=None, answer=None, value):
    """Vote a question or an answer up (+1) or down (−1).

    One vote per user and post: another value replaces the vote, the same value again
    withdraws it. Nobody votes on their own post. The post's row is locked while its
    vote and score change, so that the score is the exact sum of its votes."""
    if (question is None) == (answer is None):
        raise ValueError("Vote on exactly one question or answer.")
    value = int(value)
    if value not in (1, -1):
        raise QuestionsError(_("A vote is up or down."))
    post = question if question is not None else answer
    model = type(post)
    post = model.objects.select_for_update().get(pk=post.pk)
    if post.author_id == user.pk:
        raise QuestionsError(_("You cannot vote on your own post."))
    if post.moderation != Moderation.VISIBLE or (
        isinstance(post, Answer) and post.question.moderation != Moderation.VISIBLE
    ):
        raise QuestionsError(_("This post cannot be voted on now."))
    target = {"question": post} if isinstance(post, Question) else {"answer": post}
    existing = Vote.objects.filter(user=user, **target).first()
    if existing is None:
        Vote.objects.create(user=user, value=value, **target)
        delta, now_value = value, value
    elif existing.value == value:
        existing.delete()
        delta, now_value = -value, 0
    else:
        delta, now_value = value - existing.value, value
        existing.value = value
        existing.save(update_fields=["value", "created_at"])
    model.objects.filter(pk=post.pk).update(score=F("score") + delta)
    score = model.objects.values_list("score", flat=True).get(pk=post.pk)
    return VoteResult(value=now_value, score=score)


def votes_of(user, *, questions=(), answers=()):
    """``{("question"|"answer", pk): value}`` of the user's votes on these posts."""
    if user is None or not user.is_authenticated:
        return {}
    question_ids = [q.pk for q in questions]
    answer_ids = [a.pk for a in answers]
    votes = Vote.objects.filter(user=user).filter(
        Q(question_id__in=question_ids) | Q(answer_id__in=answer_ids)
    )
    result = {}
    for question_id, answer_id, value in votes.values_list("question_id", "answer_id", "value"):
        if question_id:
            result[("question", question_id)] = value
        else:
            result[("answer", answer_id)] = value
    return result


# Accepting ------------------------------------------------------------------------------


@transaction.atomic
def accept(*, question, answer, by):
    """Mark ``answer`` as the accepted answer of ``question``: only the asker or a
    mentor of one of its themes (or of its session) may. A question has one accepted
    answer: accepting another replaces it."""
    if answer.question_id != question.pk:
        raise QuestionsError(_("This answer belongs to another question."))
    if not can_accept(by, question):
        raise PermissionDenied
    if answer.moderation != Moderation.VISIBLE or question.moderation != Moderation.VISIBLE:
        raise QuestionsError(_("Only visible answers can be accepted."))
    Question.objects.select_for_update().filter(pk=question.pk).first()
    Question.objects.filter(pk=question.pk).update(accepted_answer=answer)
    question.accepted_answer = answer
    return question


# Lists ----------------------------------------------------------------------------------

SORTS = ("newest", "votes", "unanswered")


def question_list(*, sort="newest", theme=None, session=None):
    """Visible questions for the list page, with what each row shows loaded at once."""
    questions = visible_questions().select_related("author", "session").prefetch_related("themes")
    if theme is not None:
        questions = questions.filter(themes=theme)
    if session is not None:
        questions = questions.filter(session=session)
    if sort == "votes":
        return questions.order_by("-score", "-created_at", "-pk")
    if sort == "unanswered":
        return questions.filter(answer_count=0).order_by("-created_at", "-pk")
    return questions.order_by("-created_at", "-pk")


def answers_for_page(question, user, *, moderator=None):
    """The question's answers as its page shows them: the accepted one first, then by
    score, then oldest first; visible ones for everyone, hidden ones also for those
    who may see them (``moderator``: whether ``user`` reviews flags, when already
    known). Authors and comments are loaded at once."""
    answers = question.answers.select_related("author").prefetch_related(
        Prefetch("comments", queryset=AnswerComment.objects.select_related("author"))
    )
    signed_in = user is not None and user.is_authenticated
    if not (signed_in and user.is_staff):
        shown = Q(moderation=Moderation.VISIBLE)
        if signed_in:
            shown |= Q(author=user)
            if moderator is None:
                moderator = can_moderate(user)
            if moderator:
                shown |= Q(moderation=Moderation.HIDDEN)
        answers = answers.filter(shown)
    accepted = question.accepted_answer_id or 0
    return answers.annotate(
        is_accepted=Case(
            When(pk=accepted, then=Value(1)), default=Value(0), output_field=IntegerField()
        )
    ).order_by("-is_accepted", "-score", "created_at", "pk")


def session_questions(session):
    """The visible questions linked to a session, by score then newest: the live list."""
    return list(
        visible_questions().filter(session=session).order_by("-score", "-created_at", "-pk")
    )


# Follows and notifications -----------------------------------------------------------


def follow_question(*, user, question):
    return thinktank_services.follow(user=user, entry=question)


def unfollow_question(*, user, question):
    return thinktank_services.unfollow(user=user, entry=question)


def is_following(*, user, question):
    return thinktank_services.is_following(user=user, entry=question)


def recipients_of_new_answer(answer):
    """The asker and the question's followers, active and with an address, who did not
    turn their e-mail off; never the answer's own author. Ordered by id."""
    question = answer.question
    content_type = ContentType.objects.get_for_model(Question)
    followers = Follow.objects.filter(content_type=content_type, object_id=question.pk)
    muted = NotificationSettings.objects.filter(email_enabled=False)
    users = (
        get_user_model()
        .objects.filter(Q(pk__in=followers.values("user_id")) | Q(pk=question.author_id or 0))
        .filter(is_active=True)
        .exclude(email="")
        .exclude(pk__in=muted.values("user_id"))
    )
    if answer.author_id:
        users = users.exclude(pk=answer.author_id)
    return users.order_by("pk")


def send_new_answer_emails(*, answer, base_url=None):
    """E-mail each recipient once about a new visible answer; returns how many."""
    if answer.moderation != Moderation.VISIBLE or (
        answer.question.moderation != Moderation.VISIBLE
    ):
        return 0
    recipients = list(recipients_of_new_answer(answer))
    if not recipients:
        return 0
    base_url = (base_url or getattr(settings, "SITE_URL", "http://127.0.0.1:8000")).rstrip("/")
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "answer": answer,
            "question": answer.question,
            "answer_author": answer.author.get_full_name() if answer.author else "",
            "answer_url": base_url + answer.get_absolute_url(),
            "question_url": base_url + answer.question.get_absolute_url(),
        }
        subject = " ".join(
            render_to_string("mentors/questions/emails/new_answer_subject.txt", context).split()
        )
        body = render_to_string("mentors/questions/emails/new_answer_body.txt", context)
    messages = [(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]) for user in recipients]
    return send_mass_mail(messages, fail_silently=False)


def send_new_answer_emails_by_id(answer_id):
    """Entry point for the Celery task."""
    found = Answer.objects.select_related("question", "author").filter(pk=answer_id).first()
    return send_new_answer_emails(answer=found) if found else 0


# Community moderation ----------------------------------------------------------------


def flag_post(*, post, user, reason, comment="", organisation=None):
    """Flag a question or an answer into the think tank's community moderation: open
    flags from three different organisations hide it until it is reviewed. The flag
    counts for ``organisation`` (one of the user's verified organisations; their first
    by default; a flag of someone without one is recorded but counts for none)."""
    if organisation is None:
        organisation = verified_organisations_of(user).first()
    try:
        return thinktank_services.flag_entry(
            entry=post, user=user, organisation=organisation, reason=reason, comment=comment
        )
    except thinktank_services.ThinktankError as error:
        raise QuestionsError(*error.args) from None


def refresh_answer_count(question_id):
    """Set a question's ``answer_count`` to its number of visible answers."""
    visible = Answer.objects.filter(question_id=question_id, moderation=Moderation.VISIBLE)
    Question.objects.filter(pk=question_id).update(answer_count=visible.count())


def on_moderation_action(sender, instance, created, **kwargs):
    """Receiver of the think tank's ``ModerationAction`` saves (connected in
    ``MentorsConfig.ready``): when an answer is hidden, removed or restored, its
    question's count of answers follows; when a question is, its answers' entries in
    the search index follow."""
    if not created or kwargs.get("raw"):
        return
    model = ContentType.objects.get_for_id(instance.content_type_id).model_class()
    if model is Answer:
        question_id = Answer.objects.filter(pk=instance.object_id).values("question_id")
        for row in question_id:
            refresh_answer_count(row["question_id"])
    elif model is Question:
        from mentors.search_indexes import reindex_answers_of

        reindex_answers_of(instance.object_id)
