from django.urls import path

from shop.organisations import selling_views, stripe_views, views

app_name = "organisations"

urlpatterns = [
    path("", views.OrganisationListView.as_view(), name="list"),
    path("new/", views.OrganisationCreateView.as_view(), name="create"),
    path("mine/", views.MyOrganisationsView.as_view(), name="mine"),
    path("invitations/<slug:token>/", views.InvitationView.as_view(), name="invitation"),
    path("<slug:slug>/", views.StorefrontView.as_view(), name="storefront"),
    path("<slug:slug>/edit/", views.OrganisationEditView.as_view(), name="edit"),
    path("<slug:slug>/selling/", selling_views.SellingSettingsView.as_view(), name="selling"),
    path("<slug:slug>/selling/stripe/", stripe_views.StripeConnectView.as_view(), name="stripe"),
    path(
        "<slug:slug>/selling/stripe/return/",
        stripe_views.StripeConnectReturnView.as_view(),
        name="stripe-return",
    ),
    path("<slug:slug>/members/", views.MembersView.as_view(), name="members"),
    path("<slug:slug>/members/invite/", views.invite_member, name="invite"),
    path("<slug:slug>/members/<int:user_id>/remove/", views.remove_member, name="remove-member"),
    path("<slug:slug>/requests/<int:pk>/", views.decide_join_request, name="decide-request"),
    path("<slug:slug>/join/", views.join, name="join"),
    path("<slug:slug>/vouch/", views.vouch, name="vouch"),
    path("<slug:slug>/verify/", views.verify, name="verify"),
]
