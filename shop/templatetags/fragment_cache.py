"""Cached template fragments that every visitor shares.

``{% sharedcache %}`` is Django's ``{% cache %}`` with two differences: the key always
holds the active language, and a fragment may contain forms. Their CSRF token is stored
as a placeholder and each visitor gets their own put back, so that a product card with
its add-to-basket form is rendered once for everyone::

    {% load fragment_cache %}
    {% sharedcache 86400 "product-card" product|product_version %}…{% endsharedcache %}

Nothing else personal may go inside: no basket, no sign-in state, no messages. The key
names what the fragment shows (``product_version``), so a change shows at once and no
invalidation is needed; old versions expire.
"""

from django import template
from django.core.cache import cache
from django.core.cache.utils import make_template_fragment_key
from django.template import Context
from django.template.defaulttags import CsrfTokenNode
from django.templatetags.cache import CacheNode
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from catalogue_ext.cards import card_version_of

register = template.Library()

CSRF_PLACEHOLDER = "__shared_fragment_csrf_token__"
CSRF_PLACEHOLDER_INPUT = CsrfTokenNode().render(Context({"csrf_token": CSRF_PLACEHOLDER}))


class SharedCacheNode(CacheNode):
    def render(self, context):
        timeout = self.expire_time_var.resolve(context)
        vary_on = [get_language(), *(var.resolve(context) for var in self.vary_on)]
        key = make_template_fragment_key(self.fragment_name, vary_on)
        html = cache.get(key)
        if html is None:
            with context.push(csrf_token=CSRF_PLACEHOLDER):
                html = self.nodelist.render(context)
            cache.set(key, html, timeout)
        return with_visitor_csrf_token(html, context)


def with_visitor_csrf_token(html, context):
    """A shared fragment with this visitor's CSRF token in place of the placeholder."""
    if CSRF_PLACEHOLDER_INPUT in html:
        html = html.replace(CSRF_PLACEHOLDER_INPUT, CsrfTokenNode().render(context))
    return mark_safe(html)  # noqa: S308  (rendered by the template engine)


@register.simple_tag(takes_context=True)
def shared_fragment(context, html):
    """A fragment read from the shared cache in bulk by the view (e.g. the listing's
    product cards), shown like ``{% sharedcache %}`` shows it."""
    return with_visitor_csrf_token(html, context)


@register.tag("sharedcache")
def do_shared_cache(parser, token):
    """``{% sharedcache timeout "name" key_part… %}…{% endsharedcache %}``"""
    nodelist = parser.parse(("endsharedcache",))
    parser.delete_first_token()
    bits = token.split_contents()
    if len(bits) < 3:
        raise template.TemplateSyntaxError(f"'{bits[0]}' takes at least two arguments.")
    return SharedCacheNode(
        nodelist,
        parser.compile_filter(bits[1]),
        bits[2].strip("\"'"),
        [parser.compile_filter(bit) for bit in bits[3:]],
        None,
    )


@register.filter
def product_version(product):
    """What a product card (Oscar's, in the catalogue) shows, as part of its cache key:
    ``catalogue_ext.cards.card_version``. A listing that read the version with its cards
    left it on the product; otherwise it is read from what the page's query
    prefetched."""
    version = getattr(product, "_card_version", None)
    return version if version is not None else card_version_of(product)


@register.filter
def product_summary_version(product):
    """``product_version`` and what the market's smaller card shows besides: the
    organisation's name and the certifications."""
    stockrecord = next(iter(product.stockrecords.all()), None)
    organisation = stockrecord.partner.name if stockrecord is not None else ""
    certifications = sorted(certification.code for certification in product.certifications.all())
    return "|".join([product_version(product), organisation, *certifications])
