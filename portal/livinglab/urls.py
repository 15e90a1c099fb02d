from __future__ import annotations

from django.urls import path

from portal.livinglab import views

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.my_living_lab, name="my-living-lab"),
    path("me/profile/", views.my_profile, name="my-profile"),
    path("me/preferences/", views.my_preferences, name="my-preferences"),
    path("me/notifications/read/", views.my_notifications_read, name="my-notifications-read"),
    path("me/data.json", views.my_data, name="my-data"),
    path("me/delete/", views.my_account_delete, name="my-account-delete"),
]
