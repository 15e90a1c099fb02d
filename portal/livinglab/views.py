"""The home page, and “My living lab”: a resident's pilots, surveys, reports, notices and data."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pilots import selectors as pilot_selectors
from pilots.models import Pilot
from portal import selectors as portal_selectors
from portal.cache import Scope, cached_page
from portal.http import AuthenticatedHttpRequest
from portal.livinglab import privacy
from portal.livinglab.forms import DeleteAccountForm, PreferencesForm, ProfileForm
from portal.notifications import selectors as notification_selectors
from portal.notifications.registry import kind_values
from portal.notifications.services import notification_preferences_set, notifications_mark_read
from portal.spaces import selectors as space_selectors

TESTING_PHASES = frozenset({Pilot.Phase.RECRUITING, Pilot.Phase.RUNNING})


@cached_page(scopes=[Scope.PILOTS, Scope.DEVICES, Scope.DISTRICTS])
def home(request: HttpRequest) -> HttpResponse:
    districts = portal_selectors.district_list()
    # Read once: the map, the count and the cards all come from this one list.
    pilots = list(pilot_selectors.pilot_list().exclude(phase=Pilot.Phase.STOPPED))
    # "Testing with residents" is what recruiting and running pilots do; proposed ones have not
    # started, and evaluated ones have finished.
    testing = [pilot for pilot in pilots if pilot.phase in TESTING_PHASES]
    context = {
        "district_geojson": portal_selectors.district_feature_collection(districts),
        "map_pilots": [
            {
                "title": pilot.title,
                "url": pilot.get_absolute_url(),
                "phase": pilot.get_phase_display(),
                "districts": [district.code for district in pilot.districts.all()],
            }
            for pilot in pilots
        ],
        "featured_pilots": testing[:6],
        "testing_count": len(testing),
        # The pilot list shows every pilot, in any phase: its count is this one.
        "pilot_count": pilot_selectors.pilot_count(),
        "map_tiles": {"url": settings.MAP_TILE_URL, "attribution": settings.MAP_TILE_ATTRIBUTION},
    }
    return render(request, "livinglab/home.html", context)


@login_required
def my_living_lab(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    muted = notification_selectors.muted_kinds(user)
    email_muted = notification_selectors.email_muted_kinds(user)
    enrolments = list(pilot_selectors.my_enrolments(user))
    surveys = list(pilot_selectors.surveys_to_answer(user))
    for enrolment in enrolments:
        enrolment.needs_consent = (  # type: ignore[attr-defined]
            enrolment.consent_version_id != enrolment.current_consent_id  # type: ignore[attr-defined]
        )
    context = {
        "enrolments": enrolments,
        # An answered survey is done: it leaves the list of those to answer for a list of its own.
        "surveys_to_answer": [survey for survey in surveys if not survey.answered],  # type: ignore[attr-defined]
        "surveys_answered": [survey for survey in surveys if survey.answered],  # type: ignore[attr-defined]
        "reports": user.reports.select_related("district", "category")[:20],
        "space_memberships": space_selectors.memberships_with_applications(user),
        "notifications": notification_selectors.inbox(user)[:20],
        "unread_count": notification_selectors.inbox(user).filter(read_at__isnull=True).count(),
        "profile_form": ProfileForm(instance=user),
        "preferences_form": PreferencesForm(
            initial={
                "receive": sorted(kind_values() - muted),
                "email": sorted(kind_values() - email_muted),
            }
        ),
    }
    return render(request, "livinglab/my_living_lab.html", context)


@login_required
@require_POST
def my_profile(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST, instance=request.user)
    if form.is_valid():
        form.save()
        messages.success(request, _("Your details are saved."))
    else:
        for problems in form.errors.values():
            for problem in problems:
                messages.error(request, str(problem))
    return redirect("my-living-lab")


@login_required
@require_POST
def my_preferences(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = PreferencesForm(request.POST)
    if form.is_valid():
        wanted = set(form.cleaned_data["receive"])
        notification_preferences_set(
            user=request.user,
            muted_kinds=kind_values() - wanted,
            email_muted_kinds=kind_values() - set(form.cleaned_data["email"]),
        )
        messages.success(request, _("Your notification choices are saved."))
    else:
        messages.error(request, _("Those notification choices were not understood."))
    return redirect("my-living-lab")


@login_required
@require_POST
def my_notifications_read(request: AuthenticatedHttpRequest) -> HttpResponse:
    notifications_mark_read(user=request.user)
    return redirect("my-living-lab")


@login_required
def my_data(request: AuthenticatedHttpRequest) -> HttpResponse:
    data = privacy.user_export_data(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="my-living-lab-data.json"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def my_account_delete(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = DeleteAccountForm(request.POST if request.method == "POST" else None, user=user)
    if request.method == "POST" and form.is_valid():
        privacy.user_delete_account(user=user)
        logout(request)
        messages.success(request, _("Your account and personal data have been deleted."))
        return redirect("home")
    status = 400 if form.errors else 200
    return render(request, "livinglab/my_account_delete.html", {"form": form}, status=status)
