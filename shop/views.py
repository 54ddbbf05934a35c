from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET
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


@require_GET
@cache_control(no_store=True)
def healthz(request):
    """Liveness and database check for load balancers: 200 when the database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means the instance is unhealthy
        return JsonResponse(
            {"status": "error", "database": str(error.__class__.__name__)}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})


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
