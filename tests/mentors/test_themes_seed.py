"""The themes in the database are exactly the founders' ten, in their order."""

import pytest

from mentors.models import Theme
from mentors.themes import THEMES


@pytest.mark.django_db
def test_seeded_themes_match_the_founders_list():
    assert list(Theme.objects.values_list("slug", flat=True)) == [slug for slug, *_ in THEMES]
    assert [str(theme.title) for theme in Theme.objects.all()] == [
        str(title) for _slug, title, _subtopics in THEMES
    ]
