from django.urls import path

from communities import views

# Community pages live at /<slug>/; copsite/urls.py includes these last, and RESERVED_SLUGS
# keeps community addresses clear of the site's own paths.
urlpatterns = [
    path("", views.home, name="home"),
    path("new/", views.community_create, name="community_create"),
    path("<slug:slug>/", views.community_public, name="community_public"),
    path("<slug:slug>/join/", views.community_join, name="community_join"),
    path("<slug:slug>/leave/", views.community_leave, name="community_leave"),
    path("<slug:slug>/home/", views.community_home, name="community_home"),
    path("<slug:slug>/canvas/", views.community_canvas, name="community_canvas"),
    path(
        "<slug:slug>/canvas/<str:section>/",
        views.community_canvas_edit,
        name="community_canvas_edit",
    ),
    path("<slug:slug>/settings/", views.community_settings, name="community_settings"),
    path("<slug:slug>/roles/", views.community_roles, name="community_roles"),
    path("<slug:slug>/roles/assign/", views.community_role_assign, name="community_role_assign"),
    path("<slug:slug>/roles/<int:pk>/", views.community_role_edit, name="community_role_edit"),
    path(
        "<slug:slug>/roles/<int:pk>/remove/",
        views.community_role_remove,
        name="community_role_remove",
    ),
    path(
        "<slug:slug>/roles/<int:pk>/hand-over/",
        views.community_role_hand_over,
        name="community_role_hand_over",
    ),
    path("<slug:slug>/people/", views.community_people, name="community_people"),
    path(
        "<slug:slug>/people/<int:pk>/tier/",
        views.community_person_tier,
        name="community_person_tier",
    ),
    path(
        "<slug:slug>/people/<int:pk>/request/",
        views.community_person_request,
        name="community_person_request",
    ),
    path(
        "<slug:slug>/people/<int:pk>/internal/",
        views.community_person_internal,
        name="community_person_internal",
    ),
    path(
        "<slug:slug>/people/<int:pk>/remove/",
        views.community_person_remove,
        name="community_person_remove",
    ),
]
