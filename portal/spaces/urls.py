from __future__ import annotations

from django.urls import path

from portal.spaces import views

app_name = "spaces"
urlpatterns = [
    path("", views.space_list, name="list"),
    path("<int:pk>/", views.space_detail, name="space"),
    path("calls/", views.call_list, name="calls"),
    path("calls/<int:pk>/", views.call_detail, name="call"),
    path("calls/<int:pk>/apply/", views.call_apply, name="apply"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path("applications/<int:pk>/withdraw/", views.application_withdraw, name="withdraw"),
    path("organisations/new/", views.organisation_new, name="organisation-new"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/invite/", views.organisation_invite, name="invite"),
    path("organisations/<int:pk>/remove/", views.organisation_remove, name="remove-member"),
    path("organisations/<int:pk>/transfer/", views.organisation_transfer, name="transfer"),
    path("organisations/<int:pk>/propose/", views.organisation_propose, name="propose"),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation"),
]
