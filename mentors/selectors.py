from mentors.themes import THEMES


def programme_themes():
    """The programme's themes in the founders' order, numbered from 1."""
    return [
        {"number": number, "slug": slug, "title": title, "subtopics": subtopics}
        for number, (slug, title, subtopics) in enumerate(THEMES, start=1)
    ]
