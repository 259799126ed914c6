from django.urls import path

from undersign.room import views
from undersign.room.results import urlpatterns as results_urls

app_name = "room"
urlpatterns = [
    path("<slug:slug>/", views.home, name="home"),
    path("<slug:slug>/in", views.door_page, name="door"),
    path("<slug:slug>/in/<str:code>", views.door_link, name="door_link"),
    path("<slug:slug>/out", views.leave, name="leave"),
    path("<slug:slug>/t/<slug:text_slug>/", views.text_page, name="text"),
    path("<slug:slug>/t/<slug:text_slug>/<int:clause_id>/amend", views.amend, name="amend"),
    path("<slug:slug>/amendments/", views.amendments, name="amendments"),
    path("<slug:slug>/amendments/<int:amendment_id>/support", views.support, name="support"),
    *results_urls,
]
