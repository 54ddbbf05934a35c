"""The events section: upcoming and past events, each event's page with its videos,
and a month calendar (see thinktank/views/entries.py for the shared pages)."""

import calendar
import datetime

from django.db.models import Q
from django.http import Http404
from django.urls import path
from django.utils import timezone
from django.views.generic import TemplateView

from thinktank.models import Event
from thinktank.views.entries import EntryDetailView, EntryListView, SectionMixin

# The month calendar covers these years; other years are not found (404).
MIN_YEAR, MAX_YEAR = 1900, 2100


def _upcoming_condition(now):
    """Events not over yet: ending (or, without an end, starting) from ``now`` on."""
    return Q(ends_at__gte=now) | Q(ends_at__isnull=True, starts_at__gte=now)


def _past_condition(now):
    """Events over: ended (or, without an end, started) before ``now``."""
    return Q(ends_at__lt=now) | Q(ends_at__isnull=True, starts_at__lt=now)


class EventListView(EntryListView):
    """Upcoming events by default, soonest first; ``?when=past`` lists past ones,
    newest first. The date filters apply to the start."""

    section = "events"
    date_field = "starts_at"

    @property
    def showing_past(self):
        return self.request.GET.get("when") == "past"

    def base_queryset(self):
        queryset = super().base_queryset()
        now = timezone.now()
        if self.showing_past:
            return queryset.filter(_past_condition(now)).order_by("-starts_at", "-pk")
        return queryset.filter(_upcoming_condition(now)).order_by("starts_at", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["showing_past"] = self.showing_past
        context["item_template"] = "thinktank/events/item.html"
        return context


class EventDetailView(EntryDetailView):
    section = "events"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["videos"] = list(
            self.object.videos.published().with_relations().order_by("-publish_at", "-pk")
        )
        return context


def _month_start(year, month):
    return timezone.make_aware(datetime.datetime(year, month, 1))


def _shift_month(year, month, months):
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def _last_day(event):
    """The last calendar day an event covers; an end at midnight closes the day before."""
    starts = timezone.localtime(event.starts_at)
    if event.ends_at is None or event.ends_at <= event.starts_at:
        return starts.date()
    ends = timezone.localtime(event.ends_at)
    if ends.time() == datetime.time.min:
        return max(starts.date(), ends.date() - datetime.timedelta(days=1))
    return ends.date()


def events_by_day(events, first_day, last_day):
    """``{date: [event, …]}`` for the days from ``first_day`` to ``last_day``; an event
    lasting several days is listed on each of them."""
    days = {}
    for event in events:
        day = max(timezone.localtime(event.starts_at).date(), first_day)
        until = min(_last_day(event), last_day)
        while day <= until:
            days.setdefault(day, []).append(event)
            day += datetime.timedelta(days=1)
    return days


class EventMonthView(SectionMixin, TemplateView):
    """One month of events as an accessible table, weeks starting on Monday."""

    section = "events"
    template_suffix = "month"

    def get_month(self):
        if "year" not in self.kwargs:
            today = timezone.localdate()
            return today.year, today.month
        year, month = self.kwargs["year"], self.kwargs["month"]
        if not (MIN_YEAR <= year <= MAX_YEAR and 1 <= month <= 12):
            raise Http404
        return year, month

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        year, month = self.get_month()
        starts = _month_start(year, month)
        ends = _month_start(*_shift_month(year, month, 1))
        # One query: every published event that overlaps the month.
        events = list(
            Event.objects.published()
            .filter(starts_at__lt=ends)
            .filter(_upcoming_condition(starts))
            .only("pk", "title", "slug", "starts_at", "ends_at")
            .order_by("starts_at", "pk")
        )
        first_day = starts.date()
        last_day = (ends - datetime.timedelta(days=1)).date()
        by_day = events_by_day(events, first_day, last_day)
        today = timezone.localdate()
        weeks = [
            [
                {
                    "date": day,
                    "in_month": day.month == month,
                    "is_today": day == today,
                    "events": by_day.get(day, []) if day.month == month else [],
                }
                for day in week
            ]
            for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
        ]
        previous_year, previous_month = _shift_month(year, month, -1)
        next_year, next_month = _shift_month(year, month, 1)
        context.update(
            month_start=first_day,
            weeks=weeks,
            weekdays=[cell["date"] for cell in weeks[0]],
            event_count=len(events),
            previous_month=(
                datetime.date(previous_year, previous_month, 1)
                if previous_year >= MIN_YEAR
                else None
            ),
            next_month=datetime.date(next_year, next_month, 1) if next_year <= MAX_YEAR else None,
            current_month=datetime.date(today.year, today.month, 1),
        )
        return context


SECTION_VIEWS = {"events": {"list_view": EventListView, "detail_view": EventDetailView}}

urlpatterns = [
    path("events/month/", EventMonthView.as_view(), name="events-month"),
    path(
        "events/month/<int:year>/<int:month>/",
        EventMonthView.as_view(),
        name="events-month-detail",
    ),
]
