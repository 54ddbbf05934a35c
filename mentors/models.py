"""The MENTORS programme: themes, seminars of teleconference sessions, mentors,
registrations with a waitlist, and the question-and-answer space."""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentors.themes import THEMES
from shop.partner.models import Region
from shop.uploads import validate_image_file

_THEME_TEXT = {slug: (title, subtopics) for slug, title, subtopics in THEMES}
DEFAULT_DURATION = datetime.timedelta(hours=2)
ROOM_OPENS_BEFORE = datetime.timedelta(minutes=15)


class Theme(models.Model):
    """One of the founders' ten themes. Titles and sub-topics live in mentors/themes.py,
    so that they are translated like every other string."""

    slug = models.SlugField(unique=True)
    position = models.PositiveSmallIntegerField(unique=True)

    class Meta:
        ordering = ["position"]

    def __str__(self):
        return str(self.title)

    def get_absolute_url(self):
        return reverse("mentors:theme", kwargs={"slug": self.slug})

    @property
    def title(self):
        return _THEME_TEXT.get(self.slug, (self.slug, []))[0]

    @property
    def subtopics(self):
        return _THEME_TEXT.get(self.slug, (self.slug, []))[1]


class CoOrganiser(models.Model):
    """A municipality, region or regional partnership that co-organises sessions."""

    class Kind(models.TextChoices):
        MUNICIPALITY = "municipality", _("Municipality")
        REGION = "region", _("Region")
        PARTNERSHIP = "partnership", _("Regional partnership")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    region = models.CharField(_("region"), max_length=32, choices=Region.choices)
    website = models.URLField(_("website"), blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("co-organiser")
        verbose_name_plural = _("co-organisers")

    def __str__(self):
        return self.name


class MentorProfile(models.Model):
    """A person who leads sessions and whose answers are marked as a mentor's."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentor_profile"
    )
    slug = models.SlugField(unique=True)
    bio = models.TextField(_("biography"), blank=True, help_text=_("Written in Markdown."))
    organisation = models.ForeignKey(
        "partner.Partner",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("organisation"),
    )
    expertise = models.ManyToManyField(
        Theme, blank=True, related_name="mentors", verbose_name=_("expertise")
    )
    photo = models.ImageField(
        _("photo"), upload_to="mentors/%Y/", blank=True, validators=[validate_image_file]
    )

    class Meta:
        ordering = ["user__last_name", "user__first_name", "pk"]
        verbose_name = _("mentor")
        verbose_name_plural = _("mentors")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("mentors:mentor", kwargs={"slug": self.slug})

    @property
    def name(self):
        return self.user.get_full_name() or self.user.email


class Seminar(models.Model):
    """A named programme of sessions over several days."""

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(unique=True, max_length=220)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day"))
    co_organisers = models.ManyToManyField(
        CoOrganiser, blank=True, related_name="seminars", verbose_name=_("co-organisers")
    )

    class Meta:
        ordering = ["-starts_on", "pk"]
        verbose_name = _("seminar")
        verbose_name_plural = _("seminars")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="seminar_ends_after_start"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("mentors:seminar", kwargs={"slug": self.slug})


def new_jitsi_room():
    """An unguessable Jitsi Meet room name (128 bits of randomness)."""
    return "CoopSociety-" + secrets.token_urlsafe(16)


class SessionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def upcoming(self, now=None):
        return self.filter(ends_at__gte=now or timezone.now()).order_by("starts_at", "pk")

    def past(self, now=None):
        return self.filter(ends_at__lt=now or timezone.now()).order_by("-starts_at", "-pk")


class Session(models.Model):
    """A themed two-hour teleconference with named mentors."""

    class Room(models.TextChoices):
        LINK = "link", _("A link I enter (Zoom, Teams, any address)")
        JITSI = "jitsi", _("A Jitsi Meet room generated by the platform")

    seminar = models.ForeignKey(
        Seminar,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("seminar"),
    )
    theme = models.ForeignKey(
        Theme, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("theme")
    )
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, help_text=_("Markdown."))
    starts_at = models.DateTimeField(_("starts"))
    duration = models.DurationField(_("duration"), default=DEFAULT_DURATION)
    ends_at = models.DateTimeField(_("ends"), editable=False)
    mentors = models.ManyToManyField(
        MentorProfile, blank=True, related_name="sessions", verbose_name=_("mentors")
    )
    co_organiser = models.ForeignKey(
        CoOrganiser,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sessions",
        verbose_name=_("co-organised with"),
    )
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Empty: no limit.")
    )
    room_kind = models.CharField(_("room"), max_length=10, choices=Room.choices, default=Room.JITSI)
    room_url = models.URLField(_("room link"), blank=True)
    jitsi_room = models.CharField(max_length=80, default=new_jitsi_room, editable=False)
    recording_url = models.URLField(_("recording"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Markdown."))
    is_published = models.BooleanField(_("published"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        ordering = ["starts_at", "pk"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        indexes = [models.Index(fields=["is_published", "starts_at"])]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.ends_at = self.starts_at + (self.duration or DEFAULT_DURATION)
        if kwargs.get("update_fields") is not None and "starts_at" in kwargs["update_fields"]:
            kwargs["update_fields"] = {*kwargs["update_fields"], "ends_at"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("mentors:session", kwargs={"pk": self.pk})

    @property
    def room_link(self):
        """The teleconference address: the entered link, or the Jitsi Meet room."""
        if self.room_kind == self.Room.LINK:
            return self.room_url
        server = getattr(settings, "JITSI_SERVER_URL", "https://meet.jit.si").rstrip("/")
        return f"{server}/{self.jitsi_room}"

    @property
    def room_opens_at(self):
        return self.starts_at - ROOM_OPENS_BEFORE

    @property
    def is_past(self):
        return self.ends_at < timezone.now()

    @property
    def is_live(self):
        return self.starts_at - ROOM_OPENS_BEFORE <= timezone.now() <= self.ends_at


class RegistrationQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status=Registration.Status.CANCELLED)


class Registration(models.Model):
    """A person's place in a session: confirmed, on the waitlist, or cancelled."""

    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Confirmed")
        WAITLISTED = "waitlisted", _("On the waitlist")
        CANCELLED = "cancelled", _("Cancelled")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentors_registrations"
    )
    status = models.CharField(max_length=12, choices=Status.choices)
    created_at = models.DateTimeField(default=timezone.now)
    promoted_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    reminded_48h_at = models.DateTimeField(null=True, blank=True)
    reminded_1h_at = models.DateTimeField(null=True, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="one_registration_per_user")
        ]
        indexes = [models.Index(fields=["session", "status", "created_at"])]

    def __str__(self):
        return f"{self.user} · {self.session} · {self.status}"


class CalendarToken(models.Model):
    """The secret in the address of a user's personal calendar; reset to revoke it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="mentors_calendar"
    )
    token = models.CharField(max_length=64, unique=True, default=secrets.token_urlsafe)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"{self.user}"


# Questions and answers ---------------------------------------------------------------


class Moderation(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HIDDEN = "hidden", _("Hidden pending review")
    REMOVED = "removed", _("Removed after review")


class Question(models.Model):
    section = "questions"
    revision_fields_list = ("title", "body")

    title = models.CharField(_("question"), max_length=200)
    body = models.TextField(_("details"), blank=True, help_text=_("Written in Markdown."))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    themes = models.ManyToManyField(Theme, related_name="questions", verbose_name=_("themes"))
    session = models.ForeignKey(
        Session,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        verbose_name=_("session"),
    )
    accepted_answer = models.OneToOneField(
        "Answer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    score = models.IntegerField(default=0)
    answer_count = models.PositiveIntegerField(default=0)
    moderation = models.CharField(
        max_length=10, choices=Moderation.choices, default=Moderation.VISIBLE
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["moderation", "created_at"]),
            models.Index(fields=["moderation", "score"]),
            models.Index(fields=["moderation", "answer_count"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("mentors:question", kwargs={"pk": self.pk})

    @classmethod
    def revision_fields(cls):
        return cls.revision_fields_list


class Answer(models.Model):
    section = "answers"
    revision_fields_list = ("body",)

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    body = models.TextField(_("answer"), help_text=_("Written in Markdown."))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    by_mentor = models.BooleanField(default=False)
    score = models.IntegerField(default=0)
    moderation = models.CharField(
        max_length=10, choices=Moderation.choices, default=Moderation.VISIBLE
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-score", "created_at", "pk"]

    def __str__(self):
        return f"{self.question} · {self.pk}"

    def get_absolute_url(self):
        return f"{self.question.get_absolute_url()}#answer-{self.pk}"

    @classmethod
    def revision_fields(cls):
        return cls.revision_fields_list

    @property
    def title(self):
        return self.question.title


class AnswerComment(models.Model):
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=2000)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.answer_id} · {self.pk}"


class Vote(models.Model):
    """One user's up (+1) or down (−1) vote on a question or an answer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    value = models.SmallIntegerField(choices=[(1, "+1"), (-1, "-1")])
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(question__isnull=False) & Q(answer__isnull=True))
                | (Q(question__isnull=True) & Q(answer__isnull=False)),
                name="vote_on_exactly_one_post",
            ),
            models.UniqueConstraint(
                fields=["user", "question"],
                condition=Q(question__isnull=False),
                name="one_vote_per_question",
            ),
            models.UniqueConstraint(
                fields=["user", "answer"],
                condition=Q(answer__isnull=False),
                name="one_vote_per_answer",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} {self.value:+d}"
