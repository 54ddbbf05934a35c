from django.urls import path

from mentors.views import hub, programme, questions, registrations

app_name = "mentors"

urlpatterns = [
    path("", hub.HubView.as_view(), name="hub"),
    *programme.urlpatterns,
    *registrations.urlpatterns,
    *questions.urlpatterns,
]
