"""In the admin: a reviewer scores an application on one page on a phone, and the call's manager
accepts two applications on one page, where the one that no longer fits says why."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from portal.roles import Role
from portal.spaces import services
from portal.spaces.models import Allocation, Application, Score
from tests.portal.factories import UserFactory
from tests.spaces.factories import (
    CallFactory,
    OrganisationFactory,
    SpaceFactory,
    member,
    submitted_application,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page
    from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery staple"


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(base + "/admin/login/?next=/admin/spaces/application/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.locator("#login-form [type=submit]").click()
    page.wait_for_url("**/admin/spaces/application/")


def _shortlisted_pair() -> tuple[Application, Application]:
    manager = UserFactory.create(username="call-manager", role=Role.PILOT_MANAGER)
    reviewer = UserFactory.create(username="reviewer", role=Role.REVIEWER)
    lab = SpaceFactory.create(name="마곡 실증 랩", capacity=4)
    call = CallFactory.create(title="스타트업 공간 모집")
    call.spaces.add(lab)
    call.managers.add(manager)
    call.reviewers.add(reviewer)
    applications = []
    for name, team_size in (("레이더랩", 3), ("에어센스", 2)):
        founder = UserFactory.create()
        organisation = OrganisationFactory.create(name=name)
        member(organisation, founder, owner=True)
        application = submitted_application(call, organisation, founder, lab, team_size=team_size)
        for status in ("under_review", "shortlisted"):
            services.application_decide(application=application, by=manager, to_status=status)
        applications.append(application)
    return applications[0], applications[1]


def test_a_reviewer_scores_on_one_page_and_the_manager_accepts_what_fits(
    live_server: LiveServer, phone_page: Page, desktop_page: Page, tmp_path: Path
) -> None:
    radar, air = _shortlisted_pair()

    page = phone_page
    _log_in(page, live_server.url, "reviewer")
    page.locator(f"a[href$='/admin/spaces/application/{radar.pk}/review/']").click()
    page.wait_for_url(f"**/{radar.pk}/review/")
    innovation, feasibility = radar.call.criteria.order_by("position")
    page.check(f"#id_score_{innovation.pk}_5")
    page.fill(f"#id_comment_{innovation.pk}", "처음 보는 방식입니다.")
    page.check(f"#id_score_{feasibility.pk}_3")
    page.screenshot(path=str(tmp_path / "review-phone.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.locator("#review-form [type=submit]").click()
    page.wait_for_url("**/admin/spaces/application/")
    assert page.locator(".messagelist .success").is_visible()
    scores = dict(Score.objects.filter(application=radar).values_list("criterion__name", "score"))
    assert scores == {"Innovation": 5, "Feasibility": 3}

    page = desktop_page
    _log_in(page, live_server.url, "call-manager")
    for application in (radar, air):
        page.check(f"input[name='_selected_action'][value='{application.pk}']")
    page.select_option("select[name='action']", "accept")
    page.locator("button[name='index']").click()
    page.wait_for_selector("#accept-form")
    page.screenshot(path=str(tmp_path / "accept.png"), full_page=True)
    page.locator("#accept-form [type=submit].default").click()
    # The first fills three of the lab's four seats, so the second's two no longer fit.
    page.wait_for_selector(f"#accept-{air.pk} .errorlist.nonfield")
    page.screenshot(path=str(tmp_path / "accept-refused.png"), full_page=True)
    assert "would not fit" in page.locator(f"#accept-{air.pk} .errorlist.nonfield").inner_text()
    # The page counts the seats just given to the first.
    assert "1 of 4 seats free" in page.locator(f"#accept-{air.pk}").inner_text()
    assert page.locator(f"#accept-{radar.pk}").count() == 0
    radar.refresh_from_db()
    air.refresh_from_db()
    assert (radar.status, air.status) == (
        Application.Status.ACCEPTED,
        Application.Status.SHORTLISTED,
    )
    assert list(Allocation.objects.values_list("application_id", "seats")) == [(radar.pk, 3)]
