from __future__ import annotations

from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from pilots.api import PilotViewSet
from pilots.api_enrolment import EnrolmentViewSet, SurveyAnswerViewSet
from portal import views
from portal.api import DistrictViewSet
from portal.api_root import Router
from portal.reports.api import ReportViewSet
from portal.spaces.api import CallViewSet, MyApplicationViewSet, SpaceViewSet
from sensors.api import DeviceReadingsView, DeviceRollupsView, DeviceViewSet, MetricViewSet
from sensors.api_ingest import ReadingIngestView

api = Router()
api.register("districts", DistrictViewSet, basename="district")
api.register("pilots", PilotViewSet, basename="pilot")
api.register("me/enrolments", EnrolmentViewSet, basename="my-enrolment")
api.register("me/surveys", SurveyAnswerViewSet, basename="my-survey")
api.register("devices", DeviceViewSet, basename="device")
api.register("metrics", MetricViewSet, basename="metric")
api.register("spaces", SpaceViewSet, basename="space")
api.register("calls", CallViewSet, basename="call")
api.register("me/space-applications", MyApplicationViewSet, basename="my-space-application")
api.register("reports", ReportViewSet, basename="report")

urlpatterns = [
    path("", include("portal.livinglab.urls")),
    path("pilots/", include("pilots.urls")),
    path("spaces/", include("portal.spaces.urls")),
    path("accounts/signup/", views.sign_up, name="signup"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/", include("portal.account_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # The split view serves Swagger UI's set-up as a script of its own, which the
    # Content-Security-Policy lets run where an inline one would be refused.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("sensors/", include("sensors.urls")),
    path("reports/", include("portal.reports.urls")),
    path("open311/v2/", include("portal.reports.open311.urls")),
    path(
        "api/devices/<int:device_id>/readings/",
        DeviceReadingsView.as_view(),
        name="device-readings",
    ),
    path(
        "api/devices/<int:device_id>/rollups/", DeviceRollupsView.as_view(), name="device-rollups"
    ),
    path("api/sensors/readings", ReadingIngestView.as_view(), name="sensor-readings-ingest"),
    path("api/pilots/<slug:slug>/", include("pilots.evaluation.urls")),
    path("api/", include(api.urls)),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Under /api/ errors answer in the API's JSON shape; elsewhere with the site's own pages.
handler400 = "portal.error_views.bad_request"
handler403 = "portal.error_views.permission_denied"
handler404 = "portal.error_views.page_not_found"
handler500 = "portal.error_views.server_error"
