from django.urls import path

from shop.organisations import views

app_name = "organisations"

urlpatterns = [
    path("", views.OrganisationListView.as_view(), name="list"),
    path("<slug:slug>/", views.StorefrontView.as_view(), name="storefront"),
]
