"""Mailings (issue 12, item 4): write to the confirmed signers who agreed to be contacted,
under the signers list's filter; preview, translations, a test to yourself, the durable
queue, one-click unsubscribe, and the honest path for sealed statements."""

import os
import re
import signal
import subprocess
import threading
import time
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.mail import get_connection
from django.test import Client

from tests.conftest import Inbox, free_port, run_worker
from tests.signers import UNDERSIGN, confirmed, database_env, many
from undersign.mailings import services, tasks
from undersign.mailings.models import Mailing, Recipient, Unsubscription
from undersign.mailings.tasks import send_mailing
from undersign.organisers.models import AuditEntry, SealingKey
from undersign.signatures import contacts
from undersign.signatures.models import Contact, Signature, SignatureCount, SignatureTally


def contactable(statement, n: int, *, prefix: str, **fields) -> list[int]:
    """`n` confirmed signers who agreed to be contacted, each with an address
    `{prefix}{i}@example.org`; returns their ids."""
    fields.setdefault("contact_consent_version", "v1")
    before = set(Signature.objects.values_list("id", flat=True))
    many(statement, n, **fields)
    ids = sorted(set(Signature.objects.values_list("id", flat=True)) - before)
    Contact.objects.bulk_create(
        Contact(signature_id=pk, name=f"Person {i}", email=f"{prefix}{i}@example.org")
        for i, pk in enumerate(ids)
    )
    return ids


@pytest.fixture
def viewer(contacts_viewer):
    contacts_viewer.email = "viewer@example.org"
    contacts_viewer.save()
    client = Client()
    client.force_login(contacts_viewer)
    return client


def new_mailing(client, statement, **data) -> Mailing:
    fields = {"mail-language": "en", "subject": "Meeting on Friday", "body": "Come at 7."}
    fields.update(data)
    for name in ("subject", "body"):
        fields[f"mail-{name}"] = fields.pop(name)
    response = client.post(f"/workspace/s/{statement.slug}/mailings/", fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    return Mailing.objects.latest("id")


def page(client, mailing) -> str:
    url = f"/workspace/s/{mailing.statement.slug}/mailings/{mailing.pk}/"
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def act(client, mailing, **data):
    url = f"/workspace/s/{mailing.statement.slug}/mailings/{mailing.pk}/"
    return client.post(url, data)


def unsubscribe_path(message) -> str:
    header = re.sub(r"\r?\n[ \t]+", " ", message["List-Unsubscribe"]).strip()  # unfolded
    assert header.startswith("<") and header.endswith(">")
    return "/" + header[1:-1].split("/", 3)[3]


def test_it_counts_the_signers_who_agreed_unfiltered_and_filtered(viewer, statement):
    contactable(statement, 5, prefix="koeln", city="Köln")
    contactable(statement, 3, prefix="berlin", city="Berlin")
    many(statement, 4, city="Köln")  # never agreed to be contacted
    everyone = new_mailing(viewer, statement)
    assert "8 signers under this filter agreed" in page(viewer, everyone)
    cologne = new_mailing(viewer, statement, city="Cologne")  # any spelling
    text = page(viewer, cologne)
    assert "5 signers under this filter agreed" in text
    assert "Send to 5 signers now" in text
    assert services.reach(statement, services.SignerFilter(city="Koeln")).total == 5


def test_bad_input_is_said_next_to_the_field_and_nothing_typed_is_lost(viewer, statement):
    response = viewer.post(
        f"/workspace/s/{statement.slug}/mailings/",
        {
            "mail-language": "en",
            "mail-subject": "   ",
            "mail-body": "Dear friends,\nwe meet.",
            "city": "Köln",
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_mail-subject_error"' in html and "Please write a subject." in html
    assert "Dear friends,\nwe meet.</textarea>" in html
    assert 'value="Köln"' in html
    assert not Mailing.objects.exists()
    mailing = new_mailing(viewer, statement)
    response = act(
        viewer,
        mailing,
        action="translate",
        **{"tr-language": "de", "tr-subject": "Treffen", "tr-body": ""},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please write the text of the mail." in html and 'value="Treffen"' in html


def test_it_sends_each_signer_their_language_where_translated(viewer, statement, smtp):
    contactable(statement, 1, prefix="de", language="de")
    contactable(statement, 1, prefix="ru", language="ru")
    mailing = new_mailing(viewer, statement, body="Come at 7.\n<b>Bring friends</b> & tea.")
    response = act(
        viewer,
        mailing,
        action="translate",
        **{"tr-language": "de", "tr-subject": "Treffen am Freitag", "tr-body": "Kommt um 7."},
    )
    assert response.status_code == 302
    text = page(viewer, mailing)
    assert "Treffen am Freitag" in text and "&lt;b&gt;Bring friends&lt;/b&gt; &amp; tea." in text
    assert act(viewer, mailing, action="send").status_code == 302
    run_worker()
    by_address = {m["X-Envelope-To"]: m for m in smtp.messages}
    assert by_address["de0@example.org"]["Subject"] == "Treffen am Freitag"
    assert "Kommt um 7." in smtp.text(by_address["de0@example.org"])
    russian = by_address["ru0@example.org"]  # no Russian translation: the mailing as written
    assert russian["Subject"] == "Meeting on Friday"
    body = smtp.text(russian)
    assert "<b>Bring friends</b> & tea." in body  # plain text, as typed
    assert "<img" not in body and "html" not in russian.get_content_type()
    assert russian["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert unsubscribe_path(russian) in body.replace("http://testserver", "")
    assert "example.org" not in russian["List-Unsubscribe"]
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.SENT
    assert 'Sent</dt><dd class="sent">2<' in page(viewer, mailing).replace("\n", "")
    audit = AuditEntry.objects.get(action="contacts.mailing")
    assert audit.data["rows"] == 2 and "example.org" not in str(audit.data)


def test_a_test_goes_to_yourself_only(viewer, statement, smtp):
    contactable(statement, 3, prefix="signer")
    mailing = new_mailing(viewer, statement)
    response = act(viewer, mailing, action="test", language="en")
    assert response.status_code == 302
    run_worker()
    assert [m["X-Envelope-To"] for m in smtp.messages] == ["viewer@example.org"]
    message = smtp.messages[0]
    assert message["Subject"] == "[Test] Meeting on Friday"
    assert message["List-Unsubscribe"] is None
    assert "This is a test." in smtp.text(message)
    mailing.refresh_from_db()
    assert mailing.status == Mailing.Status.DRAFT and not Recipient.objects.exists()


def test_unsubscribing_asks_on_get_and_takes_a_post_without_cookies(viewer, statement, smtp):
    ids = contactable(statement, 2, prefix="u")
    mailing = new_mailing(viewer, statement)
    act(viewer, mailing, action="send")
    run_worker()
    message = next(m for m in smtp.messages if m["X-Envelope-To"] == "u0@example.org")
    path = unsubscribe_path(message)
    browser = Client(enforce_csrf_checks=True)
    response = browser.get(path)
    assert response.status_code == 200
    assert "Send me no more mails" in response.content.decode()
    assert Signature.objects.get(pk=ids[0]).contact_consent_version == "v1"  # GET: nothing
    response = browser.post(path)  # the button, no JavaScript, no CSRF cookie
    assert response.status_code == 302
    assert "You will get no more mails" in browser.get(path).content.decode()
    signature = Signature.objects.get(pk=ids[0])
    assert signature.contact_consent_version == "" and signature.status == "confirmed"
    # The dashboard's count of those who agreed moved with it; the counter did not.
    agreed = SignatureTally.objects.filter(statement=statement, dimension="contact_consent")
    assert sum(agreed.values_list("count", flat=True)) == 1
    assert sum(SignatureCount.objects.values_list("count", flat=True)) == 2
    assert Unsubscription.objects.get().way == "page"
    assert not AuditEntry.objects.filter(action__startswith="mailing.unsub").exists()
    assert browser.post("/unsubscribe/" + "x" * 22 + ".deadbeef").status_code == 404


def test_a_sealed_statement_says_so_and_shows_the_command(viewer, statement):
    _private, public = contacts.new_key_pair()
    statement.sealing_key = SealingKey.objects.create(name="team key", public_key=public)
    statement.save()
    confirmed(Client(), statement, contact_consent="on")
    mailing = new_mailing(viewer, statement)
    text = page(viewer, mailing)
    assert "the server cannot send this mailing" in text
    assert "undersign mailing send contacts.csv --key KEYFILE" in text
    assert "1 of them has sealed contacts" in text
    assert "Send to" not in text  # no button that would pretend
    response = act(viewer, mailing, action="send")
    assert response.status_code == 302
    assert Mailing.objects.get().status == Mailing.Status.DRAFT


@pytest.mark.django_db(transaction=True)
def test_the_cli_sends_a_sealed_export_from_the_organisers_computer(
    statement, smtp, tmp_path, contacts_viewer
):
    private, public = contacts.new_key_pair()
    statement.sealing_key = SealingKey.objects.create(name="team key", public_key=public)
    statement.save()
    client = Client()
    for i, language in enumerate(["de", "en"]):
        signed = confirmed(client, statement, email=f"sealed{i}@example.org", contact_consent="on")
        Signature.objects.filter(pk=signed.pk).update(language=language)
    confirmed(client, statement, email="silent@example.org")  # did not agree
    env = database_env(tmp_path)
    export = tmp_path / "contacts.csv"
    subprocess.run(
        [
            str(UNDERSIGN),
            "contacts",
            "export",
            statement.slug,
            str(export),
            "--as",
            "contacts_viewer",
        ],
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert "sealed@example.org" not in export.read_text()
    key = tmp_path / "key.txt"
    key.write_text(private + "\n")
    body = tmp_path / "mail.txt"
    body.write_text("We meet on Friday.\n", encoding="utf-8")
    body_de = tmp_path / "mail.de.txt"
    body_de.write_text("Wir treffen uns am Freitag.\n", encoding="utf-8")
    home = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
    }
    home.update(
        UNDERSIGN_DATA=str(tmp_path / "organiser-laptop"),  # no database there
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        UNDERSIGN_URL="http://testserver",
    )
    command = [
        str(UNDERSIGN), "mailing", "send", str(export), "--key", str(key),
        "--subject", "Friday", "--body-file", str(body), "--language", "en",
        "--translation", "de", "Freitag", str(body_de), "--rate", "50",
    ]  # fmt: skip
    local = {**home, "UNDERSIGN_URL": "http://127.0.0.1:8000"}
    refused = subprocess.run(command, env=local, capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "Set UNDERSIGN_URL" in refused.stderr
    assert smtp.messages == []
    out = subprocess.run(command, env=home, check=True, capture_output=True, text=True, timeout=120)
    assert "2 sent" in out.stdout and "@" not in out.stdout + out.stderr
    received = {m["X-Envelope-To"]: m for m in smtp.messages}
    assert set(received) == {"sealed0@example.org", "sealed1@example.org"}
    assert received["sealed0@example.org"]["Subject"] == "Freitag"  # signed in German
    assert "Wir treffen uns" in smtp.text(received["sealed0@example.org"])
    assert received["sealed1@example.org"]["Subject"] == "Friday"
    for message in received.values():
        assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # Run again (stopped halfway, say): nobody twice.
    again = subprocess.run(command, env=home, check=True, capture_output=True, text=True)
    assert "0 sent, 2 sent before" in again.stdout
    assert all(m["Message-ID"].endswith("@testserver>") for m in received.values())
    assert len(smtp.messages) == 2
    # Each link opens the page in the signer's language.
    assert unsubscribe_path(received["sealed0@example.org"]).endswith("?lang=de")
    assert unsubscribe_path(received["sealed1@example.org"]).endswith("?lang=en")
    # One click from the mail program: the server finds the sealed signer without the address.
    path = unsubscribe_path(received["sealed1@example.org"])
    response = Client().post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    agreeing = Signature.objects.exclude(contact_consent_version="")
    assert agreeing.count() == 1
    # Opened again later, the link still knows them.
    assert "You will get no more mails" in Client().get(path).content.decode()


def _worker(env) -> subprocess.Popen:
    return subprocess.Popen(
        [str(UNDERSIGN), "worker", "--interval", "0.2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


@pytest.mark.django_db(transaction=True)
def test_2000_filtered_signers_each_mailed_once_through_a_killed_worker(
    statement, smtp, tmp_path, contacts_viewer
):
    wanted = contactable(statement, 2000, prefix="koeln", city="Köln")
    contactable(statement, 50, prefix="berlin", city="Berlin")
    contacts_viewer.email = "viewer@example.org"
    contacts_viewer.save()
    client = Client()
    client.force_login(contacts_viewer)
    mailing = new_mailing(client, statement, city="Köln", body="Friday, 7 pm.")
    assert "2000 signers under this filter agreed" in page(client, mailing)
    assert act(client, mailing, action="send").status_code == 302
    assert Recipient.objects.filter(mailing=mailing).count() == 2000

    env = database_env(tmp_path)
    env.update(
        SECRET_KEY=settings.SECRET_KEY,  # the links must open on this test's server
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        UNDERSIGN_URL="http://testserver",
        UNDERSIGN_MAILING_RATE="1000",
        UNDERSIGN_MAILING_LEASE_SECONDS="1",
        UNDERSIGN_MAILING_SLICE_SECONDS="5",
    )
    started = time.monotonic()
    worker = _worker(env)
    first_mail = 0.0
    try:
        while len(smtp.messages) < 1000:
            assert time.monotonic() - started < 120, "the worker sends"
            if not first_mail and smtp.messages:
                first_mail = time.monotonic()
            time.sleep(0.01)
        os.killpg(worker.pid, signal.SIGKILL)  # halfway: no goodbye
        worker.wait()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
    killed = time.monotonic()
    at_kill = len(smtp.messages)
    time.sleep(1.5)  # the dead worker's lease runs out
    restarted = time.monotonic()
    worker = _worker(env)
    try:
        while Mailing.objects.get(pk=mailing.pk).status != Mailing.Status.SENT:
            assert time.monotonic() - restarted < 120, "the restarted worker finishes"
            time.sleep(0.05)
        second_run = time.monotonic() - restarted
        time.sleep(1)  # anything sent twice would arrive now
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)

    mailed = Counter(m["X-Envelope-To"] for m in smtp.messages)
    in_doubt = set(
        Recipient.objects.filter(mailing=mailing, state=Recipient.State.IN_DOUBT).values_list(
            "signature_id", flat=True
        )
    )
    addresses = dict(zip(wanted, (f"koeln{i}@example.org" for i in range(2000)), strict=True))
    doubtful_mailed = sum(mailed[addresses[pk]] for pk in in_doubt)
    print(
        f"\n2000 mails: {at_kill} before the kill, {(at_kill - 1) / (killed - first_mail):.0f} "
        f"mails/s from the first mail on; the rest {second_run:.1f} s after the restart "
        f"(the worker's start included); in doubt: {len(in_doubt)} (of them mailed: "
        f"{doubtful_mailed})"
    )
    assert max(mailed.values()) == 1, "nobody twice"
    assert not any(a.startswith("berlin") for a in mailed), "the filter held"
    assert len(in_doubt) <= 1, "at most the one mail in hand when the worker died"
    for pk, address in addresses.items():
        if pk not in in_doubt:
            assert mailed[address] == 1, address
    progress = services.progress(mailing)
    assert progress.sent + progress.in_doubt == 2000 and progress.left == 0
    assert progress.sent == sum(1 for a in mailed if a.startswith("koeln")) - len(
        in_doubt & {pk for pk, a in addresses.items() if mailed[a]}
    )

    # Every mail's one-click unsubscribe works: the mail program POSTs, no cookie, no token.
    mail_client = Client(enforce_csrf_checks=True)
    for message in smtp.messages:
        response = mail_client.post(
            unsubscribe_path(message),
            "List-Unsubscribe=One-Click",
            content_type="application/x-www-form-urlencoded",
        )
        assert response.status_code == 200
    assert (
        not Signature.objects.filter(pk__in=wanted)
        .exclude(contact_consent_version="")
        .filter(pk__in=[pk for pk, a in addresses.items() if mailed[a]])
        .exists()
    )
    assert Unsubscription.objects.filter(way="one_click").count() == len(smtp.messages)
    # … and they get no next mailing.
    next_one = new_mailing(client, statement, city="Köln", subject="Next")
    left = 2000 - len(smtp.messages)
    assert f"{left} signer" in page(client, next_one)
    if left == 0:
        act(client, next_one, action="send")
        assert Mailing.objects.get(pk=next_one.pk).status == Mailing.Status.DRAFT


def test_nobody_unsubscribed_or_withdrawn_meanwhile_gets_it(viewer, statement, smtp):
    ids = contactable(statement, 3, prefix="m")
    mailing = new_mailing(viewer, statement)
    act(viewer, mailing, action="send")
    services.unsubscribe(Signature.objects.get(pk=ids[1]), way="page")
    run_worker()
    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == [
        "m0@example.org",
        "m2@example.org",
    ]
    assert services.progress(mailing).skipped == 1


def test_a_worker_that_died_leaves_its_mail_in_doubt_and_sends_nobody_twice(
    viewer, statement, smtp, settings
):
    ids = contactable(statement, 3, prefix="d")
    mailing = new_mailing(viewer, statement)
    act(viewer, mailing, action="send")
    # A worker took the lease and claimed the first recipient, then died.
    assert services.take_lease(mailing.pk, "dead-worker")
    claimed = services.claim_next(mailing.pk, "dead-worker")
    assert claimed is not None and claimed.signature_id == ids[0]
    Mailing.objects.filter(pk=mailing.pk).update(lease_until=None)  # its lease ran out
    run_worker()
    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == [
        "d1@example.org",
        "d2@example.org",
    ]
    progress = services.progress(mailing)
    assert (progress.sent, progress.in_doubt, progress.left) == (2, 1, 0)
    assert "Not known whether sent" in page(viewer, mailing)
    # Only the organiser's explicit choice sends those again.
    assert act(viewer, mailing, action="retry").status_code == 302
    run_worker()
    assert sorted(m["X-Envelope-To"] for m in smtp.messages)[0] == "d0@example.org"
    assert len(smtp.messages) == 3
    assert AuditEntry.objects.filter(action="mailing.retry_in_doubt").exists()
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT


def test_the_progress_page_reloads_while_sending(viewer, statement):
    contactable(statement, 2, prefix="p")
    mailing = new_mailing(viewer, statement)
    act(viewer, mailing, action="send")
    text = page(viewer, mailing)
    assert '<meta http-equiv="refresh" content="5">' in text
    assert 'class="left">2<' in text
    # Someone reading slowly turns the reloading off (WCAG 2.2.1) and back on.
    url = f"/workspace/s/{statement.slug}/mailings/{mailing.pk}/"
    still = viewer.get(url + "?still=1").content.decode()
    assert "http-equiv" not in still and 'class="left">2<' in still
    assert "Reload it every few seconds" in still


def test_only_contacts_viewers_send(client, statement, owner, editor):
    for user in (owner, editor):
        client.force_login(user)
        assert client.get(f"/workspace/s/{statement.slug}/mailings/").status_code == 404


@pytest.mark.parametrize(
    ("language", "heading"),
    [("ru", "Рассылки"), ("uk", "Розсилки"), ("de", "Versände"), ("en", "Mailings")],
)
def test_the_mailing_pages_speak_the_organisers_language(viewer, statement, language, heading):
    contactable(statement, 1, prefix="x")
    mailing = new_mailing(viewer, statement)
    url = f"/workspace/s/{statement.slug}/mailings/"
    for address in (url, f"{url}{mailing.pk}/"):
        response = viewer.get(address, headers={"accept-language": language})
        assert heading in response.content.decode()


def test_the_unsubscribe_page_speaks_the_signers_language(statement):
    (pk,) = contactable(statement, 1, prefix="de", language="de")
    token = services.unsubscribe_token(Signature.objects.get(pk=pk))
    response = Client().get(f"/unsubscribe/{token}")
    assert "Keine Mails mehr von den Organisatoren?" in response.content.decode()
    assert "de0@example.org" not in response.content.decode()


def test_made_up_tokens_are_refused_after_a_few(statement):
    (pk,) = contactable(statement, 1, prefix="t")
    real = services.unsubscribe_token(Signature.objects.get(pk=pk))
    client = Client()
    answers = [client.post(f"/unsubscribe/s.{i:040x}").status_code for i in range(21)]
    assert answers[:20] == [404] * 20 and answers[20] == 429
    assert client.get(f"/unsubscribe/{real}").status_code == 429  # that client waits
    assert Client(REMOTE_ADDR="10.0.0.9").post(f"/unsubscribe/{real}").status_code == 302


def test_it_keeps_to_the_rate(viewer, statement, smtp, settings):
    settings.MAILING_RATE = 20
    contactable(statement, 10, prefix="r")
    mailing = new_mailing(viewer, statement)
    act(viewer, mailing, action="send")
    started = time.monotonic()
    run_worker()
    assert len(smtp.messages) == 10
    assert time.monotonic() - started >= 0.45  # 10 mails at 20 a second


def test_a_slice_that_failed_with_a_mail_in_hand_leaves_it_in_doubt(viewer, statement, smtp):
    contactable(statement, 2, prefix="f")
    mailing = new_mailing(viewer, statement)
    act(viewer, mailing, action="send")
    # A slice of chain R claimed a recipient, then failed before marking it (a lost
    # database, say); the job runs again with the same chain's name.
    assert services.take_lease(mailing.pk, "R")
    assert services.claim_next(mailing.pk, "R") is not None
    assert send_mailing.call(mailing.pk, "R") == "done"
    assert [m["X-Envelope-To"] for m in smtp.messages] == ["f1@example.org"]
    progress = services.progress(mailing)
    assert (progress.sent, progress.in_doubt, progress.left) == (1, 1, 0)


class Refusing(Inbox):
    """A mail server that refuses one address for good."""

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.startswith("r1@"):
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"


def test_an_address_the_server_refuses_counts_as_failed(viewer, statement, settings):
    port = free_port()
    inbox = Refusing(port=port)
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    try:
        contactable(statement, 3, prefix="r")
        mailing = new_mailing(viewer, statement)
        act(viewer, mailing, action="send")
        run_worker()
    finally:
        controller.stop()
    assert sorted(m["X-Envelope-To"] for m in inbox.messages) == [
        "r0@example.org",
        "r2@example.org",
    ]
    assert 'class="failed">1<' in page(viewer, mailing)
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT


def test_without_a_mail_server_the_mails_go_where_the_site_prints_them(
    viewer, statement, mailoutbox
):
    contactable(statement, 2, prefix="o")
    mailing = new_mailing(viewer, statement)
    act(viewer, mailing, action="send")
    run_worker()
    assert sorted(m.to[0] for m in mailoutbox) == ["o0@example.org", "o1@example.org"]
    assert services.progress(mailing).sent == 2


def test_a_worker_dying_before_the_final_dot_sends_nothing_and_leaves_it_waiting(
    viewer, statement, smtp
):
    (pk,) = contactable(statement, 1, prefix="dot")
    mailing = new_mailing(viewer, statement, body="First line.\n.a line with a dot\n.")
    act(viewer, mailing, action="send")
    assert services.take_lease(mailing.pk, "R")
    recipient = services.next_waiting(mailing.pk)
    _state, _language, message = tasks._prepare(mailing, recipient, {})
    connection = get_connection()
    connection.open()

    class Died(Exception):
        pass

    def die() -> bool:
        raise Died  # the worker dies where it would claim the recipient

    with pytest.raises(Died):
        tasks._deliver(connection, message, die)
    connection.connection.sock.close()  # and its socket goes with it
    time.sleep(0.2)
    assert smtp.messages == []  # the server threw the unfinished mail away
    assert Recipient.objects.get(signature_id=pk).state == Recipient.State.WAITING
    Mailing.objects.filter(pk=mailing.pk).update(lease_until=None)
    run_worker()
    (mail,) = smtp.messages
    assert "First line.\n.a line with a dot\n." in smtp.text(mail).replace("\r\n", "\n")
    assert services.progress(mailing).sent == 1


def test_a_paused_mailing_sends_nobody_until_it_is_resumed(viewer, statement, smtp, owner):
    contactable(statement, 4, prefix="pa")
    mailing = new_mailing(viewer, statement)
    act(viewer, mailing, action="send")
    assert 'value="pause"' in page(viewer, mailing)
    assert act(viewer, mailing, action="pause").status_code == 302
    run_worker()
    assert smtp.messages == []
    text = page(viewer, mailing)
    assert "Paused: 4 signers have not been sent it" in text
    assert '<meta http-equiv="refresh"' not in text and 'value="resume"' in text
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.PAUSED
    entry = AuditEntry.objects.get(action="mailing.pause")
    assert entry.data == {"mailing": mailing.pk, "left": 4}
    assert act(viewer, mailing, action="pause").status_code == 302  # twice: said, no change
    assert AuditEntry.objects.filter(action="mailing.pause").count() == 1
    assert act(viewer, mailing, action="resume").status_code == 302
    run_worker()
    assert sorted(m["X-Envelope-To"] for m in smtp.messages) == [
        f"pa{i}@example.org" for i in range(4)
    ]
    assert Mailing.objects.get(pk=mailing.pk).status == Mailing.Status.SENT
    assert AuditEntry.objects.filter(action="mailing.resume").count() == 1
    owner_view = Client()
    owner_view.force_login(owner)
    log = owner_view.get("/workspace/audit/").content.decode()
    assert "paused a mailing" in log and "resumed a mailing" in log


def test_a_pause_stops_a_worker_between_its_mails(viewer, statement, smtp):
    contactable(statement, 3, prefix="pb")
    mailing = new_mailing(viewer, statement)
    act(viewer, mailing, action="send")
    # A worker took the lease and picked its next recipient; the organiser pauses now.
    assert services.take_lease(mailing.pk, "R")
    recipient = services.next_waiting(mailing.pk)
    assert recipient is not None
    services.pause_mailing(mailing, actor=None)
    assert not services.claim(recipient, "R")  # the claim asks the mailing's state
    assert services.next_waiting(mailing.pk) is None
    assert send_mailing.call(mailing.pk, "R") == "busy"  # its next slice lets go
    assert Mailing.objects.get(pk=mailing.pk).lease_until is None
    assert smtp.messages == []
    assert services.progress(mailing).left == 3


@pytest.mark.django_db(transaction=True)
def test_the_worker_stops_at_a_pause_and_goes_on_after_resume(
    statement, smtp, tmp_path, contacts_viewer
):
    contactable(statement, 300, prefix="w")
    contacts_viewer.email = "viewer@example.org"
    contacts_viewer.save()
    client = Client()
    client.force_login(contacts_viewer)
    mailing = new_mailing(client, statement)
    act(client, mailing, action="send")
    env = database_env(tmp_path)
    env.update(
        SECRET_KEY=settings.SECRET_KEY,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp.port}",
        UNDERSIGN_URL="http://testserver",
        UNDERSIGN_MAILING_RATE="50",
    )
    worker = _worker(env)
    try:
        started = time.monotonic()
        while len(smtp.messages) < 20:
            assert time.monotonic() - started < 60, "the worker sends"
            time.sleep(0.01)
        assert act(client, mailing, action="pause").status_code == 302
        at_pause = len(smtp.messages)
        time.sleep(1.5)  # at 50 a second, 75 more would have gone
        after = len(smtp.messages)
        assert after - at_pause <= 1, "at most the mail already in hand"
        progress = services.progress(mailing)
        assert progress.sent == after and progress.left == 300 - after
        assert "Paused:" in page(client, mailing)
        assert act(client, mailing, action="resume").status_code == 302
        while Mailing.objects.get(pk=mailing.pk).status != Mailing.Status.SENT:
            assert time.monotonic() - started < 120, "the worker finishes after the resume"
            time.sleep(0.05)
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
    mailed = Counter(m["X-Envelope-To"] for m in smtp.messages)
    assert len(mailed) == 300 and max(mailed.values()) == 1
    actions = list(
        AuditEntry.objects.filter(action__startswith="mailing.").values_list("action", flat=True)
    )
    assert "mailing.pause" in actions and "mailing.resume" in actions


def test_a_mail_whose_claim_is_refused_is_dropped_at_once(viewer, statement, smtp):
    """A pause (or another worker) can refuse the claim while the mail waits for its final
    dot: the mail is dropped with the connection, without a QUIT the server would take for
    more of the mail (and the worker waiting for an answer that never comes)."""
    contactable(statement, 1, prefix="q")
    mailing = new_mailing(viewer, statement)
    act(viewer, mailing, action="send")
    recipient = services.next_waiting(mailing.pk)
    _state, _language, message = tasks._prepare(mailing, recipient, {})
    connection = get_connection()
    connection.open()
    outcome: list[object] = []

    def deliver() -> None:
        try:
            tasks._deliver(connection, message, lambda: False)
        except tasks._NotClaimed as refused:
            outcome.append(refused)
        finally:
            connection.close()

    worker = threading.Thread(target=deliver, daemon=True)
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), "the worker hangs on a connection left in DATA"
    assert outcome and smtp.messages == []
    assert Recipient.objects.get().state == Recipient.State.WAITING
