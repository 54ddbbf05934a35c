"""The settings modules, loaded in a fresh interpreter with a controlled environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "SECRET_KEY": "k" * 30 + "-production-secret-for-the-deploy-check",
    "ALLOWED_HOSTS": "coopsociety.gr,www.coopsociety.gr",
    "DATABASE_URL": "postgres://coop:secret@127.0.0.1:5432/coopsociety",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "ELASTICSEARCH_URL": "http://127.0.0.1:9200",
    "EMAIL_URL": "submission://mailer:secret@smtp.example.org",
}
SHOWN = [
    "DEBUG",
    "LANGUAGE_CODE",
    "TIME_ZONE",
    "OSCAR_DEFAULT_CURRENCY",
    "SESSION_ENGINE",
    "CELERY_TASK_ALWAYS_EAGER",
    "EMAIL_BACKEND",
    "EMAIL_PORT",
    "ALLOWED_HOSTS",
    "STRIPE_ENABLED",
]


def run_python(code, *, settings_module, **env):
    clean_env = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION_ENV and key not in {"DEBUG", "STRIPE_SECRET_KEY"}
    }
    clean_env.update(env, DJANGO_SETTINGS_MODULE=settings_module, PYTHONWARNINGS="ignore")
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def load_settings(settings_module, **env):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        f"values = {{name: getattr(s, name) for name in {SHOWN!r}}}; "
        "values['DB'] = s.DATABASES['default']['ENGINE']; "
        "values['CACHE'] = s.CACHES['default']['BACKEND']; "
        "values['SEARCH'] = s.HAYSTACK_CONNECTIONS['default']['ENGINE']; "
        "print(json.dumps(values))"
    )
    result = run_python(code, settings_module=settings_module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_base_settings_need_no_server(tmp_path):
    values = load_settings("shop.settings.base", VAR_DIR=str(tmp_path), DATABASE_URL="")
    assert values["DB"] == "django.db.backends.sqlite3"
    assert values["CACHE"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["SEARCH"] == "shop.search_backends.SpellingOnRequestWhooshEngine"
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.db"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["DEBUG"] is True
    assert values["STRIPE_ENABLED"] is False
    assert (values["LANGUAGE_CODE"], values["TIME_ZONE"], values["OSCAR_DEFAULT_CURRENCY"]) == (
        "el",
        "Europe/Athens",
        "EUR",
    )


def test_base_settings_follow_the_environment():
    values = load_settings(
        "shop.settings.base",
        **PRODUCTION_ENV,
        STRIPE_PUBLISHABLE_KEY="pk_test_x",
        STRIPE_SECRET_KEY="sk_test_x",
    )
    assert values["DB"] == "django.db.backends.postgresql"
    assert values["CACHE"] == "shop.cache.SharedClientRedisCache"
    assert values["SEARCH"] == "shop.search_backends.GreekElasticsearchEngine"
    assert values["SESSION_ENGINE"] == "django.contrib.sessions.backends.cached_db"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    assert values["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert values["EMAIL_PORT"] == 587
    assert values["ALLOWED_HOSTS"] == ["coopsociety.gr", "www.coopsociety.gr"]
    assert values["STRIPE_ENABLED"] is True


def test_base_settings_refuse_to_start_without_secret_key_when_debug_is_off():
    result = run_python("import django; django.setup()", settings_module="shop.settings.base",
                        DEBUG="0")  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_production_settings_refuse_a_missing_secret_key():
    env = dict(PRODUCTION_ENV, SECRET_KEY="")
    result = run_python("import django; django.setup()",
                        settings_module="shop.settings.production", **env)  # fmt: skip
    assert result.returncode != 0
    assert "SECRET_KEY must be set to at least 50 random characters." in result.stderr


def test_production_settings_pass_the_deploy_check():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**os.environ, **PRODUCTION_ENV,
             "DJANGO_SETTINGS_MODULE": "shop.settings.production", "PYTHONWARNINGS": "ignore"},
        capture_output=True,
        text=True,
        timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    values = load_settings("shop.settings.production", **PRODUCTION_ENV)
    assert values["DEBUG"] is False


def test_test_settings_keep_everything_in_memory():
    assert settings.HAYSTACK_CONNECTIONS["default"]["STORAGE"] == "ram"
    assert settings.HAYSTACK_SIGNAL_PROCESSOR == "shop.search_indexing.QueuedSignalProcessor"
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]
    assert settings.EMAIL_BACKEND == "django.core.mail.backends.locmem.EmailBackend"
    assert settings.CELERY_TASK_ALWAYS_EAGER is True


def test_celery_runs_tasks_inline_in_tests():
    from shop.celery import app

    assert app.conf.task_always_eager is True
    assert app.conf.broker_url == "memory://"
