from pathlib import Path

import pytest

from shop.settings.env import (
    ImproperlyConfiguredEnv,
    cache_config,
    celery_config,
    database_config,
    email_config,
    env_bool,
    env_list,
    haystack_config,
    session_engine,
)


def test_database_config_defaults_to_sqlite_file(tmp_path):
    config = database_config("", sqlite_path=tmp_path / "db.sqlite3")
    assert config["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(config["NAME"]) == tmp_path / "db.sqlite3"
    assert config["OPTIONS"] == {"timeout": 20}


def test_database_config_reads_postgres_url(tmp_path):
    config = database_config(
        "postgres://coop:secret@db.internal:5433/coopsociety",
        sqlite_path=tmp_path / "unused.sqlite3",
        conn_max_age=60,
    )
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["USER"], config["PASSWORD"]) == ("coopsociety", "coop", "secret")
    assert (config["HOST"], config["PORT"]) == ("db.internal", 5433)
    assert config["CONN_MAX_AGE"] == 60
    assert config["CONN_HEALTH_CHECKS"] is True


def test_cache_sessions_and_celery_without_redis_stay_in_process():
    assert cache_config("")["default"]["BACKEND"] == (
        "django.core.cache.backends.locmem.LocMemCache"
    )
    assert session_engine("") == "django.contrib.sessions.backends.db"
    assert celery_config("") == {
        "CELERY_BROKER_URL": "memory://",
        "CELERY_RESULT_BACKEND": None,
        "CELERY_TASK_ALWAYS_EAGER": True,
    }


def test_cache_sessions_and_celery_use_redis_when_set():
    url = "redis://127.0.0.1:6379/3"
    assert cache_config(url)["default"] == {
        "BACKEND": "shop.cache.SharedClientRedisCache",
        "LOCATION": url,
        "KEY_PREFIX": "coopsociety",
    }
    assert session_engine(url) == "django.contrib.sessions.backends.cached_db"
    assert celery_config(url) == {
        "CELERY_BROKER_URL": url,
        "CELERY_RESULT_BACKEND": url,
        "CELERY_TASK_ALWAYS_EAGER": False,
    }


def test_haystack_config_defaults_to_whoosh_folder(tmp_path):
    config = haystack_config("", whoosh_path=tmp_path / "index")
    assert config["default"]["ENGINE"] == "shop.search_backends.SpellingOnRequestWhooshEngine"
    assert config["default"]["PATH"] == str(tmp_path / "index")
    assert config["default"]["EXCLUDED_INDEXES"] == [
        "oscar.apps.search.search_indexes.ProductIndex"
    ]


def test_haystack_config_uses_elasticsearch_when_url_set(tmp_path):
    config = haystack_config(
        "http://es.internal:9200", whoosh_path=tmp_path / "index", index_name="coop-prod"
    )
    assert config["default"] == {
        "ENGINE": "shop.search_backends.GreekElasticsearchEngine",
        "URL": "http://es.internal:9200",
        "INDEX_NAME": "coop-prod",
        "TIMEOUT": 10,
        "KWARGS": {"verify_certs": True},
        "INCLUDE_SPELLING": True,
        "EXCLUDED_INDEXES": ["oscar.apps.search.search_indexes.ProductIndex"],
    }


def test_haystack_config_passes_credentials_tls_and_timeout_to_the_client(tmp_path):
    config = haystack_config(
        "https://es.internal:9243",
        whoosh_path=tmp_path / "index",
        index_name="coop-prod",
        username="coop",
        password="s3cret",
        ca_certs="/etc/ssl/es-ca.pem",
        verify_certs=True,
        timeout="2.5",
    )["default"]
    assert config["KWARGS"] == {
        "verify_certs": True,
        "http_auth": ("coop", "s3cret"),
        "ca_certs": "/etc/ssl/es-ca.pem",
    }
    assert config["TIMEOUT"] == 2.5


def test_haystack_config_can_turn_certificate_checks_off(tmp_path):
    config = haystack_config(
        "https://es.internal:9243", whoosh_path=tmp_path, verify_certs=False, timeout="30"
    )["default"]
    assert config["KWARGS"] == {"verify_certs": False}
    assert config["TIMEOUT"] == 30


@pytest.mark.parametrize("timeout", ["", "soon", "0", "-5"])
def test_haystack_config_rejects_a_timeout_that_is_not_positive_seconds(tmp_path, timeout):
    with pytest.raises(ImproperlyConfiguredEnv, match="ELASTICSEARCH_TIMEOUT must be"):
        haystack_config("http://es.internal:9200", whoosh_path=tmp_path, timeout=timeout)


def test_haystack_config_wants_username_and_password_together(tmp_path):
    with pytest.raises(ImproperlyConfiguredEnv, match="ELASTICSEARCH_PASSWORD go together"):
        haystack_config("http://es.internal:9200", whoosh_path=tmp_path, username="coop")


def test_haystack_config_whoosh_ignores_elasticsearch_options(tmp_path):
    config = haystack_config(
        "", whoosh_path=tmp_path / "index", username="coop", password="pw", timeout="soon"
    )["default"]
    assert config == {
        "ENGINE": "shop.search_backends.SpellingOnRequestWhooshEngine",
        "PATH": str(tmp_path / "index"),
        "INCLUDE_SPELLING": True,
        "EXCLUDED_INDEXES": ["oscar.apps.search.search_indexes.ProductIndex"],
    }


def test_email_config_defaults_to_console():
    assert email_config("") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


def test_email_config_reads_smtp_with_starttls():
    config = email_config("smtp://mailer%40coopsociety.gr:p%40ss@smtp.example.org:587?tls=1")
    assert config == {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
        "EMAIL_PORT": 587,
        "EMAIL_HOST_USER": "mailer@coopsociety.gr",
        "EMAIL_HOST_PASSWORD": "p@ss",
        "EMAIL_USE_SSL": False,
        "EMAIL_USE_TLS": True,
    }


def test_email_config_smtps_means_implicit_tls_on_465():
    config = email_config("smtps://user:pw@smtp.example.org")
    assert (config["EMAIL_PORT"], config["EMAIL_USE_SSL"], config["EMAIL_USE_TLS"]) == (
        465,
        True,
        False,
    )


def test_email_config_file_backend_keeps_path():
    assert email_config("file:///var/mail/coop") == {
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": "/var/mail/coop",
    }


def test_email_config_rejects_unknown_scheme():
    with pytest.raises(ImproperlyConfiguredEnv, match="EMAIL_URL scheme"):
        email_config("pigeon://loft")


def test_env_bool_and_list(monkeypatch):
    monkeypatch.setenv("FLAG", "Yes")
    monkeypatch.setenv("HOSTS", "coopsociety.gr, www.coopsociety.gr ,")
    assert env_bool("FLAG") is True
    assert env_bool("MISSING_FLAG", default=True) is True
    assert env_list("HOSTS") == ["coopsociety.gr", "www.coopsociety.gr"]
    monkeypatch.setenv("FLAG", "perhaps")
    with pytest.raises(ImproperlyConfiguredEnv, match="FLAG must be a boolean"):
        env_bool("FLAG")
