"""Search indexes of the MENTORS questions and answers: only what every visitor may read.

Haystack builds one schema from the fields of every index, so these indexes reuse the
think tank's stored fields exactly (``thinktank.search_indexes.EntryIndex``: the same
``tt_*`` names and types). ``tt_section`` is ``questions`` or ``answers``; ``tt_slug``
holds the question's id, from which the site search builds the link in the visitor's
language (an answer's link adds ``#answer-<id>``, its own id being the result's pk).

The searched ``text`` is folded, with its Greeklish keys (``shop.text.searchable_text``),
like the query, so that a search is accent- and case-insensitive and Greeklish finds
Greek, on Whoosh and Elasticsearch alike.

A post leaves the index as soon as it is hidden or removed by moderation (an answer
also when its question is): ``update_object`` removes what a visitor may not read.
"""

from django.urls import reverse
from haystack import indexes

from mentors.models import Answer, Moderation, Question
from shop.search_indexing import index_later
from shop.text import searchable_text
from thinktank.richtext import plain_text
from thinktank.search_indexes import SNIPPET_CHARS, EntryIndex

SECTIONS = (Question.section, Answer.section)


def _author_name(post):
    return post.author.get_full_name() if post.author else ""


class PostIndex(EntryIndex):
    """What the question and answer indexes share; not registered itself."""

    def get_updated_field(self):
        return "updated_at"

    def prepare_tt_summary(self, post):
        return plain_text(post.body, limit=SNIPPET_CHARS)

    def prepare_tt_organisation(self, post):
        return _author_name(post)

    def prepare_tt_date(self, post):
        return post.created_at


class QuestionIndex(PostIndex, indexes.Indexable):
    model = Question

    def index_queryset(self, using=None):
        return Question.objects.filter(moderation=Moderation.VISIBLE).select_related("author")

    def prepare_text(self, question):
        parts = [question.title, plain_text(question.body), _author_name(question)]
        return searchable_text(" ".join(part for part in parts if part))

    def prepare_tt_slug(self, question):
        return str(question.pk)


class AnswerIndex(PostIndex, indexes.Indexable):
    model = Answer

    def index_queryset(self, using=None):
        return Answer.objects.filter(
            moderation=Moderation.VISIBLE, question__moderation=Moderation.VISIBLE
        ).select_related("author", "question")

    def prepare_text(self, answer):
        parts = [plain_text(answer.body), _author_name(answer)]
        return searchable_text(" ".join(part for part in parts if part))

    def prepare_tt_title(self, answer):
        return answer.question.title

    def prepare_tt_slug(self, answer):
        return str(answer.question_id)


def result_url(result):
    """The link of a question or answer search result, in the active language."""
    url = reverse("mentors:question", kwargs={"pk": int(result.tt_slug)})
    if result.tt_section == Answer.section:
        url += f"#answer-{result.pk}"
    return url


def reindex_answers_of(question_id):
    """Index or unindex a question's answers after the question's visibility changed
    (through ``shop.search_indexing``: inline, or by Celery after the commit)."""
    answer_ids = Answer.objects.filter(question_id=question_id).values_list("pk", flat=True)
    index_later(Answer, list(answer_ids))


# Sessions have their own module (it builds on the think tank index); listed here, where
# haystack looks for indexes.
from mentors.session_search import SessionIndex  # noqa: E402, F401
