"""The survey page: every answer box named, optional questions marked, a scale for a phone."""

from __future__ import annotations

import re

from django.test import Client

from pilots.models import ConsentVersion, Pilot
from portal.models import User
from tests.pilots.factories import join, survey


def test_the_free_text_answer_has_a_label_and_the_optional_question_says_so(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    join(pilot, resident)
    created = survey(pilot)
    text_question = created.questions.get(position=3)
    client.force_login(resident)

    page = client.get(created.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    field_id = f"id_q{text_question.pk}"
    label = re.search(rf'<label class="question" for="{field_id}">(.*?)</label>', page, re.S)
    assert label is not None
    assert "Anything else?" in label.group(1)
    assert "(optional)" in label.group(1)
    # The required questions are not marked.
    assert page.count("(optional)") == 1
