from __future__ import annotations

import pytest

from portal.spaces import demo
from portal.spaces.models import Application, Call, InnovationDistrict, Space
from portal.spaces.permissions import applications_visible_in_admin

pytestmark = pytest.mark.django_db


def test_the_demo_seeds_districts_a_call_an_application_and_a_reviewer_once() -> None:
    demo.seed_spaces()
    demo.seed_spaces()
    reviewer = demo.reviewer_login(password="s3cret-pass")
    assert InnovationDistrict.objects.count() == 2
    assert Space.objects.count() == 4
    call = Call.objects.get()
    assert call.is_open()
    assert call.criteria.count() == 3
    # Reviewers and applicants read what each criterion asks, in either language.
    assert call.criteria.exclude(description_ko="").exclude(description_en="").count() == 3
    application = Application.objects.get()
    assert application.status == Application.Status.SUBMITTED
    assert reviewer.check_password("s3cret-pass")
    assert reviewer.is_staff
    assert list(applications_visible_in_admin(reviewer)) == [application]
