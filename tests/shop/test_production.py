"""Production configuration: deploy check, health and readiness, JSON logs, Sentry,
gunicorn, the read-replica router and WhiteNoise's long-lived static files.

Production settings are loaded in fresh interpreters (and under a real gunicorn) with a
controlled environment, so nothing here depends on the variables of the test run.
"""

import gzip
import json
import logging
import os
import runpy
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from django.test import override_settings
from django.test.client import RequestFactory

from shop.logging import JsonFormatter

ROOT = Path(__file__).resolve().parents[2]
HTTPS = {"X-Forwarded-Proto": "https"}  # as nginx tells gunicorn
GUNICORN_CONF = ROOT / "shop" / "deploy" / "gunicorn.conf.py"
# Only these variables of the test run reach the subprocesses.
INHERITED_VARIABLES = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")


def clean_env(**variables):
    env = {name: os.environ[name] for name in INHERITED_VARIABLES if name in os.environ}
    env.update(PYTHONWARNINGS="ignore", PYTHONDONTWRITEBYTECODE="1")
    env.update(variables)
    return env


def production_env(var_dir, **variables):
    return clean_env(
        DJANGO_SETTINGS_MODULE="shop.settings.production",
        SECRET_KEY=secrets.token_urlsafe(60),
        ALLOWED_HOSTS="coopsociety.gr,127.0.0.1",
        CSRF_TRUSTED_ORIGINS="https://coopsociety.gr",
        VAR_DIR=str(var_dir),
        **variables,
    )


def run_python(code, env, *args):
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def last_json_line(result):
    assert result.returncode == 0, result.stdout + result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def closed_port():
    """A local port that refuses connections: bound, never listening, kept by the caller."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    return sock, sock.getsockname()[1]


class RecordingServer:
    """A local HTTP server in a thread, answering with ``respond`` and keeping requests."""

    def __init__(self, respond):
        self.requests = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                if self.headers.get("Content-Encoding") == "gzip":
                    body = gzip.decompress(body)
                outer.requests.append((self.command, self.path, dict(self.headers), body))
                status, headers, content = respond(self.command, self.path)
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(content)

            do_GET = do_HEAD = do_POST = _handle

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc_info):
        self.server.shutdown()
        self.server.server_close()


def elasticsearch_double(method, path):
    """Enough of Elasticsearch 7's root endpoint for the client's product check and ping."""
    body = json.dumps(
        {
            "name": "double",
            "cluster_name": "coopsociety",
            "version": {"number": "7.17.24", "build_flavor": "default"},
            "tagline": "You Know, for Search",
        }
    ).encode()
    headers = {"Content-Type": "application/json", "X-Elastic-Product": "Elasticsearch"}
    return 200, headers, body


def sentry_double(method, path):
    return 200, {"Content-Type": "application/json"}, b"{}"


# --- check --deploy -------------------------------------------------------------------


@pytest.mark.parametrize(
    "extra",
    [
        {},
        {
            "DATABASE_URL": "postgres://coop:secret@db.internal:5432/coopsociety",
            "DATABASE_REPLICA_URL": "postgres://coop:secret@replica.internal:5432/coopsociety",
            "REDIS_URL": "redis://redis.internal:6379/0",
            "ELASTICSEARCH_URL": "https://es.internal:9200",
            "EMAIL_URL": "submission://mailer:secret@smtp.example.org",
            "S3_BUCKET": "coopsociety-media",
            "S3_ENDPOINT_URL": "https://s3.example.org",
            "SENTRY_DSN": "https://public@sentry.example.org/1",
        },
    ],
    ids=["embedded-parts", "every-server"],
)
def test_deploy_check_passes_with_production_settings(tmp_path, extra):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(tmp_path, **extra),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "System check identified no issues (0 silenced)."


SETTINGS_REPORT = """
import json
import django
django.setup()
from django.conf import settings as s
print(json.dumps({
    "databases": {
        alias: [db["CONN_MAX_AGE"], db["CONN_HEALTH_CHECKS"], db.get("TEST", {}).get("MIRROR")]
        for alias, db in s.DATABASES.items()
    },
    "routers": s.DATABASE_ROUTERS,
    "formatter": s.LOGGING["handlers"]["console"]["formatter"],
    "root_level": s.LOGGING["root"]["level"],
    "whitenoise_max_age": getattr(s, "WHITENOISE_MAX_AGE", None),
    "whitenoise_finders_autorefresh": [s.WHITENOISE_USE_FINDERS, s.WHITENOISE_AUTOREFRESH],
    "staticfiles": s.STORAGES["staticfiles"]["BACKEND"],
    "celery_hijacks_logging": getattr(s, "CELERY_WORKER_HIJACK_ROOT_LOGGER", None),
}))
"""


def test_production_keeps_database_connections_with_health_checks(tmp_path):
    report = last_json_line(run_python(SETTINGS_REPORT, production_env(tmp_path)))
    assert report == {
        "databases": {"default": [60, True, None]},
        "routers": [],
        "formatter": "json",
        "root_level": "WARNING",
        "whitenoise_max_age": 3600,
        "whitenoise_finders_autorefresh": [False, False],
        "staticfiles": "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "celery_hijacks_logging": False,
    }


def test_production_adds_the_read_replica_and_its_router(tmp_path):
    env = production_env(
        tmp_path,
        DATABASE_URL="postgres://coop:secret@db.internal:5432/coopsociety",
        DATABASE_REPLICA_URL="postgres://coop:secret@replica.internal:5432/coopsociety",
        CONN_MAX_AGE="120",
        LOG_FORMAT="text",
    )
    report = last_json_line(run_python(SETTINGS_REPORT, env))
    assert report["databases"] == {"default": [120, True, None], "replica": [120, True, "default"]}
    assert report["routers"] == ["shop.db_router.PrimaryReplicaRouter"]
    assert report["formatter"] == "text"


def test_development_settings_log_plain_text_and_keep_no_connections(tmp_path):
    env = clean_env(DJANGO_SETTINGS_MODULE="shop.settings.base", VAR_DIR=str(tmp_path))
    report = last_json_line(run_python(SETTINGS_REPORT, env))
    assert report["databases"] == {"default": [0, True, None]}
    assert report["routers"] == []
    assert (report["formatter"], report["root_level"]) == ("text", "INFO")


# --- health and readiness -------------------------------------------------------------


@pytest.mark.django_db
def test_healthz_touches_neither_the_database_nor_the_cache(client, django_assert_num_queries):
    sock, port = closed_port()
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
    }
    with sock, override_settings(CACHES={"default": redis_cache}), django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content) == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_reports_every_part_ready(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content) == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "search": "embedded",
    }


@pytest.mark.django_db
def test_readyz_fails_when_the_cache_does_not_answer(client):
    sock, port = closed_port()
    redis_cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{port}/0",
    }
    with sock, override_settings(CACHES={"default": redis_cache}):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert json.loads(response.content) == {
        "status": "error",
        "database": "ok",
        "cache": "ConnectionError",
        "search": "embedded",
    }


REQUEST_IN_PRODUCTION = """
import json
import sys
import django
django.setup()
from django.test import Client
client = Client(raise_request_exception=False)
results = {}
for path in sys.argv[1:]:
    response = client.get(path, secure=True, HTTP_HOST="coopsociety.gr")
    results[path] = [response.status_code, response["Cache-Control"], json.loads(response.content)]
print(json.dumps(results))
"""


def test_readyz_fails_when_the_database_is_unreachable(tmp_path):
    sock, port = closed_port()
    with sock:
        env = production_env(tmp_path, DATABASE_URL=f"postgres://coop@127.0.0.1:{port}/coop")
        results = last_json_line(run_python(REQUEST_IN_PRODUCTION, env, "/readyz", "/healthz"))
    assert results["/readyz"] == [
        503,
        "no-store",
        {"status": "error", "database": "OperationalError", "cache": "ok", "search": "embedded"},
    ]
    assert results["/healthz"] == [200, "no-store", {"status": "ok"}]


def test_readyz_reports_whether_elasticsearch_is_reachable(tmp_path):
    sock, port = closed_port()
    with sock, RecordingServer(elasticsearch_double) as cluster:
        reachable = production_env(tmp_path, ELASTICSEARCH_URL=f"http://127.0.0.1:{cluster.port}")
        unreachable = production_env(tmp_path, ELASTICSEARCH_URL=f"http://127.0.0.1:{port}")
        up = last_json_line(run_python(REQUEST_IN_PRODUCTION, reachable, "/readyz"))
        down = last_json_line(run_python(REQUEST_IN_PRODUCTION, unreachable, "/readyz"))
    ready = {"status": "ok", "database": "ok", "cache": "ok"}
    assert up["/readyz"] == [200, "no-store", {**ready, "search": "ok"}]
    # Every app server shares the cluster: readiness reports it but does not fail on it.
    assert down["/readyz"] == [200, "no-store", {**ready, "search": "unreachable"}]
    assert ("HEAD", "/") in [(method, path) for method, path, _, _ in cluster.requests]


# --- JSON log lines -------------------------------------------------------------------


def test_json_formatter_writes_one_parsable_line_with_request_id_and_exception():
    request = RequestFactory().get("/market/", HTTP_X_REQUEST_ID="req-42")
    try:
        raise ValueError("σπασμένο")
    except ValueError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/market/",),
            sys.exc_info(),
            extra={"request": request, "status_code": 500},
        )
    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert sorted(entry) == [
        "exception",
        "level",
        "logger",
        "message",
        "path",
        "request_id",
        "status",
        "timestamp",
    ]
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "django.request"
    assert entry["message"] == "Internal Server Error: /market/"
    assert entry["request_id"] == "req-42"
    assert (entry["status"], entry["path"]) == (500, "/market/")
    assert entry["exception"].startswith("Traceback (most recent call last):")
    assert entry["exception"].endswith("ValueError: σπασμένο")
    assert entry["timestamp"].endswith("+00:00")


def test_json_formatter_leaves_out_what_a_record_does_not_have():
    record = logging.getLogger("shop").makeRecord(
        "shop", logging.WARNING, __file__, 1, "%s left", ("3",), None
    )
    entry = json.loads(JsonFormatter().format(record))
    assert sorted(entry) == ["level", "logger", "message", "timestamp"]
    assert (entry["level"], entry["logger"], entry["message"]) == ("WARNING", "shop", "3 left")


# --- gunicorn -------------------------------------------------------------------------


def load_gunicorn_conf(monkeypatch, **env):
    for name in (
        "GUNICORN_BIND",
        "PORT",
        "WEB_CONCURRENCY",
        "LOG_FORMAT",
        "DJANGO_SETTINGS_MODULE",
        "GUNICORN_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(GUNICORN_CONF))


def test_gunicorn_conf_reads_bind_and_workers_from_the_environment(monkeypatch):
    conf = load_gunicorn_conf(
        monkeypatch,
        GUNICORN_BIND="0.0.0.0:8000, unix:/run/coopsociety.sock",
        WEB_CONCURRENCY="5",
        GUNICORN_TIMEOUT="45",
    )
    assert conf["bind"] == ["0.0.0.0:8000", "unix:/run/coopsociety.sock"]
    assert conf["workers"] == 5
    assert conf["worker_class"] == "sync"
    assert conf["timeout"] == 45
    assert (conf["max_requests"], conf["max_requests_jitter"]) == (20000, 2000)
    assert conf["preload_app"] is True
    assert conf["raw_env"] == ["DJANGO_SETTINGS_MODULE=shop.settings.production"]
    assert conf["accesslog"] is None
    assert conf["logconfig_dict"]["formatters"]["json"] == {"()": "shop.logging.JsonFormatter"}


def test_gunicorn_conf_defaults(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch, LOG_FORMAT="text")
    assert conf["bind"] == ["127.0.0.1:8000"]
    assert conf["workers"] == 2 * len(os.sched_getaffinity(0)) + 1
    assert conf["forwarded_allow_ips"] == "127.0.0.1,::1"
    assert conf["accesslog"] == "-"
    assert "%({x-request-id}i)s" in conf["access_log_format"]
    assert "logconfig_dict" not in conf


def test_gunicorn_conf_follows_the_platform_port_and_settings_module(monkeypatch):
    conf = load_gunicorn_conf(monkeypatch, PORT="5123", DJANGO_SETTINGS_MODULE="shop.settings.base")
    assert conf["bind"] == ["0.0.0.0:5123"]
    assert "raw_env" not in conf


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class KeepRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None  # answer the redirect itself


OPENER = urllib.request.build_opener(KeepRedirects)


def fetch(url, **headers):
    request = urllib.request.Request(url, headers=headers)
    try:
        with OPENER.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """gunicorn with the production settings and our config, on an empty SQLite file,
    its static files collected, its errors sent to a local Sentry double."""
    var_dir = tmp_path_factory.mktemp("production")
    sentry = RecordingServer(sentry_double).__enter__()
    port = free_port()
    env = production_env(
        var_dir,
        GUNICORN_BIND=f"127.0.0.1:{port}",
        WEB_CONCURRENCY="1",
        SENTRY_DSN=f"http://public@127.0.0.1:{sentry.port}/1",
        SENTRY_ENVIRONMENT="test-production",
    )
    collect = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collect.returncode == 0, collect.stderr
    stdout, stderr = var_dir / "gunicorn.out", var_dir / "gunicorn.err"
    with open(stdout, "w") as out, open(stderr, "w") as err:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONF), "shop.wsgi"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=err,
        )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            fetch(f"{base}/healthz", **HTTPS)
            break
        except (urllib.error.URLError, ConnectionError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"gunicorn did not start:\n{stderr.read_text()}")
            time.sleep(0.2)
    yield {
        "base": base,
        "var_dir": var_dir,
        "sentry": sentry,
        "stdout": stdout,
        "stderr": stderr,
    }
    process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
    process.wait(timeout=30)
    sentry.__exit__(None, None, None)


def json_lines(path):
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def wait_for(condition, timeout=15):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_gunicorn_serves_liveness_and_readiness(production_server):
    base = production_server["base"]
    assert fetch(f"{base}/healthz", **HTTPS)[::2] == (200, b'{"status": "ok"}')
    status, headers, body = fetch(f"{base}/readyz", **HTTPS)
    assert (status, headers["Cache-Control"]) == (200, "no-store")
    assert json.loads(body) == {
        "status": "ok",
        "database": "ok",
        "cache": "ok",
        "search": "embedded",
    }
    # Plain HTTP is sent to HTTPS by Django behind the proxy.
    status, headers, _ = fetch(f"{base}/readyz")
    assert (status, headers["Location"]) == (
        301,
        f"https://127.0.0.1:{base.rsplit(':', 1)[1]}/readyz",
    )


def test_hashed_static_files_are_compressed_and_cached_for_good(production_server):
    manifest = json.loads(
        (production_server["var_dir"] / "static" / "staticfiles.json").read_text()
    )
    hashed = manifest["paths"]["oscar/css/styles.css"]
    assert hashed != "oscar/css/styles.css"
    status, headers, _ = fetch(
        f"{production_server['base']}/static/{hashed}", **HTTPS, **{"Accept-Encoding": "gzip"}
    )
    assert status == 200
    assert headers["Cache-Control"] == "max-age=315360000, public, immutable"
    assert headers["Content-Encoding"] == "gzip"
    # The unhashed name still works, for a shorter time.
    status, headers, _ = fetch(f"{production_server['base']}/static/oscar/css/styles.css", **HTTPS)
    assert (status, headers["Cache-Control"]) == (200, "max-age=3600, public")


def test_an_unhandled_error_reaches_sentry_and_the_json_log(production_server):
    # The SQLite file has no tables: the home page's first query fails.
    status, _, _ = fetch(f"{production_server['base']}/", **HTTPS, **{"X-Request-ID": "req-500"})
    assert status == 500

    sentry = production_server["sentry"]

    def events():
        found = []
        for method, path, _, body in list(sentry.requests):
            if method == "POST" and path == "/api/1/envelope/":
                for line in body.splitlines()[1:]:
                    item = json.loads(line)
                    if "exception" in item:
                        found.append(item)
        return found

    assert wait_for(lambda: events()), sentry.requests
    event = events()[0]
    exception = event["exception"]["values"][-1]
    assert exception["type"] == "OperationalError"
    assert "no such table" in exception["value"]
    assert event["environment"] == "test-production"
    assert event["request"]["url"] == f"https://{production_server['base'].split('//')[1]}/"

    def error_line():
        return [
            entry
            for entry in json_lines(production_server["stderr"])
            if entry.get("logger") == "django.request" and entry.get("request_id") == "req-500"
        ]

    assert wait_for(error_line)
    entry = error_line()[0]
    assert (entry["level"], entry["message"], entry["status"]) == (
        "ERROR",
        "Internal Server Error: /",
        500,
    )
    assert "OperationalError: no such table" in entry["exception"]

    def access_line():
        return [
            entry
            for entry in json_lines(production_server["stdout"])
            if entry.get("logger") == "gunicorn.access" and entry.get("request_id") == "req-500"
        ]

    assert wait_for(access_line)
    http = access_line()[0]["http"]
    assert (http["method"], http["path"], http["status"]) == ("GET", "/", 500)


# --- read replica router --------------------------------------------------------------

ROUTING_REPORT = """
import json
import django
django.setup()
from django.conf import settings
from django.core.signals import request_started
from django.db import router, transaction
from oscar.core.loading import get_model
from celery.signals import task_prerun

Product = get_model("catalogue", "Product")
Basket = get_model("basket", "Basket")
report = {"databases": sorted(settings.DATABASES), "read": router.db_for_read(Product)}
report["basket read"] = router.db_for_read(Basket)
with transaction.atomic():
    report["read in a transaction"] = Product.objects.all().db
report["write"] = router.db_for_write(Product)
report["read after a write"] = router.db_for_read(Product)
request_started.send(sender=None, environ={})
report["read in the next request"] = Product.objects.all().db
router.db_for_write(Product)
task_prerun.send(sender=None, task_id="1", task=None)
report["read in the next task"] = router.db_for_read(Product)
report["migrate default"] = router.allow_migrate("default", "catalogue")
report["migrate replica"] = router.allow_migrate("replica", "catalogue")
from_replica, from_primary = Product(), Product()
from_replica._state.db, from_primary._state.db = "replica", "default"
report["relation"] = router.allow_relation(from_replica, from_primary)
print(json.dumps(report))
"""


def test_router_sends_reads_to_the_replica_and_keeps_them_consistent(tmp_path):
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = clean_env(
        DJANGO_SETTINGS_MODULE="shop.settings.base",
        VAR_DIR=str(tmp_path),
        DATABASE_URL=database,
        DATABASE_REPLICA_URL=database,
    )
    assert last_json_line(run_python(ROUTING_REPORT, env)) == {
        "databases": ["default", "replica"],
        "read": "replica",
        "basket read": "default",
        "read in a transaction": "default",
        "write": "default",
        "read after a write": "default",
        "read in the next request": "replica",
        "read in the next task": "replica",
        "migrate default": True,
        "migrate replica": False,
        "relation": True,
    }


def test_without_a_replica_everything_uses_the_default_database(tmp_path):
    env = clean_env(DJANGO_SETTINGS_MODULE="shop.settings.base", VAR_DIR=str(tmp_path))
    report = last_json_line(run_python(ROUTING_REPORT, env))
    assert report["databases"] == ["default"]
    assert {report[key] for key in ("read", "write", "read in the next request")} == {"default"}
    assert report["migrate default"] is True


def test_log_format_must_be_text_or_json():
    from shop.settings.env import ImproperlyConfiguredEnv, logging_config

    assert logging_config("JSON", level="info")["formatters"] == {
        "json": {"()": "shop.logging.JsonFormatter"}
    }
    assert logging_config("json", level="info")["root"] == {
        "handlers": ["console"],
        "level": "INFO",
    }
    with pytest.raises(ImproperlyConfiguredEnv, match="LOG_FORMAT must be text or json, not 'xml'"):
        logging_config("xml", level="INFO")
