"""The reports admin: reports are found by id or by words."""

from __future__ import annotations

import pytest
from django.test import Client

from portal.models import User
from tests.reports.factories import ReportFactory

pytestmark = pytest.mark.django_db


def test_a_report_is_found_by_its_id(client: Client, staff_user: User) -> None:
    wanted = ReportFactory(description="Streetlight out on the corner.")
    ReportFactory(description="Rubbish left by the park.")
    client.force_login(staff_user)

    by_id = client.get("/admin/reports/report/", {"q": str(wanted.pk)})
    by_words = client.get("/admin/reports/report/", {"q": "streetlight corner"})

    assert list(by_id.context["cl"].result_list) == [wanted]
    # Words are no id: they must not break the id search, and still find by description.
    assert by_words.status_code == 200
    assert list(by_words.context["cl"].result_list) == [wanted]
