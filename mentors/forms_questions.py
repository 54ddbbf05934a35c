"""Forms of the question-and-answer space: they validate input; the services decide."""

from django import forms
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from mentors.models import AnswerComment, Question, Session, Theme
from mentors.services.questions import SORTS
from thinktank.forms import FlagForm  # the think tank's reasons, reused

MARKDOWN_HELP = _("Written in Markdown: **bold**, *italics*, lists and links.")


class ThemeChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class SessionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        when = date_format(timezone.localtime(obj.starts_at), "j E Y")
        return f"{obj.title} ({when})"


class QuestionForm(forms.Form):
    title = forms.CharField(
        label=_("Your question"),
        max_length=Question._meta.get_field("title").max_length,
        help_text=_("One sentence, ending with a question mark."),
    )
    body = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=MARKDOWN_HELP,
    )
    themes = ThemeChoiceField(
        label=_("Themes"),
        queryset=Theme.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Choose one or more."),
        error_messages={"required": _("Choose at least one theme.")},
    )
    session = SessionChoiceField(
        label=_("Session"),
        required=False,
        queryset=Session.objects.published().order_by("-starts_at", "-pk"),
        empty_label=_("No session"),
        help_text=_("Link the question to a session if it is about one."),
    )

    def __init__(self, *args, with_summary=False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_summary:
            del self.fields["session"]
            self.fields["summary"] = forms.CharField(
                label=_("Summary of the change (optional)"), max_length=200, required=False
            )


class AnswerForm(forms.Form):
    body = forms.CharField(
        label=_("Your answer"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=MARKDOWN_HELP,
        max_length=20000,
    )

    def __init__(self, *args, with_summary=False, **kwargs):
        super().__init__(*args, **kwargs)
        if with_summary:
            self.fields["summary"] = forms.CharField(
                label=_("Summary of the change (optional)"), max_length=200, required=False
            )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=AnswerComment._meta.get_field("body").max_length,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class VoteForm(forms.Form):
    value = forms.TypedChoiceField(choices=[("1", "+1"), ("-1", "-1")], coerce=int)


class QuestionFilterForm(forms.Form):
    """``?sort=newest|votes|unanswered&theme=<slug>&session=<id>`` of the list page."""

    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=list(zip(SORTS, [_("Newest"), _("Most votes"), _("Unanswered")], strict=True)),
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False)
    session = forms.TypedChoiceField(label=_("Session"), required=False, coerce=int)

    def __init__(self, *args, themes, sessions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["theme"].choices = [("", _("All themes"))] + [(t.slug, t.title) for t in themes]
        self.fields["session"].choices = [("", _("All sessions"))] + [
            (s.pk, s.title) for s in sessions
        ]


__all__ = [
    "AnswerForm",
    "CommentForm",
    "FlagForm",
    "QuestionFilterForm",
    "QuestionForm",
    "VoteForm",
]
