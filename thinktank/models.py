"""The think tank's content: six sections of wiki-like entries, and what every entry shares.

Every section model subclasses ``Entry``: written in Markdown, owned by an organisation,
optionally open for editing by the whole network, versioned by ``Revision`` rows,
flagged and moderated by the community, softly deleted and restorable.
"""

import math
import re

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mentors.themes import THEMES

THEME_CHOICES = [(slug, title) for slug, title, _subtopics in THEMES]
WORDS_PER_MINUTE = 200


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Moderation(models.TextChoices):
    VISIBLE = "visible", _("Visible")
    HIDDEN = "hidden", _("Hidden pending review")
    REMOVED = "removed", _("Removed after review")


class EntryQuerySet(models.QuerySet):
    def not_deleted(self):
        return self.filter(deleted_at__isnull=True)

    def published(self, now=None):
        """What every visitor may read: published, due, not deleted, not hidden."""
        return self.filter(
            status=Status.PUBLISHED,
            publish_at__lte=now or timezone.now(),
            deleted_at__isnull=True,
            moderation=Moderation.VISIBLE,
        )

    def with_relations(self):
        return self.select_related("organisation", "author")


class Entry(models.Model):
    """What every think-tank entry shares. ``section`` names its URL prefix."""

    section = ""
    # Fields kept in every revision; a section adds its own in ``extra_revision_fields``.
    base_revision_fields = (
        "title", "summary", "body", "theme", "status", "publish_at", "open_for_editing",
    )  # fmt: skip
    extra_revision_fields = ()

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    summary = models.CharField(
        _("summary"), max_length=400, blank=True, help_text=_("One or two plain sentences.")
    )
    body = models.TextField(_("text"), blank=True, help_text=_("Written in Markdown."))
    organisation = models.ForeignKey(
        "partner.Partner",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("organisation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    theme = models.CharField(_("theme"), max_length=80, blank=True, choices=THEME_CHOICES)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PUBLISHED
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        default=timezone.now,
        help_text=_("A future date schedules the publication."),
    )
    open_for_editing = models.BooleanField(
        _("open for editing by the whole network"),
        default=False,
        help_text=_("Members of every verified organisation may then improve it."),
    )
    moderation = models.CharField(
        _("moderation"), max_length=10, choices=Moderation.choices, default=Moderation.VISIBLE
    )
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = EntryQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-publish_at", "-pk"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(f"thinktank:{self.section}-detail", kwargs={"slug": self.slug})

    def url_for(self, action):
        """URL of one of the entry's pages: edit, history, diff, flag, delete, restore…"""
        return reverse(f"thinktank:{self.section}-{action}", kwargs={"slug": self.slug})

    @classmethod
    def revision_fields(cls):
        return cls.base_revision_fields + cls.extra_revision_fields

    @property
    def is_published(self):
        return (
            self.status == Status.PUBLISHED
            and self.publish_at <= timezone.now()
            and self.deleted_at is None
            and self.moderation == Moderation.VISIBLE
        )

    @property
    def is_scheduled(self):
        return self.status == Status.PUBLISHED and self.publish_at > timezone.now()


class GenericTarget(models.Model):
    """A row about one think-tank entry of any section."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveIntegerField()
    target = GenericForeignKey("content_type", "object_id")

    class Meta:
        abstract = True


# Sections ----------------------------------------------------------------------------


class NewsItem(Entry):
    section = "news"
    extra_revision_fields = ("kind", "meeting_date", "minutes")

    class Kind(models.TextChoices):
        JOINT_ACTION = "joint_action", _("Joint action")
        INITIATIVE = "initiative", _("Initiative")
        PRINCIPLE = "principle", _("Principle")
        ANNOUNCEMENT = "announcement", _("Announcement")
        PRESS_RELEASE = "press_release", _("Press release")
        MEETING_REPORT = "meeting_report", _("Monday-meeting report")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    meeting_date = models.DateField(_("meeting date"), null=True, blank=True)
    minutes = models.TextField(_("minutes"), blank=True, help_text=_("Written in Markdown."))

    class Meta(Entry.Meta):
        verbose_name = _("news item")
        verbose_name_plural = _("news")
        indexes = [
            models.Index(fields=["status", "moderation", "publish_at"]),
            models.Index(fields=["theme", "publish_at"]),
            models.Index(fields=["kind", "publish_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="meeting_report") | Q(meeting_date__isnull=False),
                name="news_meeting_report_has_date",
            )
        ]


class Article(Entry):
    section = "articles"

    class Meta(Entry.Meta):
        verbose_name = _("opinion article")
        verbose_name_plural = _("opinion articles")
        indexes = [
            models.Index(fields=["status", "moderation", "publish_at"]),
            models.Index(fields=["theme", "publish_at"]),
        ]

    @property
    def reading_minutes(self):
        words = len(re.findall(r"\w+", self.body))
        return max(1, math.ceil(words / WORDS_PER_MINUTE))


class Document(Entry):
    section = "library"
    extra_revision_fields = ("kind", "law_number", "gazette_reference", "law_date", "file")

    class Kind(models.TextChoices):
        STUDY = "study", _("Study")
        TEMPLATE = "template", _("Standard or template")
        LEGISLATION = "legislation", _("Legislation")
        REPORT = "report", _("Report")
        OTHER = "other", _("Other")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    file = models.FileField(_("file"), upload_to="library/%Y/%m/", max_length=255)
    file_type = models.CharField(_("file type"), max_length=8, editable=False)
    file_size = models.PositiveBigIntegerField(_("file size"), default=0, editable=False)
    extracted_text = models.TextField(_("text of the file"), blank=True, editable=False)
    law_number = models.CharField(_("law number"), max_length=40, blank=True)
    gazette_reference = models.CharField(
        _("Government Gazette (ΦΕΚ)"),
        max_length=60,
        blank=True,
        help_text=_("For example ΦΕΚ Α' 220/17.11.2016."),
    )
    law_date = models.DateField(_("date of the law"), null=True, blank=True)

    class Meta(Entry.Meta):
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        indexes = [
            models.Index(fields=["status", "moderation", "publish_at"]),
            models.Index(fields=["theme", "publish_at"]),
            models.Index(fields=["kind", "publish_at"]),
        ]


class Event(Entry):
    section = "events"
    extra_revision_fields = ("starts_at", "ends_at", "place", "online_url", "registration_url")

    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200, blank=True)
    online_url = models.URLField(_("online link"), blank=True)
    registration_url = models.URLField(_("registration link"), blank=True)

    class Meta(Entry.Meta):
        ordering = ["starts_at", "pk"]
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            models.Index(fields=["status", "moderation", "starts_at"]),
            models.Index(fields=["theme", "starts_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gte=models.F("starts_at")),
                name="event_ends_after_start",
            )
        ]

    @property
    def is_past(self):
        return (self.ends_at or self.starts_at) < timezone.now()


class Video(Entry):
    section = "videos"
    extra_revision_fields = ("video_url", "event_id", "recorded_on")

    video_url = models.URLField(_("YouTube or Vimeo link"), blank=True)
    video_file = models.FileField(_("video file"), upload_to="videos/%Y/%m/", blank=True)
    event = models.ForeignKey(
        Event,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="videos",
        verbose_name=_("event"),
    )
    recorded_on = models.DateField(_("recorded on"), null=True, blank=True)

    class Meta(Entry.Meta):
        verbose_name = _("video")
        verbose_name_plural = _("videos")
        indexes = [
            models.Index(fields=["status", "moderation", "publish_at"]),
            models.Index(fields=["theme", "publish_at"]),
        ]


class Proposal(Entry):
    section = "proposals"
    extra_revision_fields = ("kind", "addressee")

    class Kind(models.TextChoices):
        PROJECT = "project", _("Project proposal")
        OPEN_LETTER = "open_letter", _("Open letter")
        INTERVENTION = "intervention", _("Intervention")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    addressee = models.CharField(_("addressed to"), max_length=200, blank=True)

    class Meta(Entry.Meta):
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        indexes = [
            models.Index(fields=["status", "moderation", "publish_at"]),
            models.Index(fields=["theme", "publish_at"]),
            models.Index(fields=["kind", "publish_at"]),
        ]


class Endorsement(models.Model):
    """An organisation co-signs a proposal; the list is public."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="endorsements")
    organisation = models.ForeignKey("partner.Partner", on_delete=models.CASCADE, related_name="+")
    endorsed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "organisation"], name="one_endorsement_per_organisation"
            )
        ]

    def __str__(self):
        return f"{self.organisation} → {self.proposal}"


class Comment(models.Model):
    """A member's comment on a proposal, in Markdown."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "partner.Partner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    body = models.TextField(_("comment"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)
    is_removed = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.author} · {self.proposal}"


# What every entry shares: history, flags, moderation log, follows -------------------


class Revision(GenericTarget):
    """One saved state of an entry: who, when, why, and the values of its fields."""

    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    organisation = models.ForeignKey(
        "partner.Partner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    summary = models.CharField(_("summary of the change"), max_length=200, blank=True)
    data = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "number"], name="revision_number_unique"
            )
        ]

    def __str__(self):
        return f"#{self.number} · {self.content_type_id}/{self.object_id}"


class FlagReason(models.TextChoices):
    SPAM = "spam", _("Spam")
    OFFENSIVE = "offensive", _("Offensive")
    OFF_TOPIC = "off_topic", _("Off-topic")
    WRONG = "wrong", _("Wrong or misleading")


class Flag(GenericTarget):
    """A signed-in user's report about an entry. Flags of three different organisations
    hide the entry until members of verified organisations review it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    organisation = models.ForeignKey(
        "partner.Partner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=12, choices=FlagReason.choices)
    comment = models.CharField(_("details"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["content_type", "object_id", "user"],
                condition=Q(resolved_at__isnull=True),
                name="one_open_flag_per_user",
            )
        ]

    def __str__(self):
        return f"{self.get_reason_display()} · {self.content_type_id}/{self.object_id}"


class ModerationAction(GenericTarget):
    """The public log of everything done to an entry's visibility."""

    class Kind(models.TextChoices):
        HIDDEN = "hidden", _("Hidden by flags of three organisations")
        RESTORED = "restored", _("Restored after review")
        REMOVED = "removed", _("Removed after review")
        DELETED = "deleted", _("Deleted")
        UNDELETED = "undeleted", _("Restored from deletion")
        REVERTED = "reverted", _("Reverted to an earlier revision")

    kind = models.CharField(max_length=12, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    organisation = models.ForeignKey(
        "partner.Partner", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    entry_title = models.CharField(max_length=200)
    note = models.CharField(_("note"), max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.entry_title}"


class Follow(models.Model):
    """A user follows a section, an organisation or one entry, and is e-mailed about it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thinktank_follows"
    )
    section = models.CharField(max_length=20, blank=True)
    organisation = models.ForeignKey(
        "partner.Partner", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    object_id = models.PositiveIntegerField(null=True, blank=True)
    target = GenericForeignKey("content_type", "object_id")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "section"],
                condition=~Q(section=""),
                name="follow_section_once",
            ),
            models.UniqueConstraint(
                fields=["user", "organisation"],
                condition=Q(organisation__isnull=False),
                name="follow_organisation_once",
            ),
            models.UniqueConstraint(
                fields=["user", "content_type", "object_id"],
                condition=Q(object_id__isnull=False),
                name="follow_entry_once",
            ),
        ]

    def __str__(self):
        return f"{self.user} → {self.section or self.organisation or self.target}"


class NotificationSettings(models.Model):
    """What a user wants to hear about from the think tank."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thinktank_notifications"
    )
    email_enabled = models.BooleanField(_("e-mail me about what I follow"), default=True)
    notify_on_revisions = models.BooleanField(
        _("also when something I follow is edited"), default=True
    )

    def __str__(self):
        return f"{self.user}"


# The network: member organisations' own sites and their feeds ------------------------


class NetworkFeed(models.Model):
    """An organisation's own site's RSS/Atom feed, fetched periodically."""

    organisation = models.OneToOneField(
        "partner.Partner", on_delete=models.CASCADE, related_name="network_feed"
    )
    url = models.URLField(_("feed address (RSS or Atom)"), max_length=500)
    is_active = models.BooleanField(default=True)
    etag = models.CharField(max_length=200, blank=True)
    modified = models.CharField(max_length=100, blank=True)
    last_fetched_at = models.DateTimeField(null=True, blank=True)
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failure_count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return self.url


class FeedPost(models.Model):
    feed = models.ForeignKey(NetworkFeed, on_delete=models.CASCADE, related_name="posts")
    guid = models.CharField(max_length=500)
    title = models.CharField(max_length=300)
    link = models.URLField(max_length=1000)
    summary = models.TextField(blank=True)
    published_at = models.DateTimeField(null=True, blank=True, db_index=True)
    fetched_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-published_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "guid"], name="feed_post_guid_unique")
        ]

    def __str__(self):
        return self.title


class FacebookPost(models.Model):
    """A post of the platform's Facebook page mirrored server-side (when a Page access
    token is configured), shown with no request to Facebook."""

    post_id = models.CharField(max_length=100, unique=True)
    message = models.TextField(blank=True)
    permalink = models.URLField(max_length=500)
    created_time = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_time"]

    def __str__(self):
        return self.permalink


ENTRY_MODELS = (NewsItem, Article, Document, Event, Video, Proposal)
ENTRY_MODEL_BY_SECTION = {model.section: model for model in ENTRY_MODELS}

# What the community moderates, by section: the think tank's entries, and what other
# apps register in their AppConfig.ready() (the MENTORS programme adds its questions and
# answers). Each model has ``title``, ``author_id``, ``moderation``, ``updated_at`` and
# ``get_absolute_url``, which is all that flags and reviews need.
MODERATED_MODELS = dict(ENTRY_MODEL_BY_SECTION)
