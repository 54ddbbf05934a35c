"""Production settings: DEBUG off, HTTPS everywhere, hashed static files.

Run with DJANGO_SETTINGS_MODULE=shop.settings.production behind a TLS-terminating
proxy (nginx) with gunicorn; see README.md for the variables to set.
"""

from django.core.exceptions import ImproperlyConfigured

from shop.settings.base import *  # noqa: F403
from shop.settings.env import env_bool, env_str, logging_config

DEBUG = False
SECRET_KEY = env_str("SECRET_KEY")
if len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be set to at least 50 random characters.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = int(env_str("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
OSCAR_BASKET_COOKIE_SECURE = True
OSCAR_RECENTLY_VIEWED_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"

# Persistent database connections, checked before each request reuses them.
CONN_MAX_AGE = int(env_str("CONN_MAX_AGE", "60"))
for database in DATABASES.values():  # noqa: F405
    database["CONN_MAX_AGE"] = CONN_MAX_AGE
    database["CONN_HEALTH_CHECKS"] = True

# Static files: compressed (gzip) copies with hashed names, which WhiteNoise serves with
# "Cache-Control: max-age=315360000, public, immutable"; files asked for by their
# unhashed names are cached for WHITENOISE_MAX_AGE seconds.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_MAX_AGE = int(env_str("WHITENOISE_MAX_AGE", "3600"))
# Only the collected files, indexed once at start (base.py derived these from its DEBUG).
WHITENOISE_USE_FINDERS = False
WHITENOISE_AUTOREFRESH = False

# Media files in S3-compatible object storage when a bucket is named.
if env_str("S3_BUCKET"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_str("S3_BUCKET"),
            "endpoint_url": env_str("S3_ENDPOINT_URL") or None,
            "region_name": env_str("S3_REGION") or None,
            "access_key": env_str("S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("S3_SECRET_ACCESS_KEY") or None,
            "custom_domain": env_str("S3_CUSTOM_DOMAIN") or None,
            "default_acl": None,
            "querystring_auth": False,
            "file_overwrite": False,
        },
    }

# JSON lines (shop.logging) unless LOG_FORMAT=text; Celery workers log the same way.
LOGGING = logging_config(env_str("LOG_FORMAT", "json"), level=env_str("LOG_LEVEL", "WARNING"))
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Errors (and, at SENTRY_TRACES_SAMPLE_RATE, performance traces) go to Sentry when a DSN
# is set, without personal data: no cookies, user details or request bodies.
SENTRY_DSN = env_str("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        environment=env_str("SENTRY_ENVIRONMENT", "production"),
        release=env_str("SENTRY_RELEASE") or None,
        traces_sample_rate=float(env_str("SENTRY_TRACES_SAMPLE_RATE", "0")),
        send_default_pii=False,
        max_request_body_size="never",
    )
