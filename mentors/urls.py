from django.urls import path

from mentors import views

app_name = "mentors"

urlpatterns = [
    path("", views.HubView.as_view(), name="hub"),
]
