"""Sharing: share tags for previews, a PNG card, QR codes, an Atom feed, the embeddable
widget (the only page others may frame), goal and deadline."""

import io
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from PIL import Image

from tests.conftest import sign
from undersign.public.sharing import share_card
from undersign.signatures.models import Signature, SignatureCount
from undersign.statements.models import Statement
from undersign.statements.services import publish_changes, set_translation


def test_the_page_has_open_graph_and_twitter_tags(client, statement):
    page = client.get("/s/letter/").content.decode()
    assert '<meta property="og:title" content="Open letter on political prisoners">' in page
    assert '<meta name="twitter:card" content="summary_large_image">' in page
    # Robots send no Accept-Language: the page and the card name their language.
    assert '<meta property="og:url" content="http://testserver/s/letter/?lang=en">' in page
    assert (
        '<meta property="og:image" content="http://testserver/s/letter/card.png?lang=en">' in page
    )
    # The preamble's first sentence tells what it is about, not the count.
    assert (
        '<meta property="og:description" content="We, the undersigned, ask for three things.">'
        in page
    )


def test_a_translation_shares_its_own_card_and_words(client, statement):
    set_translation(
        statement,
        language="ru",
        title="Открытое письмо",
        preamble="Мы, нижеподписавшиеся, просим т. е. требуем трёх вещей. И ещё.",
        clauses={1: "Освободить.", 2: "Визы.", 3: "Не выдавать."},
    )
    publish_changes(statement)
    page = client.get("/s/letter/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert 'content="http://testserver/s/letter/card.png?lang=ru"' in page
    assert (
        '<meta property="og:description" '
        'content="Мы, нижеподписавшиеся, просим т. е. требуем трёх вещей.">' in page
    )
    assert '<link rel="alternate" hreflang="ru" href="http://testserver/s/letter/?lang=ru">' in page
    russian = client.get("/s/letter/card.png?lang=ru")
    english = client.get("/s/letter/card.png?lang=en")
    assert russian.content != english.content  # the title, and the counter's words
    assert russian.content == share_card("Открытое письмо", "0 подписей", "testserver")
    assert "django_language" not in russian.cookies  # an image shared by caches


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


def test_the_goal_shows_how_far_in_words_and_a_sliver_once_anyone_signed(client, statement):
    Statement.objects.filter(pk=statement.pk).update(goal=1000)
    page = client.get("/s/letter/").content.decode()
    assert '<progress max="1000" value="0" aria-hidden="true">' in page
    assert '<span class="goal-figures">0 of 1,000</span>' in page
    SignatureCount.objects.create(
        statement=statement, revision=statement.current_revision, shard=0, count=2
    )
    cache.clear()
    page = client.get("/s/letter/").content.decode()
    assert '<span class="goal-figures">2 of 1,000</span>' in page  # not "0%"
    assert '<progress max="1000" value="20" aria-hidden="true">' in page  # 2 %: visible


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


def test_the_site_has_a_favicon(client, statement):
    page = client.get("/s/letter/").content.decode()
    assert '<link rel="icon" href="/static/undersign/favicon.svg" type="image/svg+xml">' in page
    svg = client.get("/static/undersign/favicon.svg")
    assert svg.status_code == 200 and b"<svg" in b"".join(svg.streaming_content)
    png = client.get("/static/undersign/favicon.png")
    assert Image.open(io.BytesIO(b"".join(png.streaming_content))).size == (32, 32)


def test_the_feed_names_an_author_and_speaks_the_readers_language(client, statement, settings):
    set_translation(
        statement,
        language="de",
        title="Offener Brief",
        clauses={1: "Freilassen.", 2: "Visa.", 3: "Stoppen."},
    )
    publish_changes(statement)
    body = client.get("/feed.atom").content.decode()
    # No authors on the statement: the publisher (or the site) stands for it.
    assert "<author><name>undersign</name></author>" in body
    settings.PUBLISHER_NAME = "Initiative Freiheit e. V."
    Statement.objects.filter(pk=statement.pk).update(authors="Forum «Вместе»")
    publish_changes(Statement.objects.get(pk=statement.pk))  # the authors are part of the text
    body = client.get("/feed.atom?lang=de").content.decode()
    assert "<name>Forum «Вместе»</name>" in body
    assert "<name>Initiative Freiheit e. V.</name>" in body  # the feed's own author
    assert "<title>Offener Brief</title>" in body and 'xml:lang="de"' in body
