import datetime
import json

from django.db.models import Case, Exists, OuterRef, Q, Value, When
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from oscar.core.loading import get_model

from thinktank.models import ENTRY_MODEL_BY_SECTION, Article, Event
from thinktank.richtext import plain_text

Partner = get_model("partner", "Partner")

# The founders' sections of the think tank, in their order (see MISSION.md).
SECTIONS = [
    ("news", _("News of the Cooperative Society"),
     _("Joint actions and initiatives, principles, announcements, press releases and "
       "reports from the Monday meetings.")),
    ("articles", _("Opinion articles"), _("Signed opinion pieces by members of the network.")),
    ("library", _("Digital library"),
     _("Studies, standards and templates, legislation and other documents.")),
    ("events", _("Upcoming actions and events"),
     _("Initiatives and events of the member organisations.")),
    ("videos", _("Videos of past events"), _("Recordings of earlier events.")),
    ("proposals", _("Proposals and interventions"),
     _("Project proposals, open letters and interventions.")),
    ("facebook", _("Live feed from Facebook"), _("The platform's Facebook page.")),
    ("network", _("Cooperating sites"),
     _("The member organisations of the network and their own sites.")),
]  # fmt: skip
_SECTION_BY_KEY = {key: (title, description) for key, title, description in SECTIONS}


def _section_url(key):
    if key in ENTRY_MODEL_BY_SECTION:
        return reverse(f"thinktank:{key}-list")
    if key == "network":
        return reverse("thinktank:network")
    return reverse("thinktank:hub") + f"#{key}"


def section_info(key):
    title, description = _SECTION_BY_KEY[key]
    return {"key": key, "title": title, "description": description, "url": _section_url(key)}


def thinktank_sections():
    """The think tank's sections, in the founders' order, each with its page's URL."""
    return [section_info(key) for key, _title, _description in SECTIONS]


def organisations_with_entries(model):
    """Organisations that have published something in a section (for its filter)."""
    published = model.objects.published().filter(organisation=OuterRef("pk"))
    return Partner.objects.filter(Exists(published)).only("pk", "name", "code").order_by("name")


def filter_entries(queryset, *, date_field="publish_at", organisation="", theme="",
                   date_from=None, date_to=None, kind=""):  # fmt: skip
    if organisation:
        queryset = queryset.filter(organisation__code=organisation)
    if theme:
        queryset = queryset.filter(theme=theme)
    if kind:
        queryset = queryset.filter(kind=kind)
    if date_from:
        queryset = queryset.filter(**{f"{date_field}__date__gte": date_from})
    if date_to:
        queryset = queryset.filter(**{f"{date_field}__date__lte": date_to})
    return queryset


def latest(model, limit=3):
    return list(model.objects.published().with_relations()[:limit])


def upcoming_events(limit=3, now=None):
    now = now or timezone.now()
    return list(
        Event.objects.published()
        .with_relations()
        .filter(starts_at__gte=now - datetime.timedelta(hours=12))
        .order_by("starts_at")[:limit]
    )


def related_articles(article, limit=3):
    """Other articles on the same theme, then of the same organisation, newest first in
    each group: one query."""
    others = Article.objects.published().with_relations().exclude(pk=article.pk)
    same_organisation = Q(organisation_id=article.organisation_id)
    if not article.theme:
        return list(others.filter(same_organisation)[:limit])
    same_theme_first = Case(When(theme=article.theme, then=Value(0)), default=Value(1))
    return list(
        others.filter(Q(theme=article.theme) | same_organisation).order_by(
            same_theme_first, "-publish_at", "-pk"
        )[:limit]
    )


SCHEMA_TYPES = {
    "news": "NewsArticle",
    "articles": "Article",
    "library": "DigitalDocument",
    "events": "Event",
    "videos": "VideoObject",
    "proposals": "Article",
}


def structured_data(entry, request):
    """schema.org JSON-LD for an entry page, as a string for a <script> element."""
    url = request.build_absolute_uri(entry.get_absolute_url())
    data = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES[entry.section],
        "name": entry.title,
        "url": url,
        "description": entry.summary or plain_text(entry.body, 300),
        "inLanguage": "el",
        "publisher": {"@type": "Organization", "name": entry.organisation.name},
    }
    if entry.section in {"news", "articles", "proposals"}:
        data.update(headline=entry.title[:110], datePublished=entry.publish_at.isoformat(),
                    dateModified=entry.updated_at.isoformat())  # fmt: skip
        if entry.author:
            data["author"] = {
                "@type": "Person",
                "name": entry.author.get_full_name() or entry.organisation.name,
            }
        else:
            data["author"] = {"@type": "Organization", "name": entry.organisation.name}
    if entry.section == "events":
        data.update(startDate=entry.starts_at.isoformat(),
                    organizer={"@type": "Organization",
                               "name": entry.organisation.name})  # fmt: skip
        if entry.ends_at:
            data["endDate"] = entry.ends_at.isoformat()
        if entry.online_url and not entry.place:
            data["eventAttendanceMode"] = "https://schema.org/OnlineEventAttendanceMode"
            data["location"] = {"@type": "VirtualLocation", "url": entry.online_url}
        else:
            data["location"] = {"@type": "Place", "name": entry.place, "address": entry.place}
    if entry.section == "library" and entry.file:
        data.update(encodingFormat=entry.file_type, contentSize=entry.file_size,
                    datePublished=entry.publish_at.isoformat())  # fmt: skip
    if entry.section == "videos":
        data.update(
            uploadDate=entry.publish_at.isoformat(),
            thumbnailUrl=request.build_absolute_uri("/static/img/logo.svg"),
        )
        if entry.video_url:
            data["embedUrl"] = entry.video_url
    # Escape "<" so that no text can close the <script> element early.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _with_forward_relations(queryset):
    """Join what a row points to (organisation, author, question…), so that showing a
    row of any moderated model runs no query of its own."""
    model = queryset.model
    related = [
        field.name
        for field in model._meta.concrete_fields
        if field.is_relation and (field.many_to_one or field.one_to_one)
    ]
    return queryset.select_related(*related)


def entries_awaiting_review():
    """Entries hidden by flags, of every moderated section (the think tank's and those
    other apps register in ``MODERATED_MODELS``), each with its open flags."""
    from django.contrib.contenttypes.models import ContentType

    from thinktank.models import MODERATED_MODELS, Flag, Moderation

    entries = []
    for model in MODERATED_MODELS.values():
        entries += list(_with_forward_relations(model.objects.filter(moderation=Moderation.HIDDEN)))
    flags = Flag.objects.filter(resolved_at__isnull=True).select_related("organisation")
    content_types = ContentType.objects.get_for_models(*{type(e) for e in entries})
    by_target = {}
    for flag in flags.filter(
        object_id__in=[e.pk for e in entries],
        content_type__in=list(content_types.values()),
    ):
        by_target.setdefault((flag.content_type_id, flag.object_id), []).append(flag)
    for entry in entries:
        entry.open_flags = by_target.get((content_types[type(entry)].pk, entry.pk), [])
    return sorted(entries, key=lambda e: e.updated_at, reverse=True)


def hub_sections():
    """The hub's blocks: each section with its latest entries."""
    from thinktank.models import Document, NewsItem, Proposal, Video

    latest_by_section = {
        "news": latest(NewsItem),
        "articles": latest(Article),
        "library": latest(Document),
        "events": upcoming_events(),
        "videos": latest(Video),
        "proposals": latest(Proposal),
    }
    sections = thinktank_sections()
    for section in sections:
        section["entries"] = latest_by_section.get(section["key"], [])
    return sections


def unpublished_entries_of(user, limit=20):
    """Drafts, scheduled and deleted (restorable) entries of the user's verified
    organisations, oldest first: one query across the sections."""
    from thinktank.models import Status

    if user is None or not user.is_authenticated:
        return []
    unpublished = (
        Q(status=Status.DRAFT) | Q(publish_at__gt=timezone.now()) | Q(deleted_at__isnull=False)
    )
    fields = ("pk", "title", "slug", "status", "publish_at", "deleted_at")
    per_section = [
        model.objects.filter(unpublished, organisation__users=user, organisation__is_verified=True)
        .annotate(section_key=Value(section))
        .values_list(*fields, "section_key")
        .order_by()
        for section, model in ENTRY_MODEL_BY_SECTION.items()
    ]
    rows = per_section[0].union(*per_section[1:], all=True).order_by("publish_at", "pk")[:limit]
    return [
        ENTRY_MODEL_BY_SECTION[section](**dict(zip(fields, values, strict=True)))
        for *values, section in rows
    ]


def latest_across_sections(limit=5):
    """The newest published news, articles, documents and proposals, mixed by date."""
    from thinktank.models import Document, NewsItem, Proposal

    entries = []
    for model in (NewsItem, Article, Document, Proposal):
        entries += latest(model, limit)
    return sorted(entries, key=lambda e: e.publish_at, reverse=True)[:limit]
