"""Search indexes of the think tank's six sections: only what every visitor may read.

Each index holds one document per published entry. Its ``text`` is the entry's words
(title, summary, body as plain text, organisation name and what the section adds)
folded and followed by its Greeklish keys (``shop.text.searchable_text``), so that a
search is accent- and case-insensitive and finds Greek by Greeklish, on Whoosh and
Elasticsearch alike: the site search folds the query the same way.

Haystack builds one schema out of the fields of every index, products included, and
the first index to name a field decides its type. Our stored fields therefore all
carry a ``tt_`` prefix (the product index has ``title`` as an edge n-gram field, for
instance) and share the same names and types across the six indexes.

An entry leaves the index as soon as it stops being published (draft, deleted,
hidden or removed by moderation): ``update_object`` removes it instead of updating
it. A scheduled entry (``publish_at`` in the future) is not indexed when saved; it
becomes searchable when the index is updated after its time, for example by
``manage.py update_index thinktank --age=1`` run every hour: the ``--age`` filter
looks at ``publish_at`` (see ``get_updated_field``), which picks exactly the entries
that came due in that hour, while every edit is indexed as it is saved
(see ``thinktank.receivers``).

URLs are not stored: a stored URL would carry the language of whoever saved the
entry; the site search builds them from ``tt_section`` and ``tt_slug`` in the
visitor's language.
"""

from haystack import indexes

from shop.text import searchable_text
from thinktank.models import Article, Document, Event, NewsItem, Proposal, Video
from thinktank.richtext import plain_text

SNIPPET_CHARS = 300


class EntryIndex(indexes.SearchIndex):
    """What the six section indexes share; not registered itself (not Indexable)."""

    text = indexes.CharField(document=True)
    tt_title = indexes.CharField(model_attr="title")
    tt_summary = indexes.CharField(indexed=False)
    tt_organisation = indexes.CharField(indexed=False)
    tt_section = indexes.CharField()
    tt_slug = indexes.CharField(indexed=False)
    tt_date = indexes.DateTimeField()

    model = None

    def get_model(self):
        return self.model

    def index_queryset(self, using=None):
        return self.get_model().objects.published().select_related("organisation")

    def get_updated_field(self):
        # Used only by ``update_index --age/--start/--end``: saves are indexed at once,
        # so what an hourly update has to catch is entries whose scheduled time came.
        return "publish_at"

    def update_object(self, instance, using=None, **kwargs):
        """Index the entry if every visitor may read it; otherwise take it out."""
        if self.index_queryset(using).filter(pk=instance.pk).exists():
            return super().update_object(instance, using=using, **kwargs)
        return self.remove_object(instance, using=using, **kwargs)

    # What is searched ------------------------------------------------------------------

    def extra_text(self, entry):
        """Section-specific words added to the searched text."""
        return []

    def prepare_text(self, entry):
        parts = [
            entry.title,
            entry.summary,
            plain_text(entry.body),
            entry.organisation.name,
            *self.extra_text(entry),
        ]
        return searchable_text(" ".join(part for part in parts if part))

    # What a result shows ---------------------------------------------------------------

    def prepare_tt_summary(self, entry):
        return entry.summary or plain_text(entry.body, limit=SNIPPET_CHARS)

    def prepare_tt_organisation(self, entry):
        return entry.organisation.name

    def prepare_tt_section(self, entry):
        return entry.section

    def prepare_tt_slug(self, entry):
        return entry.slug

    def prepare_tt_date(self, entry):
        return entry.publish_at


class NewsItemIndex(EntryIndex, indexes.Indexable):
    model = NewsItem

    def extra_text(self, entry):
        return [plain_text(entry.minutes)]


class ArticleIndex(EntryIndex, indexes.Indexable):
    model = Article


class DocumentIndex(EntryIndex, indexes.Indexable):
    model = Document

    def extra_text(self, entry):
        return [entry.law_number, entry.gazette_reference, entry.extracted_text]


class EventIndex(EntryIndex, indexes.Indexable):
    model = Event

    def extra_text(self, entry):
        return [entry.place]

    def prepare_tt_date(self, entry):
        return entry.starts_at


class VideoIndex(EntryIndex, indexes.Indexable):
    model = Video


class ProposalIndex(EntryIndex, indexes.Indexable):
    model = Proposal

    def extra_text(self, entry):
        return [entry.addressee]
