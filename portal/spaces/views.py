"""Pages of the spaces app: the catalogue, calls, organisations and applications."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal.http import AuthenticatedHttpRequest
from portal.models import User
from portal.spaces import permissions, selectors, services
from portal.spaces.forms import (
    ApplicationForm,
    InviteForm,
    MemberForm,
    OrganisationForm,
    ProposePilotForm,
    SpaceFilterForm,
)
from portal.spaces.models import Application, Call, Invitation, Organisation, Space

SPACES_PER_PAGE = 24


def space_list(request: HttpRequest) -> HttpResponse:
    form = SpaceFilterForm(request.GET or None)
    filters = form.filters() if form.is_valid() else selectors.SpaceFilters()
    spaces = selectors.space_catalogue(filters)
    page = Paginator(spaces, SPACES_PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    markers = [
        {
            "name": space.name,
            "url": space.get_absolute_url(),
            "lat": space.latitude,
            "lng": space.longitude,
            "kind": Space.Kind(space.kind).label,
            "free": max(space.seats_free, 0),  # type: ignore[attr-defined]
        }
        for space in page
    ]
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "markers": markers,
        # The seats counted are those of the day filtered on, which is today unless one is asked.
        "free_label": (
            _("free seats on %(date)s") % {"date": filters.available_on.isoformat()}
            if filters.available_on
            else _("free seats today")
        ),
        "open_calls": selectors.calls_open()[:3],
    }
    return render(request, "spaces/space_list.html", context)


def space_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        space = selectors.space_detail(pk)
    except Space.DoesNotExist:
        raise Http404("No such space") from None
    context = {
        "space": space,
        "availability": selectors.space_availability(space=space),
        "markers": [{"name": space.name, "lat": space.latitude, "lng": space.longitude}],
        "calls": selectors.calls_open().filter(spaces=space),
    }
    return render(request, "spaces/space_detail.html", context)


def call_list(request: HttpRequest) -> HttpResponse:
    return render(request, "spaces/call_list.html", {"calls": selectors.calls_published()})


def _call_or_404(pk: int) -> Call:
    return get_object_or_404(selectors.calls_published(), pk=pk)


def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    call = _call_or_404(pk)
    organisations = selectors.organisations_of(request.user)
    failures = {
        organisation.pk: [
            error.messages[0]
            for error in services.eligibility_failures(call=call, organisation=organisation)
        ]
        for organisation in organisations
    }
    context = {
        "call": call,
        "organisations": [(o, failures[o.pk]) for o in organisations],
        "own_applications": selectors.applications_of(request.user).filter(call=call),
    }
    return render(request, "spaces/call_detail.html", context)


@login_required
@require_POST
def call_apply(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    call = _call_or_404(pk)
    user = request.user
    organisation = get_object_or_404(
        selectors.organisations_of(user), pk=request.POST.get("organisation")
    )
    try:
        application = services.application_create(call=call, organisation=organisation, by=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(call)
    return redirect(application)


def _own_application_or_404(user: User, pk: int) -> Application:
    application = get_object_or_404(
        Application.objects.select_related("call", "organisation"), pk=pk
    )
    # Someone outside the organisation learns nothing, not even that it exists.
    if not permissions.user_is_member(user, application.organisation):
        raise Http404("No such application")
    return application


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    application = _own_application_or_404(user, pk)
    is_draft = application.status == Application.Status.DRAFT
    form = (
        ApplicationForm(request.POST or None, request.FILES or None, instance=application)
        if is_draft
        else None
    )
    errors: list[str] = []
    if request.method == "POST" and form is not None:
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.application_update(
                    application=application,
                    by=user,
                    spaces=data["spaces"],
                    move_in=data["move_in"],
                    duration_months=data["duration_months"],
                    team_size=data["team_size"],
                    pitch=data["pitch"],
                    pilot_plan=data["pilot_plan"],
                )
                if data.get("attachment"):
                    services.attachment_add(
                        application=application, by=user, upload=data["attachment"]
                    )
                if "submit" in request.POST:
                    services.application_submit(application=application, by=user)
                    messages.success(request, _("Your application has been submitted."))
                else:
                    messages.success(request, _("Your draft has been saved."))
                return redirect(application)
            except ValidationError as error:
                errors = list(error.messages)
        else:
            errors = [_("Some answers need another look.")]
    context = {
        "application": application,
        "form": form,
        "errors": errors,
        "attachments": application.attachments.all(),
        "allocations": application.allocations.select_related("space"),
        "may_withdraw": application.status in services.applications.WITHDRAWABLE,
    }
    return render(request, "spaces/application_detail.html", context, status=400 if errors else 200)


@login_required
@require_POST
def application_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    application = _own_application_or_404(user, pk)
    try:
        services.application_withdraw(application=application, by=user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Your application has been withdrawn."))
    return redirect(application)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    form = OrganisationForm(request.POST or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            organisation = services.organisation_register(by=user, **form.cleaned_data)
        except ValidationError as error:
            errors = list(error.messages)
        else:
            messages.success(request, _("Your organisation is registered."))
            next_call = request.GET.get("call", "")
            if next_call.isdigit():
                return redirect("spaces:call", pk=int(next_call))
            return redirect(organisation)
    return render(
        request,
        "spaces/organisation_new.html",
        {"form": form, "errors": errors},
        status=400 if errors or form.errors else 200,
    )


def _member_organisation_or_404(user: User, pk: int) -> Organisation:
    try:
        organisation = selectors.organisation_detail(pk)
    except Organisation.DoesNotExist:
        raise Http404("No such organisation") from None
    if not permissions.user_is_member(user, organisation):
        raise Http404("No such organisation")
    return organisation


@login_required
def organisation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    organisation = _member_organisation_or_404(user, pk)
    context = {
        "organisation": organisation,
        "is_owner": permissions.user_is_owner(user, organisation),
        "memberships": organisation.memberships.all(),
        "applications": organisation.applications.select_related("call"),
        "allocations": selectors.active_allocations(organisation),
        "proposed": organisation.proposed_pilots.select_related("pilot"),
        "invite_form": InviteForm(),
        "propose_form": ProposePilotForm(),
    }
    return render(request, "spaces/organisation_detail.html", context)


def _run(request: HttpRequest, done: str, action: Callable[[], object]) -> None:
    try:
        action()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, done)


@login_required
@require_POST
def organisation_invite(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    organisation = _member_organisation_or_404(user, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a valid e-mail address."))
        return redirect(organisation)
    _run(
        request,
        _("Invitation sent."),
        lambda: services.invitation_send(
            organisation=organisation, by=user, email=form.cleaned_data["email"]
        ),
    )
    return redirect(organisation)


def _member_from(request: HttpRequest, organisation: Organisation) -> User:
    form = MemberForm(request.POST)
    if not form.is_valid():
        raise Http404("No such member")
    membership = get_object_or_404(
        organisation.memberships.select_related("user"), user_id=form.cleaned_data["user_id"]
    )
    return membership.user


@login_required
@require_POST
def organisation_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    organisation = _member_organisation_or_404(user, pk)
    member = _member_from(request, organisation)
    _run(
        request,
        _("%(person)s is no longer a member.") % {"person": member},
        lambda: services.membership_remove(organisation=organisation, by=user, member=member),
    )
    if member.pk == user.pk:
        return redirect("spaces:list")
    return redirect(organisation)


@login_required
@require_POST
def organisation_transfer(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    organisation = _member_organisation_or_404(user, pk)
    member = _member_from(request, organisation)
    _run(
        request,
        _("%(person)s now owns the organisation.") % {"person": member},
        lambda: services.ownership_transfer(organisation=organisation, by=user, to=member),
    )
    return redirect(organisation)


@login_required
@require_POST
def organisation_propose(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    organisation = _member_organisation_or_404(user, pk)
    form = ProposePilotForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the pilot a title, a summary and a domain."))
        return redirect(organisation)
    _run(
        request,
        _("Your pilot has been proposed; the city's pilot managers will be in touch."),
        lambda: services.organisation_pilot_propose(
            organisation=organisation,
            by=user,
            title=form.cleaned_data["title"],
            summary=form.cleaned_data["summary"],
            domain=form.cleaned_data["domain"],
            districts=list(form.cleaned_data["districts"]),
        ),
    )
    return redirect(organisation)


@login_required
@require_http_methods(["GET", "POST"])
def invitation_accept(request: AuthenticatedHttpRequest, token: str) -> HttpResponse:
    user = request.user
    invitation = get_object_or_404(Invitation.objects.select_related("organisation"), token=token)
    if request.method == "POST":
        try:
            services.invitation_accept(token=token, user=user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Welcome to %(name)s.") % {"name": invitation.organisation})
            return redirect(invitation.organisation)
    return render(request, "spaces/invitation.html", {"invitation": invitation})
