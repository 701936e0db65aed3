from django.urls import path

from members import survey_views, views, wave_views

# Included before communities' own /<slug>/ patterns (see copsite/urls.py).
urlpatterns = [
    path("invitations/<str:token>/", wave_views.invitation_open, name="members_invitation"),
    path("<slug:slug>/waves/", wave_views.wave_list, name="members_waves"),
    path("<slug:slug>/waves/<int:pk>/", wave_views.wave_detail, name="members_wave"),
    path("<slug:slug>/waves/<int:pk>/add/", wave_views.wave_add, name="members_wave_add"),
    path("<slug:slug>/waves/<int:pk>/send/", wave_views.wave_send, name="members_wave_send"),
    path(
        "<slug:slug>/waves/<int:pk>/progress/",
        wave_views.wave_progress,
        name="members_wave_progress",
    ),
    path(
        "<slug:slug>/invitations/<int:pk>/resend/",
        wave_views.invitation_resend,
        name="members_invitation_resend",
    ),
    path(
        "<slug:slug>/invitations/<int:pk>/revoke/",
        wave_views.invitation_revoke,
        name="members_invitation_revoke",
    ),
    path("<slug:slug>/survey/", survey_views.survey_answer, name="members_survey"),
    path(
        "<slug:slug>/survey/questions/",
        survey_views.survey_questions,
        name="members_survey_questions",
    ),
    path(
        "<slug:slug>/survey/questions/<int:pk>/delete/",
        survey_views.survey_question_delete,
        name="members_survey_question_delete",
    ),
    path(
        "<slug:slug>/survey/results/",
        survey_views.survey_results,
        name="members_survey_results",
    ),
    path(
        "<slug:slug>/onboarding/<str:key>/",
        wave_views.checklist_tick,
        name="members_checklist_tick",
    ),
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
