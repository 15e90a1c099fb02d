"""A startup on a phone goes from signing up to a submitted application for a space."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from portal.spaces.models import Application, Call, Space
from tests.spaces.factories import CallFactory, SpaceFactory, pdf_upload

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_startup_signs_up_and_submits_an_application_on_a_phone(
    live_server: Any, phone_page: Any, tmp_path: Path
) -> None:
    space: Space = SpaceFactory.create(name="마곡 실증 랩", capacity=6)
    call: Call = CallFactory.create(title="스타트업 공간 모집")
    call.spaces.add(space)
    pdf = tmp_path / "pitch.pdf"
    pdf.write_bytes(pdf_upload().read())
    page = phone_page

    page.goto(live_server.url + "/spaces/")
    page.wait_for_selector("#space-map[data-markers='1']")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.goto(live_server.url + call.get_absolute_url())
    page.locator("main a.button[href*='signup']").click()
    page.wait_for_url("**/accounts/signup/**")
    page.fill("#id_username", "radarlab")
    page.fill("#id_email", "founder@example.org")
    page.fill("#id_password1", "correct horse battery staple")
    page.fill("#id_password2", "correct horse battery staple")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/spaces/organisations/new/**")

    page.fill("#id_name", "레이더랩")
    # A mistyped last digit is refused before anything is registered.
    page.fill("#id_registration_number", "124-81-00999")
    page.select_option("#id_sector", "mobility")
    page.fill("#id_team_size", "3")
    page.fill("#id_founded_on", (timezone.localdate() - dt.timedelta(days=500)).isoformat())
    page.locator("main form button[type=submit]").click()
    assert page.locator("main .field .error").first.is_visible()
    page.fill("#id_registration_number", "124-81-00998")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**/spaces/calls/{call.pk}/")

    page.locator("form.apply-form button[type=submit]").click()
    page.wait_for_url("**/spaces/applications/**")
    page.check(f"input[name='spaces'][value='{space.pk}']")
    page.fill("#id_move_in", (timezone.localdate() + dt.timedelta(days=30)).isoformat())
    page.fill("#id_duration_months", "6")
    page.fill("#id_team_size", "3")
    page.fill("#id_pitch", "레이더로 횡단보도 대기 인원을 셉니다.")
    page.set_input_files("#id_attachment", str(pdf))
    page.locator("button[name='save']").click()
    page.wait_for_selector(".message.success")
    page.locator("#submit-application").click()
    page.wait_for_selector("#application-status.status-submitted")
    page.screenshot(path=str(tmp_path / "submitted.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    assert application.organisation.name == "레이더랩"
    assert application.attachments.count() == 1
