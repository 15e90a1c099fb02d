"""A citizen on a phone goes from the pilot list to taking part and answering a survey."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from pilots.models import Enrolment, SurveyResponse
from tests.pilots.factories import PilotFactory, consent, survey
from tests.portal.factories import UserFactory, district

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

SQUARE = [[127.02, 37.49], [127.04, 37.49], [127.04, 37.51], [127.02, 37.51], [127.02, 37.49]]


def test_a_citizen_joins_a_pilot_and_answers_its_survey_on_a_phone(
    live_server: LiveServer, phone_page: Page
) -> None:
    pilot = PilotFactory.create(
        title="스마트 횡단보도",
        slug="smart-crosswalk",
        capacity=10,
        area={"type": "Polygon", "coordinates": [SQUARE]},
    )
    consent(pilot, "참여 동의서: 설문 응답을 평가에만 씁니다.")
    created = survey(pilot)
    citizen = UserFactory.create(username="minji", home_district=district("gangnam-gu"))
    page = phone_page

    page.goto(live_server.url + "/accounts/login/?next=/pilots/")
    page.fill("#id_username", "minji")
    page.fill("#id_password", "correct horse battery staple")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/pilots/")

    page.get_by_role("link", name="스마트 횡단보도").click()
    page.wait_for_url("**/pilots/smart-crosswalk/")
    page.wait_for_selector("#pilot-map[data-area='shown']")
    page.locator("#join a.button").click()
    page.wait_for_url("**/join/")

    # Sending without ticking the consents explains what is missing and enrols nobody.
    page.locator("main form button[type=submit]").click()
    assert page.locator(".form-errors").is_visible()
    assert not Enrolment.objects.exists()

    page.check("#id_consent_data_use")
    page.check("#id_consent_contact")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/pilots/smart-crosswalk/")
    assert Enrolment.objects.get(user=citizen).status == Enrolment.Status.PARTICIPATING

    page.locator(f"#join a[href='{created.get_absolute_url()}']").click()
    page.wait_for_url("**/surveys/**")
    questions = page.locator(".survey-question")
    questions.nth(0).locator("input[value='4']").check()
    questions.nth(1).locator("input[value='Night']").check()
    questions.nth(2).locator("textarea").fill("밤에 더 밝으면 좋겠어요")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/pilots/smart-crosswalk/")
    assert page.locator(".message.success").is_visible()

    answers = {
        answer.question.prompt: answer.value
        for answer in SurveyResponse.objects.get(user=citizen).answers.select_related("question")
    }
    assert answers == {
        "Do you feel safer?": 4,
        "When do you cross?": "Night",
        "Anything else?": "밤에 더 밝으면 좋겠어요",
    }
    # Nothing sticks out sideways on a 360-pixel screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
