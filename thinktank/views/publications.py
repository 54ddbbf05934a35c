"""Section pages beyond the shared ones (see thinktank/views/entries.py): what the news,
opinion articles, digital library and videos show besides every entry's fields.

News and articles only add templates (thinktank/templates/thinktank/<section>/); the
views below give articles their related articles, library documents the label of their
file type, and videos their privacy-friendly player address and their event.
"""

from thinktank import selectors
from thinktank.documents import human_file_type
from thinktank.videos import embed_url, provider_name
from thinktank.views.entries import EntryDetailView, EntryListView

# What the click-to-load placeholder lets the video player do once loaded.
VIDEO_PLAYER_ALLOW = "encrypted-media; fullscreen; picture-in-picture"


class ArticleDetailView(EntryDetailView):
    """An article with its reading time (from the model) and related articles."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["related_articles"] = selectors.related_articles(self.object)
        return context


def _label_file_type(document):
    document.file_type_label = human_file_type(document.file_type)
    return document


class DocumentListView(EntryListView):
    """Library documents, each labelled with the type of its file ("PDF")."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for document in context["entries"]:
            _label_file_type(document)
        return context


class DocumentDetailView(EntryDetailView):
    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        _label_file_type(self.object)
        return context


class VideoListView(EntryListView):
    """Videos with the event they recorded, read in the same query."""

    def base_queryset(self):
        return super().base_queryset().select_related("event")


class VideoDetailView(EntryDetailView):
    """A video: its player address is only data for the click-to-load placeholder, and
    its event is linked only when visitors may read it."""

    def get_object(self, queryset=None):
        video = super().get_object(queryset)
        if video.event_id and not (video.event and video.event.is_published):
            video.event = None
        return video

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            embed_src=embed_url(self.object.video_url),
            video_provider=provider_name(self.object.video_url),
            video_player_allow=VIDEO_PLAYER_ALLOW,
        )
        return context


# Views that replace a shared one, by section: {"articles": {"detail_view": ArticleDetailView}}.
SECTION_VIEWS = {
    "articles": {"detail_view": ArticleDetailView},
    "library": {"list_view": DocumentListView, "detail_view": DocumentDetailView},
    "videos": {"list_view": VideoListView, "detail_view": VideoDetailView},
}

# Extra pages; they are mounted before the sections' entry pages.
urlpatterns = []
