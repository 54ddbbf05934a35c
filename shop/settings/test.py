"""Settings for the test suite: fast, isolated, no servers needed but the database."""

from shop.settings.base import *  # noqa: F403
from shop.settings.env import EXCLUDED_SEARCH_INDEXES

DEBUG = False
SECRET_KEY = "test-only-secret-key"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_RESULT_BACKEND = None

# oscar.defaults turns on real-time indexing: keep the index in memory so tests never
# write into the on-disk index that `make run` serves.
HAYSTACK_CONNECTIONS = {
    "default": {
        "ENGINE": "haystack.backends.whoosh_backend.WhooshEngine",
        "STORAGE": "ram",
        "EXCLUDED_INDEXES": EXCLUDED_SEARCH_INDEXES,
    }
}
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "coopsociety-tests",
    }
}
SESSION_ENGINE = "django.contrib.sessions.backends.db"
MEDIA_ROOT = VAR_DIR / "test-media"  # noqa: F405
STATIC_ROOT = None  # WhiteNoise serves from the finders; nothing is collected in tests
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
LOGGING = {"version": 1, "disable_existing_loggers": False}
# Every request reads the generations, so a change shows on the very next request.
PAGE_CACHE_LOCAL_SECONDS = 0
# Tests write the buffered product views themselves (shop.view_counts.flush).
VIEW_COUNTS_IN_BACKGROUND = False
