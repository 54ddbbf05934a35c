"""Builders of whole pages of content at once, for the guards that compare a page
showing one item with the same page showing a full page of them.

Each builder makes every item as rich as a real one: a product has its image, stock
record, certifications and category; an article its organisation and author; a session
its mentors, co-organiser and seminar; a question its themes, answers and comments::

    products = market_products(24, category=honey)
    articles = published_articles(20, theme="agri-food")
    sessions = programme_sessions(20)
    questions = answered_questions(20, answers=3)
    shopper = member_with_basket(client, products[:3])   # signed in, 3 basket lines
"""

import io
from decimal import Decimal

from django.core.files.base import ContentFile
from haystack import connections
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model
from PIL import Image

from tests.factories import (
    OrganisationFactory,
    ProductClassFactory,
    ProductFactory,
    StockRecordFactory,
    create_member,
)
from tests.factories.market import basket_with
from tests.factories.mentors import (
    AnswerFactory,
    CoOrganiserFactory,
    MentorProfileFactory,
    QuestionFactory,
    SeminarFactory,
    SessionFactory,
)
from tests.factories.thinktank import ArticleFactory, DocumentFactory

Certification = get_model("catalogue", "Certification")
ProductImage = get_model("catalogue", "ProductImage")


def png_file(name="image.png", size=(320, 240), color=(180, 120, 40)):
    """A small real PNG, as an upload would give it."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name=name)


def category(breadcrumbs="Τρόφιμα > Μέλι"):
    """The category at ``breadcrumbs`` ("Parent > Child"), made with its ancestors."""
    return create_from_breadcrumbs(breadcrumbs)


def market_products(count, *, title="Μέλι θυμαρίσιο", category=None, organisation=None):
    """``count`` public products of verified organisations (a new one for each product
    unless ``organisation`` is given), each with an image, a stock record, two
    certifications and ``category``. Their titles start with ``title``."""
    food = ProductClassFactory(name="Τρόφιμα", vat_rate="reduced")
    certifications = list(Certification.objects.filter(code__in=["organic", "pdo"]))
    products = []
    for number in range(count):
        product = ProductFactory(title=f"{title} {number + 1}", product_class=food)
        StockRecordFactory(
            product=product,
            partner=organisation or OrganisationFactory(is_verified=True),
            price=Decimal("7.50") + number,
            num_in_stock=5 + number,
        )
        ProductImage.objects.create(
            product=product, original=png_file(f"product-{product.pk}.png"), display_order=0
        )
        product.certifications.add(*certifications)
        if category is not None:
            product.categories.add(category)
        products.append(product)
    return products


def basket_products():
    """Three products of three organisations, listed nowhere (not public), to fill a
    basket without changing what the market's pages show."""
    products = []
    for _number in range(3):
        product = ProductFactory(is_public=False)
        StockRecordFactory(product=product, partner=OrganisationFactory(is_verified=True))
        products.append(product)
    return products


def member_with_basket(client, products):
    """A member of an organisation, signed in on ``client``, whose basket holds one of
    each of ``products`` (the header shows the basket on every page)."""
    organisation = OrganisationFactory(is_verified=True)
    member = create_member(organisation)
    basket_with(*[(product, 1) for product in products], owner=member)
    client.force_login(member)
    return member


def published_articles(count, *, theme="", organisation=None):
    """``count`` published opinion articles, each by a member of its organisation."""
    organisation = organisation or OrganisationFactory(is_verified=True)
    return [
        ArticleFactory(
            organisation=organisation,
            author=create_member(organisation),
            theme=theme,
            summary="Η κοινωνική οικονομία στην πράξη.",
        )
        for _number in range(count)
    ]


def library_documents(count):
    """``count`` published library documents, each with its PDF."""
    organisation = OrganisationFactory(is_verified=True)
    return [DocumentFactory(organisation=organisation) for _number in range(count)]


def programme_sessions(count, *, mentors_each=2):
    """``count`` published upcoming sessions, each with its own mentors, co-organiser
    and seminar."""
    sessions = []
    for _number in range(count):
        co_organiser = CoOrganiserFactory()
        sessions.append(
            SessionFactory(
                mentors=[
                    MentorProfileFactory(expertise=["agri-food"]) for _m in range(mentors_each)
                ],
                co_organiser=co_organiser,
                seminar=SeminarFactory(co_organisers=[co_organiser]),
                capacity=30,
            )
        )
    return sessions


def answered_questions(count, *, answers=1, session=None):
    """``count`` visible questions, each with ``answers`` answers (the first accepted,
    by a mentor) and a comment on each answer."""
    from mentors.models import AnswerComment

    questions = []
    for _number in range(count):
        question = QuestionFactory(themes=["agri-food", "health"], session=session)
        for position in range(answers):
            answer = AnswerFactory(
                question=question, by_mentor=position == 0, accepted=position == 0
            )
            AnswerComment.objects.create(answer=answer, author=question.author, body="Ευχαριστώ.")
        questions.append(question)
    return questions


def index_everything():
    """Put every searchable row into the (in-memory) search index."""
    backend = connections["default"].get_backend()
    for index in connections["default"].get_unified_index().get_indexes().values():
        rows = list(index.index_queryset())
        if rows:  # Whoosh keeps its write lock after an update with nothing to write
            backend.update(index, rows)
