from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from portal.models import User
from portal.notifications.models import Notification
from portal.spaces import selectors, services
from portal.spaces.errors import SpacesError
from portal.spaces.models import Application, Call, Organisation
from portal.spaces.permissions import applications_visible_in_admin, user_may_review
from tests.spaces.factories import member

pytestmark = pytest.mark.django_db


def _review_url(application: Application) -> str:
    return f"/admin/spaces/application/{application.pk}/review/"


def _marks(application: Application, *scores: tuple[int, str]) -> dict[str, object]:
    """The review page's form data: one (score, comment) for each criterion, in rubric order."""
    data: dict[str, object] = {}
    for criterion, (score, comment) in zip(
        application.call.criteria.order_by("position", "pk"), scores, strict=False
    ):
        data[f"score_{criterion.pk}"] = score
        data[f"comment_{criterion.pk}"] = comment
    return data


def _logged_in(user: User) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def declared(application: Application, conflicted_reviewer: User) -> Application:
    services.conflict_declare(
        application=application, reviewer=conflicted_reviewer, reason="My brother founded it."
    )
    return application


def test_a_reviewer_with_a_conflict_cannot_see_the_application(
    declared: Application, conflicted_reviewer: User
) -> None:
    assert not user_may_review(conflicted_reviewer, declared)
    assert list(applications_visible_in_admin(conflicted_reviewer)) == []
    client = _logged_in(conflicted_reviewer)
    listing = client.get("/admin/spaces/application/")
    assert listing.status_code == 200
    assert "Radar Lab" not in listing.content.decode()
    page = client.get(f"/admin/spaces/application/{declared.pk}/change/")
    assert page.status_code in {302, 403, 404}


def test_a_reviewer_with_a_conflict_finds_no_review_page_and_cannot_score(
    declared: Application, conflicted_reviewer: User
) -> None:
    criterion = declared.call.criteria.first()
    assert criterion is not None
    with pytest.raises(ValidationError) as caught:
        services.score_record(
            application=declared, criterion=criterion, reviewer=conflicted_reviewer, score=5
        )
    assert caught.value.code == SpacesError.CONFLICT_OF_INTEREST
    client = _logged_in(conflicted_reviewer)
    assert client.get(_review_url(declared)).status_code == 404
    posted = client.post(_review_url(declared), _marks(declared, (5, "Great"), (5, "Great")))
    assert posted.status_code == 404
    assert not declared.scores.exists()


def test_a_member_of_the_applying_organisation_is_conflicted_without_declaring(
    application: Application, reviewer: User, organisation: Organisation
) -> None:
    member(organisation, reviewer)
    assert not user_may_review(reviewer, application)
    client = _logged_in(reviewer)
    posted = client.post(_review_url(application), _marks(application, (5, ""), (5, "")))
    assert posted.status_code == 404
    assert not application.scores.exists()


def test_a_reviewer_not_assigned_to_the_call_cannot_score(
    application: Application, call: Call, reviewer: User
) -> None:
    call.reviewers.remove(reviewer)
    criterion = call.criteria.first()
    assert criterion is not None
    with pytest.raises(ValidationError) as caught:
        services.score_record(
            application=application, criterion=criterion, reviewer=reviewer, score=3
        )
    assert caught.value.code == SpacesError.NOT_A_REVIEWER
    assert _logged_in(reviewer).get(_review_url(application)).status_code == 404


def test_the_calls_manager_who_does_not_review_it_is_refused_the_review_page(
    application: Application, call_manager: User
) -> None:
    client = _logged_in(call_manager)
    assert client.get(_review_url(application)).status_code == 403
    posted = client.post(_review_url(application), _marks(application, (5, ""), (5, "")))
    assert posted.status_code == 403
    assert not application.scores.exists()


def test_scoring_one_criterion_at_a_time_is_gone_from_the_admin(
    application: Application, reviewer: User
) -> None:
    criterion = application.call.criteria.first()
    assert criterion is not None
    client = _logged_in(reviewer)
    response = client.post(
        "/admin/spaces/score/add/",
        {"application": application.pk, "criterion": criterion.pk, "score": 5},
    )
    assert response.status_code == 403
    assert not application.scores.exists()


def test_the_review_page_shows_the_whole_rubric_with_weights_and_descriptions(
    application: Application, reviewer: User
) -> None:
    application.call.criteria.filter(name="Innovation").update(
        description="How new is the idea for the city?"
    )
    client = _logged_in(reviewer)
    listing = client.get("/admin/spaces/application/").content.decode()
    assert _review_url(application) in listing
    change = client.get(f"/admin/spaces/application/{application.pk}/change/").content.decode()
    assert _review_url(application) in change
    page = client.get(_review_url(application))
    assert page.status_code == 200
    html = page.content.decode()
    assert "We measure crossings with radar." in html
    for text in ("Innovation", "weight 3 of 4", "How new is the idea for the city?"):
        assert text in html
    assert "Feasibility" in html
    assert "weight 1 of 4" in html
    assert html.count('name="score_') == 2 * 6
    assert html.count('name="comment_') == 2


def test_a_reviewer_scores_every_criterion_with_one_save_and_the_totals_weigh_them(
    application: Application, reviewer: User, conflicted_reviewer: User
) -> None:
    client = _logged_in(reviewer)
    response = client.post(
        _review_url(application),
        _marks(application, (5, "A radar nobody has tried here."), (1, "Needs a permit.")),
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/admin/spaces/application/"
    assert "80.0 of 100" in response.content.decode()
    comments = dict(
        application.scores.filter(reviewer=reviewer).values_list("criterion__name", "comment")
    )
    assert comments == {
        "Innovation": "A radar nobody has tried here.",
        "Feasibility": "Needs a permit.",
    }
    services.review_record(
        application=application,
        reviewer=conflicted_reviewer,
        marks=dict.fromkeys(application.call.criteria.all(), (1, "")),
    )
    totals = selectors.review_totals(application.scores.select_related("criterion"))
    # (5*3 + 1*1) / 4 / 5 = 80; (1*3 + 1*1) / 4 / 5 = 20.
    assert sorted(totals.by_reviewer.values()) == [20.0, 80.0]
    assert totals.mean == 50.0
    assert totals.spread == 60.0


def test_saving_the_review_again_replaces_the_earlier_scores(
    application: Application, reviewer: User
) -> None:
    client = _logged_in(reviewer)
    client.post(_review_url(application), _marks(application, (2, "Unsure"), (2, "")))
    page = client.get(_review_url(application)).content.decode()
    assert "Unsure" in page
    checked = re.findall(r'name="score_\d+" value="(\d)"[^>]*checked', page)
    assert checked == ["2", "2"]
    client.post(_review_url(application), _marks(application, (4, "Convinced"), (3, "")))
    scores = dict(
        application.scores.filter(reviewer=reviewer).values_list("criterion__name", "score")
    )
    assert scores == {"Innovation": 4, "Feasibility": 3}
    listing = client.get("/admin/spaces/application/").content.decode()
    assert "2 of 2 scored" in listing


def test_a_review_that_leaves_a_criterion_out_saves_nothing(
    application: Application, reviewer: User
) -> None:
    client = _logged_in(reviewer)
    response = client.post(_review_url(application), _marks(application, (5, "Only this one")))
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not application.scores.exists()
    innovation = application.call.criteria.get(name="Innovation")
    with pytest.raises(ValidationError) as caught:
        services.review_record(
            application=application, reviewer=reviewer, marks={innovation: (5, "")}
        )
    assert caught.value.code == SpacesError.REVIEW_INCOMPLETE
    assert not application.scores.exists()


def test_a_score_beyond_the_scale_saves_none_of_the_review(
    application: Application, reviewer: User
) -> None:
    innovation, feasibility = application.call.criteria.order_by("position")
    with pytest.raises(ValidationError) as caught:
        services.review_record(
            application=application,
            reviewer=reviewer,
            marks={innovation: (4, ""), feasibility: (9, "")},
        )
    assert caught.value.code == SpacesError.SCORE_OUT_OF_RANGE
    assert not application.scores.exists()


def test_someone_who_does_not_manage_the_call_cannot_decide(
    application: Application, reviewer: User, manager: User
) -> None:
    for person in (reviewer, manager):
        with pytest.raises(ValidationError) as caught:
            services.application_decide(
                application=application, by=person, to_status="under_review"
            )
        assert caught.value.code == SpacesError.NOT_A_CALL_MANAGER


def test_a_decision_cannot_skip_the_review(application: Application, call_manager: User) -> None:
    with pytest.raises(ValidationError) as caught:
        services.application_decide(application=application, by=call_manager, to_status="accepted")
    assert caught.value.code == SpacesError.STATUS_MOVE_NOT_ALLOWED


def test_rejected_applicants_receive_the_comments_when_the_call_says_so(
    application: Application, call: Call, reviewer: User, call_manager: User, owner: User
) -> None:
    call.share_comments_with_rejected = True
    call.save()
    criterion = call.criteria.first()
    assert criterion is not None
    services.score_record(
        application=application,
        criterion=criterion,
        reviewer=reviewer,
        score=2,
        comment="The radar needs a permit first.",
    )
    services.application_decide(application=application, by=call_manager, to_status="rejected")
    bodies = list(Notification.objects.filter(user=owner).values_list("body", flat=True))
    assert any("The radar needs a permit first." in body for body in bodies)


def test_rejected_applicants_get_no_comments_when_the_call_keeps_them(
    application: Application, call: Call, reviewer: User, call_manager: User, owner: User
) -> None:
    criterion = call.criteria.first()
    assert criterion is not None
    services.score_record(
        application=application, criterion=criterion, reviewer=reviewer, score=2, comment="Secret"
    )
    services.application_decide(application=application, by=call_manager, to_status="rejected")
    assert not any("Secret" in body for body in Notification.objects.values_list("body", flat=True))


def test_the_city_exports_the_calls_applications_and_scores_as_csv(
    application: Application, call: Call, reviewer: User, call_manager: User
) -> None:
    criterion = call.criteria.first()
    assert criterion is not None
    services.score_record(application=application, criterion=criterion, reviewer=reviewer, score=4)
    client = Client()
    client.force_login(call_manager)
    response = client.post(
        "/admin/spaces/call/",
        {"action": "export_applications", "_selected_action": [call.pk]},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response["Content-Type"].startswith("text/csv")
    rows = response.content.decode("utf-8-sig").splitlines()
    assert len(rows) == 2
    assert "Radar Lab" in rows[1]
    assert "80.0" in rows[1]
