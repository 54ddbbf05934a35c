"""Every save and delete reaches the search index through one path
(``shop.search_indexing``): inline when tasks run inline, through a Celery worker after
the commit when a broker is configured; and nothing a visitor may not see is ever found.
"""

import base64
import contextlib
import datetime
import itertools
import json
import os
import re
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.apps import apps
from django.db import transaction
from django.utils import timezone
from haystack import connections

from catalogue_ext.search import matching_product_ids
from catalogue_ext.search_indexes import ProductIndex
from mentors.models import Question
from mentors.services import questions as mentors_services
from shop.celery import app as celery_app
from shop.search_indexing import QueuedSignalProcessor, index_later, processor_indexes_on_save
from shop.search_views import KIND_BY_KEY, results_of
from shop.settings.env import EXCLUDED_SEARCH_INDEXES
from shop.text import fold_for_search, slugify_greek
from tests.factories import OrganisationFactory, UserFactory, create_member, create_offered_product
from tests.factories.mentors import theme
from thinktank import services as thinktank_services
from thinktank.models import Article, Moderation, NewsItem, Status
from thinktank.search_indexes import ArticleIndex

REDIS_BROKER = "redis://127.0.0.1:6379/15"
# Each test process (pytest-xdist runs several) has a queue of its own.
QUEUE = f"search-indexing-tests-{os.getpid()}"
CELERY_CONF = ("task_always_eager", "broker_url", "result_backend", "task_default_queue")
WORD = "Κυδωνόπαστα"
QUERY = "κυδωνοπαστα"
_slugs = itertools.count()


# Helpers ----------------------------------------------------------------------------------


def write(model=Article, *, organisation, title, **fields):
    return model.objects.create(
        title=title,
        slug=f"{slugify_greek(title)}-{next(_slugs)}",
        body="",
        organisation=organisation,
        **fields,
    )


def found_articles(query=QUERY):
    results = results_of(KIND_BY_KEY["articles"], query, fold_for_search(query))
    return sorted(result.tt_title for result in results)


def found_questions(query=QUERY):
    results = results_of(KIND_BY_KEY["questions"], query, fold_for_search(query))
    return sorted((result.tt_section, result.tt_title) for result in results)


def ask(title):
    return mentors_services.ask_question(
        user=UserFactory(), title=title, body="", themes=[theme("agri-food")]
    )


def flag_three_times(entry, flag):
    """Three organisations flag the entry: community moderation hides it."""
    for number in range(3):
        organisation = OrganisationFactory(is_verified=True)
        user = create_member(organisation, email=f"flag{number}-{entry.pk}-{next(_slugs)}@ex.org")
        flag(entry, user, organisation)
    entry.refresh_from_db()
    assert entry.moderation == Moderation.HIDDEN


def flag_entry(entry, user, organisation):
    thinktank_services.flag_entry(entry=entry, user=user, organisation=organisation, reason="spam")


def flag_post(post, user, organisation):
    mentors_services.flag_post(post=post, user=user, organisation=organisation, reason="spam")


@contextlib.contextmanager
def recording_index(index_class):
    """Install, in the unified index, a subclass of ``index_class`` that records the pks
    of every ``update_object`` and ``remove_object`` call."""

    class Recording(index_class):
        def __init__(self):
            super().__init__()
            self.updated, self.removed = [], []

        def update_object(self, instance, using=None, **kwargs):
            self.updated.append(instance.pk)
            return super().update_object(instance, using=using, **kwargs)

        def remove_object(self, instance, using=None, **kwargs):
            self.removed.append(getattr(instance, "pk", instance))
            return super().remove_object(instance, using=using, **kwargs)

    unified = connections["default"].get_unified_index()
    model = index_class().get_model()
    original = unified.get_index(model)
    recording = Recording()
    unified._indexes[model] = recording
    try:
        yield recording
    finally:
        unified._indexes[model] = original


# Configuration ----------------------------------------------------------------------------


def test_haystack_indexes_saves_through_the_queued_processor():
    processor = apps.get_app_config("haystack").signal_processor

    assert type(processor) is QueuedSignalProcessor
    assert processor_indexes_on_save() is True


def test_the_tasks_module_is_registered_with_the_project_celery_app():
    celery_app.loader.import_default_modules()

    assert "shop.tasks.update_search_index" in celery_app.tasks
    assert "shop.tasks.remove_from_search_index" in celery_app.tasks


# Inline (no Redis: the default, and the test settings) -----------------------------------


@pytest.mark.django_db
def test_inline_saving_a_product_indexes_it_at_once_and_deleting_removes_it():
    organisation = OrganisationFactory(is_verified=True)
    product = create_offered_product(organisation=organisation, title=f"{WORD} Κρήτης")
    assert matching_product_ids(QUERY) == [product.pk]

    product.title = "Μέλι θυμαρίσιο"
    product.save()
    assert matching_product_ids(QUERY) == []
    assert matching_product_ids("θυμαρισιο") == [product.pk]

    product.delete()
    assert matching_product_ids("θυμαρισιο") == []


@pytest.mark.django_db
def test_inline_saving_an_article_indexes_it_at_once_and_deleting_removes_it():
    article = write(organisation=OrganisationFactory(is_verified=True), title=WORD)
    assert found_articles() == [WORD]

    article.title = "Μέλι"
    article.save()
    assert found_articles() == []
    assert found_articles("μελι") == ["Μέλι"]

    article.delete()
    assert found_articles("μελι") == []


@pytest.mark.django_db
def test_inline_saving_a_question_indexes_it_at_once_and_deleting_removes_it():
    question = ask(f"Πώς φτιάχνεται η {WORD};")
    assert found_questions() == [("questions", f"Πώς φτιάχνεται η {WORD};")]

    question.delete()
    assert found_questions() == []


@pytest.mark.django_db
def test_every_entry_save_and_delete_reaches_the_index_exactly_once():
    organisation = OrganisationFactory(is_verified=True)
    with recording_index(ArticleIndex) as index:
        article = write(organisation=organisation, title=WORD)
        assert (index.updated, index.removed) == ([article.pk], [])

        article.summary = "Νέα περίληψη"
        article.save()
        assert (index.updated, index.removed) == ([article.pk, article.pk], [])

        pk = article.pk
        article.delete()
        assert (index.updated, index.removed) == ([pk, pk], [pk])
    assert found_articles() == []


@pytest.mark.django_db
def test_hiding_a_question_reindexes_its_answers_through_the_same_path():
    question = ask(f"Πού βρίσκω {WORD};")
    answer = mentors_services.answer(question=question, user=UserFactory(), body=f"{WORD} εδώ.")
    assert found_questions() == [
        ("answers", f"Πού βρίσκω {WORD};"),
        ("questions", f"Πού βρίσκω {WORD};"),
    ]

    flag_three_times(question, flag_post)

    assert found_questions() == []
    answer.refresh_from_db()
    assert answer.moderation == Moderation.VISIBLE  # hidden only through its question


@pytest.mark.django_db
def test_adding_or_removing_a_certification_reindexes_the_product():
    from catalogue_ext.models import Certification

    product = create_offered_product(organisation=OrganisationFactory(is_verified=True), title=WORD)
    organic = Certification.objects.get(code="organic")
    with recording_index(ProductIndex) as index:
        product.certifications.add(organic)
        organic.products.remove(product)
        product.certifications.add(organic)
        organic.products.clear()

    assert index.updated == [product.pk, product.pk, product.pk, product.pk]


@pytest.mark.django_db
def test_index_later_with_a_model_and_pks_reads_the_rows_again():
    organisation = OrganisationFactory(is_verified=True)
    kept = write(organisation=organisation, title=f"{WORD} ένα")
    hidden = write(organisation=organisation, title=f"{WORD} δύο")
    assert found_articles() == [f"{WORD} ένα", f"{WORD} δύο"]

    # Changed behind the index's back: neither is reindexed by a save.
    Article.objects.filter(pk=hidden.pk).update(moderation=Moderation.HIDDEN)
    Article.objects.filter(pk=kept.pk).update(title=f"{WORD} τρία")
    index_later(Article, [kept.pk, hidden.pk, 999_999])

    assert found_articles() == [f"{WORD} τρία"]


@pytest.mark.django_db
def test_updating_the_index_makes_its_sections_cached_pages_stale(
    django_capture_on_commit_callbacks,
):
    from django.core.cache import cache

    from shop.search_indexing import update_now

    organisation = OrganisationFactory(is_verified=True)
    article = write(organisation=organisation, title=f"{WORD} ένα")
    cache.set_many({"page-cache:generation:thinktank": 7, "page-cache:generation:market": 7})

    with django_capture_on_commit_callbacks(execute=True):
        update_now("thinktank.Article", [article.pk])
    assert cache.get("page-cache:generation:thinktank") == 8
    assert cache.get("page-cache:generation:market") == 7


# Queued (Redis as the broker, a Celery worker) -------------------------------------------


def _redis():
    import redis

    client = redis.Redis.from_url(REDIS_BROKER, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379 (the queued indexing test needs it)")
    return client


def _use_broker(**conf):
    """Change the Celery app's configuration and forget the broker connections and the
    queues it made with the previous one (they are made once, on first use)."""
    celery_app.conf.update(conf)
    celery_app._pool = None
    celery_app.__dict__.pop("amqp", None)


@pytest.fixture
def queued_indexing(settings, tmp_path):
    """Tasks go to Redis (database 15, a queue of this test process's own) instead of
    running inline, and the index lives in a Whoosh folder: the in-memory Whoosh index
    belongs to one thread, and the worker runs in another."""
    broker = _redis()
    broker.delete(QUEUE, f"_kombu.binding.{QUEUE}")

    # Read the app's configuration before the Django setting changes: it is loaded
    # from the Django settings on first use.
    saved_conf = {key: celery_app.conf[key] for key in CELERY_CONF}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    _use_broker(
        task_always_eager=False,
        broker_url=REDIS_BROKER,
        result_backend=None,
        task_default_queue=QUEUE,
    )

    info = connections.connections_info["default"]
    saved_info = dict(info)
    info.clear()
    info.update(
        {
            "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
            "PATH": str(tmp_path / "whoosh"),
            "EXCLUDED_INDEXES": EXCLUDED_SEARCH_INDEXES,
        }
    )
    connections.reload("default").get_backend().setup()
    try:
        yield broker
    finally:
        info.clear()
        info.update(saved_info)
        connections.reload("default")
        _use_broker(**saved_conf)
        broker.delete(QUEUE, f"_kombu.binding.{QUEUE}")


def queued_messages(broker):
    return broker.llen(QUEUE)


def queued_tasks(broker):
    """(task, model label, pks) of each message waiting in the queue, oldest first."""
    tasks = []
    for raw in reversed(broker.lrange(QUEUE, 0, -1)):
        message = json.loads(raw)
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        tasks.append((message["headers"]["task"], args[0], args[1]))
    return tasks


def forget_queued_tasks(broker):
    """Drop what setting the test up queued (an organisation is indexed too)."""
    broker.delete(QUEUE)


def run_worker_until_queue_is_empty(broker):
    """Start a Celery worker of the project's app in a thread of this process, let it
    perform every queued task, stop it; return the names of the tasks it performed."""
    expected = queued_messages(broker)
    finished = []

    def on_postrun(task=None, **kwargs):
        finished.append(task.name)

    task_postrun.connect(on_postrun, weak=False)
    try:
        with start_worker(
            celery_app, pool="solo", concurrency=1, perform_ping_check=False, shutdown_timeout=30
        ):
            deadline = time.monotonic() + 30
            while len(finished) < expected and time.monotonic() < deadline:
                time.sleep(0.05)
    finally:
        task_postrun.disconnect(on_postrun)
    return finished


@pytest.mark.django_db(transaction=True)
def test_queued_save_is_indexed_by_the_worker_after_the_commit_only(queued_indexing):
    broker = queued_indexing
    organisation = OrganisationFactory(is_verified=True)
    forget_queued_tasks(broker)

    with transaction.atomic():
        article = write(organisation=organisation, title=WORD)
        assert queued_tasks(broker) == []  # nothing queued before the commit
        assert found_articles() == []
    assert queued_tasks(broker) == [
        ("shop.tasks.update_search_index", "thinktank.Article", [article.pk])
    ]
    assert found_articles() == []  # not indexed in the saving process

    finished = run_worker_until_queue_is_empty(broker)

    assert finished == ["shop.tasks.update_search_index"]
    assert queued_messages(broker) == 0
    assert found_articles() == [WORD]


@pytest.mark.django_db(transaction=True)
def test_queued_delete_and_hiding_take_effect_when_the_worker_runs(queued_indexing):
    broker = queued_indexing
    organisation = OrganisationFactory(is_verified=True)
    deleted = write(organisation=organisation, title=f"{WORD} σβήνεται")
    hidden = write(organisation=organisation, title=f"{WORD} κρύβεται")
    run_worker_until_queue_is_empty(broker)
    assert found_articles() == [f"{WORD} κρύβεται", f"{WORD} σβήνεται"]
    deleted_pk = deleted.pk

    deleted.delete()
    hidden.title = f"{WORD} κρύβεται τώρα"
    hidden.save()
    # Hidden after the save was queued: the worker reads the row as it is when it runs.
    Article.objects.filter(pk=hidden.pk).update(moderation=Moderation.HIDDEN)
    assert queued_tasks(broker) == [
        ("shop.tasks.remove_from_search_index", "thinktank.Article", [deleted_pk]),
        ("shop.tasks.update_search_index", "thinktank.Article", [hidden.pk]),
    ]
    assert found_articles() == [f"{WORD} κρύβεται", f"{WORD} σβήνεται"]

    finished = run_worker_until_queue_is_empty(broker)

    assert sorted(finished) == [
        "shop.tasks.remove_from_search_index",
        "shop.tasks.update_search_index",
    ]
    assert found_articles() == []


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_save_queues_nothing(queued_indexing):
    broker = queued_indexing
    organisation = OrganisationFactory(is_verified=True)
    forget_queued_tasks(broker)

    with contextlib.suppress(RuntimeError), transaction.atomic():
        write(organisation=organisation, title=WORD)
        raise RuntimeError("rolled back")

    assert queued_tasks(broker) == []
    assert Article.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_saving_a_model_that_is_not_indexed_queues_nothing(queued_indexing):
    broker = queued_indexing
    forget_queued_tasks(broker)

    user = UserFactory()
    user.first_name = "Ελένη"
    user.save()
    user.delete()

    assert queued_tasks(broker) == []


# Never found: unpublished, hidden, deleted, unverified ------------------------------------


def _site_search(client):
    html = client.get("/en/search/", {"q": QUERY}).content.decode()
    headings = re.findall(r'<h2 id="search-group-[a-z]+" class="h4">([^<]*)</h2>', html)
    titles = re.findall(
        r'<h3 class="search-result__title h5 mb-1"><a href="[^"]*">(.*?)</a></h3>', html
    )
    return headings, sorted(re.sub(r"</?mark>", "", title) for title in titles)


@pytest.mark.django_db
def test_unpublished_hidden_deleted_or_unverified_items_are_never_found(client):
    verified = OrganisationFactory(is_verified=True)
    unverified = OrganisationFactory(is_verified=False)
    later_unverified = OrganisationFactory(is_verified=True)
    in_an_hour = timezone.now() + datetime.timedelta(hours=1)

    # What a visitor may see: one of each kind.
    write(organisation=verified, title=f"{WORD} άρθρο")
    question = ask(f"{WORD} ερώτηση;")
    product = create_offered_product(organisation=verified, title=f"{WORD} προϊόν")

    # What a visitor may not see.
    write(organisation=verified, title=f"{WORD} πρόχειρο", status=Status.DRAFT)
    write(organisation=verified, title=f"{WORD} προγραμματισμένο", publish_at=in_an_hour)
    write(NewsItem, organisation=verified, title=f"{WORD} νέο", kind="announcement",
          publish_at=in_an_hour)  # fmt: skip
    flag_three_times(write(organisation=verified, title=f"{WORD} κρυμμένο"), flag_entry)
    removed = write(organisation=verified, title=f"{WORD} αφαιρεμένο")
    flag_three_times(removed, flag_entry)
    reviewer = create_member(verified, email="reviewer@example.org")
    thinktank_services.review_entry(
        entry=removed, user=reviewer, organisation=verified, restore=False
    )
    thinktank_services.delete_entry(
        entry=write(organisation=verified, title=f"{WORD} διαγραμμένο"),
        user=reviewer,
        organisation=verified,
    )
    write(organisation=verified, title=f"{WORD} σβησμένο").delete()
    create_offered_product(organisation=verified, title=f"{WORD} κρυφό", is_public=False)
    create_offered_product(organisation=unverified, title=f"{WORD} ανεπιβεβαίωτο")
    unverified_later = create_offered_product(
        organisation=later_unverified, title=f"{WORD} χωρίς επιβεβαίωση"
    )
    assert sorted(matching_product_ids(QUERY)) == sorted([product.pk, unverified_later.pk])
    later_unverified.is_verified = False
    later_unverified.save()
    flag_three_times(ask(f"{WORD} κρυμμένη ερώτηση;"), flag_post)
    removed_question = ask(f"{WORD} αφαιρεμένη ερώτηση;")
    flag_three_times(removed_question, flag_post)
    thinktank_services.review_entry(
        entry=removed_question, user=reviewer, organisation=verified, restore=False
    )
    assert Question.objects.filter(moderation=Moderation.VISIBLE).get() == question

    expected = (
        ["Opinion articles (1)", "Questions and answers (1)", "Products and services (1)"],
        [f"{WORD} άρθρο", f"{WORD} ερώτηση;", f"{WORD} προϊόν"],
    )
    assert _site_search(client) == expected
    assert matching_product_ids(QUERY) == [product.pk]

    # Rebuilt from scratch, the index holds no more.
    from django.core.management import call_command

    call_command("rebuild_index", interactive=False, verbosity=0)
    assert _site_search(client) == expected
    assert matching_product_ids(QUERY) == [product.pk]
