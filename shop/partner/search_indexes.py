"""The organisations' search index: verified organisations only, like the directory.

It shares the think tank's stored ``tt_*`` fields (see thinktank.search_indexes), so
the site search shows an organisation like any other result; ``tt_slug`` is its code,
from which the storefront's link is built.
"""

from haystack import indexes
from oscar.core.loading import get_model

from shop.text import searchable_text
from thinktank.richtext import plain_text
from thinktank.search_indexes import SNIPPET_CHARS, EntryIndex

Partner = get_model("partner", "Partner")

SECTION = "organisations"


class OrganisationIndex(EntryIndex, indexes.Indexable):
    model = Partner
    tt_title = indexes.CharField(model_attr="name")

    def index_queryset(self, using=None):
        return Partner.objects.filter(is_verified=True)

    def get_updated_field(self):
        return "updated"

    def update_object(self, instance, using=None, **kwargs):
        """Index a verified organisation, take any other out; decided from the saved
        instance itself, so that saving a profile costs no extra query."""
        if instance.is_verified:
            return indexes.SearchIndex.update_object(self, instance, using=using, **kwargs)
        return self.remove_object(instance, using=using, **kwargs)

    def prepare_text(self, organisation):
        parts = [
            organisation.name,
            organisation.get_legal_form_display(),
            organisation.get_region_display(),
            organisation.municipality,
            plain_text(organisation.description),
        ]
        return searchable_text(" ".join(part for part in parts if part))

    def prepare_tt_summary(self, organisation):
        return plain_text(organisation.description, limit=SNIPPET_CHARS)

    def prepare_tt_organisation(self, organisation):
        # Where it is: what a reader wants to know next to an organisation's name.
        return ", ".join(
            part for part in (organisation.municipality, organisation.get_region_display()) if part
        )

    def prepare_tt_section(self, organisation):
        return SECTION

    def prepare_tt_slug(self, organisation):
        return organisation.code

    def prepare_tt_date(self, organisation):
        return organisation.created
