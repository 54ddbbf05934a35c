"""Turn environment variables into Django settings.

Each helper is a pure function of its input so that the settings modules stay
declarative and the parsing is tested on its own.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import dj_database_url

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"0", "false", "no", "off", ""}


class ImproperlyConfiguredEnv(ValueError):
    """An environment variable holds a value the platform cannot use."""


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_VALUES:
        return True
    if value in FALSE_VALUES:
        return False
    raise ImproperlyConfiguredEnv(f"{name} must be a boolean (1/0, true/false), not {raw!r}")


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_config(url, *, sqlite_path, conn_max_age=0):
    """DATABASES['default'] from DATABASE_URL, or a SQLite file when it is empty."""
    if not url:
        url = f"sqlite:///{Path(sqlite_path)}"
    config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # SQLite is the embedded default; keep writers from failing at once under load.
        config.setdefault("OPTIONS", {})["timeout"] = 20
    return config


def cache_config(redis_url):
    """CACHES from REDIS_URL, or a per-process local-memory cache when it is empty."""
    if redis_url:
        return {
            "default": {
                "BACKEND": "shop.cache.SharedClientRedisCache",
                "LOCATION": redis_url,
                "KEY_PREFIX": "coopsociety",
            }
        }
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "coopsociety",
        }
    }


def session_engine(redis_url):
    """Sessions live in the database, read through Redis when it is there."""
    if redis_url:
        return "django.contrib.sessions.backends.cached_db"
    return "django.contrib.sessions.backends.db"


def celery_config(redis_url):
    """Celery broker and result settings; tasks run inline when there is no Redis."""
    if redis_url:
        return {
            "CELERY_BROKER_URL": redis_url,
            "CELERY_RESULT_BACKEND": redis_url,
            "CELERY_TASK_ALWAYS_EAGER": False,
        }
    return {
        "CELERY_BROKER_URL": "memory://",
        "CELERY_RESULT_BACKEND": None,
        "CELERY_TASK_ALWAYS_EAGER": True,
    }


# Our product index (catalogue_ext/search_indexes.py) replaces Oscar's.
EXCLUDED_SEARCH_INDEXES = ["oscar.apps.search.search_indexes.ProductIndex"]


ELASTICSEARCH_ENGINE = "shop.search_backends.GreekElasticsearchEngine"


def haystack_config(
    elasticsearch_url,
    *,
    whoosh_path,
    index_name="coopsociety",
    username="",
    password="",
    ca_certs="",
    verify_certs=True,
    timeout="10",
):
    """HAYSTACK_CONNECTIONS: Elasticsearch when a URL is given, a Whoosh folder otherwise.

    On Elasticsearch our engine (``shop.search_backends``) creates the index with the
    Greek analyzer. ``username``/``password`` (or credentials in the URL), ``ca_certs``
    (a CA bundle for TLS) and ``verify_certs`` go to the Elasticsearch client through
    haystack's ``KWARGS``; ``timeout`` (seconds) is haystack's ``TIMEOUT``, which it
    hands to the client itself.
    """
    if elasticsearch_url:
        try:
            seconds = float(timeout)
        except (TypeError, ValueError):
            seconds = 0
        if not seconds > 0:
            raise ImproperlyConfiguredEnv(
                f"ELASTICSEARCH_TIMEOUT must be a number of seconds above 0, not {timeout!r}"
            )
        if bool(username) != bool(password):
            raise ImproperlyConfiguredEnv(
                "ELASTICSEARCH_USERNAME and ELASTICSEARCH_PASSWORD go together: set both or neither"
            )
        client = {"verify_certs": verify_certs}
        if username:
            client["http_auth"] = (username, password)
        if ca_certs:
            client["ca_certs"] = str(ca_certs)
        return {
            "default": {
                "ENGINE": ELASTICSEARCH_ENGINE,
                "URL": elasticsearch_url,
                "INDEX_NAME": index_name,
                "TIMEOUT": int(seconds) if seconds.is_integer() else seconds,
                "KWARGS": client,
                "INCLUDE_SPELLING": True,
                "EXCLUDED_INDEXES": EXCLUDED_SEARCH_INDEXES,
            }
        }
    return {
        "default": {
            "ENGINE": "shop.search_backends.SpellingOnRequestWhooshEngine",
            "PATH": str(whoosh_path),
            "INCLUDE_SPELLING": True,
            "EXCLUDED_INDEXES": EXCLUDED_SEARCH_INDEXES,
        }
    }


EMAIL_BACKENDS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "memory": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "smtps": "django.core.mail.backends.smtp.EmailBackend",
    "submission": "django.core.mail.backends.smtp.EmailBackend",
}


def email_config(url):
    """E-mail settings from EMAIL_URL.

    ``console://`` (the default), ``file:///path/to/folder``, ``memory://``,
    ``smtp://user:password@host:587?tls=1``, ``smtps://user:password@host:465``
    (implicit TLS) or ``submission://user:password@host`` (port 587, STARTTLS).
    """
    url = url or "console://"
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in EMAIL_BACKENDS:
        raise ImproperlyConfiguredEnv(
            f"EMAIL_URL scheme must be one of {', '.join(sorted(EMAIL_BACKENDS))}, not {scheme!r}"
        )
    config = {"EMAIL_BACKEND": EMAIL_BACKENDS[scheme]}
    if scheme == "file":
        config["EMAIL_FILE_PATH"] = unquote(parts.path)
    elif scheme in {"smtp", "smtps", "submission"}:
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        default_port = {"smtp": 25, "smtps": 465, "submission": 587}[scheme]
        config.update(
            EMAIL_HOST=parts.hostname or "localhost",
            EMAIL_PORT=parts.port or default_port,
            EMAIL_HOST_USER=unquote(parts.username or ""),
            EMAIL_HOST_PASSWORD=unquote(parts.password or ""),
            EMAIL_USE_SSL=scheme == "smtps" or query.get("ssl", "").lower() in TRUE_VALUES,
            EMAIL_USE_TLS=scheme == "submission" or query.get("tls", "").lower() in TRUE_VALUES,
        )
        if config["EMAIL_USE_SSL"] and config["EMAIL_USE_TLS"]:
            raise ImproperlyConfiguredEnv("EMAIL_URL cannot ask for both ssl and tls")
    return config


LOG_FORMATS = {
    "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    "json": {"()": "shop.logging.JsonFormatter"},
}


def logging_config(log_format, *, level):
    """LOGGING: plain text lines, or JSON lines (``shop.logging``) for log collectors."""
    log_format = (log_format or "text").strip().lower()
    if log_format not in LOG_FORMATS:
        raise ImproperlyConfiguredEnv(f"LOG_FORMAT must be text or json, not {log_format!r}")
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {log_format: LOG_FORMATS[log_format]},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": log_format}},
        "root": {"handlers": ["console"], "level": level.upper()},
        "loggers": {
            # Oscar logs every missing class lookup at INFO; keep the console readable.
            "oscar": {"level": "WARNING"},
            # fpdf2 embeds fonts through fontTools, which logs every table it trims.
            "fontTools": {"level": "WARNING"},
            # The Elasticsearch client logs every request at INFO.
            "elasticsearch": {"level": "WARNING"},
        },
    }
