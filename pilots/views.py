"""Pages of pilots: the list, one pilot's page, joining, withdrawing, asking and surveys."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from pilots import selectors, services
from pilots.errors import PilotErrorCode
from pilots.forms import ConsentForm, PilotFilterForm, QuestionForm, SurveyForm, WithdrawForm
from pilots.models import Enrolment, Pilot, Survey
from portal.cache import Scope, cached_page
from portal.http import AuthenticatedHttpRequest
from portal.models import User
from portal.selectors import district_feature_collection

PILOTS_PER_PAGE = 12


def _pilot_or_404(slug: str) -> Pilot:
    try:
        return selectors.pilot_detail(slug)
    except Pilot.DoesNotExist:
        raise Http404("No pilot with that address") from None


def _errors(error: ValidationError) -> list[str]:
    return list(error.messages)


@cached_page(
    scopes=[Scope.PILOTS, Scope.DISTRICTS], query=["q", "district", "domain", "phase", "page"]
)
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


# Its device cards show each device's newest values.
@cached_page(scopes=[Scope.PILOTS, Scope.DEVICES, Scope.DISTRICTS], live=True)
def pilot_detail(request: HttpRequest, slug: str) -> HttpResponse:
    pilot = _pilot_or_404(slug)
    user = request.user
    districts = pilot.districts.all()
    enrolment = selectors.enrolment_of(user, pilot)
    if enrolment is not None and enrolment.status == Enrolment.Status.WITHDRAWN:
        enrolment = None
    participant_count, waiting_count = selectors.enrolment_counts(pilot)
    # Whoever cannot join sees why instead of a button: signed-in residents not yet taking part.
    failures = (
        services.eligibility_failures(pilot=pilot, user=user)
        if isinstance(user, User) and enrolment is None and pilot.is_open_to_join
        else []
    )
    context = {
        "pilot": pilot,
        "districts": districts,
        "district_geojson": district_feature_collection(districts),
        "area_geojson": pilot.area or None,
        "timeline": selectors.public_timeline(pilot),
        "questions": selectors.published_questions(pilot),
        "participant_count": participant_count,
        "waiting_count": waiting_count,
        "enrolment": enrolment,
        "needs_consent": enrolment is not None and selectors.enrolment_needs_consent(enrolment),
        "waiting_position": selectors.waiting_position(enrolment) if enrolment else None,
        "open_surveys": selectors.open_surveys(pilot) if enrolment else [],
        "rules": pilot.eligibility_rules.all(),
        "eligibility_failures": failures,
        "age_limited": selectors.pilot_has_age_limit(pilot),
        "consent": selectors.current_consent(pilot),
        "question_form": QuestionForm(),
    }
    return render(request, "pilots/pilot_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pilot_join(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    """Read the consent text and agree to it: to join, or to agree again after it changed."""
    pilot = _pilot_or_404(slug)
    user = request.user
    consent = selectors.current_consent(pilot)
    enrolment = selectors.enrolment_of(user, pilot)
    rejoining = enrolment is None or enrolment.status == Enrolment.Status.WITHDRAWN
    form = ConsentForm(
        request.POST if request.method == "POST" else None,
        initial={"consent_version": consent.number if consent else None},
    )
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        arguments = {
            "pilot": pilot,
            "user": user,
            "consent_version": form.cleaned_data["consent_version"],
            "consent_data_use": form.cleaned_data["consent_data_use"],
            "consent_contact": form.cleaned_data["consent_contact"],
        }
        try:
            if rejoining:
                enrolment = services.enrolment_join(**arguments)
            else:
                enrolment = services.enrolment_reconsent(**arguments)
        except ValidationError as error:
            # The rules not met are listed one by one above the form, from `failures`.
            errors = [] if error.code == PilotErrorCode.NOT_ELIGIBLE else _errors(error)
            if error.code == PilotErrorCode.CONSENT_OUTDATED:
                # The page shows the new text, so the form must carry its number, and the ticks
                # given to the old text must be given again.
                consent = selectors.current_consent(pilot)
                form = ConsentForm(initial={"consent_version": consent.number if consent else None})
        else:
            if not rejoining:
                messages.success(request, _("Thank you: you agreed to the new consent text."))
            elif enrolment.status == Enrolment.Status.WAITING:
                messages.info(
                    request,
                    _(
                        "The pilot is full, so you are on its waiting list. We will tell you when "
                        "a place frees up."
                    ),
                )
            else:
                messages.success(request, _("Welcome aboard: you now take part in this pilot."))
            return redirect(pilot)
    elif request.method == "POST":
        errors = [_("The form was incomplete; please try again.")]
    failures = services.eligibility_failures(pilot=pilot, user=user) if rejoining else []
    email_unverified = rejoining and not user.has_verified_email
    context = {
        "pilot": pilot,
        "consent": consent,
        "form": form,
        "errors": errors,
        "rejoining": rejoining,
        "rules": pilot.eligibility_rules.all(),
        "eligibility_failures": failures,
        "email_unverified": email_unverified,
        "blocked": bool(failures) or email_unverified,
    }
    refused = errors or (request.method == "POST" and failures)
    return render(request, "pilots/pilot_join.html", context, status=400 if refused else 200)


@login_required
@require_http_methods(["GET", "POST"])
def pilot_withdraw(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    pilot = _pilot_or_404(slug)
    user = request.user
    form = WithdrawForm(request.POST if request.method == "POST" else None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        try:
            services.enrolment_withdraw(
                pilot=pilot, user=user, delete_feedback=form.cleaned_data["delete_feedback"]
            )
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.success(request, _("You have withdrawn from this pilot."))
            return redirect(pilot)
    context = {"pilot": pilot, "form": form, "errors": errors}
    return render(request, "pilots/pilot_withdraw.html", context, status=400 if errors else 200)


@login_required
@require_POST
def pilot_ask(request: AuthenticatedHttpRequest, slug: str) -> HttpResponse:
    pilot = _pilot_or_404(slug)
    form = QuestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write your question (at most 2000 characters)."))
        return redirect(pilot)
    try:
        services.pilot_question_ask(pilot=pilot, user=request.user, text=form.cleaned_data["text"])
    except ValidationError as error:
        messages.error(request, " ".join(_errors(error)))
    else:
        messages.success(
            request, _("Thank you. Your question appears here once the pilot's team answers it.")
        )
    return redirect(pilot)


@login_required
@require_http_methods(["GET", "POST"])
def survey_answer(request: AuthenticatedHttpRequest, slug: str, survey_id: int) -> HttpResponse:
    pilot = _pilot_or_404(slug)
    survey = get_object_or_404(Survey.objects.select_related("pilot"), pk=survey_id, pilot=pilot)
    user = request.user
    questions = list(survey.questions.all())
    previous = selectors.my_response(survey, user)
    initial = (
        {answer.question_id: answer.value for answer in previous.answers.all()} if previous else {}
    )
    form = SurveyForm(
        request.POST if request.method == "POST" else None,
        questions=questions,
        initial_answers=initial,
    )
    errors: list[str] = []
    enrolment = selectors.enrolment_of(user, pilot)
    can_answer = (
        survey.is_open and enrolment is not None and selectors.enrolment_is_active(enrolment)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.survey_submit(survey=survey, user=user, answers=form.answers())
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                for key, problems in error.message_dict.items():
                    form.add_error(f"q{key}", problems)
                errors = [_("Some answers need another look.")]
            else:
                errors = _errors(error)
        else:
            messages.success(
                request,
                _("Your answers are saved. You can change them while the survey is open."),
            )
            return redirect(pilot)
    context = {
        "pilot": pilot,
        "survey": survey,
        "form": form,
        "errors": errors,
        "previous": previous,
        "can_answer": can_answer,
        "enrolment": enrolment,
    }
    return render(request, "pilots/survey_answer.html", context, status=400 if errors else 200)
