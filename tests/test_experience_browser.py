"""The signer's experience in a real browser (the system Chromium, JavaScript off, a 390 px
phone, in Russian and Ukrainian): the "Sign" link reaches the form, switching language after
an error keeps what was typed, focus lands on the error summary, and the confirmed page
offers sharing by plain links."""

import os
import re
from urllib.parse import quote, urlencode

import pytest
from playwright.sync_api import Page, expect

from tests.browser import ARTIFACTS, assert_accessible, press
from undersign.signatures import services as signing
from undersign.signatures.models import Signature
from undersign.signatures.text import link_token
from undersign.statements.models import Statement
from undersign.statements.services import edit_statement, publish_changes, set_translation

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
RU = {
    "title": "Открытое письмо о политических заключённых",
    "preamble": (
        "Мы, нижеподписавшиеся, граждане разных стран, обращаемся к правительствам, "
        "в чьих руках судьба людей, преследуемых за свои слова. Мы просим о простых вещах."
    ),
    "clauses": [
        "Освободить всех, кто осуждён за мирный протест, слово или пост в сети.",
        "Выдавать гуманитарные визы тем, кому грозит преследование, без многомесячных очередей.",
        "Прекратить выдачу людей странам, где им грозят пытки или несправедливый суд.",
        "Признавать документы тех, кто не может их продлить в консульстве своей страны.",
        "Открыть банковские счета людям без местной прописки и без справок из дома.",
        "Не передавать данные беженцев властям страны, откуда они бежали.",
        "Дать адвокатам доступ ко всем задержанным в первые сутки.",
        "Публиковать раз в год, сколько запросов о выдаче получено и сколько исполнено.",
    ],
}
UK = {
    "title": "Відкритий лист про політичних в’язнів",
    "preamble": "Ми, що нижче підписалися, просимо про прості речі.",
    "clauses": [f"Пункт {n}: звільнити, дати візи, не видавати." for n in range(1, 9)],
}
EN_CLAUSES = [f"Clause {n}: release, give visas, stop extraditions." for n in range(1, 9)]


@pytest.fixture
def site(transactional_db, live_server, statement, settings) -> str:
    settings.SITE_URL = live_server.url
    edit_statement(
        statement,
        title=statement.title,
        preamble=statement.preamble,
        postscript=statement.postscript,
        clauses=dict(enumerate(EN_CLAUSES, 1)),
    )
    publish_changes(statement)
    for language, text in (("ru", RU), ("uk", UK)):
        set_translation(
            statement,
            language=language,
            title=text["title"],
            preamble=text["preamble"],
            clauses=dict(enumerate(text["clauses"], 1)),
        )
        publish_changes(statement)
    Statement.objects.filter(pk=statement.pk).update(goal=1000)
    return live_server.url


def phone(new_page, language: str) -> Page:
    page = new_page(js=False)
    page.set_viewport_size(PHONE)
    page.context.set_extra_http_headers({"Accept-Language": language})
    return page


# What each language calls things, as the tests look for them.
WORDS = {
    "ru": {
        "sign": "Подписать",
        "sign statement": "Подписать заявление",
        "language": "Русский",
        "name": "Ваше имя",
        "email": "Электронная почта",
        "city": "Город",
        "consent": "Я даю согласие",
        "check mail": "Проверьте почту",
        "again": "Отправить ссылку ещё раз",
        "your email": "Ваш адрес электронной почты",
        "confirm": "Подтвердить подпись",
        "thanks": "Спасибо — ваша подпись учтена",
        "invitation": "Я подписываю «{title}». Подпишите и вы:",
    },
    "uk": {
        "sign": "Підписати",
        "sign statement": "Підписати заяву",
        "language": "Українська",
        "name": "Ваше ім’я",
        "email": "Електронна пошта",
        "city": "Місто",
        "consent": "Я погоджуюся",
        "check mail": "Перевірте пошту",
        "again": "Надіслати посилання ще раз",
        "your email": "Ваша адреса електронної пошти",
        "confirm": "Підтвердити підпис",
        "thanks": "Дякуємо — ваш підпис враховано",
        "invitation": "Я підписую «{title}». Підпишіть і ви:",
    },
}
TITLES = {"ru": RU["title"], "uk": UK["title"]}
OTHER = {"ru": "uk", "uk": "ru"}


def label(page: Page, text: str):
    """The field labelled `text` (an optional field's label goes on with "optional")."""
    return page.get_by_label(re.compile(f"^{text}(\\s|$)"))


@pytest.mark.parametrize("language", ["ru", "uk"])
def test_the_sign_link_reaches_the_form(new_page, site, language):
    words = WORDS[language]
    page = phone(new_page, language)
    page.goto(f"{site}/s/letter/")
    form = page.get_by_role("heading", name=words["sign statement"], level=2)
    expect(form).not_to_be_in_viewport()  # screens away, under the whole text
    top = page.locator("article").get_by_role("link", name=words["sign"], exact=True)
    expect(top).to_be_in_viewport()  # right under the title
    top.click()
    assert page.url.endswith("#sign")
    expect(form).to_be_in_viewport()
    expect(label(page, words["name"])).to_be_in_viewport()

    page.goto(f"{site}/s/letter/")
    end = page.locator(".reading > .to-sign").get_by_role("link")
    end.scroll_into_view_if_needed()  # after the text
    expect(end).to_have_text(words["sign statement"])
    end.click()
    expect(form).to_be_in_viewport()


@pytest.mark.parametrize("language", ["ru", "uk"])
def test_switching_language_after_an_error_keeps_the_input(new_page, site, language):
    words, other = WORDS[language], WORDS[OTHER[language]]
    page = phone(new_page, language)
    page.goto(f"{site}/s/letter/")
    label(page, words["name"]).fill("Олена Коваль")
    label(page, words["email"]).fill("olena@example.org")
    label(page, words["city"]).fill("Харків")
    press(page, words["sign"])  # the consent is missing

    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()  # autofocus: no JavaScript needed
    expect(summary).to_be_in_viewport()
    consent = page.get_by_role("checkbox", name=re.compile("^" + words["consent"]))
    summary.get_by_role("link").click()  # each mistake links to its field
    assert page.url.endswith("#id_consent")
    expect(consent).to_be_in_viewport()

    press(page, other["language"])  # the header's switcher, on the page answering the post
    expect(page.locator("html")).to_have_attribute("lang", OTHER[language])
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLES[OTHER[language]])
    expect(label(page, other["name"])).to_have_value("Олена Коваль")
    expect(label(page, other["email"])).to_have_value("olena@example.org")
    expect(label(page, other["city"])).to_have_value("Харків")
    expect(page.locator("#form-errors")).to_be_focused()  # the mistake, now in this language

    page.get_by_role("checkbox", name=re.compile("^" + other["consent"])).check()
    press(page, other["sign"])
    expect(page.get_by_role("heading", name=other["check mail"])).to_be_visible()
    assert Signature.objects.get().language == OTHER[language]

    # "Send the link again" answers on the same page, whatever the address.
    label(page, other["your email"]).fill("olena@example.org")
    press(page, other["again"])
    expect(page.locator(".again .sent")).to_be_visible()
    assert page.url.endswith("/s/letter/check-mail?again=1#again")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"experience-check-mail-{OTHER[language]}-390.png")


@pytest.mark.parametrize("language", ["ru", "uk"])
def test_the_confirmed_page_offers_sharing_by_plain_links(new_page, site, language):
    words = WORDS[language]
    signing.add_signature(
        Statement.objects.get(slug="letter"),
        signing.SignatureInput(
            name="Олена", display="full", email="olena@example.org", language=language
        ),
    )
    ref = Signature.objects.get().ref
    page = phone(new_page, language)
    elsewhere: list[str] = []
    page.on("request", lambda r: None if r.url.startswith(site) else elsewhere.append(r.url))
    page.goto(f"{site}/confirm/{ref}/{link_token(ref, 'confirm')}/?lang={language}&s=letter")
    press(page, words["confirm"])
    expect(page.get_by_role("heading", name=words["thanks"])).to_be_visible()

    address = f"{site}/s/letter/?lang={language}"
    invitation = words["invitation"].format(title=TITLES[language])
    share = page.locator(".share-links")
    telegram = share.get_by_role("link", name="Telegram").get_attribute("href")
    assert telegram == "https://t.me/share/url?" + urlencode(
        {"url": address, "text": invitation}, quote_via=quote
    )
    whatsapp = share.get_by_role("link", name="WhatsApp").get_attribute("href")
    assert whatsapp == "https://wa.me/?text=" + quote(f"{invitation} {address}", safe="")
    mail = share.locator('a[href^="mailto:"]').get_attribute("href")
    assert mail is not None and mail.startswith("mailto:?subject=" + quote(TITLES[language]))
    for link in share.get_by_role("link").all():
        assert "noreferrer" in (link.get_attribute("rel") or "")
    copy = page.locator("#share-address")
    expect(copy).to_have_value(address)
    expect(copy).to_have_attribute("readonly", "")
    expect(page.locator("#share-address-help")).to_contain_text("Signal")
    copy.select_text()  # a reader can select it all to copy, without any script of ours
    assert page.evaluate("document.getSelection().toString() || ''") in ("", address)
    assert elsewhere == []  # the page loaded nothing from another server
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=ARTIFACTS / f"experience-confirmed-{language}-390.png", full_page=True)


def test_the_print_layout_stays_one_column_without_sign_links(new_page, site):
    page = new_page(js=False)
    page.set_viewport_size(DESKTOP)
    page.goto(f"{site}/s/letter/")
    text, form = page.locator(".statement"), page.locator(".sign")
    # On a wide screen the form stands beside the text...
    assert form.bounding_box()["x"] > text.bounding_box()["x"] + 400  # type: ignore[index]
    page.emulate_media(media="print")
    expect(form).to_be_hidden()
    expect(page.locator(".to-sign").first).to_be_hidden()
    expect(page.locator(".to-sign").last).to_be_hidden()
    display = page.locator(".statement-page").evaluate("e => getComputedStyle(e).display")
    assert display == "block"


def test_the_new_pages_pass_axe(new_page, site):
    page = new_page(js=True)  # axe runs as a script in the page
    page.set_viewport_size(DESKTOP)
    page.goto(f"{site}/s/letter/?lang=ru")
    assert_accessible(page, "the statement page beside its form, 1280 px")
    page.set_viewport_size(PHONE)
    press(page, WORDS["ru"]["sign"])
    expect(page.locator("#form-errors")).to_be_visible()
    assert_accessible(page, "the form with its error summary")
    page.goto(f"{site}/s/letter/check-mail?lang=uk")
    assert_accessible(page, "the check-mail page with its form")
    page.goto(f"{site}/confirm/nothing/{'0' * 40}/?lang=ru&s=letter")
    assert_accessible(page, "the page of a dead link")
    signing.add_signature(
        Statement.objects.get(slug="letter"),
        signing.SignatureInput(name="Олена", display="full", email="o@example.org", language="uk"),
    )
    ref = Signature.objects.get().ref
    page.goto(f"{site}/confirm/{ref}/{link_token(ref, 'confirm')}/?lang=uk")
    press(page, WORDS["uk"]["confirm"])
    assert_accessible(page, "the confirmed page with its share links")


def test_it_screenshots_the_statement_page_on_a_phone_and_a_desktop(new_page, site):
    """Kept as test-artifacts/experience-statement-ru-{390,1280}{suffix}.png, to look at."""
    suffix = os.environ.get("SCREENSHOT_SUFFIX", "")
    ARTIFACTS.mkdir(exist_ok=True)
    page = phone(new_page, "ru")
    page.goto(f"{site}/s/letter/")
    page.screenshot(path=ARTIFACTS / f"experience-statement-ru-390{suffix}.png", full_page=True)
    page.screenshot(path=ARTIFACTS / f"experience-statement-ru-390-first{suffix}.png")
    page.set_viewport_size(DESKTOP)
    page.goto(f"{site}/s/letter/")
    page.screenshot(path=ARTIFACTS / f"experience-statement-ru-1280{suffix}.png", full_page=True)
    page.screenshot(path=ARTIFACTS / f"experience-statement-ru-1280-first{suffix}.png")
    expect(page.get_by_role("heading", level=1)).to_have_text(RU["title"])
