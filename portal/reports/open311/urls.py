from __future__ import annotations

from django.urls import re_path

from portal.reports.open311 import views

app_name = "open311"
FMT = r"\.(?P<fmt>json|xml)$"
urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.service_list, name="services"),
    re_path(r"^services/(?P<code>[-\w]+)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.request_list, name="requests"),
    re_path(r"^requests/(?P<request_id>\d+)" + FMT, views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[-\w]+)" + FMT, views.token_detail, name="token"),
    re_path(r"^.*\.(?P<fmt>json|xml)$", views.not_found),
]
