"""The tumour board's pages (clinicians only): the site's list, adding a patient with a
question, the meeting's signed decision, and a course started from it."""

from django.urls import path

from disease import board_views

app_name = "board"

urlpatterns = [
    path("", board_views.board_list, name="list"),
    path("add/", board_views.add_entry, name="add"),
    path("<int:entry_id>/", board_views.entry_detail, name="entry"),
    path("<int:entry_id>/start-course/", board_views.start_course, name="start-course"),
]
