from django.urls import path

from members import views

# Included before communities' own /<slug>/ patterns (see copsite/urls.py).
urlpatterns = [
    path("<slug:slug>/directory/", views.directory, name="members_directory"),
    path(
        "<slug:slug>/directory/export.csv",
        views.directory_export_csv,
        name="members_directory_export",
    ),
    path(
        "<slug:slug>/directory/<int:user_id>/photo/",
        views.member_photo,
        name="members_photo",
    ),
]
