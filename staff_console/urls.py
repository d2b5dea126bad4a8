"""/staff/ and every client route under it answer with the console's shell page."""

from django.urls import path, re_path

from . import views

urlpatterns = [
    path("", views.shell, name="staff-console"),
    re_path(r"^(?P<path>.+)$", views.shell, name="staff-console-route"),
]
