from django.urls import include, path

from web import views

urlpatterns = [
    path("", views.kiosk, name="kiosk"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/person/<int:person_id>/", views.person_page, name="person-page"),
    path("upload-excel/", views.upload_excel, name="upload-excel"),
    path("upload-excel/template.xlsx", views.roster_template_download, name="roster-template"),
    path("upload-excel/<str:token>/import/", views.upload_import, name="upload-import"),
    path("upload-excel/<str:token>/status/", views.upload_status, name="upload-status"),
    path("i18n/", include("django.conf.urls.i18n")),
]
