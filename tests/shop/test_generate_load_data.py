"""``manage.py generate_load_data``: exact sizes, the same data for the same seed, a rerun
that replaces only generated rows, pages that show the rows, and a search index that
``rebuild_index`` builds from them."""

import io
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from oscar.core.loading import get_model

from catalogue_ext.search import matching_product_ids
from mentors.models import Answer, MentorProfile, Question, Session, Vote
from shop.load_data import (
    DEFAULT_MEMBER_EMAIL,
    DEFAULT_MEMBER_PASSWORD,
    generated_counts,
    generated_entries,
    generated_organisations,
    generated_products,
    generated_questions,
    generated_users,
)
from shop.text import slugify_greek
from tests.factories import OrganisationFactory, create_offered_product
from tests.factories.mentors import QuestionFactory
from tests.factories.thinktank import ArticleFactory
from thinktank.models import Article, Document, Event, NewsItem, Proposal, Revision, Video

Category = get_model("catalogue", "Category")
Partner = get_model("partner", "Partner")
Product = get_model("catalogue", "Product")
ProductImage = get_model("catalogue", "ProductImage")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db

SMALL = ["--organisations", "3", "--products", "40", "--articles", "10", "--questions", "8"]
# Greece's mainland and islands lie inside this box (latitude, longitude).
GREECE = ((34.8, 41.8), (19.3, 28.3))


def generate(*arguments):
    output = io.StringIO()
    call_command("generate_load_data", *SMALL, *arguments, stdout=output)
    return output.getvalue()


def snapshot_of_generated_data():
    """What the same seed must give again: names, prices and texts."""
    return {
        "organisations": list(
            generated_organisations()
            .order_by("code")
            .values_list("code", "name", "legal_form", "region", "latitude", "longitude")
        ),
        "products": list(
            generated_products()
            .order_by("upc")
            .values_list("upc", "title", "description", "stockrecords__price")
        ),
        "articles": list(
            generated_entries(Article).order_by("slug").values_list("slug", "title", "body")
        ),
        "questions": sorted(
            generated_questions().values_list("title", "body", "score", "answer_count")
        ),
        "sessions": sorted(Session.objects.values_list("title", "description")),
        "users": sorted(generated_users().values_list("email", "first_name", "last_name")),
    }


def table_counts():
    return {
        model._meta.label: model.objects.count()
        for model in (Partner, Product, StockRecord, ProductImage, get_user_model(), Article,
                      NewsItem, Document, Event, Video, Proposal, Session, MentorProfile,
                      Question, Answer, Vote, Revision, Category)
    }  # fmt: skip


def test_generate_makes_exactly_the_requested_rows():
    output = generate()

    counts = generated_counts()
    # How many answers and votes each question gets is drawn at random.
    drawn = ("products", "services", "answers", "votes", "registrations")
    assert {key: count for key, count in counts.items() if key not in drawn} == {
        "organisations": 3,
        "users": 3 * 2 + 3 + 1,  # two members each, three mentors, the member to sign in as
        "stock_records": 40,
        "product_images": 40,
        "news": 5,
        "articles": 10,
        "documents": 2,
        "events": 2,
        "videos": 1,
        "proposals": 1,
        "mentors": 3,
        "seminars": 0,
        "sessions": 3,
        "questions": 8,
    }
    assert counts["products"] + counts["services"] == Product.objects.count() == 40
    assert counts["products"] > 0 and counts["services"] > 0
    assert Partner.objects.count() == 3
    assert get_user_model().objects.count() == 10
    assert Answer.objects.count() == counts["answers"] > 0
    assert Vote.objects.count() == counts["votes"] > 0
    assert "organisations: 3" in output
    assert "questions: 8" in output
    assert "manage.py rebuild_index" in output


def test_generated_rows_are_filled_as_saving_them_would():
    generate()

    for organisation in generated_organisations():
        assert organisation.code.startswith("load-")
        assert organisation.is_verified and organisation.verified_at is not None
        latitude, longitude = GREECE
        assert latitude[0] < organisation.latitude < latitude[1]
        assert longitude[0] < organisation.longitude < longitude[1]
        address = organisation.addresses.get()
        searched = address.search_text
        address._update_search_text()
        assert searched == address.search_text and address.line4 in searched
        members = list(organisation.users.all())
        assert len(members) >= 2
        assert all(member.has_perm("partner.dashboard_access") for member in members)

    for product in generated_products().prefetch_related("stockrecords", "categories"):
        assert product.upc.startswith("LOAD-")
        assert product.slug == slugify_greek(product.title)
        stockrecord = product.stockrecords.get()
        assert stockrecord.partner.code.startswith("load-")
        assert stockrecord.price > Decimal("0") and stockrecord.price_currency == "EUR"
        assert product.categories.get().depth == 2
    assert Category.objects.find_problems() == ([], [], [], [], [])
    with (
        ProductImage.objects.filter(product__in=generated_products())
        .first()
        .original.open() as image
    ):
        assert image.read(3) == b"\xff\xd8\xff"

    for question in generated_questions():
        visible_answers = question.answers.count()
        assert question.answer_count == visible_answers
        assert question.score == (question.votes.aggregate(total=Sum("value"))["total"] or 0)
        assert question.votes.filter(user=question.author).count() == 0
    for answer in Answer.objects.all():
        assert answer.score == (answer.votes.aggregate(total=Sum("value"))["total"] or 0)
    for session in Session.objects.all():
        assert session.ends_at == session.starts_at + session.duration
        assert session.mentors.exists()
    assert Session.objects.filter(ends_at__lt=timezone.now()).exists()
    assert Session.objects.filter(starts_at__gt=timezone.now()).exists()

    for model in (NewsItem, Article, Document, Event, Video, Proposal):
        for entry in generated_entries(model):
            assert entry.is_published
            revisions = Revision.objects.filter(
                object_id=entry.pk, content_type__model=model._meta.model_name
            )
            assert [revision.number for revision in revisions] == [1]
    document = generated_entries(Document).first()
    assert document.file_type == "pdf" and document.file_size > 0
    assert document.extracted_text


def test_member_signs_in_as_a_member_of_the_first_organisation(client):
    generate()

    first = generated_organisations().order_by("pk").first()
    member = get_user_model().objects.get(email=DEFAULT_MEMBER_EMAIL)
    assert list(member.partners.all()) == [first]
    assert member.has_perm("partner.dashboard_access")
    assert client.login(username=member.username, password=DEFAULT_MEMBER_PASSWORD)
    assert StockRecord.objects.filter(partner=first).exists()


def test_member_email_and_password_options():
    generate("--member-email", "bench@example.org", "--member-password", "another-secret")

    member = get_user_model().objects.get(email="bench@example.org")
    assert member.check_password("another-secret")
    assert list(member.partners.values_list("code", flat=True)) == [
        generated_organisations().order_by("pk").values_list("code", flat=True).first()
    ]


def test_same_seed_gives_the_same_data_and_another_seed_other_data():
    generate()
    first = snapshot_of_generated_data()

    generate()
    assert snapshot_of_generated_data() == first

    generate("--seed", "7")
    other = snapshot_of_generated_data()
    assert other["organisations"] != first["organisations"]
    assert other["products"] != first["products"]


def test_rerun_replaces_generated_rows_and_keeps_the_others():
    real_organisation = OrganisationFactory(name="Συνεταιρισμός Πραγματικός", is_verified=True)
    real_product = create_offered_product(organisation=real_organisation, title="Μέλι Κρήτης")
    real_article = ArticleFactory(title="Πραγματικό άρθρο", organisation=real_organisation)
    real_question = QuestionFactory(title="Πραγματική ερώτηση;")
    generate()
    counts = table_counts()
    generated = generated_counts()
    product_ids = set(generated_products().values_list("pk", flat=True))

    generate()

    assert table_counts() == counts
    assert generated_counts() == generated
    assert product_ids.isdisjoint(generated_products().values_list("pk", flat=True))
    for row in (real_organisation, real_product, real_article, real_question):
        row.refresh_from_db()
    assert real_product.stockrecords.get().partner == real_organisation
    assert real_question.author is not None


def test_rerun_with_smaller_sizes_leaves_only_the_new_rows():
    generate()
    call_command(
        "generate_load_data", "--organisations", "1", "--products", "2", "--articles", "0",
        "--questions", "0", stdout=io.StringIO(),
    )  # fmt: skip

    counts = generated_counts()
    assert (counts["organisations"], counts["products"] + counts["services"]) == (1, 2)
    assert (counts["articles"], counts["news"], counts["questions"], counts["sessions"]) == (0,) * 4
    assert Question.objects.count() == Answer.objects.count() == Vote.objects.count() == 0
    assert Revision.objects.count() == 0


def planner_row_estimate(table):
    """How many rows the database's planner believes ``table`` holds."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [table])
            (estimate,) = cursor.fetchone()
            return int(estimate)
        # SQLite keeps "<rows> <rows per key>…" for each index of the table.
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        return int(cursor.fetchone()[0].split()[0])


def test_planner_statistics_are_refreshed_after_the_bulk_load():
    """Without ANALYZE the planner plans the catalogue as if the tables were empty and
    reads every product for one page."""
    generate()

    assert planner_row_estimate("catalogue_product") == Product.objects.count() == 40


def test_negative_sizes_are_refused():
    with pytest.raises(CommandError):
        call_command("generate_load_data", "--products", "-1", stdout=io.StringIO())


def test_generated_rows_appear_on_the_pages(client):
    generate()
    newest_product = generated_products().order_by("-date_created", "-pk").first()
    organisation = newest_product.stockrecords.get().partner
    article = generated_entries(Article).order_by("-publish_at", "-pk").first()
    question = generated_questions().order_by("-created_at", "-pk").first()
    answer = question.answers.first()

    pages = {
        reverse("catalogue:index"): newest_product.title,
        organisation.get_absolute_url(): newest_product.title,
        reverse("organisations:list"): organisation.name,
        reverse("thinktank:articles-list"): article.title,
        reverse("mentors:questions"): question.title,
        newest_product.get_absolute_url(): organisation.name,
        question.get_absolute_url(): answer.body if answer else question.body,
    }  # fmt: skip
    for url, text in pages.items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert escape(text) in response.content.decode(), (url, text)


def test_rebuild_index_afterwards_finds_a_generated_product(client):
    generate()
    product = generated_products().order_by("upc").first()
    assert matching_product_ids(product.title) == []

    call_command("rebuild_index", interactive=False, verbosity=0)

    assert product.pk in matching_product_ids(product.title)
    response = client.get(reverse("search:search"), {"q": product.title})
    assert response.status_code == 200
    assert escape(product.title) in response.content.decode()
