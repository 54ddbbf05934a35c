from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language


def _url_in_language(path, language_code):
    """The same page in another language, following the i18n_patterns prefixes."""
    translated = translate_url(path, language_code)
    if translated != path or language_code == get_language():
        return translated
    # The path does not resolve (a 404 page, say): move the prefix by hand.
    bare = path
    for code, _name in settings.LANGUAGES:
        prefix = f"/{code}/"
        if path.startswith(prefix):
            bare = "/" + path[len(prefix) :]
            break
    if language_code == settings.LANGUAGE_CODE:
        return bare
    return f"/{language_code}{bare}"


def site(request):
    """Values every page's layout needs: the language switcher's links and the kinds the
    header's search can be narrowed to."""
    from shop.search_views import KINDS

    current = get_language()
    path = request.get_full_path()
    return {
        "search_kinds": KINDS,
        "search_kind": request.GET.get("kind", "")
        if request.resolver_match and request.resolver_match.url_name == "site-search"
        else "",
        "language_links": [
            {
                "code": code,
                "name": name,
                "url": _url_in_language(path, code),
                "is_current": code == current,
            }
            for code, name in settings.LANGUAGES
        ],
    }
