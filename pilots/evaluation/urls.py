"""Evaluation's API routes, mounted under /api/pilots/<slug>/ by the project."""

from __future__ import annotations

from django.urls import path

from pilots.evaluation import api

app_name = "evaluation"

urlpatterns = [
    path("evaluation-plan/", api.EvaluationPlanView.as_view(), name="plan"),
    path("scorecards/", api.ScorecardListView.as_view(), name="scorecards"),
    path("scorecards/latest/", api.LatestScorecardView.as_view(), name="latest-scorecard"),
]
