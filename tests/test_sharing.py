"""Sharing: share tags for previews, a PNG card, QR codes, an Atom feed, the embeddable
widget (the only page others may frame), goal and deadline."""

import io
from datetime import timedelta

from django.utils import timezone
from PIL import Image

from tests.conftest import sign
from undersign.public.sharing import share_card
from undersign.signatures.models import Signature
from undersign.statements.models import Statement


def test_the_page_has_open_graph_and_twitter_tags(client, statement):
    page = client.get("/s/letter/").content.decode()
    assert '<meta property="og:title" content="Open letter on political prisoners">' in page
    assert '<meta property="og:image" content="http://testserver/s/letter/card.png">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    assert '<meta property="og:description" content="0 signatures">' in page


def test_the_card_is_a_png_and_draws_cyrillic(client, statement):
    r = client.get("/s/letter/card.png")
    assert r["Content-Type"] == "image/png"
    assert Image.open(io.BytesIO(r.content)).size == (1200, 630)
    # A font without Cyrillic draws the same empty box for every letter; DejaVu does not.
    one = share_card("Открытое письмо", "5 подписей", "example.org")
    other = share_card("Відкритий лист", "5 підписів", "example.org")
    assert one != other


def test_qr_codes_in_svg_and_png(client, statement):
    svg = client.get("/s/letter/qr.svg")
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    png = client.get("/s/letter/qr.png")
    assert Image.open(io.BytesIO(png.content)).format == "PNG"
    assert client.get("/s/draft/qr.svg").status_code == 404


def test_the_atom_feed_lists_published_statements_only(client, statement, draft):
    r = client.get("/feed.atom")
    assert r["Content-Type"].startswith("application/atom+xml")
    body = r.content.decode()
    assert "Open letter on political prisoners" in body and "A draft" not in body


def test_only_the_widget_may_be_framed(client, statement):
    page = client.get("/s/letter/")
    assert page["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in page["Content-Security-Policy"]
    widget = client.get("/s/letter/embed")
    assert widget.status_code == 200
    assert "X-Frame-Options" not in widget
    assert "frame-ancestors *" in widget["Content-Security-Policy"]
    body = widget.content.decode()
    assert 'class="count"' in body and 'action="/s/letter/embed"' in body


def test_the_goal_shows_as_a_progress_bar(client, statement):
    Statement.objects.filter(pk=statement.pk).update(goal=1000)
    page = client.get("/s/letter/").content.decode()
    assert '<progress id="goal-progress" max="1000" value="0">' in page


def test_after_the_deadline_signing_is_closed(client, statement):
    Statement.objects.filter(pk=statement.pk).update(deadline=timezone.now() - timedelta(hours=1))
    page = client.get("/s/letter/").content.decode()
    assert "Signing closed on" in page and "Sign this statement" not in page
    r = sign(client, statement)
    assert r.status_code == 400
    assert Signature.objects.count() == 0


def test_before_the_deadline_the_page_says_when_signing_closes(client, statement):
    Statement.objects.filter(pk=statement.pk).update(deadline=timezone.now() + timedelta(days=3))
    page = client.get("/s/letter/").content.decode()
    assert "Signing closes on" in page and "Sign this statement" in page
