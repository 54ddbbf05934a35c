"""Oscar's account pages, with the order history loading each order's organisation and
purchase in the same query."""

from oscar.apps.customer import views as oscar_views


class OrderHistoryView(oscar_views.OrderHistoryView):
    def get_queryset(self):
        return super().get_queryset().select_related("organisation", "purchase")
