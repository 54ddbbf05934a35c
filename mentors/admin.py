"""Django admin of the MENTORS programme, for platform staff."""

from django.contrib import admin

from mentors import models


@admin.register(models.Theme)
class ThemeAdmin(admin.ModelAdmin):
    """The ten themes are seeded; their texts live in mentors/themes.py."""

    list_display = ("position", "slug", "title")
    ordering = ("position",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.CoOrganiser)
class CoOrganiserAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "region")
    list_filter = ("kind", "region")
    search_fields = ("name",)


@admin.register(models.MentorProfile)
class MentorProfileAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "organisation")
    list_filter = ("expertise",)
    search_fields = ("slug", "user__first_name", "user__last_name", "user__email")
    raw_id_fields = ("user", "organisation")
    filter_horizontal = ("expertise",)
    list_select_related = ("user", "organisation")


class SessionInline(admin.TabularInline):
    model = models.Session
    fields = ("title", "theme", "starts_at", "duration", "is_published")
    extra = 0
    show_change_link = True


@admin.register(models.Seminar)
class SeminarAdmin(admin.ModelAdmin):
    list_display = ("title", "starts_on", "ends_on")
    search_fields = ("title",)
    prepopulated_fields = {"slug": ("title",)}
    filter_horizontal = ("co_organisers",)
    date_hierarchy = "starts_on"
    inlines = [SessionInline]


class RegistrationInline(admin.TabularInline):
    model = models.Registration
    fields = ("user", "status", "created_at", "promoted_at", "cancelled_at")
    readonly_fields = ("created_at", "promoted_at", "cancelled_at")
    raw_id_fields = ("user",)
    extra = 0


@admin.register(models.Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "theme",
        "starts_at",
        "seminar",
        "co_organiser",
        "capacity",
        "is_published",
    )
    list_filter = ("is_published", "theme", "room_kind", "seminar")
    search_fields = ("title", "description")
    date_hierarchy = "starts_at"
    filter_horizontal = ("mentors",)
    readonly_fields = ("ends_at", "jitsi_room")
    list_select_related = ("theme", "seminar", "co_organiser")
    inlines = [RegistrationInline]


@admin.register(models.Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("session", "user", "status", "created_at", "promoted_at", "cancelled_at")
    list_filter = ("status",)
    search_fields = ("session__title", "user__email")
    raw_id_fields = ("session", "user")
    list_select_related = ("session", "user")


@admin.register(models.CalendarToken)
class CalendarTokenAdmin(admin.ModelAdmin):
    """Only to revoke a token (delete it: the user gets a new one on their next visit)."""

    list_display = ("user", "created_at")
    search_fields = ("user__email",)
    fields = ("user", "created_at")
    readonly_fields = ("user", "created_at")

    def has_add_permission(self, request):
        return False


class AnswerInline(admin.StackedInline):
    model = models.Answer
    fields = ("author", "body", "by_mentor", "score", "moderation")
    readonly_fields = ("score",)
    raw_id_fields = ("author",)
    extra = 0


@admin.register(models.Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "author",
        "session",
        "score",
        "answer_count",
        "moderation",
        "created_at",
    )
    list_filter = ("moderation", "themes")
    search_fields = ("title", "body")
    raw_id_fields = ("author", "session", "accepted_answer")
    readonly_fields = ("score", "answer_count")
    date_hierarchy = "created_at"
    list_select_related = ("author", "session")
    inlines = [AnswerInline]


@admin.register(models.Answer)
class AnswerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "author", "by_mentor", "score", "moderation", "created_at")
    list_filter = ("moderation", "by_mentor")
    search_fields = ("body", "question__title")
    raw_id_fields = ("question", "author")
    readonly_fields = ("score",)
    list_select_related = ("question", "author")


@admin.register(models.AnswerComment)
class AnswerCommentAdmin(admin.ModelAdmin):
    list_display = ("__str__", "author", "created_at")
    search_fields = ("body",)
    raw_id_fields = ("answer", "author")


@admin.register(models.Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("user", "question", "answer", "value", "created_at")
    list_filter = ("value",)
    raw_id_fields = ("user", "question", "answer")
