from __future__ import annotations

from django.urls import path

from pilots import views

app_name = "pilots"
urlpatterns = [
    path("", views.pilot_list, name="list"),
    path("<slug:slug>/", views.pilot_detail, name="detail"),
    path("<slug:slug>/join/", views.pilot_join, name="join"),
    path("<slug:slug>/withdraw/", views.pilot_withdraw, name="withdraw"),
    path("<slug:slug>/ask/", views.pilot_ask, name="ask"),
    path("<slug:slug>/surveys/<int:survey_id>/", views.survey_answer, name="survey"),
]
