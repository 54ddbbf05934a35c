"""Open syndication: RSS and Atom for news and articles, iCalendar for events."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from thinktank.models import Article, Event, NewsItem
from thinktank.richtext import plain_text, render_markdown

FEED_SIZE = 30


class EntryFeed(Feed):
    """Links are absolute on the request's own host (not the Sites framework's domain):
    serve it through ``feed_view``, which makes one instance per request."""

    model = None
    section = ""
    request = None

    def __call__(self, request, *args, **kwargs):
        self.request = request
        return super().__call__(request, *args, **kwargs)

    def link(self):
        return self.request.build_absolute_uri(reverse(f"thinktank:{self.section}-list"))

    def feed_url(self):
        return self.request.build_absolute_uri()

    def item_link(self, item):
        return self.request.build_absolute_uri(item.get_absolute_url())

    def items(self):
        return self.model.objects.published().with_relations()[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return str(render_markdown(item.body)) or item.summary

    def item_pubdate(self, item):
        return item.publish_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        if item.author and item.author.get_full_name():
            return f"{item.author.get_full_name()} ({item.organisation.name})"
        return item.organisation.name

    def item_categories(self, item):
        return [str(item.get_theme_display())] if item.theme else []


class NewsFeed(EntryFeed):
    model = NewsItem
    section = "news"
    title = _("News of the Cooperative Society")
    description = _("Joint actions, initiatives, announcements and Monday-meeting reports.")


class ArticlesFeed(EntryFeed):
    model = Article
    section = "articles"
    title = _("Opinion articles of the Cooperative Society")
    description = _("Signed opinion pieces by members of the network.")


class AtomMixin:
    feed_type = Atom1Feed

    def subtitle(self):
        return self.description


class NewsAtomFeed(AtomMixin, NewsFeed):
    pass


class ArticlesAtomFeed(AtomMixin, ArticlesFeed):
    pass


def feed_view(feed_class):
    """A view serving ``feed_class`` with a fresh instance per request."""

    def view(request, *args, **kwargs):
        return feed_class()(request, *args, **kwargs)

    return view


def events_calendar(request):
    """All published events, past and upcoming, as an iCalendar file."""
    calendar = Calendar()
    calendar.add("prodid", "-//Cooperative Society//coopsociety.gr//EL")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", str(_("Cooperative Society: events")))
    calendar.add("x-wr-timezone", settings.TIME_ZONE)
    events = Event.objects.published().with_relations().order_by("starts_at")
    for event in events:
        item = CalendarEvent()
        item.add("uid", f"thinktank-event-{event.pk}@coopsociety.gr")
        item.add("summary", event.title)
        item.add("dtstart", event.starts_at)
        item.add("dtend", event.ends_at or event.starts_at)
        item.add("dtstamp", event.updated_at or timezone.now())
        item.add("description", event.summary or plain_text(event.body, 1000))
        if event.place:
            item.add("location", event.place)
        elif event.online_url:
            item.add("location", event.online_url)
        item.add("url", request.build_absolute_uri(event.get_absolute_url()))
        item.add("organizer", f"mailto:{settings.DEFAULT_FROM_EMAIL.split('<')[-1].rstrip('>')}",
                 parameters={"cn": event.organisation.name})  # fmt: skip
        calendar.add_component(item)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="coopsociety-events.ics"'
    return response
