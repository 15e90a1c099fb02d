from __future__ import annotations

import datetime as dt

from factory.declarations import PostGeneration, Sequence
from factory.django import DjangoModelFactory

from pilots.models import ConsentVersion, Enrolment, Pilot, Survey, SurveyQuestion
from portal.models import User
from tests.portal.factories import district


def _place_in_districts(
    pilot: Pilot, create: bool, extracted: list[str] | None, **kwargs: object
) -> None:
    if create:
        pilot.districts.set([district(slug) for slug in (extracted or ["gangnam-gu"])])


class PilotFactory(DjangoModelFactory[Pilot]):
    class Meta:
        model = Pilot
        skip_postgeneration_save = True

    title = Sequence(lambda n: f"Smart crosswalk {n}")
    slug = Sequence(lambda n: f"smart-crosswalk-{n}")
    domain = Pilot.Domain.SAFETY
    phase = Pilot.Phase.RUNNING
    summary = "Crosswalks that see pedestrians and light up at night."
    start_date = dt.date(2026, 9, 1)
    end_date = dt.date(2027, 3, 1)
    districts = PostGeneration(_place_in_districts)


def consent(pilot: Pilot, text: str = "We record when you cross.") -> ConsentVersion:
    """Publish a consent version straight into the table (the service is tested on its own)."""
    number = pilot.consent_versions.count() + 1
    version: ConsentVersion = ConsentVersion.objects.create(pilot=pilot, number=number, text=text)
    return version


def join(pilot: Pilot, user: User) -> Enrolment:
    """Enrol `user` through the service, agreeing to the current consent text."""
    from pilots import selectors, services

    current = selectors.current_consent(pilot) or consent(pilot)
    return services.enrolment_join(
        pilot=pilot,
        user=user,
        consent_version=current.number,
        consent_data_use=True,
        consent_contact=True,
    )


def survey(pilot: Pilot, phase: str | None = None) -> Survey:
    """A survey with one question of each kind, open in `phase` (the pilot's own by default)."""
    created: Survey = Survey.objects.create(
        pilot=pilot, title="How is the crossing?", phase=phase or pilot.phase
    )
    SurveyQuestion.objects.create(
        survey=created, position=1, kind=SurveyQuestion.Kind.RATING, prompt="Do you feel safer?"
    )
    SurveyQuestion.objects.create(
        survey=created,
        position=2,
        kind=SurveyQuestion.Kind.CHOICE,
        prompt="When do you cross?",
        choices="Morning\nEvening\nNight",
    )
    SurveyQuestion.objects.create(
        survey=created,
        position=3,
        kind=SurveyQuestion.Kind.TEXT,
        prompt="Anything else?",
        required=False,
    )
    return created


def answers_for(
    created: Survey, rating: int = 4, choice: str = "Night", text: str = ""
) -> dict[int, object]:
    rating_q, choice_q, text_q = created.questions.order_by("position")
    return {rating_q.pk: rating, choice_q.pk: choice, text_q.pk: text}
