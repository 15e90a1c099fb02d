"""A resident the rules keep out sees why before ticking anything, one rule a line."""

from __future__ import annotations

import re

from django.test import Client
from django.utils import translation

from pilots.models import ConsentVersion, EligibilityRule, Enrolment, Pilot
from portal.models import User
from tests.portal.factories import UserFactory, district

JOIN_URL = "/pilots/smart-crosswalk/join/"


def _rules(pilot: Pilot) -> None:
    EligibilityRule.objects.create(
        pilot=pilot, kind=EligibilityRule.Kind.RESIDENT_OF_PILOT_DISTRICTS
    )
    EligibilityRule.objects.create(pilot=pilot, kind=EligibilityRule.Kind.MINIMUM_AGE, value=19)
    EligibilityRule.objects.create(pilot=pilot, kind=EligibilityRule.Kind.MAXIMUM_AGE, value=80)


def _stranger() -> User:
    """Lives in Dobong-gu and never gave a birth date."""
    user: User = UserFactory.create(username="stranger", home_district=district("dobong-gu"))
    return user


def _reasons(page: str) -> list[str]:
    box = page.split('class="form-errors eligibility"', 1)[1].split("</div>", 1)[0]
    return re.findall(r"<li>(.*?)</li>", box, flags=re.S)


def test_the_join_page_lists_each_rule_not_met_on_its_own_line_with_a_way_to_fix_it(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion
) -> None:
    _rules(pilot)
    client.force_login(_stranger())

    with translation.override("en"):
        page = client.get(JOIN_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    reasons = _reasons(page)
    # The district, and one sentence for the age range that one birth date answers.
    assert len(reasons) == 2
    (district_reason,) = [reason for reason in reasons if "for residents of Gangnam-gu" in reason]
    (age_reason,) = [reason for reason in reasons if "birth date" in reason]
    assert 'href="/me/#profile"' in district_reason
    assert 'href="/me/#profile"' in age_reason


def test_nothing_can_be_ticked_or_sent_while_a_rule_keeps_the_resident_out(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion
) -> None:
    _rules(pilot)
    client.force_login(_stranger())

    page = client.get(JOIN_URL).content.decode()

    assert '<fieldset class="consent-ticks" disabled' in page


def test_an_age_outside_the_range_is_said_without_a_link_nothing_on_the_profile_fixes(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion
) -> None:
    _rules(pilot)
    young = UserFactory.create(home_district=district("gangnam-gu"), birth_date="2015-01-01")
    young.refresh_from_db()
    client.force_login(young)

    page = client.get(JOIN_URL, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    (reason,) = _reasons(page)
    assert "aged 19 or over" in reason
    assert "href=" not in reason


def test_sending_the_form_anyway_lists_each_failure_apart_and_enrols_nobody(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion
) -> None:
    _rules(pilot)
    client.force_login(_stranger())

    response = client.post(
        JOIN_URL,
        {"consent_version": 1, "consent_data_use": "on", "consent_contact": "on"},
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 400
    assert len(_reasons(response.content.decode())) == 2
    assert 'role="alert"' not in response.content.decode()
    assert not Enrolment.objects.exists()


def test_the_pilot_page_tells_a_resident_who_may_not_join_why_instead_of_offering_to_join(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion
) -> None:
    _rules(pilot)
    client.force_login(_stranger())

    page = client.get(pilot.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert len(_reasons(page)) == 2
    assert f'class="button" href="{JOIN_URL}"' not in page


def test_the_pilot_page_offers_to_join_to_a_resident_who_may(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion, resident: User
) -> None:
    _rules(pilot)
    client.force_login(resident)

    page = client.get(pilot.get_absolute_url()).content.decode()

    assert f'class="button" href="{JOIN_URL}"' in page
    assert "form-errors eligibility" not in page


def test_a_visitor_is_asked_to_sign_up_with_a_birth_date_for_a_pilot_with_an_age_limit(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion
) -> None:
    _rules(pilot)

    page = client.get(pilot.get_absolute_url()).content.decode()

    assert "/accounts/signup/?next=/pilots/smart-crosswalk/join/&amp;needs=birth_date" in page


def test_the_capacity_bar_is_labelled_also_when_nobody_has_joined(
    client: Client, pilot: Pilot, consent_v1: ConsentVersion
) -> None:
    Pilot.objects.filter(pk=pilot.pk).update(capacity=20)

    page = client.get(pilot.get_absolute_url(), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    label = re.search(r'<label for="capacity-\d+">(.*?)</label>', page)
    assert label is not None
    assert label.group(1) == "0 of 20 places taken"
    assert f'<progress class="capacity-bar" id="capacity-{pilot.pk}" max="20" value="0">' in page
