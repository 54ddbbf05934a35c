from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from thinktank import access
from thinktank.models import (
    THEME_CHOICES,
    Article,
    Document,
    Event,
    FlagReason,
    NewsItem,
    NotificationSettings,
    Proposal,
    Video,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME_INPUT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
COMMON_FIELDS = ["title", "summary", "body", "theme", "status", "publish_at", "open_for_editing"]


def https_by_default(model_field, **kwargs):
    """Form fields of the models, with links typed without a scheme read as https."""
    if isinstance(model_field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return model_field.formfield(**kwargs)


class EntryForm(forms.ModelForm):
    """What every section's form shares: on creation the author picks which of their
    organisations signs the entry; on an edit they describe their change."""

    organisation = forms.ModelChoiceField(
        label=_("On behalf of"), queryset=None, empty_label=None, required=True
    )
    change_summary = forms.CharField(
        label=_("Summary of your change"),
        max_length=200,
        required=False,
        help_text=_("Helps others follow the history, e.g. “corrected the dates”."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        creating = self.instance.pk is None
        organisations = access.verified_organisations_of(user)
        if user.is_staff:  # staff may act for any verified organisation
            from oscar.core.loading import get_model

            organisations = get_model("partner", "Partner").objects.filter(is_verified=True)
        self.fields["organisation"].queryset = organisations.order_by("name")
        if creating:
            del self.fields["change_summary"]
        else:
            # Acting for: the entry's own organisation if the editor is one of its
            # members, otherwise one of the editor's organisations (open entries).
            own = organisations.filter(pk=self.instance.organisation_id).first()
            self.fields["organisation"].initial = own or organisations.first()
            self.fields["organisation"].label = _("Editing as a member of")
        for name in ("publish_at",):
            if name in self.fields:
                self.fields[name].widget = DATETIME_INPUT
                self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]
        self.order_fields(["organisation", *self.Meta.fields, "change_summary"])

    def clean_publish_at(self):
        # The date-time input has minute precision: an unchanged minute keeps the stored
        # value, so that a plain edit does not look like a new publication date.
        value = self.cleaned_data.get("publish_at")
        stored = self.instance.publish_at if self.instance.pk else None
        if value and stored and stored.replace(second=0, microsecond=0) == value:
            return stored
        return value

    def save(self, commit=False):
        return super().save(commit=False)


class NewsItemForm(EntryForm):
    class Meta:
        model = NewsItem
        fields = ["kind", *COMMON_FIELDS, "meeting_date", "minutes"]
        widgets = {"meeting_date": DATE_INPUT}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == NewsItem.Kind.MEETING_REPORT and not cleaned.get("meeting_date"):
            self.add_error("meeting_date", _("A meeting report needs the date of the meeting."))
        return cleaned


class ArticleForm(EntryForm):
    class Meta:
        model = Article
        fields = COMMON_FIELDS


class DocumentForm(EntryForm):
    class Meta:
        model = Document
        fields = ["kind", *COMMON_FIELDS, "file", "law_number", "gazette_reference", "law_date"]
        widgets = {"law_date": DATE_INPUT}

    def clean_file(self):
        from thinktank.documents import validate_document_file

        uploaded = self.cleaned_data.get("file")
        if uploaded and hasattr(uploaded, "content_type"):  # a new upload, not the stored file
            validate_document_file(uploaded)
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == Document.Kind.LEGISLATION and not cleaned.get("law_number"):
            self.add_error("law_number", _("Legislation needs its law number."))
        return cleaned

    def save(self, commit=False):
        from thinktank.documents import prepare_document

        document = super().save(commit=False)
        if "file" in self.changed_data:
            prepare_document(document, self.cleaned_data["file"])
        return document


class EventForm(EntryForm):
    class Meta:
        model = Event
        formfield_callback = https_by_default
        fields = [*COMMON_FIELDS, "starts_at", "ends_at", "place", "online_url", "registration_url"]
        widgets = {"starts_at": DATETIME_INPUT, "ends_at": DATETIME_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("starts_at", "ends_at"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S"]

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts and ends and ends < starts:
            self.add_error("ends_at", _("The event cannot end before it starts."))
        if not cleaned.get("place") and not cleaned.get("online_url"):
            self.add_error("place", _("Give a place, an online link, or both."))
        return cleaned


class VideoForm(EntryForm):
    class Meta:
        model = Video
        formfield_callback = https_by_default
        fields = [*COMMON_FIELDS, "video_url", "video_file", "event", "recorded_on"]
        widgets = {"recorded_on": DATE_INPUT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["event"].queryset = Event.objects.published().order_by("-starts_at")

    def clean_video_url(self):
        from thinktank.videos import embed_url

        url = self.cleaned_data.get("video_url")
        if url and embed_url(url) is None:
            raise forms.ValidationError(_("Give a YouTube or Vimeo link."))
        return url

    def clean_video_file(self):
        from thinktank.videos import validate_video_file

        uploaded = self.cleaned_data.get("video_file")
        if uploaded and hasattr(uploaded, "content_type"):
            validate_video_file(uploaded)
        return uploaded

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("video_url") and not cleaned.get("video_file"):
            self.add_error("video_url", _("Give a YouTube or Vimeo link or upload a video file."))
        return cleaned


class ProposalForm(EntryForm):
    class Meta:
        model = Proposal
        fields = ["kind", *COMMON_FIELDS, "addressee"]


FORM_BY_SECTION = {
    "news": NewsItemForm,
    "articles": ArticleForm,
    "library": DocumentForm,
    "events": EventForm,
    "videos": VideoForm,
    "proposals": ProposalForm,
}


class EntryFilterForm(forms.Form):
    """The filters of every section's list; all optional, bad values are ignored."""

    organisation = forms.CharField(label=_("Organisation"), required=False)
    theme = forms.ChoiceField(
        label=_("Theme"), required=False, choices=[("", _("All themes")), *THEME_CHOICES]
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, organisations, kinds=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"] = forms.ChoiceField(
            label=_("Organisation"),
            required=False,
            choices=[("", _("All organisations")), *[(o.code, o.name) for o in organisations]],
        )
        if kinds:
            self.fields["kind"] = forms.ChoiceField(
                label=_("Kind"), required=False, choices=[("", _("All kinds")), *kinds]
            )
            self.order_fields(["kind"])


class ChooseOrganisationForm(forms.Form):
    organisation = forms.ModelChoiceField(label=_("On behalf of"), queryset=None, empty_label=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = access.verified_organisations_of(user)


class FlagForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=FlagReason.choices)
    comment = forms.CharField(
        label=_("Details (optional)"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReviewForm(ChooseOrganisationForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("restore", _("Restore: it is fine")), ("remove", _("Remove it"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Public note"), max_length=500, required=False)


class CommentForm(ChooseOrganisationForm):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Written in Markdown."),
    )


class NotificationSettingsForm(forms.ModelForm):
    class Meta:
        model = NotificationSettings
        fields = ["email_enabled", "notify_on_revisions"]
