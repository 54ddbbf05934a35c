"""The key pages run a fixed, small number of SQL queries: the same with one item shown
as with a full page of them, for an anonymous visitor and for a signed-in member with
a basket (which the header shows on every page).

Each scenario builds the page with one item, yields its address, then adds enough rows
for a full page (more related rows, for a detail page) and yields it again. Both are
measured after a first request, which makes the thumbnails: once with the page's cached
fragments (product cards) to render again, and once with them cached, as most visitors
find the page.
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.core.loading import get_model

from tests.factories import OrganisationFactory
from tests.factories.bulk import (
    answered_questions,
    basket_products,
    category,
    index_everything,
    library_documents,
    market_products,
    member_with_basket,
    png_file,
    programme_sessions,
    published_articles,
)
from tests.factories.mentors import MentorProfileFactory, RegistrationFactory
from tests.factories.thinktank import (
    EventFactory,
    NewsItemFactory,
    ProposalFactory,
    VideoFactory,
)

Certification = get_model("catalogue", "Certification")
Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")

pytestmark = pytest.mark.django_db

MAX_QUERIES = 25
# Rows that fill each list page and then some (the longest page shows 24).
FULL = 25


# Scenarios: build one item, yield the path; build the rest, yield it again ------------


def home():
    market_products(1)
    published_articles(1)
    programme_sessions(1)
    yield "/"
    market_products(FULL)
    published_articles(FULL)
    EventFactory.create_batch(4)
    programme_sessions(4)
    yield "/"


def catalogue():
    market_products(1)
    yield "/market/catalogue/"
    market_products(FULL)
    yield "/market/catalogue/"


def category_page():
    honey = category("Τρόφιμα > Μέλι")
    category("Τρόφιμα > Ελαιόλαδο")
    market_products(1, category=honey)
    yield honey.get_absolute_url()
    market_products(FULL, category=honey)
    yield honey.get_absolute_url()


def product_detail():
    (product,) = market_products(1, category=category("Τρόφιμα > Μέλι"))
    yield product.get_absolute_url()
    for position in range(1, 6):
        ProductImage.objects.create(
            product=product, original=png_file(f"more-{position}.png"), display_order=position
        )
    product.certifications.add(*Certification.objects.all())
    product.categories.add(category("Δώρα > Τοπικά"), category("Κρήτη"))
    yield product.get_absolute_url()


def storefront():
    organisation = OrganisationFactory(is_verified=True, logo=png_file("logo.png"))
    market_products(1, organisation=organisation)
    yield organisation.get_absolute_url()
    market_products(FULL, organisation=organisation)
    yield organisation.get_absolute_url()


def _directory_organisations(count):
    for number in range(count):
        organisation = OrganisationFactory(
            is_verified=True, latitude=35.3 + number / 100, longitude=25.1, logo=png_file()
        )
        market_products(2, organisation=organisation)


def organisation_directory():
    _directory_organisations(1)
    yield "/market/organisations/"
    _directory_organisations(FULL)
    yield "/market/organisations/"


def market_search():
    market_products(1, title="Μέλι ανθέων")
    index_everything()
    yield "/market/search/?q=μελι"
    market_products(FULL, title="Μέλι ανθέων")
    index_everything()
    yield "/market/search/?q=μελι"


def site_search():
    organisation = OrganisationFactory(is_verified=True, name="Μέλι Κρήτης ΚοινΣΕπ")
    market_products(1, title="Μέλι θυμαρίσιο", organisation=organisation)
    published_articles(1, organisation=organisation)
    NewsItemFactory(title="Γιορτή του μελιού", organisation=organisation)
    index_everything()
    yield "/search/?q=μελι"
    market_products(FULL, title="Μέλι θυμαρίσιο")
    NewsItemFactory.create_batch(FULL, title="Γιορτή του μελιού")
    for _number in range(FULL):
        OrganisationFactory(is_verified=True, name="Μέλι και κερί")
    index_everything()
    yield "/search/?q=μελι"


def thinktank_hub():
    organisation = OrganisationFactory(is_verified=True)
    factories = (NewsItemFactory, VideoFactory, ProposalFactory, EventFactory)
    for factory in factories:
        factory(organisation=organisation)
    published_articles(1, organisation=organisation)
    library_documents(1)
    yield "/thinktank/"
    for factory in factories:
        factory.create_batch(5, organisation=organisation)
    published_articles(5, organisation=organisation)
    library_documents(5)
    yield "/thinktank/"


def article_detail():
    (article,) = published_articles(1, theme="agri-food")
    yield article.get_absolute_url()
    published_articles(5, theme="agri-food")
    yield article.get_absolute_url()


def library():
    library_documents(1)
    yield "/thinktank/library/"
    library_documents(FULL)
    yield "/thinktank/library/"


def session_list():
    programme_sessions(1)
    yield "/mentors/sessions/"
    programme_sessions(FULL)
    yield "/mentors/sessions/"


def session_detail():
    (session,) = programme_sessions(1, mentors_each=1)
    answered_questions(1, session=session)
    yield session.get_absolute_url()
    session.mentors.add(*[MentorProfileFactory() for _number in range(6)])
    RegistrationFactory.create_batch(FULL, session=session)
    answered_questions(FULL, answers=2, session=session)
    yield session.get_absolute_url()


def question_list():
    answered_questions(1)
    yield "/mentors/questions/"
    answered_questions(FULL, answers=2)
    yield "/mentors/questions/"


def question_detail():
    (question,) = answered_questions(1)
    yield question.get_absolute_url()
    from mentors.models import AnswerComment
    from tests.factories.mentors import AnswerFactory

    for _number in range(FULL):
        answer = AnswerFactory(question=question)
        AnswerComment.objects.create(answer=answer, author=question.author, body="Σωστά.")
    yield question.get_absolute_url()


KEY_PAGES = [
    home,
    catalogue,
    category_page,
    product_detail,
    storefront,
    organisation_directory,
    market_search,
    site_search,
    thinktank_hub,
    article_detail,
    library,
    session_list,
    session_detail,
    question_list,
    question_detail,
]


# Measuring -----------------------------------------------------------------------------


def captured(client, path):
    with CaptureQueriesContext(connection) as context:
        response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    return [query["sql"] for query in context.captured_queries]


def queries_of(client, path):
    """The queries of the page at ``path`` after a first request made its thumbnails:
    once with its cached fragments to render again (every product has just changed), then
    with all of them cached, as most visitors find it."""
    assert client.get(path).status_code == 200
    Product.objects.update(date_updated=timezone.now())
    return captured(client, path), captured(client, path)


def listing(queries):
    return "\n".join(f"{number:3}. {sql}" for number, sql in enumerate(queries, start=1))


def assert_same_count(one_item, full_page):
    assert len(full_page) == len(one_item), (
        f"one item: {len(one_item)} queries\n{listing(one_item)}\n\n"
        f"full page: {len(full_page)} queries\n{listing(full_page)}"
    )


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "member"])
@pytest.mark.parametrize("scenario", KEY_PAGES, ids=lambda scenario: scenario.__name__)
def test_key_page_queries_do_not_grow_with_the_items_shown(client, scenario, signed_in):
    if signed_in:
        member_with_basket(client, basket_products())
    steps = scenario()

    one_item_cold, one_item = queries_of(client, next(steps))
    full_page_cold, full_page = queries_of(client, next(steps))

    assert len(one_item_cold) <= MAX_QUERIES, listing(one_item_cold)
    assert_same_count(one_item_cold, full_page_cold)
    assert_same_count(one_item, full_page)


def test_past_session_page_lists_what_it_settled_in_fixed_queries(client):
    (session,) = programme_sessions(1)
    session.starts_at = timezone.now() - datetime.timedelta(days=2)
    session.save()
    path = session.get_absolute_url()
    answered_questions(1, session=session)
    one = queries_of(client, path)

    answered_questions(FULL, session=session)
    full = queries_of(client, path)

    assert len(one[0]) <= MAX_QUERIES, listing(one[0])
    assert_same_count(one[0], full[0])
    assert_same_count(one[1], full[1])
