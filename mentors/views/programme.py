"""The programme's pages: sessions (list and detail with the room link), themes, mentors,
seminars with their day-by-day agenda, and the iCalendar feeds."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.generic import DetailView, ListView, TemplateView

from mentors import access, calendars, selectors
from mentors.forms import SessionFilterForm
from mentors.models import CalendarToken, MentorProfile, Seminar, Theme

PAGE_SIZE = 20
# Partials written by the registration and the question-and-answer parts of the app;
# the session page includes each one once it exists.
REGISTRATION_PANEL = "mentors/registrations/session_panel.html"
SESSION_QUESTIONS = "mentors/questions/session_questions.html"


def duration_text(duration):
    """``2 hours``, ``1 hour 30 minutes``, ``45 minutes``."""
    minutes = int(duration.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(ngettext("%(count)s hour", "%(count)s hours", hours) % {"count": hours})
    if minutes or not hours:
        parts.append(
            ngettext("%(count)s minute", "%(count)s minutes", minutes) % {"count": minutes}
        )
    return " ".join(parts)


def labelled(sessions):
    """Give each session its ``duration_text`` for the templates; returns the sessions."""
    for session in sessions:
        session.duration_text = duration_text(session.duration)
    return sessions


def optional_template(name):
    """``name`` if that template exists, else None (for another part's partials)."""
    try:
        get_template(name)
    except TemplateDoesNotExist:
        return None
    return name


# Sessions -------------------------------------------------------------------------------


class SessionListView(ListView):
    """Upcoming sessions by default, soonest first; ``?when=past`` lists past ones, newest
    first. Filters: theme, seminar, region (the co-organiser's), mentor."""

    template_name = "mentors/session_list.html"
    context_object_name = "sessions"
    paginate_by = PAGE_SIZE

    @property
    def showing_past(self):
        return self.request.GET.get("when") == "past"

    def get_queryset(self):
        self.filter_form = SessionFilterForm(
            self.request.GET or None, **selectors.session_filter_choices()
        )
        return selectors.session_list(
            when="past" if self.showing_past else "upcoming", **self.filter_form.filters()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        labelled(context["sessions"])
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            filter_form=self.filter_form,
            showing_past=self.showing_past,
            filter_query=query.urlencode(),
        )
        return context


class SessionDetailView(TemplateView):
    template_name = "mentors/session_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        session = access.session_for_viewer(user, selectors.session_detail(self.kwargs["pk"]))
        session.duration_text = duration_text(session.duration)
        now = timezone.now()
        registration = selectors.user_registration(user, session)
        is_past = session.ends_at < now
        context.update(
            answered=selectors.session_answers(session) if is_past else [],
            session=session,
            mentors=list(session.mentors.all()),
            registration=registration,
            is_past=is_past,
            is_live=session.starts_at <= now <= session.ends_at,
            room_state=access.room_state(user, session, now, registration=registration),
            # The link itself reaches the template only when the gatekeeper allows it.
            room_link=session.room_link if access.can_see_room_link(user, session, now) else "",
            registration_panel=optional_template(REGISTRATION_PANEL),
            session_questions=optional_template(SESSION_QUESTIONS),
        )
        return context


# Themes, mentors, seminars --------------------------------------------------------------


class ThemeDetailView(TemplateView):
    template_name = "mentors/theme_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        theme = get_object_or_404(Theme, slug=self.kwargs["slug"])
        page = selectors.theme_page(theme)
        labelled(page["upcoming"])
        labelled(page["past"])
        context.update(theme=theme, number=theme.position, **page)
        return context


class MentorListView(ListView):
    template_name = "mentors/mentor_list.html"
    context_object_name = "mentors"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return selectors.mentor_list()


class MentorDetailView(DetailView):
    template_name = "mentors/mentor_detail.html"
    context_object_name = "mentor"

    def get_object(self, queryset=None):
        return get_object_or_404(
            MentorProfile.objects.select_related("user", "organisation"), slug=self.kwargs["slug"]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = selectors.mentor_page(self.object)
        labelled(page["upcoming"])
        labelled(page["past"])
        context.update(expertise=list(self.object.expertise.all()), **page)
        return context


class SeminarListView(ListView):
    template_name = "mentors/seminar_list.html"
    context_object_name = "seminars"
    paginate_by = PAGE_SIZE

    def get_queryset(self):
        return selectors.seminar_list()


class SeminarDetailView(DetailView):
    template_name = "mentors/seminar_detail.html"
    context_object_name = "seminar"

    def get_object(self, queryset=None):
        return get_object_or_404(Seminar, slug=self.kwargs["slug"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        agenda = selectors.seminar_agenda(self.object)
        for day in agenda:
            labelled(day["sessions"])
        context.update(agenda=agenda, co_organisers=list(self.object.co_organisers.all()))
        return context


# Calendars ------------------------------------------------------------------------------


def _ics_response(content, filename, *, private=False):
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if private:
        response["Cache-Control"] = "private, no-store"
        response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _url_for(request):
    return lambda session: request.build_absolute_uri(session.get_absolute_url())


def sessions_calendar(request):
    """Every published session, past and upcoming."""
    content = calendars.sessions_calendar(
        selectors.calendar_sessions(),
        name=_("MENTORS programme: sessions"),
        url_for=_url_for(request),
    )
    return _ics_response(content, "mentors-sessions.ics")


def theme_calendar(request, slug):
    """The published sessions of one theme."""
    theme = get_object_or_404(Theme, slug=slug)
    content = calendars.sessions_calendar(
        selectors.calendar_sessions(theme=theme),
        name=_("MENTORS programme: %(theme)s") % {"theme": theme.title},
        url_for=_url_for(request),
    )
    return _ics_response(content, f"mentors-{theme.slug}.ics")


def personal_calendar(request, token):
    """The sessions a user registered for, behind the secret address of their token."""
    owner = CalendarToken.objects.filter(token=token).select_related("user").first()
    if owner is None or not owner.user.is_active:
        raise Http404
    content = calendars.personal_calendar(
        selectors.calendar_registrations(owner.user),
        name=_("My MENTORS sessions"),
        url_for=_url_for(request),
    )
    return _ics_response(content, "my-mentors-sessions.ics", private=True)


class MyCalendarView(LoginRequiredMixin, TemplateView):
    """The signed-in user's personal feed address, and the button that replaces it."""

    template_name = "mentors/my_calendar.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        token = calendars.calendar_token_for(self.request.user)
        feed_url = self.request.build_absolute_uri(
            reverse("mentors:personal-calendar", kwargs={"token": token.token})
        )
        context.update(feed_url=feed_url, webcal_url="webcal://" + feed_url.split("://", 1)[1])
        return context

    def post(self, request, *args, **kwargs):
        calendars.reset_calendar_token(user=request.user)
        messages.success(
            request,
            _("Your calendar has a new address. The old one no longer works: subscribe again."),
        )
        return redirect("mentors:my-calendar")


urlpatterns = [
    path("sessions/", SessionListView.as_view(), name="sessions"),
    path("sessions/calendar.ics", sessions_calendar, name="sessions-calendar"),
    path("sessions/<int:pk>/", SessionDetailView.as_view(), name="session"),
    path("themes/<slug:slug>/", ThemeDetailView.as_view(), name="theme"),
    path("themes/<slug:slug>/calendar.ics", theme_calendar, name="theme-calendar"),
    path("people/", MentorListView.as_view(), name="mentor-list"),
    path("people/<slug:slug>/", MentorDetailView.as_view(), name="mentor"),
    path("seminars/", SeminarListView.as_view(), name="seminar-list"),
    path("seminars/<slug:slug>/", SeminarDetailView.as_view(), name="seminar"),
    path("calendar/", MyCalendarView.as_view(), name="my-calendar"),
    path("calendar/<str:token>.ics", personal_calendar, name="personal-calendar"),
]
