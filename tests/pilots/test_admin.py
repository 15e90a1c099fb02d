"""The manager's admin: only their own pilots, phases through the service, CSV, survey results."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from typing import TYPE_CHECKING

import pytest
from django.forms import ModelForm
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from pilots.admin.common import spreadsheet_safe
from pilots.models import ConsentVersion, Enrolment, PhaseChange, Pilot, Survey
from portal.models import User
from portal.notifications.models import Notification
from tests.pilots.factories import PilotFactory, answers_for, join, survey
from tests.portal.factories import UserFactory, district

if TYPE_CHECKING:
    from django.test.client import _MonkeyPatchedWSGIResponse as TestResponse

SQUARE = [[127.02, 37.49], [127.04, 37.49], [127.04, 37.51], [127.02, 37.51], [127.02, 37.49]]


def _change_url(pilot: Pilot) -> str:
    return reverse("admin:pilots_pilot_change", args=[pilot.pk])


def _form_data(client: Client, pilot: Pilot, **changes: object) -> dict[str, object]:
    """The change form's current values, as the browser would post them back."""
    page = client.get(_change_url(pilot))
    form = page.context["adminform"].form
    data: dict[str, object] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if name in {"districts"}:
            data[name] = [district.pk for district in pilot.districts.all()]
        elif name == "area":
            data[name] = json.dumps(value) if value else ""
        elif value is not None:
            data[name] = value
    for formset in page.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name in management.fields:
            data[f"{management.prefix}-{name}"] = management[name].value()
        for index, inline_form in enumerate(formset.formset.forms):
            if inline_form.instance.pk:
                data[f"{formset.formset.prefix}-{index}-id"] = inline_form.instance.pk
                data[f"{formset.formset.prefix}-{index}-pilot"] = pilot.pk
    data.update(changes)
    return data


def test_another_manager_neither_sees_nor_opens_my_pilot(
    client: Client, pilot: Pilot, other_manager: User
) -> None:
    client.force_login(other_manager)
    listing = client.get(reverse("admin:pilots_pilot_changelist"))
    assert listing.status_code == 200
    assert pilot.title not in listing.content.decode()
    assert client.get(_change_url(pilot)).status_code in {302, 404}
    assert client.post(_change_url(pilot), {"title": "Taken over"}).status_code in {302, 404}
    assert Pilot.objects.get(pk=pilot.pk).title == "Smart crosswalk"
    phase_url = reverse("admin:pilots_pilot_phase", args=[pilot.pk])
    assert client.post(phase_url, {"to_phase": "stopped", "reason": "mine"}).status_code == 404
    csv_url = reverse("admin:pilots_pilot_participants_csv", args=[pilot.pk])
    assert client.get(csv_url).status_code == 404


def test_another_manager_cannot_see_my_pilots_surveys(
    client: Client, pilot: Pilot, other_manager: User
) -> None:
    created = survey(pilot)
    client.force_login(other_manager)
    assert (
        created.title not in client.get(reverse("admin:pilots_survey_changelist")).content.decode()
    )
    results = reverse("admin:pilots_survey_results", args=[created.pk])
    assert client.get(results).status_code == 404


def test_the_manager_sees_counts_at_a_glance(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User
) -> None:
    join(pilot, resident)
    PilotFactory.create(title="Someone else's pilot")
    client.force_login(manager)
    page = client.get(reverse("admin:pilots_pilot_changelist"))
    html = page.content.decode()
    assert "Smart crosswalk" in html
    assert "Someone else" not in html
    row = page.context["cl"].result_list[0]
    assert (row.participant_total, row.waiting_total, row.answer_total) == (1, 0, 0)


def test_the_phase_page_moves_the_pilot_through_the_service(
    client: Client, pilot: Pilot, manager: User
) -> None:
    client.force_login(manager)
    url = reverse("admin:pilots_pilot_phase", args=[pilot.pk])
    page = client.post(
        url, {"to_phase": "evaluating", "reason": "Six months done", "is_public": "on"}
    )
    assert page.status_code == 302
    change = PhaseChange.objects.get(pilot=pilot)
    assert (change.to_phase, change.changed_by, change.reason) == (
        "evaluating",
        manager,
        "Six months done",
    )


def test_the_next_phase_action_asks_why_then_moves(
    client: Client, pilot: Pilot, manager: User
) -> None:
    client.force_login(manager)
    url = reverse("admin:pilots_pilot_changelist")
    asked = client.post(url, {"action": "advance_phase", "_selected_action": [pilot.pk]})
    assert asked.status_code == 200
    assert Pilot.objects.get(pk=pilot.pk).phase == Pilot.Phase.RUNNING
    client.post(
        url,
        {"action": "advance_phase", "_selected_action": [pilot.pk], "apply": "1", "reason": "Done"},
    )
    assert Pilot.objects.get(pk=pilot.pk).phase == Pilot.Phase.EVALUATING


def test_participants_export_as_csv_with_emails_only_of_those_who_agreed(
    client: Client,
    pilot: Pilot,
    consent_v1: ConsentVersion,
    manager: User,
    resident: User,
    neighbour: User,
) -> None:
    join(pilot, resident)
    # Joining asks for both ticks, so an enrolment without contact consent is one recorded
    # another way (an import, say); the export must not hand out that resident's address.
    Enrolment.objects.create(
        pilot=pilot,
        user=neighbour,
        status=Enrolment.Status.PARTICIPATING,
        consent_version=consent_v1,
        consent_data_use=True,
        consent_contact=False,
    )
    client.force_login(manager)
    response = client.get(reverse("admin:pilots_pilot_participants_csv", args=[pilot.pk]))
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0].startswith("pilot,username,email,status")
    rows = {row["username"]: row for row in csv.DictReader(lines)}
    assert (rows["resident"]["email"], rows["resident"]["consent_contact"]) == (
        "resident@example.org",
        "yes",
    )
    assert neighbour.email
    assert (rows["neighbour"]["email"], rows["neighbour"]["consent_contact"]) == ("", "no")


@pytest.mark.parametrize("others", [1, 4])
def test_the_participants_csv_costs_the_same_queries_however_many_rows(
    client: Client,
    pilot: Pilot,
    consent_v1: ConsentVersion,
    manager: User,
    resident: User,
    others: int,
    django_assert_num_queries: DjangoAssertNumQueries,
) -> None:
    from pilots import services

    Pilot.objects.filter(pk=pilot.pk).update(capacity=2)
    pilot.refresh_from_db()
    join(pilot, resident)
    services.consent_version_publish(pilot=pilot, text="Now with sound.", by=manager)
    for number in range(others):
        join(
            pilot,
            UserFactory.create(username=f"later{number}", home_district=district("gangnam-gu")),
        )
    client.force_login(manager)
    url = reverse("admin:pilots_pilot_participants_csv", args=[pilot.pk])
    with django_assert_num_queries(7):
        response = client.get(url)
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    current = {row["username"]: row["consent_current"] for row in rows}
    assert current == {"resident": "no", **{f"later{n}": "yes" for n in range(others)}}


@pytest.mark.parametrize(
    ("cell", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+82 10", "'+82 10"),
        ("-x", "'-x"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("a=1", "a=1"),
        ("", ""),
        (-3, -3),
    ],
)
def test_export_cells_that_a_spreadsheet_would_run_are_kept_as_text(
    cell: object, written: object
) -> None:
    assert spreadsheet_safe(cell) == written


def test_participants_export_keeps_a_formula_like_username_as_text(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User
) -> None:
    join(pilot, UserFactory.create(username="-2+3", home_district=district("gangnam-gu")))
    client.force_login(manager)
    response = client.get(reverse("admin:pilots_pilot_participants_csv", args=[pilot.pk]))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[1][:2] == ["smart-crosswalk", "'-2+3"]


def _enrolment_forms(page: TestResponse) -> list[ModelForm[Enrolment]]:
    (enrolments,) = [
        inline.formset
        for inline in page.context["inline_admin_formsets"]
        if inline.formset.model is Enrolment
    ]
    return list(enrolments.forms)


def test_the_pilot_page_lists_the_latest_fifty_residents_and_links_to_the_csv_of_everyone(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User
) -> None:
    start = timezone.now()
    users = UserFactory.create_batch(53)
    Enrolment.objects.bulk_create(
        Enrolment(
            pilot=pilot,
            user=user,
            status=Enrolment.Status.WITHDRAWN if number == 52 else Enrolment.Status.PARTICIPATING,
            consent_version=consent_v1,
            queued_at=start + dt.timedelta(minutes=number),
        )
        for number, user in enumerate(users)
    )
    client.force_login(manager)
    page = client.get(_change_url(pilot))
    listed = [form.instance.user for form in _enrolment_forms(page)]
    assert listed == users[51:1:-1]
    html = page.content.decode()
    assert "Showing the latest 50 of 52 residents." in html
    assert reverse("admin:pilots_pilot_participants_csv", args=[pilot.pk]) in html
    assert client.post(_change_url(pilot), _form_data(client, pilot)).status_code == 302


def test_a_pilot_with_few_residents_lists_them_all_without_a_note(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User
) -> None:
    join(pilot, resident)
    client.force_login(manager)
    page = client.get(_change_url(pilot))
    assert [form.instance.user for form in _enrolment_forms(page)] == [resident]
    assert "Showing the latest" not in page.content.decode()


def test_an_invalid_area_is_refused_with_a_clear_message(
    client: Client, pilot: Pilot, manager: User
) -> None:
    client.force_login(manager)
    outside = {
        "type": "Polygon",
        "coordinates": [[[129, 35], [129.1, 35], [129.1, 35.1], [129, 35]]],
    }
    page = client.post(_change_url(pilot), _form_data(client, pilot, area=json.dumps(outside)))
    assert page.status_code == 200
    assert "outside Seoul" in page.content.decode()
    assert Pilot.objects.get(pk=pilot.pk).area == {}


def test_a_drawn_area_is_saved_and_the_editor_uses_leaflet_draw(
    client: Client, pilot: Pilot, manager: User
) -> None:
    client.force_login(manager)
    page = client.get(_change_url(pilot))
    assert "leaflet/draw/leaflet.draw.js" in page.content.decode()
    area = {"type": "Polygon", "coordinates": [SQUARE]}
    saved = client.post(_change_url(pilot), _form_data(client, pilot, area=json.dumps(area)))
    assert saved.status_code == 302
    assert Pilot.objects.get(pk=pilot.pk).area == area


def test_a_new_consent_text_added_in_the_admin_becomes_the_next_version(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User
) -> None:
    join(pilot, resident)
    client.force_login(manager)
    data = _form_data(client, pilot)
    prefix = "consent_versions"
    data[f"{prefix}-TOTAL_FORMS"] = 2
    data[f"{prefix}-1-text_ko"] = "Now with sound."
    response = client.post(_change_url(pilot), data)
    assert response.status_code == 302
    assert list(pilot.consent_versions.values_list("number", flat=True)) == [2, 1]
    assert Enrolment.objects.get(user=resident).consent_version == consent_v1


def test_the_current_consent_text_saved_again_is_refused_on_the_form(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User
) -> None:
    join(pilot, resident)
    client.force_login(manager)
    data = _form_data(client, pilot)
    data["consent_versions-TOTAL_FORMS"] = 2
    data["consent_versions-1-text_ko"] = f"  {consent_v1.text}  "
    response = client.post(_change_url(pilot), data)
    assert response.status_code == 200
    assert "This text is the same as the current version." in response.content.decode()
    assert list(pilot.consent_versions.values_list("number", flat=True)) == [1]
    assert not Notification.objects.exists()


def test_two_new_consent_texts_in_one_save_are_refused(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User
) -> None:
    client.force_login(manager)
    data = _form_data(client, pilot)
    data["consent_versions-TOTAL_FORMS"] = 3
    data["consent_versions-1-text_ko"] = "Now with sound."
    data["consent_versions-2-text_ko"] = "Now with sound."
    response = client.post(_change_url(pilot), data)
    assert response.status_code == 200
    assert "Add one new consent text at a time." in response.content.decode()
    assert list(pilot.consent_versions.values_list("number", flat=True)) == [1]


def test_survey_results_and_csv_for_the_manager(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User
) -> None:
    join(pilot, resident)
    created: Survey = survey(pilot)
    from pilots import services

    services.survey_submit(survey=created, user=resident, answers=answers_for(created, text="Nice"))
    client.force_login(manager)
    page = client.get(reverse("admin:pilots_survey_results", args=[created.pk]))
    assert page.status_code == 200
    assert "Nice" in page.content.decode()
    exported = client.get(reverse("admin:pilots_survey_results_csv", args=[created.pk]))
    rows = exported.content.decode("utf-8-sig").splitlines()
    assert rows[0].endswith("Do you feel safer?,When do you cross?,Anything else?")
    assert rows[1].endswith(",4,Night,Nice")
    assert "resident" not in exported.content.decode()


def test_another_manager_cannot_build_a_survey_for_my_pilot(
    client: Client, pilot: Pilot, other_manager: User
) -> None:
    client.force_login(other_manager)
    response = client.post(
        reverse("admin:pilots_survey_add"),
        {
            "pilot": pilot.pk,
            "title_ko": "Sneaky",
            "phase": "running",
            "questions-TOTAL_FORMS": 0,
            "questions-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "pilot" in response.context["adminform"].form.errors
    assert not Survey.objects.exists()


def test_a_survey_built_for_the_current_phase_is_announced_to_participants(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User
) -> None:
    from portal.notifications.models import Notification

    join(pilot, resident)
    client.force_login(manager)
    response = client.post(
        reverse("admin:pilots_survey_add"),
        {
            "pilot": pilot.pk,
            "title_ko": "First month",
            "phase": "running",
            "questions-TOTAL_FORMS": 1,
            "questions-INITIAL_FORMS": 0,
            "questions-0-position": 1,
            "questions-0-kind": "choice",
            "questions-0-required": "on",
            "questions-0-prompt_ko": "Morning or night?",
            "questions-0-choices_ko": "Morning\nNight",
            "questions-0-scale_min": 1,
            "questions-0-scale_max": 5,
        },
    )
    assert response.status_code == 302
    assert Notification.objects.filter(user=resident, kind="survey_open").exists()


def test_a_multiple_choice_question_needs_two_choices(
    client: Client, pilot: Pilot, manager: User
) -> None:
    client.force_login(manager)
    response = client.post(
        reverse("admin:pilots_survey_add"),
        {
            "pilot": pilot.pk,
            "title_ko": "Broken",
            "phase": "running",
            "questions-TOTAL_FORMS": 1,
            "questions-INITIAL_FORMS": 0,
            "questions-0-position": 1,
            "questions-0-kind": "choice",
            "questions-0-prompt_ko": "Which?",
            "questions-0-choices_ko": "Only one",
            "questions-0-scale_min": 1,
            "questions-0-scale_max": 5,
        },
    )
    assert response.status_code == 200
    assert "needs two choices" in response.content.decode()
    assert not Survey.objects.exists()


def test_another_manager_cannot_see_or_answer_my_pilots_questions(
    client: Client, pilot: Pilot, resident: User, other_manager: User
) -> None:
    from pilots import services

    question = services.pilot_question_ask(pilot=pilot, user=resident, text="Why here?")
    client.force_login(other_manager)
    listing = client.get(reverse("admin:pilots_pilotquestion_changelist"))
    assert "Why here?" not in listing.content.decode()
    url = reverse("admin:pilots_pilotquestion_change", args=[question.pk])
    client.post(url, {"answer": "Because", "is_published": "on"})
    question.refresh_from_db()
    assert question.answer == ""


def test_the_phase_page_offers_only_allowed_moves(
    client: Client, pilot: Pilot, manager: User
) -> None:
    client.force_login(manager)
    page = client.get(reverse("admin:pilots_pilot_phase", args=[pilot.pk]))
    choices = [value for value, _label in page.context["form"].fields["to_phase"].choices]
    assert choices == ["evaluating", "stopped"]


def _full_with_one_waiting(pilot: Pilot, first: User, second: User) -> Enrolment:
    Pilot.objects.filter(pk=pilot.pk).update(capacity=1)
    pilot.refresh_from_db()
    join(pilot, first)
    waiting = join(pilot, second)
    assert waiting.status == Enrolment.Status.WAITING
    return waiting


def test_raising_the_capacity_in_the_admin_gives_the_new_place_to_the_waiting_list(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User
) -> None:
    neighbour: User = UserFactory.create(username="neighbour", home_district=district())
    waiting = _full_with_one_waiting(pilot, resident, neighbour)
    client.force_login(manager)
    response = client.post(_change_url(pilot), _form_data(client, pilot, capacity=2), follow=True)
    assert response.status_code == 200
    assert "1 residents moved from the waiting list into the pilot." in response.content.decode()
    assert Pilot.objects.get(pk=pilot.pk).capacity == 2
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.PARTICIPATING


def test_a_new_place_goes_only_to_who_meets_a_rule_added_in_the_same_save(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, manager: User, resident: User
) -> None:
    mapo: User = UserFactory.create(username="mapo", home_district=district("mapo-gu"))
    waiting = _full_with_one_waiting(pilot, resident, mapo)
    client.force_login(manager)
    data = _form_data(client, pilot, capacity=2)
    data["eligibility_rules-TOTAL_FORMS"] = 1
    data["eligibility_rules-0-kind"] = "resident_of_pilot_districts"
    assert client.post(_change_url(pilot), data).status_code == 302
    assert pilot.eligibility_rules.count() == 1
    waiting.refresh_from_db()
    assert waiting.status == Enrolment.Status.WAITING


def test_publishing_an_empty_answer_is_refused_next_to_the_answer(
    client: Client, pilot: Pilot, resident: User, manager: User
) -> None:
    from pilots import services

    question = services.pilot_question_ask(pilot=pilot, user=resident, text="Why here?")
    client.force_login(manager)
    url = reverse("admin:pilots_pilotquestion_change", args=[question.pk])
    response = client.post(url, {"answer": "  ", "is_published": "on"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["answer"] == [
        "Write an answer before publishing."
    ]
    question.refresh_from_db()
    assert not question.is_published
