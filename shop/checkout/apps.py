"""Oscar's checkout, replaced by the social market's checkout across organisations.

One page collects the consumer's contact, the address (when something is shipped) and,
for each organisation in the basket, its delivery option and payment method; placing it
creates one order per organisation (see shop.order.services). The purchase's page, found
by its secret token, lets guests and members alike follow every part, pay by card and
print receipts.
"""

import oscar.apps.checkout.apps as apps
from django.urls import path


class CheckoutConfig(apps.CheckoutConfig):
    name = "shop.checkout"

    def ready(self):
        # Oscar's multi-step single-order views are not used.
        pass

    def get_urls(self):
        from shop.checkout import receipt_views, stripe_views, views

        urls = [
            path("", views.CheckoutView.as_view(), name="index"),
            path("purchases/<str:token>/", views.PurchaseView.as_view(), name="purchase"),
            path("purchases/<str:token>/pay/", stripe_views.PayView.as_view(), name="pay"),
            path(
                "purchases/<str:token>/paid/",
                stripe_views.CardReturnView.as_view(),
                name="card-return",
            ),
            path(
                "purchases/<str:token>/receipts/<str:number>/",
                receipt_views.ConsumerReceiptView.as_view(),
                name="receipt",
            ),
            path(
                "purchases/<str:token>/receipts/<str:number>/pdf/",
                receipt_views.ConsumerReceiptPdfView.as_view(),
                name="receipt-pdf",
            ),
            path("stripe/webhook/", stripe_views.stripe_webhook, name="stripe-webhook"),
        ]
        return self.post_process_urls(urls)

    def get_url_decorator(self, pattern):
        return None
