"""The MENTORS sessions' search index: published sessions, past and upcoming.

It shares the think tank's stored ``tt_*`` fields (see thinktank.search_indexes);
``tt_slug`` holds the session's id, from which the site search builds its link.
Registered through ``mentors.search_indexes``, where haystack looks for indexes.
"""

from django.conf import settings
from django.utils import translation
from haystack import indexes

from mentors.models import Session
from shop.text import searchable_text
from thinktank.richtext import plain_text
from thinktank.search_indexes import SNIPPET_CHARS, EntryIndex

SECTION = "sessions"


def _theme_titles(theme):
    """The theme's title in every language, so that either finds its sessions."""
    titles = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            titles.append(str(theme.title))
    return titles


class SessionIndex(EntryIndex, indexes.Indexable):
    model = Session

    def index_queryset(self, using=None):
        return Session.objects.filter(is_published=True).select_related("theme", "co_organiser")

    def get_updated_field(self):
        return "updated_at"

    def prepare_text(self, session):
        parts = [
            session.title,
            *_theme_titles(session.theme),
            plain_text(session.description),
            plain_text(session.minutes),
            session.co_organiser.name if session.co_organiser else "",
        ]
        return searchable_text(" ".join(part for part in parts if part))

    def prepare_tt_summary(self, session):
        return plain_text(session.description, limit=SNIPPET_CHARS)

    def prepare_tt_organisation(self, session):
        with translation.override(settings.LANGUAGE_CODE):
            return str(session.theme.title)

    def prepare_tt_section(self, session):
        return SECTION

    def prepare_tt_slug(self, session):
        return str(session.pk)

    def prepare_tt_date(self, session):
        return session.starts_at
