import uuid
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_safe
from django.views.generic import TemplateView

from shop import selectors


class HomeView(TemplateView):
    """The three pillars side by side: think tank, MENTORS, social market."""

    template_name = "shop/home.html"

    def get_context_data(self, **kwargs):
        from mentors.selectors import next_sessions_brief, programme_themes
        from thinktank.selectors import latest_across_sections, thinktank_sections, upcoming_events

        context = super().get_context_data(**kwargs)
        context["thinktank_sections"] = thinktank_sections()
        context["thinktank_latest"] = latest_across_sections(limit=5)
        context["thinktank_events"] = upcoming_events(limit=3)
        context["mentors_themes"] = programme_themes()
        context["mentors_sessions"] = next_sessions_brief(limit=3)
        context["latest_products"] = selectors.latest_public_products(limit=6)
        context["organisation_count"] = selectors.organisation_count()
        return context


class MarketView(TemplateView):
    """Landing page of the social market."""

    template_name = "shop/market.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["categories"] = selectors.top_level_categories()
        context["latest_products"] = selectors.latest_public_products(limit=12)
        context["organisations"] = selectors.organisations_with_product_counts()
        return context


@require_safe
@cache_control(no_store=True)
def healthz(request):
    """Liveness: the process answers requests. Touches neither the database nor the cache,
    so their outage never makes a supervisor restart healthy app servers."""
    return JsonResponse({"status": "ok"})


READINESS_SEARCH_TIMEOUT = 2  # seconds


def _check_database(alias):
    with connections[alias].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _check_cache():
    value = uuid.uuid4().hex
    key = f"readyz:{value}"  # one key per probe: app servers may share the cache
    cache.set(key, value, timeout=10)
    stored = cache.get(key)
    cache.delete(key)
    if stored != value:
        raise RuntimeError("the cache did not return the value just stored")


def _search_reachability():
    """'ok' or 'unreachable' for Elasticsearch; 'embedded' for the Whoosh folder."""
    from haystack import connections as search_connections

    if "elasticsearch" not in settings.HAYSTACK_CONNECTIONS["default"]["ENGINE"].lower():
        return "embedded"
    try:
        client = search_connections["default"].get_backend().conn
        reachable = client.ping(request_timeout=READINESS_SEARCH_TIMEOUT)
    except Exception:  # any failure to reach the cluster reads as unreachable
        reachable = False
    return "ok" if reachable else "unreachable"


@require_safe
@cache_control(no_store=True)
def readyz(request):
    """Readiness: 200 when the databases and the cache answer, 503 naming what failed.

    Search reachability is reported but does not fail readiness: every app server shares
    the cluster, and the rest of the site works without it.
    """
    checks = {
        "database" if alias == DEFAULT_DB_ALIAS else alias: partial(_check_database, alias)
        for alias in connections
    }
    checks["cache"] = _check_cache
    report = {}
    for part, check in checks.items():
        try:
            check()
        except Exception as error:  # the failing part is reported by its error's class
            report[part] = error.__class__.__name__
        else:
            report[part] = "ok"
    healthy = all(value == "ok" for value in report.values())
    report["search"] = _search_reachability()
    report = {"status": "ok" if healthy else "error", **report}
    return JsonResponse(report, status=200 if healthy else 503)


@require_GET
def robots_txt(request):
    sitemap_url = request.build_absolute_uri("/sitemap.xml")
    lines = [
        "User-agent: *",
        "Disallow: /dashboard/",
        "Disallow: /admin/",
        "Disallow: /accounts/",
        "Disallow: /market/basket/",
        "Disallow: /market/checkout/",
        "Disallow: /en/accounts/",
        "Disallow: /en/market/basket/",
        "Disallow: /en/market/checkout/",
        f"Sitemap: {sitemap_url}",
        "",
    ]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
