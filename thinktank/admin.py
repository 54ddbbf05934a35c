"""Django admin for platform staff. Members use the site's own pages, not this."""

from django.contrib import admin

from thinktank import models


class EntryAdmin(admin.ModelAdmin):
    list_display = ("title", "organisation", "status", "moderation", "publish_at", "deleted_at")
    list_filter = ("status", "moderation", "theme")
    search_fields = ("title", "summary")
    raw_id_fields = ("organisation", "author")
    date_hierarchy = "publish_at"


for entry_model in models.ENTRY_MODELS:
    admin.site.register(entry_model, EntryAdmin)


@admin.register(models.ModerationAction)
class ModerationActionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "entry_title", "organisation", "actor")
    list_filter = ("kind",)


@admin.register(models.NetworkFeed)
class NetworkFeedAdmin(admin.ModelAdmin):
    list_display = ("organisation", "url", "is_active", "last_success_at", "failure_count")
    list_filter = ("is_active",)
