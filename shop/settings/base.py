"""Settings shared by every environment.

Everything that differs between a laptop and production is read from environment
variables (see README.md); each has an embedded default that needs no server.
"""

from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from oscar.defaults import *  # noqa: F403  (Oscar's settings, overridden below)

from shop.settings.env import (
    cache_config,
    celery_config,
    database_config,
    email_config,
    env_bool,
    env_list,
    env_str,
    haystack_config,
    logging_config,
    session_engine,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", default=True)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_ID = 1
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.flatpages",
    "django.contrib.sitemaps",
    "django.contrib.humanize",
    # Our apps come before Oscar's so that their templates and commands win.
    "shop.apps.ShopConfig",
    "thinktank.apps.ThinktankConfig",
    "mentors.apps.MentorsConfig",
    # Oscar, with the apps we fork named by their forked configs.
    "shop.config.CoopShopConfig",
    "oscar.apps.analytics.apps.AnalyticsConfig",
    "shop.checkout.apps.CheckoutConfig",
    "oscar.apps.address.apps.AddressConfig",
    "oscar.apps.shipping.apps.ShippingConfig",
    "catalogue_ext.apps.CatalogueConfig",
    "oscar.apps.catalogue.reviews.apps.CatalogueReviewsConfig",
    "oscar.apps.communication.apps.CommunicationConfig",
    "shop.partner.apps.PartnerConfig",
    "oscar.apps.basket.apps.BasketConfig",
    "oscar.apps.payment.apps.PaymentConfig",
    "oscar.apps.offer.apps.OfferConfig",
    "shop.order.apps.OrderConfig",
    "shop.customer.apps.CustomerConfig",
    "oscar.apps.search.apps.SearchConfig",
    "oscar.apps.voucher.apps.VoucherConfig",
    "oscar.apps.wishlists.apps.WishlistsConfig",
    "shop.dashboard.apps.DashboardConfig",
    "oscar.apps.dashboard.reports.apps.ReportsDashboardConfig",
    "oscar.apps.dashboard.users.apps.UsersDashboardConfig",
    "shop.dashboard.orders.apps.OrdersDashboardConfig",
    "shop.dashboard.catalogue.apps.CatalogueDashboardConfig",
    "oscar.apps.dashboard.offers.apps.OffersDashboardConfig",
    "oscar.apps.dashboard.partners.apps.PartnersDashboardConfig",
    "oscar.apps.dashboard.pages.apps.PagesDashboardConfig",
    "oscar.apps.dashboard.ranges.apps.RangesDashboardConfig",
    "oscar.apps.dashboard.reviews.apps.ReviewsDashboardConfig",
    "oscar.apps.dashboard.vouchers.apps.VouchersDashboardConfig",
    "oscar.apps.dashboard.communications.apps.CommunicationsDashboardConfig",
    "oscar.apps.dashboard.shipping.apps.ShippingDashboardConfig",
    "widget_tweaks",
    "haystack",
    "treebeard",
    "sorl.thumbnail",
    "django_tables2",
    "phonenumber_field",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "shop.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "oscar.apps.basket.middleware.BasketMiddleware",
    "django.contrib.flatpages.middleware.FlatpageFallbackMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"
ASGI_APPLICATION = "shop.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "oscar.apps.search.context_processors.search_form",
                "oscar.apps.checkout.context_processors.checkout",
                "oscar.apps.communication.notifications.context_processors.notifications",
                "oscar.core.context_processors.metadata",
                "shop.context_processors.site",
            ],
        },
    }
]

# Database: a SQLite file unless DATABASE_URL names a server (postgres://...).
# Connections are checked before reuse (CONN_HEALTH_CHECKS) when CONN_MAX_AGE keeps them.
CONN_MAX_AGE = int(env_str("CONN_MAX_AGE", "0"))
DATABASES = {
    "default": database_config(
        env_str("DATABASE_URL"),
        sqlite_path=VAR_DIR / "db.sqlite3",
        conn_max_age=CONN_MAX_AGE,
    )
}
# A PostgreSQL read replica: shop.db_router sends reads there, except inside transactions
# and after a write in the same request or task.
if env_str("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = database_config(
        env_str("DATABASE_REPLICA_URL"), sqlite_path="", conn_max_age=CONN_MAX_AGE
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["shop.db_router.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"

# Cache, sessions and background jobs: Redis when REDIS_URL is set.
REDIS_URL = env_str("REDIS_URL")
CACHES = cache_config(REDIS_URL)
SESSION_ENGINE = session_engine(REDIS_URL)
globals().update(celery_config(REDIS_URL))
# Whole pages for anonymous visitors (shop/page_cache.py): on by default with Redis, whose
# cache all server processes share; a per-process memory cache would miss invalidations
# made in another process.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", default=bool(REDIS_URL))
PAGE_CACHE_SECONDS = int(env_str("PAGE_CACHE_SECONDS", "300"))
# Each process re-reads the sections' generations at most this often, and keeps its most
# requested pages in memory (0 turns that off): a change reaches visitors within it.
PAGE_CACHE_LOCAL_SECONDS = float(env_str("PAGE_CACHE_LOCAL_SECONDS", "1"))
PAGE_CACHE_LOCAL_PAGES = int(env_str("PAGE_CACHE_LOCAL_PAGES", "200"))
# Product views are counted in memory and written every 30 s by a thread of each server
# process (shop/view_counts.py).
VIEW_COUNTS_IN_BACKGROUND = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Europe/Athens"

# Search: Elasticsearch when ELASTICSEARCH_URL is set, a Whoosh folder otherwise.
HAYSTACK_CONNECTIONS = haystack_config(
    env_str("ELASTICSEARCH_URL"),
    whoosh_path=VAR_DIR / "whoosh_index",
    index_name=env_str("ELASTICSEARCH_INDEX", "coopsociety"),
    username=env_str("ELASTICSEARCH_USERNAME"),
    password=env_str("ELASTICSEARCH_PASSWORD"),
    ca_certs=env_str("ELASTICSEARCH_CA_CERTS"),
    verify_certs=env_bool("ELASTICSEARCH_VERIFY_CERTS", default=True),
    timeout=env_str("ELASTICSEARCH_TIMEOUT", "10"),
)
# Saves and deletes update the index inline, or through Celery when REDIS_URL is set.
HAYSTACK_SIGNAL_PROCESSOR = "shop.search_indexing.QueuedSignalProcessor"

# Whoosh cannot facet: it splits the product class into words and ignores facet queries.
# Until facets are computed from the database for Whoosh, offer them on Elasticsearch only.
if not env_str("ELASTICSEARCH_URL"):
    OSCAR_SEARCH_FACETS = {"fields": {}, "queries": {}}

# E-mail: printed on the console unless EMAIL_URL names a server.
globals().update(email_config(env_str("EMAIL_URL")))
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Συνεργατική Κοινωνία <noreply@coopsociety.gr>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
OSCAR_FROM_EMAIL = DEFAULT_FROM_EMAIL

AUTHENTICATION_BACKENDS = [
    "oscar.apps.customer.auth_backends.EmailBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_REDIRECT_URL = "/"

# Greece: Greek first, English second.
LANGUAGE_CODE = "el"
LANGUAGES = [("el", "Ελληνικά"), ("en", "English")]
# The project catalogue (shop/ and templates/) first, then Greek for the Oscar strings
# that Oscar itself leaves untranslated.
LOCALE_PATHS = [BASE_DIR / "shop" / "locale", BASE_DIR / "shop" / "oscar_locale"]
TIME_ZONE = "Europe/Athens"
USE_I18N = True
USE_TZ = True

# Static and media files. WhiteNoise serves static files in every environment.
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Without collectstatic (development), WhiteNoise serves straight from the app folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Oscar
OSCAR_SHOP_NAME = _("Cooperative Society")
OSCAR_SHOP_TAGLINE = _("the common home of the social and solidarity economy")
OSCAR_HOMEPAGE = "/"
OSCAR_DEFAULT_CURRENCY = "EUR"
OSCAR_CURRENCY_FORMAT = {"EUR": {"format_type": "standard"}}
OSCAR_SLUG_FUNCTION = "shop.text.slugify_greek"
OSCAR_SLUG_ALLOW_UNICODE = False
OSCAR_MISSING_IMAGE_URL = "image_not_found.jpg"
OSCAR_ALLOW_ANON_CHECKOUT = True
OSCAR_PRODUCTS_PER_PAGE = 24
OSCAR_REQUIRED_ADDRESS_FIELDS = ("first_name", "last_name", "line1", "line4", "postcode", "country")
OSCAR_DEFAULT_COUNTRY_CODE = "GR"
PHONENUMBER_DEFAULT_REGION = "GR"

# Greek VAT rates, chosen per product class (see catalogue_ext.models.ProductClass).
VAT_RATES = {
    "standard": Decimal("0.24"),
    "reduced": Decimal("0.13"),
    "super_reduced": Decimal("0.06"),
}

# Payments: Stripe is offered only when both keys are set.
STRIPE_PUBLISHABLE_KEY = env_str("STRIPE_PUBLISHABLE_KEY")
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
STRIPE_ENABLED = bool(STRIPE_PUBLISHABLE_KEY and STRIPE_SECRET_KEY)

# The social market's orders: one per organisation (see shop.order.models), each moved
# by its organisation through these statuses. Which of them an order may take next also
# depends on its delivery and payment (shop.order.services.next_statuses).
OSCAR_INITIAL_ORDER_STATUS = "new"
OSCAR_INITIAL_LINE_STATUS = "new"
OSCAR_ORDER_STATUS_PIPELINE = {
    "new": ("confirmed", "paid", "shipped", "ready_for_pickup", "completed", "cancelled"),
    "confirmed": ("paid", "shipped", "ready_for_pickup", "completed", "cancelled"),
    "paid": ("shipped", "ready_for_pickup", "completed", "cancelled"),
    "shipped": ("completed",),
    "ready_for_pickup": ("completed",),
    "completed": (),
    "cancelled": (),
}
OSCAR_LINE_STATUS_PIPELINE = OSCAR_ORDER_STATUS_PIPELINE
OSCAR_ORDER_STATUS_CASCADE = {status: status for status in OSCAR_ORDER_STATUS_PIPELINE}
# Unpaid orders give their stock back after these delays (checked every 10 minutes).
MARKET_BANK_TRANSFER_DAYS = int(env_str("MARKET_BANK_TRANSFER_DAYS", "5"))
MARKET_CARD_PAYMENT_MINUTES = int(env_str("MARKET_CARD_PAYMENT_MINUTES", "60"))
# The share of card payments kept for the platform's running costs, in percent.
MARKET_PLATFORM_CONTRIBUTION_PERCENT = Decimal(env_str("MARKET_PLATFORM_CONTRIBUTION_PERCENT", "0"))
# Stripe's API address; only a test double changes it.
STRIPE_API_BASE = env_str("STRIPE_API_BASE")

# Plain text lines on the console; LOG_FORMAT=json (production's default) writes one JSON
# object per line (shop.logging).
LOGGING = logging_config(env_str("LOG_FORMAT", "text"), level=env_str("LOG_LEVEL", "INFO"))

# The think tank's network: member organisations' feeds and the platform's Facebook page.
CELERY_BEAT_SCHEDULE = {
    "thinktank-fetch-network-feeds": {
        "task": "thinktank.tasks.fetch_network_feeds",
        "schedule": 30 * 60.0,
    },
    "thinktank-fetch-facebook-posts": {
        "task": "thinktank.tasks.fetch_facebook_posts",
        "schedule": 60 * 60.0,
    },
    # Scheduled entries become searchable once their publication time has come.
    "thinktank-index-due-entries": {
        "task": "thinktank.tasks.index_due_entries",
        "schedule": 60 * 60.0,
    },
}
# With a Page access token the page's posts are mirrored server-side (no request to
# Facebook from visitors' browsers); otherwise its Page Plugin loads only on request.
FACEBOOK_PAGE_URL = env_str("FACEBOOK_PAGE_URL", "https://www.facebook.com/coopsociety.gr")
FACEBOOK_PAGE_ACCESS_TOKEN = env_str("FACEBOOK_PAGE_ACCESS_TOKEN")
FACEBOOK_PAGE_ID = env_str("FACEBOOK_PAGE_ID")
FACEBOOK_GRAPH_URL = env_str("FACEBOOK_GRAPH_URL", "https://graph.facebook.com/v21.0")
# Members' feed addresses are never read inside private networks, unless allowed here.
THINKTANK_FEEDS_ALLOW_PRIVATE_ADDRESSES = env_bool("THINKTANK_FEEDS_ALLOW_PRIVATE_ADDRESSES")
# Uploads to the digital library and of videos.
THINKTANK_MAX_DOCUMENT_BYTES = 25 * 1024 * 1024
THINKTANK_MAX_VIDEO_BYTES = 500 * 1024 * 1024

# MENTORS: reminder e-mails before each session, in hours (the larger one, then the last
# one); Celery beat looks for due reminders every 10 minutes, as can cron with
# `manage.py send_session_reminders`.
MENTORS_REMINDERS = [
    int(hours) for hours in env_list("MENTORS_REMINDER_HOURS", default=["48", "1"])
]
CELERY_BEAT_SCHEDULE["mentors-session-reminders"] = {
    "task": "mentors.tasks.send_session_reminders",
    "schedule": 10 * 60.0,
}

# The Jitsi Meet server of the MENTORS sessions' generated rooms.
JITSI_SERVER_URL = env_str("JITSI_SERVER_URL", "https://meet.jit.si")

# The social market: unpaid orders past their deadline give their stock back.
CELERY_BEAT_SCHEDULE["market-release-expired-orders"] = {
    "task": "shop.order.tasks.release_expired_orders",
    "schedule": 10 * 60.0,
}
# Card payments whose transfer to the organisation failed are retried every 30 minutes.
CELERY_BEAT_SCHEDULE["market-retry-pending-transfers"] = {
    "task": "shop.order.tasks.retry_pending_transfers",
    "schedule": 30 * 60.0,
}

# The organisations' map: the tile server (Leaflet URL template) and its attribution
# (HTML, shown on the map); OpenStreetMap's own tiles by default.
MAP_TILE_URL = env_str("MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = env_str(
    "MAP_TILE_ATTRIBUTION",
    '© <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors',
)
