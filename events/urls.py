from django.urls import path

from events import after_views, calendar_views, prepare_views, views

app_name = "events"

# Included before communities' own /<slug>/ patterns (see copsite/urls.py).
urlpatterns = [
    path("my/events/", views.my_events, name="mine"),
    path("my/calendars/", calendar_views.calendars, name="calendars"),
    path("my/calendar/<str:token>.ics", calendar_views.member_feed, name="member_feed"),
    path("<slug:slug>/events/calendar.ics", calendar_views.community_feed, name="community_feed"),
    path(
        "<slug:slug>/events/calendar/<str:token>.ics",
        calendar_views.community_private_feed,
        name="community_private_feed",
    ),
    path("<slug:slug>/events/", views.event_list, name="list"),
    path("<slug:slug>/events/new/", views.event_create, name="create"),
    path("<slug:slug>/events/<int:pk>/", views.event_detail, name="detail"),
    path("<slug:slug>/events/<int:pk>/edit/", views.event_edit, name="edit"),
    path("<slug:slug>/events/<int:pk>/cancel/", views.event_cancel, name="cancel"),
    path("<slug:slug>/events/<int:pk>/register/", views.register, name="register"),
    path("<slug:slug>/events/<int:pk>/unregister/", views.unregister, name="unregister"),
    path("<slug:slug>/events/<int:pk>/registrations/", views.roster, name="roster"),
    path(
        "<slug:slug>/events/<int:pk>/registrations/<int:registration>/cancel/",
        views.registration_cancel,
        name="registration_cancel",
    ),
    path("<slug:slug>/events/<int:pk>/event.ics", calendar_views.event_ics_download, name="ics"),
    path("<slug:slug>/events/<int:pk>/agenda/", prepare_views.agenda, name="agenda"),
    path(
        "<slug:slug>/events/<int:pk>/agenda/<int:segment>/move/",
        prepare_views.agenda_move,
        name="agenda_move",
    ),
    path("<slug:slug>/events/<int:pk>/check-in/", after_views.check_in, name="check_in"),
    path(
        "<slug:slug>/events/<int:pk>/check-in/<int:registration>/",
        after_views.check_in_toggle,
        name="check_in_toggle",
    ),
    path("<slug:slug>/events/<int:pk>/checklist/", prepare_views.checklist, name="checklist"),
    path("<slug:slug>/events/<int:pk>/follow-up/", after_views.follow_up, name="follow_up"),
    path("<slug:slug>/events/<int:pk>/materials/", after_views.material_add, name="material_add"),
    path(
        "<slug:slug>/events/<int:pk>/materials/<int:material>/",
        after_views.material_download,
        name="material",
    ),
    path(
        "<slug:slug>/events/<int:pk>/materials/<int:material>/remove/",
        after_views.material_remove,
        name="material_remove",
    ),
    path("<slug:slug>/events/<int:pk>/actions/", after_views.action_add, name="action_add"),
    path(
        "<slug:slug>/events/<int:pk>/actions/<int:action>/done/",
        after_views.action_done,
        name="action_done",
    ),
    path(
        "<slug:slug>/events/<int:pk>/actions/<int:action>/remove/",
        after_views.action_remove,
        name="action_remove",
    ),
    path("<slug:slug>/events/<int:pk>/feedback/", after_views.feedback, name="feedback"),
    path(
        "<slug:slug>/events/<int:pk>/checklist/<int:item>/done/",
        prepare_views.checklist_done,
        name="checklist_done",
    ),
    path(
        "<slug:slug>/events/<int:pk>/checklist/<int:item>/assign/",
        prepare_views.checklist_assign,
        name="checklist_assign",
    ),
    path(
        "<slug:slug>/events/<int:pk>/checklist/<int:item>/remove/",
        prepare_views.checklist_remove,
        name="checklist_remove",
    ),
    path(
        "<slug:slug>/events/<int:pk>/agenda/<int:segment>/remove/",
        prepare_views.agenda_remove,
        name="agenda_remove",
    ),
]
