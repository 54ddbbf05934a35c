from django import template

from thinktank.richtext import render_markdown

register = template.Library()


@register.filter
def markdown(text):
    """Markdown → sanitised HTML (see thinktank/richtext.py)."""
    return render_markdown(text)


@register.filter
def entry_url(entry, action):
    """URL of one of an entry's pages: ``{{ entry|entry_url:'history' }}``."""
    if action == "revert":
        return entry.url_for("history").replace("/history/", "/revert/")
    return entry.url_for(action)
