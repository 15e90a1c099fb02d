from __future__ import annotations

from django.urls import path

from sensors import views

app_name = "sensors"

urlpatterns = [
    path("live/", views.live, name="live"),
    path("devices/<int:pk>/", views.device_detail, name="device"),
]
