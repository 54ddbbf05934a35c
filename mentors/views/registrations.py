"""Registration for sessions and seminars, the account's registrations, and the
attendee list (page and CSV) of a session for its mentors and staff."""

import csv
import io

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views import View
from django.views.generic import TemplateView

from mentors import access
from mentors.models import Registration, Seminar, Session
from mentors.services import registrations as services

Status = Registration.Status
# A spreadsheet program reads a cell starting with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _safe_next(request, default):
    """The posted ``next`` address when it is on this site, else ``default``."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _registration_message(registration):
    if registration.status == Status.CONFIRMED:
        return _("Your place is confirmed. We sent you an e-mail with the calendar file.")
    return _(
        "The session is full: you are on the waitlist. We will e-mail you if a place opens up."
    )


class SessionRegisterView(View):
    """POST: register the signed-in user for a session (anonymous: to the login page)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        session = get_object_or_404(Session.objects.published(), pk=pk)
        session_url = session.get_absolute_url()
        if not request.user.is_authenticated:
            return redirect_to_login(session_url)
        try:
            registration = services.register(session=session, user=request.user)
        except services.RegistrationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _registration_message(registration))
        return redirect(_safe_next(request, session_url))


class SeminarRegisterView(View):
    """POST: register the signed-in user for every upcoming session of a seminar."""

    http_method_names = ["post"]

    def post(self, request, slug):
        seminar = get_object_or_404(Seminar, slug=slug)
        seminar_url = seminar.get_absolute_url()
        if not request.user.is_authenticated:
            return redirect_to_login(seminar_url)
        try:
            created = services.register_for_seminar(seminar=seminar, user=request.user)
        except services.RegistrationError as error:
            messages.error(request, str(error))
            return redirect(_safe_next(request, seminar_url))
        if not created:
            messages.info(request, _("You were already registered for every upcoming session."))
        else:
            confirmed = sum(1 for item in created if item.status == Status.CONFIRMED)
            waitlisted = len(created) - confirmed
            text = ngettext(
                "You registered for %(count)s session.",
                "You registered for %(count)s sessions.",
                len(created),
            ) % {"count": len(created)}
            if waitlisted:
                text += " " + ngettext(
                    "%(count)s of them is full: you are on its waitlist.",
                    "%(count)s of them are full: you are on their waitlists.",
                    waitlisted,
                ) % {"count": waitlisted}
            messages.success(request, text)
        return redirect(_safe_next(request, seminar_url))


class RegistrationCancelView(LoginRequiredMixin, View):
    """POST: cancel one of the user's own registrations (anyone else's: 404)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        registration = get_object_or_404(
            Registration.objects.select_related("session"), pk=pk, user=request.user
        )
        try:
            services.cancel(registration=registration, by=request.user)
        except services.RegistrationError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your registration is cancelled."))
        return redirect(_safe_next(request, reverse("mentors:my-registrations")))


class MyRegistrationsView(LoginRequiredMixin, TemplateView):
    """The account's registrations: upcoming ones (with cancel buttons), then past ones."""

    template_name = "mentors/registrations/my_registrations.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        now = timezone.now()
        rows = list(services.registrations_of_user(self.request.user))
        context["upcoming"] = [
            row for row in rows if row.session.ends_at >= now and row.status != Status.CANCELLED
        ]
        context["past"] = [
            row
            for row in reversed(rows)
            if row.session.ends_at < now and row.status != Status.CANCELLED
        ]
        return context


class AttendeesMixin(LoginRequiredMixin):
    """The session, for its mentors and platform staff only (anyone else: 403)."""

    def get_session(self):
        session = get_object_or_404(Session.objects.select_related("theme"), pk=self.kwargs["pk"])
        if not services.can_see_attendees(self.request.user, session):
            raise PermissionDenied
        return access.session_for_viewer(self.request.user, session)


class AttendeesView(AttendeesMixin, TemplateView):
    template_name = "mentors/registrations/attendees.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = self.get_session()
        rows = list(services.attendees(session))
        context["session"] = session
        context["confirmed"] = [row for row in rows if row.status == Status.CONFIRMED]
        context["waitlisted"] = [row for row in rows if row.status == Status.WAITLISTED]
        context["seats_left"] = services.seats_left(session, confirmed=len(context["confirmed"]))
        return context


def _cell(value):
    """A CSV cell that a spreadsheet program shows as text, never runs as a formula."""
    text = str(value)
    if text.startswith(FORMULA_PREFIXES):
        return "'" + text
    return text


def _organisations(user):
    return "; ".join(sorted(partner.name for partner in user.partners.all()))


def _local_time(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


class AttendeesCsvView(AttendeesMixin, View):
    """The attendee list as UTF-8 CSV with a byte-order mark (spreadsheet programs then
    read Greek correctly); registration times are Greek time."""

    def get(self, request, pk):
        session = self.get_session()
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(
            [_("Status"), _("Name"), _("E-mail"), _("Organisations"), _("Registered at")]
        )
        for row in services.attendees(session):
            writer.writerow(
                [
                    _cell(value)
                    for value in (
                        row.get_status_display(),
                        row.user.get_full_name(),
                        row.user.email,
                        _organisations(row.user),
                        _local_time(row.created_at),
                    )
                ]
            )
        response = HttpResponse(
            ("\ufeff" + buffer.getvalue()).encode("utf-8"), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = (
            f'attachment; filename="session-{session.pk}-attendees.csv"'
        )
        return response


urlpatterns = [
    path("sessions/<int:pk>/register/", SessionRegisterView.as_view(), name="session-register"),
    path("seminars/<slug:slug>/register/", SeminarRegisterView.as_view(),
         name="seminar-register"),
    path("registrations/<int:pk>/cancel/", RegistrationCancelView.as_view(),
         name="registration-cancel"),
    path("registrations/", MyRegistrationsView.as_view(), name="my-registrations"),
    path("sessions/<int:pk>/attendees/", AttendeesView.as_view(), name="session-attendees"),
    path("sessions/<int:pk>/attendees.csv", AttendeesCsvView.as_view(),
         name="session-attendees-csv"),
]  # fmt: skip
