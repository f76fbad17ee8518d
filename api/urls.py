from django.urls import path

from api import views

urlpatterns = [
    path("face-login/", views.FaceLoginApi.as_view(), name="face-login"),
    path("liveness/challenge/", views.LivenessChallengeApi.as_view(), name="liveness-challenge"),
    path("passport-login/", views.PassportLoginApi.as_view(), name="passport-login"),
    path("logout/", views.LogoutApi.as_view(), name="logout"),
    path("current-user/", views.CurrentUserApi.as_view(), name="current-user"),
    path("statistics/", views.StatisticsApi.as_view(), name="statistics"),
    path("charts/", views.ChartsApi.as_view(), name="charts"),
    path(
        "person-statistics/<int:person_id>/",
        views.PersonStatisticsApi.as_view(),
        name="person-statistics",
    ),
    path("login-logs/", views.LoginLogsApi.as_view(), name="login-logs"),
    path("login-logs/export/", views.LoginLogsExportApi.as_view(), name="login-logs-export"),
    path("detect-face/", views.DetectFaceApi.as_view(), name="detect-face"),
]
