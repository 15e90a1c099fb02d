"""Pages of pilots: the list with filters and one pilot's page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from pilots import selectors
from pilots.forms import PilotFilterForm
from pilots.models import Pilot
from portal.selectors import district_feature_collection

PILOTS_PER_PAGE = 12


def pilot_list(request: HttpRequest) -> HttpResponse:
    form = PilotFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else selectors.PilotFilters()
    pilots = selectors.pilot_list(filters)
    page = Paginator(pilots, PILOTS_PER_PAGE).get_page(request.GET.get("page"))
    # Page links keep the filters.
    query = request.GET.copy()
    query.pop("page", None)
    context = {"form": form, "page": page, "query": query.urlencode()}
    return render(request, "pilots/pilot_list.html", context)


def pilot_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        pilot = selectors.pilot_detail(slug)
    except Pilot.DoesNotExist:
        raise Http404("No pilot with that address") from None
    districts = pilot.districts.all()
    devices = [device for device in pilot.devices.all() if device.visibility == "public"]
    context = {
        "pilot": pilot,
        "districts": districts,
        "devices": devices,
        "district_geojson": district_feature_collection(districts),
    }
    return render(request, "pilots/pilot_detail.html", context)
