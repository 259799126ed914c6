from django.urls import path

from undersign.public import about, reading, unsubscribe, views
from undersign.public.feeds import StatementsFeed

app_name = "public"
urlpatterns = [
    path("", views.home, name="home"),
    path("s/<slug:slug>/", views.statement_page, name="statement"),
    path("s/<slug:slug>/sign", views.sign, name="sign"),
    path("s/<slug:slug>/r/<int:number>/", reading.revision_page, name="revision"),
    path("s/<slug:slug>/diff", reading.diff_page, name="diff"),
    path("s/<slug:slug>/card.png", reading.card, name="card"),
    path("s/<slug:slug>/qr.svg", reading.qr_svg, name="qr_svg"),
    path("s/<slug:slug>/qr.png", reading.qr_png, name="qr_png"),
    path("s/<slug:slug>/embed", reading.embed, name="embed"),
    path("feed.atom", StatementsFeed(), name="feed"),
    path("imprint", about.imprint, name="imprint"),
    path("privacy", about.privacy, name="privacy"),
    path("s/<slug:slug>/check-mail", views.check_mail, name="check_mail"),
    path("pow/challenge", views.pow_challenge, name="pow_challenge"),
    path("confirm/<str:ref>/<str:token>/", views.confirm, name="confirm"),
    path("withdraw/<str:ref>/<str:token>/", views.withdraw, name="withdraw"),
    path("unsubscribe/<str:token>", unsubscribe.unsubscribe, name="unsubscribe"),
]
