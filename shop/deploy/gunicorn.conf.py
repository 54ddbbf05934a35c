"""gunicorn settings: `gunicorn -c shop/deploy/gunicorn.conf.py shop.wsgi`.

Every value can be changed through the environment (see README.md, "Deploying").
Django's settings module defaults to shop.settings.production here.
"""

import os


def _cores():
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may use (containers)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _int(name, default):
    return int(os.environ.get(name) or default)


if "DJANGO_SETTINGS_MODULE" not in os.environ:
    raw_env = ["DJANGO_SETTINGS_MODULE=shop.settings.production"]

# GUNICORN_BIND: comma-separated addresses; on platforms that hand out a PORT (Procfile
# hosts), all interfaces on that port.
_default_bind = f"0.0.0.0:{os.environ['PORT']}" if os.environ.get("PORT") else "127.0.0.1:8000"
bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", _default_bind).split(",")]
# Sync workers: one request at a time each, so a slow request never stalls others in
# the same process; nginx buffers slow clients in front of them.
worker_class = "sync"
workers = _int("WEB_CONCURRENCY", 2 * _cores() + 1)
timeout = _int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# The application is loaded once in the master and forked: a new worker serves at once
# instead of spending a second importing Django and the apps.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1").strip().lower() not in {"0", "false", "no"}
# Workers are replaced after a number of requests, at staggered times, so that slow
# memory growth never builds up; a busy worker serves hundreds of requests a second.
max_requests = _int("GUNICORN_MAX_REQUESTS", 20000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 2000)
# Heartbeat files in memory, not on a disk that may stall (containers).
if os.path.isdir("/dev/shm"):
    worker_tmp_dir = "/dev/shm"

# X-Forwarded-* headers are believed only from these addresses (the nginx hosts).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proc_name = "coopsociety"
# No control socket (gunicorn >= 25): signals (systemctl reload) do its work here, and
# two servers on one host would otherwise fight over its default path.
control_socket_disable = True

loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
errorlog = "-"
accesslog = "-"
# Combined log format, plus the request id that nginx sets and the duration in ms.
access_log_format = (
    '%(h)s %({x-request-id}i)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
)

if os.environ.get("LOG_FORMAT", "json").strip().lower() == "json":
    # One JSON object per line (shop.logging), the access log with its fields apart.
    accesslog = None
    logconfig_dict = {
        "formatters": {"json": {"()": "shop.logging.JsonFormatter"}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
            "error_console": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stderr",
            },
        },
        "loggers": {
            "gunicorn.error": {"level": loglevel.upper(), "handlers": ["error_console"],
                               "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["console"], "propagate": False},
        },
    }  # fmt: skip
