"""A notice is written in each recipient's language, its parameters included."""

from __future__ import annotations

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from portal.notifications.services import notify
from tests.portal.factories import UserFactory

pytestmark = pytest.mark.django_db

# Any registered kind will do; pilots register this one when the app starts.
KIND = "phase_change"


def test_lazy_parameters_are_rendered_in_each_recipients_language_not_the_senders() -> None:
    korean = UserFactory.create(username="minji", preferred_language="ko")
    english = UserFactory.create(username="james", preferred_language="en")

    with translation.override("en"):
        notices = notify(
            users=[korean, english],
            kind=KIND,
            about=None,
            subject=gettext_lazy("Today"),
            body=gettext_lazy("%(answer)s"),
            params={"answer": gettext_lazy("Yes")},
        )

    written = {notice.user_id: (notice.subject, notice.body) for notice in notices}
    assert written[korean.pk] == ("오늘", "예")
    assert written[english.pk] == ("Today", "Yes")


def test_plain_parameters_are_written_as_they_are_for_everyone() -> None:
    korean = UserFactory.create(username="minji", preferred_language="ko")
    english = UserFactory.create(username="james", preferred_language="en")

    notices = notify(
        users=[korean, english],
        kind=KIND,
        about=None,
        subject=gettext_lazy("Today"),
        body=gettext_lazy("%(count)s · %(name)s"),
        params={"count": 3, "name": "Smart bins"},
    )

    assert {notice.body for notice in notices} == {"3 · Smart bins"}
