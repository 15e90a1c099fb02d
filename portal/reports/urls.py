from __future__ import annotations

from django.urls import path

from portal.reports import views

app_name = "reports"
urlpatterns = [
    path("", views.report_list, name="list"),
    path("new/", views.report_new, name="new"),
    path("alerts/", views.area_alerts, name="alerts"),
    path("alerts/<int:alert_id>/delete/", views.area_alert_delete, name="alert-delete"),
    path("<int:report_id>/", views.report_detail, name="detail"),
    path("<int:report_id>/support/", views.report_support, name="support"),
    path("<int:report_id>/reopen/", views.report_reopen, name="reopen"),
]
