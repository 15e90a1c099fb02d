"""Pages of reports: the public map and list, filing a report, one report, area alerts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.models import District, User
from portal.reports import permissions, selectors, services
from portal.reports.forms import AreaAlertForm, ReopenForm, ReportFilterForm, ReportForm
from portal.reports.models import Report
from portal.selectors import district_feature_collection
from sensors.models import Device
from sensors.selectors import visible_device

REPORTS_PER_PAGE = 20


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - login_required guarantees it.
    return user


def _report_or_404(report_id: int) -> Report:
    report = selectors.report_detail(report_id)
    if report is None:
        raise Http404("No report with that number")
    return report


def _map_tiles() -> dict[str, str]:
    return {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION}


def _districts() -> dict[str, Any]:
    """The districts drawn under every report map: it stays readable where tiles cannot load."""
    return district_feature_collection(District.objects.all())


def report_list(request: HttpRequest) -> HttpResponse:
    form = ReportFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else selectors.ReportFilters()
    page = Paginator(selectors.report_list(filters), REPORTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "map_tiles": _map_tiles(),
        "district_geojson": _districts(),
    }
    return render(request, "reports/report_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def report_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if not permissions.user_may_report(user):
        raise PermissionDenied
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, user=user)
        form.is_valid()
        # Named on the page again if the form comes back with an error about something else;
        # the form's `clean` has turned the number into the device if the citizen may see it.
        linked = form.cleaned_data.get("device")
        device = linked if isinstance(linked, Device) else None
    else:
        # Coming from a device's page, the report starts at the device's place and names it.
        number = request.GET.get("device", "")
        device = visible_device(user, int(number)) if number.isdigit() else None
        initial = (
            {"device": device.pk, "latitude": device.latitude, "longitude": device.longitude}
            if device is not None
            else {}
        )
        form = ReportForm(user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            report = services.report_create(
                reporter=user,
                category=data["category"],
                description=data["description"],
                latitude=data["latitude"],
                longitude=data["longitude"],
                address=data["address"],
                pilot=data["pilot"],
                device=data["device"],
                photos=[upload.read() for upload in data["photos"]],
                show_name=data["show_name"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("Thank you. Your report is filed."))
            if data["latitude"] is None and report.district is not None:
                messages.info(
                    request,
                    _(
                        "Street addresses cannot be looked up, so your report is placed at the "
                        "centre of %(district)s."
                    )
                    % {"district": report.district.name},
                )
            return redirect(report)
    context = {
        "form": form,
        "device": device,
        "map_tiles": _map_tiles(),
        "district_geojson": _districts(),
    }
    return render(request, "reports/report_new.html", context, status=400 if form.errors else 200)


def report_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report_or_404(report_id)
    user = request.user
    sees_private = permissions.user_sees_private_report_data(user, report)
    latitude, longitude = (
        (report.latitude, report.longitude) if sees_private else report.public_place()
    )
    context = {
        "report": report,
        "address": report.address if sees_private else report.public_address()[0],
        "history": selectors.report_history(report),
        "photos": list(report.photos.all()),
        "place": {"latitude": latitude, "longitude": longitude},
        "may_support": permissions.user_may_support(user, report),
        "supported": user.is_authenticated and report.supports.filter(user_id=user.pk).exists(),
        "may_reopen": permissions.user_may_reopen(user, report)
        and report.status == Report.Status.CLOSED
        and report.resolution == Report.Resolution.FIXED,
        "reopen_form": ReopenForm(),
        "sees_private": sees_private,
        "map_tiles": _map_tiles(),
        # Only the report's own district: the map is close up.
        "district_geojson": district_feature_collection(District.objects.filter(reports=report)),
    }
    return render(request, "reports/report_detail.html", context)


@login_required
@require_POST
def report_support(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report_or_404(report_id)
    user = _user(request)
    if not permissions.user_may_support(user, report):
        raise PermissionDenied
    try:
        services.report_support(report=report, user=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Thank you. You will hear of this report's updates."))
    return redirect(report)


@login_required
@require_POST
def report_reopen(request: HttpRequest, report_id: int) -> HttpResponse:
    report = _report_or_404(report_id)
    user = _user(request)
    if not permissions.user_may_reopen(user, report):
        raise PermissionDenied
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say why the problem is not fixed."))
        return redirect(report)
    try:
        services.report_reopen(report=report, user=user, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The report is open again."))
    return redirect(report)


@login_required
@require_http_methods(["GET", "POST"])
def area_alerts(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    form = AreaAlertForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.area_alert_create(
                user=user,
                district=data["district"],
                latitude=None if data["district"] else data["latitude"],
                longitude=None if data["district"] else data["longitude"],
                radius_m=None if data["district"] else data["radius_m"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("You now follow this area."))
            return redirect("reports:alerts")
    context = {
        "form": form,
        "alerts": user.report_alerts.select_related("district"),
        "map_tiles": _map_tiles(),
        "district_geojson": _districts(),
    }
    return render(request, "reports/area_alerts.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def area_alert_delete(request: HttpRequest, alert_id: int) -> HttpResponse:
    if not services.area_alert_delete(user=_user(request), alert_id=alert_id):
        raise Http404("No such alert of yours")
    messages.success(request, _("You no longer follow this area."))
    return redirect("reports:alerts")
