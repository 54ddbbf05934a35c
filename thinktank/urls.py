from django.urls import path

from thinktank import feeds
from thinktank.views import events, follows, hub, moderation, network, proposals, publications
from thinktank.views.entries import entry_urlpatterns

app_name = "thinktank"

SECTION_VIEWS = {**publications.SECTION_VIEWS, **events.SECTION_VIEWS, **proposals.SECTION_VIEWS}

urlpatterns = [
    path("", hub.HubView.as_view(), name="hub"),
    # Feeds and extra pages come before the sections' entry pages, whose slugs would
    # otherwise match them.
    path("news/feed/", feeds.feed_view(feeds.NewsFeed), name="news-feed"),
    path("news/feed/atom/", feeds.feed_view(feeds.NewsAtomFeed), name="news-atom"),
    path("articles/feed/", feeds.feed_view(feeds.ArticlesFeed), name="articles-feed"),
    path("articles/feed/atom/", feeds.feed_view(feeds.ArticlesAtomFeed), name="articles-atom"),
    path("events/calendar.ics", feeds.events_calendar, name="events-calendar"),
    *publications.urlpatterns,
    *events.urlpatterns,
    *proposals.urlpatterns,
    *moderation.urlpatterns,
    *follows.urlpatterns,
    *network.urlpatterns,
]
for _section in ("news", "articles", "library", "events", "videos", "proposals"):
    urlpatterns += entry_urlpatterns(_section, **SECTION_VIEWS.get(_section, {}))
