from django.urls import path

from undersign.public import views

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("s/<slug:slug>/", views.statement_page, name="statement"),
    path("s/<slug:slug>/sign", views.sign, name="sign"),
    path("s/<slug:slug>/check-mail", views.check_mail, name="check_mail"),
    path("pow/challenge", views.pow_challenge, name="pow_challenge"),
    path("confirm/<str:ref>/<str:token>/", views.confirm, name="confirm"),
    path("withdraw/<str:ref>/<str:token>/", views.withdraw, name="withdraw"),
]
