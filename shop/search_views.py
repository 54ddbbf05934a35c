"""The site-wide search: the think tank's six sections, the MENTORS questions and answers
and the social market's products and services on one page, grouped by kind.

The query is folded like the indexed text (``shop.text.fold_for_search``), so that a
search is accent- and case-insensitive, and also searched by its Greeklish key
(``shop.text.greeklish_key``), which every index stores beside the folded text: ``meli``
finds ``Μέλι``. Products are searched through ``catalogue_ext.search``, as typed too.

Think-tank results are drawn from the index's stored fields alone; the products of a
page are loaded in one query with their organisations (one more), so the number of
queries does not grow with the results.
"""

import html
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django import forms
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from haystack.inputs import AutoQuery
from haystack.query import SQ, SearchQuerySet
from oscar.core.loading import get_model
from whoosh.lang.porter import stem

from catalogue_ext.search import product_search
from mentors import search_indexes as mentors_search
from mentors import session_search
from mentors.models import Answer, Question, Session
from shop.page_cache import SECTION_APPS, cached_on_content
from shop.partner import search_indexes as organisation_search
from shop.search_suggestions import spelling_suggestion
from shop.text import fold_for_search, greeklish_key
from thinktank.models import Article, Document, Event, NewsItem, Proposal, Video

Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

ALL = "all"
PRODUCTS = "products"
ORGANISATIONS = organisation_search.SECTION
SESSIONS = session_search.SECTION
PREVIEW_SIZE = 5
PAGE_SIZE = 20
MAX_QUERY_LENGTH = 200
SNIPPET_CHARS = 300


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    model: type | tuple  # one model, or the models whose results the kind gathers


# The founders' order: the think tank's sections, the MENTORS sessions and questions and
# answers, then the social market (its organisations, their products and services).
KINDS = (
    Kind("news", _("News"), NewsItem),
    Kind("articles", _("Opinion articles"), Article),
    Kind("library", _("Digital library"), Document),
    Kind("events", _("Events"), Event),
    Kind("videos", _("Videos"), Video),
    Kind("proposals", _("Proposals and interventions"), Proposal),
    Kind("sessions", _("MENTORS sessions"), Session),
    Kind("questions", _("Questions and answers"), (Question, Answer)),
    Kind(ORGANISATIONS, _("Organisations"), Partner),
    Kind(PRODUCTS, _("Products and services"), Product),
)
KIND_BY_KEY = {kind.key: kind for kind in KINDS}


class SiteSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        widget=forms.SearchInput(attrs={"autocomplete": "off"}),
    )
    kind = forms.ChoiceField(
        label=_("Search in"),
        required=False,
        choices=[(ALL, _("Everywhere")), *((kind.key, kind.label) for kind in KINDS)],
    )


# Searching ---------------------------------------------------------------------------


_WORD = re.compile(r"\w+")


def search_terms(folded_query):
    """The folded words a result is expected to contain (``-word`` excludes a word)."""
    terms = set()
    for token in folded_query.split():
        if not token.startswith("-"):
            terms.update(_WORD.findall(token))
    return terms


def results_of(kind, query, folded):
    """The SearchQuerySet of one kind's results, best first: the query folded, or by its
    Greeklish key (``meli`` finds ``μέλι``); products also as typed."""
    if kind.key == PRODUCTS:
        return product_search(query)
    models = kind.model if isinstance(kind.model, tuple) else (kind.model,)
    results = SearchQuerySet().models(*models)
    key = greeklish_key(query)
    if key.strip() and key != folded:
        return results.filter(SQ(content=AutoQuery(folded)) | SQ(content=AutoQuery(key)))
    return results.auto_query(folded)


# Showing -----------------------------------------------------------------------------


@dataclass
class Hit:
    title: str
    url: str
    organisation: str = ""
    snippet: str = ""
    date: object = None


@dataclass
class Group:
    kind: Kind
    count: int
    hits: list = field(default_factory=list)
    all_url: str = ""

    @property
    def key(self):
        return self.kind.key

    @property
    def label(self):
        return self.kind.label


def _matches(word, terms, stems):
    folded = fold_for_search(word)
    return folded in terms or stem(folded) in stems


def highlight(text, terms):
    """``text`` escaped, with each word that matches a search term wrapped in <mark>.

    A word matches when its folded form equals a term's or shares its English stem (the
    stemming the index applies), so ``Μέλι`` is marked for ``μελι``.
    """
    text = unicodedata.normalize("NFC", str(text or ""))
    stems = {stem(term) for term in terms}
    pieces = []
    last = 0
    for match in _WORD.finditer(text):
        if terms and _matches(match.group(), terms, stems):
            pieces.append(escape(text[last : match.start()]))
            pieces.append(format_html("<mark>{}</mark>", match.group()))
            last = match.end()
    pieces.append(escape(text[last:]))
    return mark_safe("".join(pieces))  # noqa: S308 - every piece is escaped above


def _entry_hits(results, terms):
    hits = []
    for result in results:
        if not (result.tt_section and result.tt_slug):  # indexed before these fields existed
            continue
        if result.tt_section in mentors_search.SECTIONS:
            url = mentors_search.result_url(result)
        elif result.tt_section == SESSIONS:
            url = reverse("mentors:session", kwargs={"pk": int(result.tt_slug)})
        elif result.tt_section == ORGANISATIONS:
            url = reverse("organisations:storefront", kwargs={"slug": result.tt_slug})
        else:
            url = reverse(f"thinktank:{result.tt_section}-detail", kwargs={"slug": result.tt_slug})
        hits.append(
            Hit(
                title=highlight(result.tt_title, terms),
                url=url,
                organisation=result.tt_organisation or "",
                snippet=highlight(result.tt_summary, terms),
                date=result.tt_date,
            )
        )
    return hits


def _product_text(product):
    text = " ".join(html.unescape(strip_tags(product.description or "")).split())
    return Truncator(text).chars(SNIPPET_CHARS)


def _product_hits(results, terms):
    ids = [int(result.pk) for result in results]
    if not ids:
        return []
    products = Product.objects.filter(pk__in=ids).prefetch_related(
        Prefetch("stockrecords", queryset=StockRecord.objects.select_related("partner"))
    )
    by_id = {product.pk: product for product in products}
    hits = []
    for product_id in ids:
        product = by_id.get(product_id)
        if product is None:  # removed since it was indexed
            continue
        stockrecords = list(product.stockrecords.all())
        hits.append(
            Hit(
                title=highlight(product.title, terms),
                url=product.get_absolute_url(),
                organisation=stockrecords[0].partner.name if stockrecords else "",
                snippet=highlight(_product_text(product), terms),
            )
        )
    return hits


def hits_of(kind, results, terms):
    if kind.key == PRODUCTS:
        return _product_hits(results, terms)
    return _entry_hits(results, terms)


# The page ----------------------------------------------------------------------------


class SiteSearchView(TemplateView):
    """``?q=words&kind=all|news|articles|library|events|videos|proposals|sessions|questions|organisations|products``.

    With ``kind=all`` (or an unknown kind) each kind shows its first results and its
    count, with a link to all of them; with one kind, its results are paginated.
    """

    template_name = "shop/search.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = " ".join((self.request.GET.get("q") or "").split())[:MAX_QUERY_LENGTH]
        kind_key = self.request.GET.get("kind") or ALL
        kind = KIND_BY_KEY.get(kind_key)
        folded = fold_for_search(query)
        terms = search_terms(folded)
        context.update(
            form=SiteSearchForm(
                initial={"q": query, "kind": kind.key if kind else ALL}, auto_id="search-%s"
            ),
            query=query,
            kind=kind,
            searched=bool(query),
            groups=[],
            total=0,
        )
        if not terms:
            return context
        # One search per kind: kept, with the hits shown, until any content changes.
        if kind is None:
            groups = cached_on_content(
                list(SECTION_APPS),
                f"site-search:{get_language()}:{query}",
                lambda: [self._preview(one_kind, query, folded, terms) for one_kind in KINDS],
            )
            context["groups"] = [group for group in groups if group.count]
            context["total"] = sum(group.count for group in groups)
        else:
            group, number = cached_on_content(
                list(SECTION_APPS),
                f"site-search:{get_language()}:{query}:{kind.key}:{self.request.GET.get('page')}",
                lambda: self._page(kind, query, folded, terms),
            )
            context.update(
                groups=[group] if group.count else [],
                total=group.count,
                page_obj=Paginator(range(group.count), PAGE_SIZE).get_page(number),
                query_without_page=urlencode({"q": query, "kind": kind.key}),
                all_kinds_url="?" + urlencode({"q": query, "kind": ALL}),
            )
        # "Did you mean …?" when nothing was found, where the backend has spelling data.
        suggestion = spelling_suggestion(query) if not context["total"] else None
        if suggestion:
            context["suggestion"] = suggestion
            context["suggestion_url"] = "?" + urlencode(
                {"q": suggestion, "kind": kind.key if kind else ALL}
            )
        return context

    def _preview(self, kind, query, folded, terms):
        results = results_of(kind, query, folded)
        first = list(results[:PREVIEW_SIZE])
        return Group(
            kind=kind,
            count=len(results),
            hits=hits_of(kind, first, terms),
            all_url="?" + urlencode({"q": query, "kind": kind.key}),
        )

    def _page(self, kind, query, folded, terms):
        results = results_of(kind, query, folded)
        paginator = Paginator(results, PAGE_SIZE)
        try:
            number = paginator.validate_number(self.request.GET.get("page") or 1)
        except PageNotAnInteger:
            number = 1
        except EmptyPage:
            number = paginator.num_pages
        # Always ask for a whole page: haystack's Whoosh backend turns a shorter slice
        # (the last page, as Paginator.page() would cut it) into the wrong offset.
        start = (number - 1) * PAGE_SIZE
        page = list(results[start : start + PAGE_SIZE])
        group = Group(kind=kind, count=paginator.count, hits=hits_of(kind, page, terms))
        return group, number
