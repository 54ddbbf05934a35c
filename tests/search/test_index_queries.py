"""Building the search index: a batch of documents costs the same few queries whatever
its size, the documents hold exactly what they held when each one asked the database
itself, and the Whoosh backend writes a batch with one searcher instead of one per
document."""

import threading
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from haystack import connections
from haystack.exceptions import SkipDocument
from oscar.apps.search import search_indexes as oscar_search_indexes
from oscar.core.loading import get_model
from whoosh.index import LockError

from catalogue_ext.search_indexes import ProductIndex
from shop.partner.search_indexes import OrganisationIndex
from shop.search_backends import BatchWritingWhooshBackend, SpellingOnRequestWhooshEngine
from shop.text import fold_for_search, greeklish_key, searchable_text, transliterate_greek
from tests.factories import (
    OrganisationFactory,
    ProductClassFactory,
    ProductFactory,
    StockRecordFactory,
)
from tests.factories.bulk import category
from tests.factories.mentors import AnswerFactory, SessionFactory
from tests.factories.thinktank import (
    ArticleFactory,
    DocumentFactory,
    EventFactory,
    NewsItemFactory,
    ProposalFactory,
    VideoFactory,
)

pytestmark = pytest.mark.django_db

Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")

MANY = 10
FEW = 2


def offered(organisation, title, *, price="10.00", stock=10, allocated=0, **product):
    product = ProductFactory(title=title, **product)
    StockRecordFactory(
        product=product,
        partner=organisation,
        price=Decimal(price),
        num_in_stock=stock,
        num_allocated=allocated,
    )
    return product


@pytest.fixture
def everything_searchable():
    """MANY searchable rows of every index, of varied kinds."""
    seller = OrganisationFactory(is_verified=True)
    food = ProductClassFactory(name="Τρόφιμα", vat_rate="reduced")
    courses = ProductClassFactory(
        name="Μαθήματα", vat_rate="standard", kind="service", track_stock=False
    )
    honey, gifts = category("Τρόφιμα > Μέλι"), category("Δώρα")
    for number in range(MANY):
        if number % 2:
            product = offered(seller, f"Μάθημα {number}", product_class=courses, stock=None)
        else:
            product = offered(seller, f"Μέλι {number}", product_class=food, allocated=1)
        product.categories.add(honey, gifts)
    for factory in (
        NewsItemFactory,
        ArticleFactory,
        DocumentFactory,
        EventFactory,
        VideoFactory,
        ProposalFactory,
        SessionFactory,
        AnswerFactory,  # each with its own question
    ):
        factory.create_batch(MANY)


def queries_to_prepare(index, count):
    """Queries run to load ``count`` rows as ``update_index`` does (a slice of
    ``index_queryset`` ordered by pk) and prepare their documents."""
    with CaptureQueriesContext(connection) as context:
        rows = list(index.index_queryset().order_by("pk")[:count])
        documents = [index.full_prepare(row) for row in rows]
    assert len(documents) == count
    return len(context.captured_queries)


def test_preparing_documents_costs_the_same_queries_for_few_and_many(everything_searchable):
    indexes = connections["default"].get_unified_index().get_indexes()
    counts = {
        model.__name__: (queries_to_prepare(index, FEW), queries_to_prepare(index, MANY))
        for model, index in indexes.items()
    }
    assert set(counts) == {
        "Product",
        "NewsItem",
        "Article",
        "Document",
        "Event",
        "Video",
        "Proposal",
        "Session",
        "Question",
        "Answer",
        "Partner",
    }
    assert {name: few for name, (few, _many) in counts.items()} == {
        name: many for name, (_few, many) in counts.items()
    }
    # The products, their stock records, their browsable categories.
    assert counts["Product"] == (3, 3)


# What a product's document holds --------------------------------------------------------


@pytest.fixture
def honey_of_crete():
    crete = OrganisationFactory(name="Μελισσοκομικός Συνεταιρισμός Κρήτης", is_verified=True)
    product = offered(
        crete,
        "Μέλι Θυμαρίσιο ΚΡΗΤΗΣ",
        upc="HONEY-1",
        description="Ανθόμελο από τα Σφακιά, ευωδιαστό.",
        price="10.00",
        stock=12,
        allocated=2,
        product_class=ProductClassFactory(name="Τρόφιμα", vat_rate="reduced"),
    )
    gifts = category("Δώρα")
    honey = category("Τρόφιμα > Μέλι")
    hidden = category("Αρχείο")
    Category.objects.filter(pk=hidden.pk).update(is_public=False)
    product.categories.add(honey, hidden, gifts)
    return product, [gifts.pk, honey.pk]


def indexed(index, product):
    """``product`` as ``update_index`` loads it."""
    return index.index_queryset().get(pk=product.pk)


def test_product_document_holds_text_price_stock_and_categories(honey_of_crete):
    product, browsable_category_pks = honey_of_crete
    index = ProductIndex()
    document = index.full_prepare(indexed(index, product))
    assert document["text"] == (
        # As written (Oscar's text template), folded, then by its Greeklish key.
        "HONEY-1\nΜέλι Θυμαρίσιο ΚΡΗΤΗΣ\nΑνθόμελο από τα Σφακιά, ευωδιαστό.\n\n"
        "honey-1\nμελι θυμαρισιο κρητησ\nανθομελο απο τα σφακια, ευωδιαστο.\n\n"
        "honei-1\nmeli thimarisio kritis\nadhomelo apo ta sfakia, evodiasto.\n"
    )
    assert document["price"] == Decimal("11.30")  # 10.00 and 13% VAT
    assert document["num_in_stock"] == 10  # 12 in stock, 2 allocated
    assert document["category"] == browsable_category_pks
    assert document["product_class"] == "Τρόφιμα"
    assert "rating" not in document  # no reviews: haystack leaves the field out
    assert document["title"] == document["suggestions"] == "Μέλι Θυμαρίσιο ΚΡΗΤΗΣ"


@pytest.mark.parametrize(
    ("kind", "booking", "stock", "allocated"),
    [
        ("good", "bookable", 7, 3),
        ("good", "bookable", 0, 0),
        ("service", "bookable", None, 0),
        ("service", "bookable", 4, 1),
        ("service", "quote", None, 0),
    ],
)
def test_product_price_stock_and_categories_are_oscars(kind, booking, stock, allocated):
    """The prefetched data gives what Oscar's own index computes asking the database."""
    product = offered(
        OrganisationFactory(is_verified=True),
        "Προϊόν",
        price="8.40",
        stock=stock,
        allocated=allocated,
        service_booking=booking,
        product_class=ProductClassFactory(name=f"Κατηγορία {kind}", vat_rate="standard", kind=kind),
    )
    product.categories.add(category("Τρόφιμα > Μέλι"))
    index = ProductIndex()
    prefetched = indexed(index, product)
    fresh = type(product).objects.get(pk=product.pk)
    oscar = oscar_search_indexes.ProductIndex()
    with CaptureQueriesContext(connection) as context:
        ours = (
            index.prepare_price(prefetched),
            index.prepare_num_in_stock(prefetched),
            index.prepare_category(prefetched),
        )
    assert context.captured_queries == []
    assert ours == (
        oscar.prepare_price(fresh),
        oscar.prepare_num_in_stock(fresh),
        oscar.prepare_category(fresh),
    )
    assert ours[0] == Decimal("10.42")  # 8.40 and 24% VAT


def test_product_saved_and_not_prefetched_is_prepared_alike(honey_of_crete):
    """A save indexes the product as it is, without the prefetched data."""
    product, _categories = honey_of_crete
    index = ProductIndex()
    assert index.full_prepare(type(product).objects.get(pk=product.pk)) == index.full_prepare(
        indexed(index, product)
    )


def test_product_of_an_unverified_organisation_or_hidden_is_not_indexed():
    visible = offered(OrganisationFactory(is_verified=True), "Μέλι")
    offered(OrganisationFactory(is_verified=False), "Κερί")
    offered(OrganisationFactory(is_verified=True), "Γύρη", is_public=False)
    assert list(ProductIndex().index_queryset().values_list("pk", flat=True)) == [visible.pk]


# The Greek text helpers give the same results word by word as on a whole text ---------


@pytest.mark.parametrize(
    ("text", "latin", "folded", "key"),
    [
        ("Μέλι Θυμαρίσιο", "Meli Thymarisio", "μελι θυμαρισιο", "meli thimarisio"),
        ("ΑΥΤΟΣ ο δρόμος", "AfTOS o dromos", "αυτοσ ο δρομοσ", "aftos o dromos"),
        ("Ευχαριστώ\tαυγά", "Efcharisto\tavga", "ευχαριστω\tαυγα", "efharisto\tavga"),
        ("Παϊδάκια, αϋπνία", "Paidakia, aypnia", "παιδακια, αυπνια", "pedakia, afpnia"),
        ("αυ ευ ηυ", "af ef if", "αυ ευ ηυ", "af ef if"),
        ("Μπουγάτσα  γκρεμός", "Mpougatsa  gkremos", "μπουγατσα  γκρεμοσ", "bugatsa  gremos"),
        ("ΣΟΦΟΣ\u2000Ξάνθη", "SOFOS\u2002Xanthi", "σοφοσ\u2002ξανθη", "sofos\u2002xadhi"),
        ("\u0308Ελαιόλαδο 8alassa", "Elaiolado 8alassa", "ελαιολαδο 8alassa", "eleolado thalasa"),
        ("Café Ökologisch", "Cafe Okologisch", "cafe okologisch", "cafe okologish"),
        ("", "", "", ""),
    ],
)
def test_greek_text_helpers_on_varied_text(text, latin, folded, key):
    assert transliterate_greek(text) == latin
    assert fold_for_search(text) == folded
    assert greeklish_key(text) == key
    # A second time, from the per-word caches.
    assert (transliterate_greek(text), fold_for_search(text), greeklish_key(text)) == (
        latin,
        folded,
        key,
    )


def test_searchable_text_of_a_text_with_chi_gives_both_keys():
    assert searchable_text("Χαλκιδική ΧΑΛΚΙΔΙΚΗ") == (
        "χαλκιδικη χαλκιδικη\nhalkidiki halkidiki\nxalkidiki xalkidiki"
    )


# Whoosh writes a batch with one searcher ----------------------------------------------


def test_the_whoosh_engine_writes_in_batches():
    assert SpellingOnRequestWhooshEngine.backend is BatchWritingWhooshBackend


@pytest.fixture
def whoosh(tmp_path):
    return BatchWritingWhooshBackend("default", PATH=str(tmp_path / "whoosh_index"))


def stored(backend):
    """Stored fields of every document in the index, by id."""
    backend.index = backend.index.refresh()
    with backend.index.searcher() as searcher:
        return {fields["id"]: fields for fields in searcher.all_stored_fields()}


def organisations(*names):
    return [OrganisationFactory(name=name, is_verified=True) for name in names]


def test_whoosh_update_replaces_documents_and_keeps_the_others(whoosh):
    alpha, beta = organisations("Άλφα", "Βήτα")
    index = OrganisationIndex()
    whoosh.update(index, [alpha, beta])
    Partner.objects.filter(pk=alpha.pk).update(name="Άλφα Νέα")
    whoosh.update(index, [Partner.objects.get(pk=alpha.pk)])

    documents = stored(whoosh)
    assert {fields["tt_title"] for fields in documents.values()} == {"Άλφα Νέα", "Βήτα"}
    assert whoosh.index.doc_count() == 2
    assert whoosh.search("νεα")["hits"] == 1
    assert whoosh.search("αλφα")["hits"] == 1


def test_whoosh_update_leaves_out_skipped_documents(whoosh):
    alpha, beta = organisations("Άλφα", "Βήτα")

    class SkippingBeta(OrganisationIndex):
        def prepare(self, organisation):
            if organisation.pk == beta.pk:
                raise SkipDocument
            return super().prepare(organisation)

    whoosh.update(SkippingBeta(), [alpha, beta])
    assert [fields["tt_title"] for fields in stored(whoosh).values()] == ["Άλφα"]


def test_whoosh_update_with_nothing_to_write_releases_the_lock(whoosh):
    (beta,) = organisations("Βήτα")

    class SkippingAll(OrganisationIndex):
        def prepare(self, organisation):
            raise SkipDocument

    whoosh.update(SkippingAll(), [beta])
    whoosh.index.writer().cancel()  # would raise LockError if the lock were held


def test_whoosh_update_failing_releases_the_lock_and_writes_nothing(whoosh):
    alpha, beta = organisations("Άλφα", "Βήτα")

    class Failing(OrganisationIndex):
        def prepare(self, organisation):
            if organisation.pk == beta.pk:
                raise RuntimeError("broken")
            return super().prepare(organisation)

    with pytest.raises(RuntimeError):
        whoosh.update(Failing(), [alpha, beta])
    assert stored(whoosh) == {}
    whoosh.index.writer().cancel()


def test_whoosh_update_waits_for_another_writer_and_loses_nothing(whoosh):
    alpha, beta = organisations("Άλφα", "Βήτα")
    index = OrganisationIndex()
    whoosh.update(index, [alpha])
    other_writer = whoosh.index.writer()
    with pytest.raises(LockError):
        whoosh.index.writer()

    updating = threading.Thread(target=whoosh.update, args=(index, [beta]))
    updating.start()
    updating.join(timeout=0.5)
    assert updating.is_alive()  # waiting for the lock
    other_writer.cancel()
    updating.join(timeout=10)

    assert not updating.is_alive()
    assert {fields["tt_title"] for fields in stored(whoosh).values()} == {"Άλφα", "Βήτα"}
