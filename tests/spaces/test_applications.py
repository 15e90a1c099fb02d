from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone, translation

from portal.models import User
from portal.notifications.models import Notification
from portal.spaces import services
from portal.spaces.errors import SpacesError
from portal.spaces.models import Application, Call, Organisation, Space
from tests.spaces.factories import SpaceFactory, pdf_upload, submitted_application

pytestmark = pytest.mark.django_db


def _codes(error: ValidationError) -> set[str]:
    return {str(item.code) for item in error.error_list}


def test_an_applicant_after_the_close_date_is_refused_with_the_date(
    call: Call, organisation: Organisation, owner: User
) -> None:
    call.closes_at = timezone.now() - dt.timedelta(minutes=1)
    call.save()
    with translation.override("en"), pytest.raises(ValidationError) as caught:
        services.application_create(call=call, organisation=organisation, by=owner)
    assert _codes(caught.value) == {SpacesError.CALL_CLOSED}
    assert "closed on" in caught.value.messages[0]


def test_a_draft_cannot_be_submitted_once_the_call_has_closed(
    call: Call, organisation: Organisation, owner: User, space: Space
) -> None:
    application = services.application_create(call=call, organisation=organisation, by=owner)
    call.closes_at = timezone.now() - dt.timedelta(seconds=1)
    call.save()
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application=application, by=owner)
    assert _codes(caught.value) == {SpacesError.CALL_CLOSED}
    application.refresh_from_db()
    assert application.status == Application.Status.DRAFT


def test_an_organisation_too_old_and_too_small_is_told_both_rules(
    call: Call, organisation: Organisation, owner: User
) -> None:
    organisation.founded_on = timezone.localdate() - dt.timedelta(days=365 * 9)
    organisation.team_size = 1
    organisation.save()
    call.min_team_size = 2
    call.save()
    with pytest.raises(ValidationError) as caught:
        services.application_create(call=call, organisation=organisation, by=owner)
    assert _codes(caught.value) == {SpacesError.ORGANISATION_TOO_OLD, SpacesError.TEAM_TOO_SMALL}


def test_a_member_of_another_organisation_cannot_apply_in_its_name(
    call: Call, organisation: Organisation, rival: User
) -> None:
    with pytest.raises(ValidationError) as caught:
        services.application_create(call=call, organisation=organisation, by=rival)
    assert caught.value.code == SpacesError.NOT_A_MEMBER


def test_an_incomplete_draft_is_refused_naming_what_is_missing(
    call: Call, organisation: Organisation, owner: User
) -> None:
    application = services.application_create(call=call, organisation=organisation, by=owner)
    with pytest.raises(ValidationError) as caught:
        services.application_submit(application=application, by=owner)
    assert caught.value.code == SpacesError.APPLICATION_INCOMPLETE


def test_a_space_the_call_does_not_offer_cannot_be_chosen(
    call: Call, organisation: Organisation, owner: User, space_factory: type[SpaceFactory]
) -> None:
    elsewhere = space_factory.create()
    application = services.application_create(call=call, organisation=organisation, by=owner)
    with pytest.raises(ValidationError) as caught:
        services.application_update(
            application=application,
            by=owner,
            spaces=[elsewhere],
            move_in=None,
            duration_months=None,
            team_size=None,
            pitch="",
            pilot_plan="",
        )
    assert caught.value.code == SpacesError.SPACE_NOT_OFFERED


def test_a_text_file_is_not_accepted_as_an_attachment(
    call: Call, organisation: Organisation, owner: User
) -> None:
    application = services.application_create(call=call, organisation=organisation, by=owner)
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(
            application=application,
            by=owner,
            upload=SimpleUploadedFile("plan.pdf", b"just text", content_type="application/pdf"),
        )
    assert caught.value.code == SpacesError.ATTACHMENT_NOT_PDF
    assert not application.attachments.exists()


def test_submitting_tells_the_members_and_the_call_manager(
    call: Call,
    organisation: Organisation,
    owner: User,
    teammate: User,
    space: Space,
    call_manager: User,
) -> None:
    application = submitted_application(call, organisation, owner, space)
    assert application.status == Application.Status.SUBMITTED
    told = set(
        Notification.objects.filter(about_id=application.pk).values_list("user__username", "kind")
    )
    assert told == {
        ("owner", "space_application_status"),
        ("teammate", "space_application_status"),
        ("call-manager", "space_application_received"),
    }


def test_a_submitted_application_can_no_longer_be_changed(
    call: Call, organisation: Organisation, owner: User, space: Space
) -> None:
    application = submitted_application(call, organisation, owner, space)
    with pytest.raises(ValidationError) as caught:
        services.attachment_add(application=application, by=owner, upload=pdf_upload())
    assert caught.value.code == SpacesError.NOT_A_DRAFT


def test_an_application_can_be_withdrawn_until_a_decision_but_not_after(
    call: Call,
    organisation: Organisation,
    owner: User,
    teammate: User,
    space: Space,
    call_manager: User,
) -> None:
    application = submitted_application(call, organisation, owner, space)
    for status in ("under_review", "shortlisted", "waiting_list"):
        services.application_decide(application=application, by=call_manager, to_status=status)
    with pytest.raises(ValidationError) as caught:
        services.application_withdraw(application=application, by=teammate)
    assert caught.value.code == SpacesError.CANNOT_WITHDRAW


def test_a_member_withdraws_a_submitted_application(
    call: Call, organisation: Organisation, owner: User, teammate: User, space: Space
) -> None:
    application = submitted_application(call, organisation, owner, space)
    services.application_withdraw(application=application, by=teammate)
    application.refresh_from_db()
    assert application.status == Application.Status.WITHDRAWN


def test_a_member_of_another_organisation_cannot_see_or_withdraw_the_application(
    call: Call, organisation: Organisation, owner: User, rival: User, space: Space
) -> None:
    application = submitted_application(call, organisation, owner, space)
    client = Client()
    client.force_login(rival)
    assert client.get(f"/spaces/applications/{application.pk}/").status_code == 404
    assert client.post(f"/spaces/applications/{application.pk}/withdraw/").status_code == 404
    assert client.get("/api/me/space-applications/").json()["results"] == []
    api = client.post(f"/api/me/space-applications/{application.pk}/withdraw/")
    assert api.status_code == 404
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_the_api_lists_the_own_applications_and_refuses_a_late_withdrawal_with_its_code(
    call: Call, organisation: Organisation, owner: User, space: Space, call_manager: User
) -> None:
    application = submitted_application(call, organisation, owner, space)
    services.application_decide(application=application, by=call_manager, to_status="rejected")
    client = Client()
    client.force_login(owner)
    listed = client.get("/api/me/space-applications/").json()["results"]
    assert [(item["id"], item["status"]) for item in listed] == [(application.pk, "rejected")]
    refused = client.post(f"/api/me/space-applications/{application.pk}/withdraw/")
    # The application's state refuses it, not the request's form.
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == SpacesError.CANNOT_WITHDRAW


def test_the_form_saves_a_draft_with_a_pdf_and_submits_it(
    call: Call, organisation: Organisation, owner: User, space: Space
) -> None:
    application = services.application_create(call=call, organisation=organisation, by=owner)
    client = Client()
    client.force_login(owner)
    move_in = (timezone.localdate() + dt.timedelta(days=20)).isoformat()
    fields = {
        "spaces": [space.pk],
        "move_in": move_in,
        "duration_months": 6,
        "team_size": 3,
        "pitch": "Radar crossings",
        "pilot_plan": "",
    }
    saved = client.post(
        f"/spaces/applications/{application.pk}/", {**fields, "attachment": pdf_upload()}
    )
    assert saved.status_code == 302
    assert application.attachments.count() == 1
    submitted = client.post(f"/spaces/applications/{application.pk}/", {**fields, "submit": "1"})
    assert submitted.status_code == 302
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED


def test_each_member_reads_the_calls_title_in_their_own_language_not_the_senders(
    call: Call,
    organisation: Organisation,
    owner: User,
    teammate: User,
    space: Space,
) -> None:
    Call.objects.filter(pk=call.pk).update(
        title_ko="마곡 실증 공간 모집", title_en="Magok lab call"
    )
    call.refresh_from_db()
    User.objects.filter(pk=owner.pk).update(preferred_language="en")
    User.objects.filter(pk=teammate.pk).update(preferred_language="ko")

    # The owner submits in English; the Korean teammate must still read the Korean title.
    with translation.override("en"):
        application = submitted_application(call, organisation, owner, space)

    subjects = dict(
        Notification.objects.filter(about_id=application.pk).values_list(
            "user__username", "subject"
        )
    )
    assert "마곡 실증 공간 모집" in subjects["teammate"]
    assert "Magok lab call" not in subjects["teammate"]
    assert "Magok lab call" in subjects["owner"]


def test_every_status_change_reaches_each_member_in_the_inbox_and_by_email(
    call: Call,
    organisation: Organisation,
    owner: User,
    teammate: User,
    space: Space,
    call_manager: User,
    django_capture_on_commit_callbacks: Any,
    mailoutbox: list[Any],
) -> None:
    teammate.preferred_language = "en"
    teammate.save(update_fields=["preferred_language"])
    moves = ["under_review", "shortlisted", "waiting_list", "accepted"]
    with django_capture_on_commit_callbacks(execute=True):
        application = submitted_application(call, organisation, owner, space)
        for status in moves:
            services.application_decide(application=application, by=call_manager, to_status=status)

    told = Notification.objects.filter(
        user=teammate, about_id=application.pk, kind="space_application_status"
    ).order_by("pk")
    assert [notice.subject.rsplit(": ", 1)[1] for notice in told] == [
        "Submitted",
        "Under review",
        "Shortlisted",
        "Waiting list",
        "Accepted",
    ]
    for person in (owner, teammate):
        mails = [mail for mail in mailoutbox if mail.to == [person.email]]
        assert len(mails) == 1 + len(moves), person


def test_withdrawing_tells_each_member(
    call: Call, organisation: Organisation, owner: User, teammate: User, space: Space
) -> None:
    application = submitted_application(call, organisation, owner, space)
    services.application_withdraw(application=application, by=teammate)
    assert set(
        Notification.objects.filter(
            about_id=application.pk,
            kind="space_application_status",
            body__contains=str(Application.Status.WITHDRAWN.label),
        ).values_list("user__username", flat=True)
    ) == {"owner", "teammate"}
