"""The platform under load: `make bench` (python -m tests.benchmarks.run).

Serves the site with gunicorn (2 workers) on PostgreSQL, with the Redis cache and
persistent database connections, over generated data (manage.py generate_load_data),
and drives each key page with wrk on loopback: 20 concurrent connections, a warm-up
first, as an anonymous visitor and as a signed-in member with a non-empty basket. A
trivial Django view on the same server (/healthz) gives the ceiling. Queries per request
are counted separately with Django's test client against the same database and cache.

Writes tests/benchmarks/results/latest.json, prints a markdown table and checks the
targets; exits non-zero when one is missed.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "latest.json"
PYTHON = sys.executable

DEFAULT_SIZES = {"organisations": 500, "products": 20000, "articles": 5000, "questions": 3000}
MEMBER_EMAIL = "member@load.coopsociety.gr"
MEMBER_PASSWORD = "load-data"  # noqa: S105 (generated benchmark data only)

# Targets of the performance issue, checked at the end of every run.
ANONYMOUS_MIN_RATIO = 0.40
ANONYMOUS_MAX_P95_MS = 150
SIGNED_IN_MIN_RPS = {"catalogue": 50, "category": 50}
SEARCH_MIN_RPS = 30
MAX_QUERIES = 25
MAX_FRESHNESS_SECONDS = 5


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in DEFAULT_SIZES.items():
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--duration", type=int, default=10, help="seconds measured per page")
    parser.add_argument("--warmup", type=int, default=3, help="seconds of warm-up per page")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8111)
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/coopsociety_bench"
        ),
    )
    parser.add_argument(
        "--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/5")
    )
    parser.add_argument(
        "--regenerate", action="store_true", help="generate the data even if it is there"
    )
    parser.add_argument("--only", help="comma-separated page names to measure")
    return parser.parse_args()


def bench_environment(args, var_dir):
    env = dict(os.environ)
    for name in ("ELASTICSEARCH_URL", "EMAIL_URL", "SENTRY_DSN", "S3_BUCKET"):
        env.pop(name, None)
    env.update(
        DJANGO_SETTINGS_MODULE="shop.settings.production",
        DATABASE_URL=args.database_url,
        REDIS_URL=args.redis_url,
        CONN_MAX_AGE="600",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
        SECURE_SSL_REDIRECT="0",
        VAR_DIR=str(var_dir),
        MEDIA_ROOT=str(var_dir / "media"),
        LOG_LEVEL="WARNING",
        PYTHONWARNINGS="ignore",
    )
    return env


def run(command, env, **kwargs):
    print("$", " ".join(command), flush=True)
    subprocess.run(command, env=env, cwd=ROOT, check=True, **kwargs)


def manage(env, *arguments):
    run([PYTHON, "-W", "ignore", "manage.py", *arguments], env)


def prepare_data(args, env, var_dir):
    """Generate the data once; later runs reuse it while the sizes match.

    Reused data is migrated forward like a live site's, so a new index or column does
    not cost a full regeneration and reindex.
    """
    wanted = {
        "sizes": {name: getattr(args, name) for name in DEFAULT_SIZES},
        "database": args.database_url,
    }
    marker = var_dir / "dataset.json"
    if not args.regenerate and marker.exists() and json.loads(marker.read_text()) == wanted:
        print("Reusing the generated data in", args.database_url)
        manage(env, "migrate", "--noinput", "--verbosity", "0")
        manage(env, "collectstatic", "--noinput", "--verbosity", "0")
        return

    import psycopg

    parts = urllib.parse.urlsplit(args.database_url)
    name = parts.path.lstrip("/")
    server = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')
    shutil.rmtree(var_dir / "whoosh_index", ignore_errors=True)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    started = time.monotonic()
    manage(
        env,
        "generate_load_data",
        *[f"--{name}={getattr(args, name)}" for name in DEFAULT_SIZES],
        f"--member-email={MEMBER_EMAIL}",
        f"--member-password={MEMBER_PASSWORD}",
    )
    generated = time.monotonic() - started
    started = time.monotonic()
    manage(env, "rebuild_index", "--noinput", "--verbosity", "0")
    indexed = time.monotonic() - started
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")
    print(f"Data generated in {generated:.0f} s, indexed in {indexed:.0f} s")
    marker.write_text(json.dumps(wanted))


def key_pages():
    """(name, path) of every page measured, picked from the generated data."""
    from django.urls import reverse
    from django.utils import timezone
    from oscar.core.loading import get_model

    from catalogue_ext.listing import visible_products
    from mentors.models import Question, Session
    from thinktank.models import Article

    Partner = get_model("partner", "Partner")
    product = visible_products().filter(images__isnull=False).order_by("pk").distinct()
    product = product[product.count() // 2]
    category = product.get_categories().first()
    organisation = Partner.objects.get(stockrecords__product=product)
    article = Article.objects.published().order_by("-publish_at").first()
    session = (
        Session.objects.published().filter(starts_at__gte=timezone.now()).order_by("starts_at")
    ).first() or Session.objects.published().order_by("-starts_at").first()
    question = Question.objects.filter(moderation="visible").order_by("-answer_count", "pk").first()
    greek_query = urllib.parse.quote("μελι θυμαρισιο")
    return [
        ("home", "/"),
        ("catalogue", reverse("catalogue:index")),
        ("category", category.get_absolute_url()),
        ("product", product.get_absolute_url()),
        ("storefront", organisation.get_absolute_url()),
        ("directory", "/market/organisations/"),
        ("search", f"/market/search/?q={greek_query}"),
        ("site search", f"/search/?q={greek_query}"),
        ("think tank", "/thinktank/"),
        ("article", article.get_absolute_url()),
        ("library", "/thinktank/library/"),
        ("sessions", "/mentors/sessions/"),
        ("session", session.get_absolute_url()),
        ("questions", "/mentors/questions/"),
        ("question", question.get_absolute_url()),
    ]


def signed_in_client():
    """The generated member, signed in, with two organisations' goods in the basket."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from oscar.core.loading import get_model

    from catalogue_ext.listing import visible_products

    client = Client()
    member = get_user_model().objects.get(email=MEMBER_EMAIL)
    client.force_login(member)

    def items_in_basket():
        Line = get_model("basket", "Line")
        return Line.objects.filter(basket__owner=member, basket__status="Open").count()

    if items_in_basket() < 2:
        seen_organisations = set()
        for product in visible_products().filter(_in_stock=True, _kind="good").order_by("pk"):
            if product._organisation in seen_organisations:
                continue
            seen_organisations.add(product._organisation)
            response = client.post(f"/market/basket/add/{product.pk}/", {"quantity": 1})
            assert response.status_code == 302, response.status_code
            if len(seen_organisations) == 2:
                break
    assert items_in_basket() >= 2
    return client


def count_queries(client, path):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(path)  # warm: thumbnails, cached fragments
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    return len(queries), response.content.decode()


def measure_queries(pages, member_client):
    """Queries per request as served (anonymous pages may come from the page cache) and
    with the page cache off, and the page's own weight of scripts and styles."""
    from django.test import Client, override_settings

    from tests.benchmarks.page_weight import page_weight

    measured = {}
    for name, path in pages:
        anonymous = Client()
        served, _html = count_queries(anonymous, path)
        with override_settings(PAGE_CACHE_ENABLED=False):
            uncached, html = count_queries(Client(), path)
        member, _html = count_queries(member_client, path)
        weight = page_weight(html)
        measured[(name, "anonymous")] = {"queries": served, "queries_uncached": uncached}
        measured[(name, "signed-in")] = {"queries": member, "queries_uncached": member}
        for mode in ("anonymous", "signed-in"):
            measured[(name, mode)].update(
                js_bytes=weight["js_gzip_bytes"], css_bytes=weight["css_gzip_bytes"]
            )
    return measured


def start_server(args, env, var_dir):
    log = open(var_dir / "gunicorn.log", "w")  # noqa: SIM115 (closed with the server)
    server = subprocess.Popen(
        [
            str(Path(PYTHON).with_name("gunicorn")),
            "--config",
            "shop/deploy/gunicorn.conf.py",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "shop.wsgi",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{args.port}/healthz", timeout=2)
            return server
        except (urllib.error.URLError, ConnectionError) as error:
            if server.poll() is not None or time.monotonic() > deadline:
                log_file = var_dir / "gunicorn.log"
                raise SystemExit(f"gunicorn did not start; see {log_file}") from error
            time.sleep(0.5)


def wrk(args, path, seconds, cookie=""):
    url = f"http://127.0.0.1:{args.port}{path}"
    output = subprocess.run(
        [
            "wrk",
            "--threads",
            "1",
            "--connections",
            str(args.connections),
            "--duration",
            f"{seconds}s",
            "--timeout",
            "10s",
            "--script",
            str(HERE / "summary.lua"),
            url,
        ],
        env={**os.environ, "BENCH_COOKIE": cookie},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH_RESULT "))
    result = json.loads(line.removeprefix("BENCH_RESULT "))
    errors = sum(result[key] for key in ("connect", "read", "write", "status", "timeout"))
    return {
        "rps": round(result["requests"] / (result["duration_us"] / 1e6), 1),
        "p50_ms": round(result["p50_us"] / 1000, 1),
        "p95_ms": round(result["p95_us"] / 1000, 1),
        "errors": errors,
    }


def wait_until_idle(args):
    """Sync workers still serve requests queued by wrk's closed connections; wait until
    they are done, so that one page's backlog never slows the next page's figures."""
    url = f"http://127.0.0.1:{args.port}/healthz"
    quick = 0
    deadline = time.monotonic() + 120
    while quick < 3 and time.monotonic() < deadline:
        started = time.monotonic()
        urllib.request.urlopen(url, timeout=60).read()
        quick = quick + 1 if time.monotonic() - started < 0.02 else 0


def load(args, path, cookie=""):
    wrk(args, path, args.warmup, cookie)
    wait_until_idle(args)
    result = wrk(args, path, args.duration, cookie)
    wait_until_idle(args)
    return result


def freshness_seconds(args, product):
    """Seconds until an edited product's new title reaches anonymous visitors."""
    url = f"http://127.0.0.1:{args.port}{product.get_absolute_url()}"
    urllib.request.urlopen(url).read()  # the page is in the cache
    original = product.title
    product.title = f"{original} ({secrets.token_hex(3)})"
    product.save()
    started = time.monotonic()
    try:
        while time.monotonic() - started < 60:
            if product.title in urllib.request.urlopen(url).read().decode():
                return round(time.monotonic() - started, 2)
            time.sleep(0.1)
        return None
    finally:
        product.title = original
        product.save()


def check_targets(report):
    missed = []
    for page in report["pages"]:
        label = f"{page['name']} ({page['mode']})"
        if page["errors"]:
            missed.append(f"{label}: {page['errors']} errors")
        if page["mode"] == "anonymous":
            if page["ratio"] < ANONYMOUS_MIN_RATIO:
                missed.append(f"{label}: {page['ratio']:.2f} of the ceiling")
            if page["p95_ms"] >= ANONYMOUS_MAX_P95_MS:
                missed.append(f"{label}: p95 {page['p95_ms']} ms")
        else:
            if page["queries"] > MAX_QUERIES:
                missed.append(f"{label}: {page['queries']} queries")
            if page["rps"] < SIGNED_IN_MIN_RPS.get(page["name"], 0):
                missed.append(f"{label}: {page['rps']} req/s")
        if page["name"] == "search" and page["rps"] < SEARCH_MIN_RPS:
            missed.append(f"{label}: {page['rps']} req/s")
    freshness = report["freshness_seconds"]
    if freshness is None or freshness > MAX_FRESHNESS_SECONDS:
        missed.append(f"an edited product reached visitors after {freshness} s")
    return missed


def markdown_table(report):
    lines = [
        f"Ceiling (trivial view): {report['ceiling_rps']} req/s",
        "",
        "| page | mode | req/s | ratio | p50 ms | p95 ms | errors | queries | JS gz | CSS gz |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in report["pages"]:
        queries = str(p["queries"])
        if p["queries_uncached"] != p["queries"]:
            queries += f" ({p['queries_uncached']} uncached)"
        lines.append(
            f"| {p['name']} | {p['mode']} | {p['rps']} | {p['ratio']:.2f} | {p['p50_ms']} "
            f"| {p['p95_ms']} | {p['errors']} | {queries} | {p['js_bytes']} | {p['css_bytes']} |"
        )
    lines.append("")
    freshness = report["freshness_seconds"]
    lines.append(f"Edited product visible to anonymous visitors after {freshness} s")
    return "\n".join(lines)


def main():
    args = parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    var_dir = ROOT / "var" / "bench"
    (var_dir / "static").mkdir(parents=True, exist_ok=True)
    env = bench_environment(args, var_dir)
    prepare_data(args, env, var_dir)

    os.environ.update(env)
    import django

    django.setup()
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()

    pages = key_pages()
    if args.only:
        chosen = {name.strip() for name in args.only.split(",")}
        pages = [page for page in pages if page[0] in chosen]
    member_client = signed_in_client()
    member_cookie = f"sessionid={member_client.cookies['sessionid'].value}"
    queries = measure_queries(pages, member_client)
    from django.db import connection

    connection.close()

    server = start_server(args, env, var_dir)
    try:
        ceiling = load(args, "/healthz")
        print(f"ceiling: {ceiling['rps']} req/s", flush=True)
        rows = []
        for name, path in pages:
            for mode, cookie in (("anonymous", ""), ("signed-in", member_cookie)):
                result = load(args, path, cookie)
                row = {
                    "name": name,
                    "path": path,
                    "mode": mode,
                    **result,
                    **queries[(name, mode)],
                    "ratio": round(result["rps"] / ceiling["rps"], 3),
                }
                rows.append(row)
                print(
                    f"{name:12} {mode:9} {row['rps']:8} req/s p95 {row['p95_ms']} ms "
                    f"queries {row['queries']}",
                    flush=True,
                )
        from catalogue_ext.listing import visible_products

        freshness = freshness_seconds(args, visible_products().order_by("pk").first())
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    report = {
        "ceiling_rps": ceiling["rps"],
        "pages": rows,
        "freshness_seconds": freshness,
        "settings": {
            "workers": args.workers,
            "connections": args.connections,
            "duration_s": args.duration,
            "warmup_s": args.warmup,
            **{name: getattr(args, name) for name in DEFAULT_SIZES},
            "cpus": os.cpu_count(),
        },
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print()
    print(markdown_table(report))
    missed = check_targets(report)
    print()
    if missed:
        print("Targets missed:")
        print("\n".join(f"- {line}" for line in missed))
        sys.exit(1)
    print("All targets hold.")


if __name__ == "__main__":
    main()
