"""Log records as JSON lines, for production log collectors.

One object per line: ``timestamp`` (UTC, ISO 8601), ``level``, ``logger``, ``message``,
then when known ``request_id`` (the ``X-Request-ID`` header that nginx sets),
``status`` and ``path`` of a failed request, ``http`` for gunicorn's access log, and
``exception`` with the traceback text.
"""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

from django.core.signals import request_finished, request_started

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
MAX_REQUEST_ID_LENGTH = 200

current_request_id = ContextVar("current_request_id", default="")


def clean_request_id(value):
    value = str(value or "").strip()[:MAX_REQUEST_ID_LENGTH]
    return value if value.isprintable() and value != "-" else ""


def _remember_request_id(sender, environ=None, scope=None, **kwargs):
    if environ is not None:
        raw = environ.get(REQUEST_ID_HEADER, "")
    else:
        headers = dict((scope or {}).get("headers", []))
        raw = headers.get(b"x-request-id", b"").decode("latin-1")
    current_request_id.set(clean_request_id(raw))


def _forget_request_id(sender, **kwargs):
    current_request_id.set("")


request_started.connect(_remember_request_id, dispatch_uid="shop-logging-request-id")
request_finished.connect(_forget_request_id, dispatch_uid="shop-logging-request-id")


# gunicorn's access-log atoms, by the name they get in the JSON line.
ACCESS_FIELDS = {
    "remote_addr": "h",
    "method": "m",
    "path": "U",
    "query": "q",
    "protocol": "H",
    "status": "s",
    "bytes": "B",
    "duration_ms": "M",
    "referer": "f",
    "user_agent": "a",
}


def _access_fields(atoms):
    fields = {}
    for name, atom in ACCESS_FIELDS.items():
        value = atoms.get(atom)
        if value in (None, "", "-"):
            continue
        if isinstance(value, str):
            value = value.replace('\\"', '"')  # gunicorn escapes quotes for its text format
        fields[name] = int(value) if name == "status" else value
    return fields


class JsonFormatter(logging.Formatter):
    """Format each record as one JSON object on one line."""

    def format(self, record):
        entry = {
            "timestamp": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", "") or current_request_id.get()
        request = getattr(record, "request", None)
        if not request_id and request is not None:
            request_id = clean_request_id(getattr(request, "META", {}).get(REQUEST_ID_HEADER))
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            entry["http"] = _access_fields(record.args)
            request_id = request_id or clean_request_id(record.args.get("{x-request-id}i"))
        if request_id:
            entry["request_id"] = request_id
        status_code = getattr(record, "status_code", None)
        if status_code is not None:
            entry["status"] = status_code
        if request is not None and hasattr(request, "path"):
            entry["path"] = request.path
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)
