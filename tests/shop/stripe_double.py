"""A local test double of Stripe's HTTP API, for the official ``stripe`` library.

It listens on 127.0.0.1 on a free port, in a thread, speaks the part of Stripe's v1 API
that the social market uses (form-encoded requests with bracketed keys, JSON answers,
Stripe's error objects, ``Idempotency-Key`` replay: the first answer to a key, error or
not, is the answer to every later request with that key, marked with the header
``Idempotent-Replayed: true``) and records every request, so tests assert what our code
asked Stripe to do. Point the library at it with
``settings.STRIPE_API_BASE = double.base_url``.

Objects it knows: payment_intents (create, retrieve, update, cancel), transfers (create,
retrieve, list), transfer reversals (``/v1/transfers/<id>/reversals``: create, list),
refunds (create, list), accounts (create, retrieve), account_links (create). Ids are
numbered per kind: "pi_1", "ch_1", "tr_1", "trr_1", "re_1", "acct_1". Tests move a
PaymentIntent along with ``succeed_payment_intent`` (what Stripe does when the consumer
pays), change an account with ``update_account`` (what Stripe does after onboarding) and
make Stripe refuse the next creations of a kind with ``refusals`` ({"refunds": (code,
message)}, as Stripe refuses a refund of a disputed charge or a reversal the connected
account cannot pay).
"""

import json
import re
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, urlsplit

WAITING_STATUSES = ("requires_payment_method", "requires_confirmation", "requires_action")


@dataclass
class RecordedRequest:
    method: str
    path: str
    params: dict
    idempotency_key: str | None
    replayed: bool = False


class StripeError(Exception):
    def __init__(self, status, error_type, message, code=None):
        super().__init__(message)
        self.status = status
        self.body = {"error": {"type": error_type, "message": message}}
        if code:
            self.body["error"]["code"] = code


def nested(params):
    """Stripe's bracketed form keys as nested values: "metadata[order]" -> {"metadata":
    {"order": ...}}; "expand[0]" -> {"expand": {"0": ...}}."""
    result = {}
    for key, value in params.items():
        parts = re.findall(r"[^\[\]]+", key)
        target = result
        for part in parts[:-1]:
            target = target.setdefault(part, {})
        target[parts[-1]] = value
    return result


def _boolean(value):
    return value in (True, "true", "True", "1")


class StripeDouble:
    def __init__(self, api_key="sk_test_double"):
        self.api_key = api_key
        self.requests = []
        self.objects = {}
        self.restricted_accounts = set()
        # {"refunds" or "reversals": (error code, message)}: those creations are refused.
        self.refusals = {}
        self._counters = {}
        self._idempotent = {}
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    # Running -------------------------------------------------------------------------

    def start(self):
        double = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                double._handle(self, "GET")

            def do_POST(self):
                double._handle(self, "POST")

            def do_DELETE(self):
                double._handle(self, "DELETE")

            def log_message(self, format, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def base_url(self):
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # What tests look at and do -------------------------------------------------------

    def requests_to(self, method, path):
        """Recorded requests with this method and path ("/v1/transfers"); a path ending in
        "*" matches every path that starts with it."""
        if path.endswith("*"):
            return [r for r in self.requests if r.method == method and r.path.startswith(path[:-1])]
        return [r for r in self.requests if r.method == method and r.path == path]

    def succeed_payment_intent(self, intent_id):
        """The consumer paid: the PaymentIntent succeeds with a new charge. Returns the
        PaymentIntent as Stripe sends it in events."""
        with self._lock:
            intent = self.objects[intent_id]
            charge = self._new("ch", {"object": "charge", "amount": intent["amount"]})
            charge.update(payment_intent=intent_id, paid=True, status="succeeded")
            intent.update(
                status="succeeded",
                amount_received=intent["amount"],
                latest_charge=charge["id"],
            )
            return json.loads(json.dumps(intent))

    def update_account(self, account_id, **fields):
        with self._lock:
            self.objects[account_id].update(fields)
            return json.loads(json.dumps(self.objects[account_id]))

    def object(self, object_id):
        return json.loads(json.dumps(self.objects[object_id]))

    # HTTP ------------------------------------------------------------------------------

    def _handle(self, handler, method):
        url = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length).decode("utf-8") if length else ""
        query = body if method == "POST" else url.query
        params = dict(parse_qsl(query, keep_blank_values=True))
        key = handler.headers.get("Idempotency-Key")
        record = RecordedRequest(method, url.path, params, key)
        with self._lock:
            self.requests.append(record)
        try:
            if handler.headers.get("Authorization") != f"Bearer {self.api_key}":
                raise StripeError(401, "invalid_request_error", "Invalid API Key provided.")
            status, answer = self._answer_once(method, url.path, params, key, record)
        except StripeError as error:
            status, answer = error.status, error.body
        payload = json.dumps(answer).encode("utf-8")
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(payload)))
        handler.send_header("Request-Id", f"req_{len(self.requests)}")
        if key and method == "POST":
            handler.send_header("Idempotency-Key", key)
            if record.replayed:
                handler.send_header("Idempotent-Replayed", "true")
        handler.end_headers()
        handler.wfile.write(payload)

    def _answer_once(self, method, path, params, key, record):
        """Like Stripe: a POST with an Idempotency-Key already used gets the first
        answer again, unless its parameters differ (an error)."""
        if method != "POST" or not key:
            with self._lock:
                return self._route(method, path, params)
        with self._lock:
            if key in self._idempotent:
                first_path, first_params, status, answer = self._idempotent[key]
                if (first_path, first_params) != (path, params):
                    raise StripeError(
                        400,
                        "idempotency_error",
                        "Keys for idempotent requests can only be used with the same "
                        "parameters they were first used with.",
                    )
                record.replayed = True
                return status, answer
            try:
                status, answer = self._route(method, path, params)
            except StripeError as error:
                status, answer = error.status, error.body
            self._idempotent[key] = (path, params, status, answer)
            return status, answer

    def _route(self, method, path, params):
        parts = path.strip("/").split("/")
        if not parts or parts[0] != "v1" or len(parts) < 2:
            raise StripeError(404, "invalid_request_error", f"Unrecognized request URL ({path}).")
        kind, rest = parts[1], parts[2:]
        data = nested(params)
        route = (method, kind, len(rest))
        if route == ("POST", "payment_intents", 0):
            return 200, self._create_payment_intent(data)
        if route == ("GET", "payment_intents", 1):
            return 200, self._get("payment_intent", rest[0])
        if route == ("POST", "payment_intents", 1):
            return 200, self._update_payment_intent(rest[0], data)
        if route == ("POST", "payment_intents", 2) and rest[1] == "cancel":
            intent = self._get("payment_intent", rest[0])
            intent["status"] = "canceled"
            return 200, intent
        if route == ("POST", "transfers", 0):
            return 200, self._create_transfer(data)
        if route == ("GET", "transfers", 0):
            return 200, self._list("transfer", "/v1/transfers", data)
        if route == ("GET", "transfers", 1):
            return 200, self._get("transfer", rest[0])
        if route == ("POST", "transfers", 2) and rest[1] == "reversals":
            return 200, self._create_reversal(rest[0], data)
        if route == ("GET", "transfers", 2) and rest[1] == "reversals":
            self._get("transfer", rest[0])
            return 200, self._list("transfer_reversal", path, {**data, "transfer": rest[0]})
        if route == ("POST", "refunds", 0):
            return 200, self._create_refund(data)
        if route == ("GET", "refunds", 0):
            return 200, self._list("refund", "/v1/refunds", data)
        if route == ("POST", "accounts", 0):
            return 200, self._create_account(data)
        if route == ("GET", "accounts", 1):
            return 200, self._get("account", rest[0])
        if route == ("POST", "account_links", 0):
            return 200, self._create_account_link(data)
        raise StripeError(
            404, "invalid_request_error", f"Unrecognized request URL ({method} {path})."
        )

    # Objects ---------------------------------------------------------------------------

    def _new(self, prefix, fields):
        number = self._counters[prefix] = self._counters.get(prefix, 0) + 1
        obj = {"id": f"{prefix}_{number}", "livemode": False, "created": int(time.time())}
        obj.update(fields)
        self.objects[obj["id"]] = obj
        return obj

    def _get(self, object_type, object_id):
        obj = self.objects.get(object_id)
        if obj is None or obj.get("object") != object_type:
            raise StripeError(
                404,
                "invalid_request_error",
                f"No such {object_type}: '{object_id}'",
                code="resource_missing",
            )
        return obj

    def _list(self, object_type, url, data):
        """A list of objects of one type, newest first, filtered on the given fields."""
        filters = {k: v for k, v in data.items() if k not in ("limit", "starting_after", "expand")}
        found = [
            obj
            for obj in self.objects.values()
            if obj.get("object") == object_type
            and all(str(obj.get(k)) == v for k, v in filters.items())
        ]
        found.reverse()
        limit = int(data.get("limit", 10))
        return {"object": "list", "url": url, "has_more": len(found) > limit, "data": found[:limit]}

    @staticmethod
    def _require(data, *names):
        for name in names:
            if name not in data or data[name] == "":
                raise StripeError(
                    400,
                    "invalid_request_error",
                    f"Missing required param: {name}.",
                    code="parameter_missing",
                )

    @staticmethod
    def _amount(value):
        try:
            amount = int(value)
        except (TypeError, ValueError):
            raise StripeError(400, "invalid_request_error", "Invalid integer: amount") from None
        if amount < 1:
            raise StripeError(
                400,
                "invalid_request_error",
                "Amount must be at least 1 cent",
                code="amount_too_small",
            )
        return amount

    def _create_payment_intent(self, data):
        self._require(data, "amount", "currency")
        intent = self._new(
            "pi",
            {
                "object": "payment_intent",
                "amount": self._amount(data["amount"]),
                "amount_received": 0,
                "currency": data["currency"],
                "status": "requires_payment_method",
                "transfer_group": data.get("transfer_group"),
                "description": data.get("description"),
                "metadata": data.get("metadata", {}),
                "latest_charge": None,
                "automatic_payment_methods": {
                    "enabled": _boolean(data.get("automatic_payment_methods", {}).get("enabled"))
                },
            },
        )
        intent["client_secret"] = f"{intent['id']}_secret_test"
        return intent

    def _update_payment_intent(self, intent_id, data):
        intent = self._get("payment_intent", intent_id)
        if intent["status"] not in WAITING_STATUSES:
            raise StripeError(
                400,
                "invalid_request_error",
                f"This PaymentIntent's status is {intent['status']}; it cannot be updated.",
                code="payment_intent_unexpected_state",
            )
        if "amount" in data:
            intent["amount"] = self._amount(data["amount"])
        for field in ("description", "transfer_group"):
            if field in data:
                intent[field] = data[field]
        if "metadata" in data:
            intent["metadata"] = {**intent["metadata"], **data["metadata"]}
        return intent

    def _create_transfer(self, data):
        self._require(data, "amount", "currency", "destination")
        destination = data["destination"]
        if destination in self.restricted_accounts:
            raise StripeError(
                400,
                "invalid_request_error",
                "Your destination account needs to have at least one of the following "
                "capabilities enabled: transfers, crypto_transfers, legacy_payments",
                code="insufficient_capabilities_for_transfer",
            )
        source = data.get("source_transaction")
        if source is not None:
            self._get("charge", source)
        return self._new(
            "tr",
            {
                "object": "transfer",
                "amount": self._amount(data["amount"]),
                "currency": data["currency"],
                "destination": destination,
                "transfer_group": data.get("transfer_group"),
                "source_transaction": source,
                "description": data.get("description"),
                "metadata": data.get("metadata", {}),
                "amount_reversed": 0,
                "reversed": False,
            },
        )

    def _refuse(self, kind):
        if kind in self.refusals:
            code, message = self.refusals[kind]
            raise StripeError(400, "invalid_request_error", message, code=code)

    def _create_reversal(self, transfer_id, data):
        transfer = self._get("transfer", transfer_id)
        self._refuse("reversals")
        left = transfer["amount"] - transfer["amount_reversed"]
        amount = self._amount(data.get("amount", left))
        if amount > left:
            raise StripeError(
                400,
                "invalid_request_error",
                "Transfer reversal amount is greater than the amount left on the transfer.",
                code="amount_too_large",
            )
        transfer["amount_reversed"] += amount
        transfer["reversed"] = transfer["amount_reversed"] == transfer["amount"]
        return self._new(
            "trr",
            {
                "object": "transfer_reversal",
                "amount": amount,
                "currency": transfer["currency"],
                "transfer": transfer_id,
                "description": data.get("description"),
                "metadata": data.get("metadata", {}),
            },
        )

    def _create_refund(self, data):
        self._require(data, "payment_intent")
        intent = self._get("payment_intent", data["payment_intent"])
        self._refuse("refunds")
        if intent["status"] != "succeeded":
            raise StripeError(
                400,
                "invalid_request_error",
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                code="charge_not_refundable",
            )
        amount = self._amount(data.get("amount", intent["amount_received"]))
        refunded = sum(
            obj["amount"]
            for obj in self.objects.values()
            if obj.get("object") == "refund" and obj["payment_intent"] == intent["id"]
        )
        if refunded + amount > intent["amount_received"]:
            raise StripeError(
                400,
                "invalid_request_error",
                "Refund amount is greater than unrefunded amount on charge.",
                code="amount_too_large",
            )
        return self._new(
            "re",
            {
                "object": "refund",
                "amount": amount,
                "currency": intent["currency"],
                "payment_intent": intent["id"],
                "charge": intent["latest_charge"],
                "metadata": data.get("metadata", {}),
                "status": "succeeded",
            },
        )

    def _create_account(self, data):
        capabilities = {
            name: "inactive"
            for name, wanted in data.get("capabilities", {}).items()
            if _boolean(wanted.get("requested"))
        }
        return self._new(
            "acct",
            {
                "object": "account",
                "type": data.get("type", "standard"),
                "country": data.get("country", "US"),
                "email": data.get("email"),
                "business_profile": data.get("business_profile", {}),
                "capabilities": capabilities,
                "metadata": data.get("metadata", {}),
                "charges_enabled": False,
                "payouts_enabled": False,
                "details_submitted": False,
            },
        )

    def _create_account_link(self, data):
        self._require(data, "account", "type")
        self._get("account", data["account"])
        number = self._counters["link"] = self._counters.get("link", 0) + 1
        return {
            "object": "account_link",
            "created": int(time.time()),
            "expires_at": int(time.time()) + 300,
            "url": f"https://connect.stripe.test/setup/e/{data['account']}/{number}",
        }


@contextmanager
def stripe_configured(settings, *, api_key="sk_test_double", webhook_secret=""):
    """Stripe configured in ``settings`` (pytest-django's fixture), its API served by a
    StripeDouble, and a platform contribution of 10%."""
    with StripeDouble(api_key=api_key) as double:
        settings.STRIPE_PUBLISHABLE_KEY = "pk_test_double"
        settings.STRIPE_SECRET_KEY = api_key
        settings.STRIPE_WEBHOOK_SECRET = webhook_secret
        settings.STRIPE_ENABLED = True
        settings.STRIPE_API_BASE = double.base_url
        settings.MARKET_PLATFORM_CONTRIBUTION_PERCENT = Decimal("10")
        yield double
