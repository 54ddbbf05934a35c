"""The card payment page in a real browser: our script mounts Stripe's Payment Element,
shows a declined card's error to screen readers, and after Stripe's redirect the order is
paid and its money transferred.

Stripe.js itself (loaded from js.stripe.com) and Stripe's API are third-party services:
the browser gets a stand-in script through Playwright's routing, and the server talks
to the local Stripe API double of tests/shop/stripe_double.py."""

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from shop.order.services import Consumer, PartChoice, place_purchase
from tests.factories import create_offered_product
from tests.factories.market import basket_with, card_organisation
from tests.shop.stripe_double import StripeDouble

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WCAG_21_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}
DECLINED_CARD = "4000000000000002"

# Stands in for https://js.stripe.com/v3/: the same calls our script makes, with an
# input in place of Stripe's card iframe; a declined card number answers with an error.
STRIPE_JS_STAND_IN = """
window.Stripe = function (key) {
  return {
    elements: function (options) {
      window.__elementsOptions = options;
      return {create: function () {
        var handlers = {};
        return {
          on: function (name, fn) { handlers[name] = fn; },
          mount: function (selector) {
            var input = document.createElement("input");
            input.id = "stand-in-card";
            input.setAttribute("aria-label", "Card number");
            document.querySelector(selector).appendChild(input);
            setTimeout(function () { handlers.ready && handlers.ready(); }, 10);
          }
        };
      }};
    },
    confirmPayment: function (args) {
      if (document.getElementById("stand-in-card").value === "DECLINED_CARD") {
        return Promise.resolve({error: {type: "card_error", message: "Your card was declined."}});
      }
      window.location = "https://js.stripe.com/confirm?return=" +
        encodeURIComponent(args.confirmParams.return_url);
      return new Promise(function () {});
    }
  };
};
""".replace("DECLINED_CARD", DECLINED_CARD)


def test_consumer_pays_by_card_after_a_declined_card(live_server, page, settings):
    with StripeDouble() as double:
        settings.STRIPE_PUBLISHABLE_KEY = "pk_test_double"
        settings.STRIPE_SECRET_KEY = "sk_test_double"
        settings.STRIPE_WEBHOOK_SECRET = "whsec_double"
        settings.STRIPE_ENABLED = True
        settings.STRIPE_API_BASE = double.base_url
        settings.SITE_URL = live_server.url
        organisation = card_organisation("Μελισσοκόμοι Κρήτης", "acct_honey")
        honey = create_offered_product(
            organisation=organisation, price=Decimal("10.00"), title="Μέλι ανθέων"
        )
        purchase = place_purchase(
            basket_with((honey, 2)),
            Consumer(email="maria@example.org", name="Μαρία"),
            {organisation.pk: PartChoice("pickup", "card")},
        )

        def stripe_js(route):
            url = route.request.url
            if "/confirm" in url:
                # Stripe confirms the payment, then sends the browser back to us.
                double.succeed_payment_intent(purchase_intent_id())
                target = parse_qs(urlsplit(url).query)["return"][0]
                route.fulfill(status=302, headers={"Location": target})
            else:
                route.fulfill(
                    status=200, content_type="application/javascript", body=STRIPE_JS_STAND_IN
                )

        def purchase_intent_id():
            purchase.refresh_from_db()
            return purchase.stripe_payment_intent_id

        page.route(re.compile(r"https://js\.stripe\.com/.*"), stripe_js)
        page.goto(live_server.url + f"/market/checkout/purchases/{purchase.token}/pay/")
        expect(page.locator("#content_inner")).to_contain_text(organisation.name)
        assert page.evaluate("window.__elementsOptions.locale") == "el"
        assert page.evaluate("window.__elementsOptions.clientSecret").startswith(
            purchase_intent_id()
        )
        button = page.locator("[data-pay-button]")
        expect(button).to_be_enabled()

        page.fill("#stand-in-card", DECLINED_CARD)
        button.click()
        expect(page.locator("#card-payment-errors")).to_contain_text("Your card was declined.")
        results = Axe().run(page, options=WCAG_21_AA)
        assert results.response["violations"] == []
        order = purchase.orders.get()
        assert order.paid_at is None

        page.fill("#stand-in-card", "4242424242424242")
        button.click()
        page.wait_for_url(live_server.url + purchase.get_absolute_url())
        order.refresh_from_db()
        assert order.status == "paid"
        assert order.paid_at is not None
        transfers = double.requests_to("POST", "/v1/transfers")
        assert [(t.params["amount"], t.params["destination"]) for t in transfers] == [
            ("2260", "acct_honey")
        ]
        expect(page.locator("article.purchase-part .order-status")).to_have_text("Πληρωμένη")
