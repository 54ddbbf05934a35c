"""Factories of the think tank's entries, one per section.

Every factory saves through ``thinktank.services.save_entry``, as the site does, so a
created entry has its first ``Revision`` (number 1). By default an entry is published
a minute ago by a new verified organisation, with no author; pass ``organisation``,
``author`` (the member who writes it, also the revision's author), ``status``,
``publish_at``, ``moderation``, ``deleted_at``… to change that::

    news = NewsItemFactory(title="Συνέλευση", organisation=org, author=member)
    draft = ArticleFactory(status=Status.DRAFT)
    report = NewsItemFactory(kind=NewsItem.Kind.MEETING_REPORT)  # meeting_date filled in

``DocumentFactory`` stores a real small PDF (made by ``thinktank.demo_files``) whose
text is ``pdf_title`` and ``pdf_paragraphs``; ``build()`` gives unsaved entries without a
revision.

``listed_titles(response)`` reads the titles a section's list page shows, in order;
``compact_html(response)`` gives the page with no whitespace around tags, so that
tests compare markup without depending on the templates' indentation.
"""

import datetime
import functools
import html
import re

import factory
from django.core.files.base import ContentFile
from django.utils import timezone

from shop.text import slugify_greek
from tests.factories import OrganisationFactory
from thinktank import services
from thinktank.demo_files import law_pdf_bytes
from thinktank.documents import prepare_document
from thinktank.models import Article, Document, Event, NewsItem, Proposal, Status, Video


def _a_minute_ago():
    return timezone.now() - datetime.timedelta(minutes=1)


class EntryFactory(factory.django.DjangoModelFactory):
    """What every section's factory shares; saved with ``services.save_entry``."""

    class Meta:
        abstract = True

    title = factory.Sequence(lambda n: f"Καταχώριση δοκιμής {n}")
    slug = factory.LazyAttributeSequence(lambda o, n: f"{slugify_greek(o.title)[:180]}-{n}")
    summary = ""
    body = "Κείμενο της καταχώρισης."
    organisation = factory.SubFactory(OrganisationFactory, is_verified=True)
    author = None
    theme = ""
    status = Status.PUBLISHED
    publish_at = factory.LazyFunction(_a_minute_ago)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        entry = model_class(*args, **kwargs)
        cls._prepare_entry(entry)
        services.save_entry(entry=entry, user=entry.author, organisation=entry.organisation)
        return entry

    @classmethod
    def _prepare_entry(cls, entry):
        """Fill in what the section's form would, before the entry is saved."""


class NewsItemFactory(EntryFactory):
    class Meta:
        model = NewsItem

    title = factory.Sequence(lambda n: f"Νέο δοκιμής {n}")
    kind = NewsItem.Kind.ANNOUNCEMENT
    meeting_date = factory.LazyAttribute(
        lambda o: timezone.localdate() if o.kind == NewsItem.Kind.MEETING_REPORT else None
    )
    minutes = ""


class ArticleFactory(EntryFactory):
    class Meta:
        model = Article

    title = factory.Sequence(lambda n: f"Άρθρο γνώμης {n}")


@functools.lru_cache(maxsize=64)
def _pdf_bytes(title, paragraphs):
    return law_pdf_bytes(title, list(paragraphs))


class DocumentFactory(EntryFactory):
    """A library document with a real PDF; its type, size and text are read from it."""

    class Meta:
        model = Document

    class Params:
        # The PDF's text; the same text gives the same (cached) PDF, as making one
        # takes half a second.
        pdf_title = "Έγγραφο της ψηφιακής βιβλιοθήκης"
        pdf_paragraphs = ("Άρθρο 1. Σκοπός του παρόντος είναι η δοκιμή.",)

    title = factory.Sequence(lambda n: f"Έγγραφο βιβλιοθήκης {n}")
    kind = Document.Kind.STUDY
    file = factory.LazyAttribute(
        lambda o: ContentFile(
            _pdf_bytes(o.pdf_title, tuple(o.pdf_paragraphs)), name=f"{slugify_greek(o.title)}.pdf"
        )
    )

    @classmethod
    def _prepare_entry(cls, entry):
        if entry.file and not getattr(entry.file, "_committed", True):
            prepare_document(entry, entry.file.file)


class EventFactory(EntryFactory):
    class Meta:
        model = Event

    title = factory.Sequence(lambda n: f"Εκδήλωση {n}")
    starts_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    ends_at = None
    place = "Ηράκλειο, Πλατεία Ελευθερίας"


class VideoFactory(EntryFactory):
    class Meta:
        model = Video

    title = factory.Sequence(lambda n: f"Βίντεο {n}")
    video_url = "https://www.youtube.com/watch?v=dQw4w9WgXcQ"
    event = None
    recorded_on = None


class ProposalFactory(EntryFactory):
    class Meta:
        model = Proposal

    title = factory.Sequence(lambda n: f"Πρόταση {n}")
    kind = Proposal.Kind.PROJECT
    addressee = ""


_LISTED_TITLE = re.compile(r'class="entry-card__title"><a href="[^"]*">([^<]*)</a>')


def listed_titles(response):
    """The titles of the entries a section's list page shows, in their order."""
    return [html.unescape(title) for title in _LISTED_TITLE.findall(response.content.decode())]


def compact_html(response):
    r"""The page's HTML with runs of ASCII whitespace made one space and none around tags:
    ``<p>\n  Text\n</p>`` becomes ``<p>Text</p>``."""
    text = re.sub(r"[ \t\r\n\f]+", " ", response.content.decode())
    return re.sub(r" ?(<[^>]*>) ?", r"\1", text)
