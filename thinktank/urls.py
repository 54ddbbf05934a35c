from django.urls import path

from thinktank import views

app_name = "thinktank"

urlpatterns = [
    path("", views.HubView.as_view(), name="hub"),
]
