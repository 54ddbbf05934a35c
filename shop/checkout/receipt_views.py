"""Receipts of a purchase's parts for the consumer, reached with the purchase's secret
token: a guest has no account, so the token in the address is the only key."""

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.views.generic import TemplateView, View
from oscar.core.loading import get_model

from shop.order.receipts import receipt_context, receipt_pdf

Order = get_model("order", "Order")


def purchase_order_or_404(token, number):
    """The order ``number`` of the purchase whose token is ``token``; otherwise 404."""
    try:
        return Order.objects.select_related(
            "organisation", "purchase", "shipping_address__country", "user"
        ).get(purchase__token=token, number=number)
    except Order.DoesNotExist:
        raise Http404("No such receipt.") from None


def pdf_response(order, content):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="receipt-{order.number}.pdf"'
    response["X-Robots-Tag"] = "noindex"
    return response


class ConsumerReceiptView(TemplateView):
    template_name = "shop/order/receipt.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        token, number = self.kwargs["token"], self.kwargs["number"]
        order = purchase_order_or_404(token, number)
        ctx.update(receipt_context(order))
        ctx["pdf_url"] = reverse("checkout:receipt-pdf", kwargs={"token": token, "number": number})
        ctx["back_url"] = reverse("checkout:purchase", kwargs={"token": token})
        return ctx


class ConsumerReceiptPdfView(View):
    def get(self, request, token, number):
        order = purchase_order_or_404(token, number)
        return pdf_response(order, receipt_pdf(order))
