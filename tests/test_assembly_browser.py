"""A small assembly in a real browser with JavaScript off, in Russian: a participant opens
the card's link, signs in with the button, marks a text and its clauses, changes their mind,
proposes an amendment, follows the results link; the projector shows the room's tallies."""

import re

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import expect

from tests.assemblies import clause_ids, codes_for, make_assembly
from tests.browser import assert_accessible, press
from undersign.assemblies import services
from undersign.assemblies.models import Amendment, ClausePosition, TextPosition
from undersign.assemblies.results import projector_key
from undersign.organisers.services import create_team

pytestmark = pytest.mark.browser


@pytest.fixture
def room(transactional_db, live_server):
    # Not the `team` fixture: it holds the `db` fixture's transaction (and on SQLite the
    # write lock) that the live server's thread would wait for.
    owner = User.objects.create_user("organiser", password="a long passphrase")
    team = create_team("Forum team", owner=owner, actor=owner)
    assembly = make_assembly(team, actor=owner)
    return {
        "site": live_server.url,
        "assembly": assembly,
        "codes": codes_for(assembly, 3),
        "owner": owner,
    }


def test_a_participant_votes_in_russian_without_javascript(new_page, room):
    site, assembly, code, owner = room["site"], room["assembly"], room["codes"][0], room["owner"]
    page = new_page(js=False)
    page.goto(f"{site}/a/cologne/in/{code}")
    press(page, "Русский")
    expect(page.get_by_text("Проверьте, что это код с вашей карточки")).to_be_visible()
    expect(page.get_by_text(code)).to_be_visible()
    press(page, "Войти")
    expect(page).to_have_url(f"{site}/a/cologne/")
    expect(page.get_by_text("Голосование открыто.")).to_be_visible()
    expect(page.get_by_text("Ваши позиции тайные")).to_be_visible()

    page.get_by_role("link", name="Проект А: о политзаключённых").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Проект А: о политзаключённых")
    first, second, third = clause_ids(assembly, "draft-a")
    page.locator(f'input[name="clause-{first}"][value="agree"]').check()
    page.locator(f'input[name="clause-{second}"][value="disagree"]').check()
    page.locator(f'input[name="clause-{third}"][value="pass"]').check()
    page.get_by_role("radio", name="За", exact=True).check()
    press(page, "Сохранить мои позиции")
    expect(page.get_by_role("status")).to_contain_text("Ваши позиции сохранены")
    assert TextPosition.objects.get().value == "support"

    # A change of mind: the page shows the earlier marks, and the new ones replace them.
    expect(page.locator(f'input[name="clause-{second}"][value="disagree"]')).to_be_checked()
    page.locator(f'input[name="clause-{second}"][value="agree"]').check()
    page.get_by_role("radio", name="Против", exact=True).check()
    press(page, "Сохранить мои позиции")
    expect(page.get_by_role("status")).to_contain_text("Ваши позиции сохранены")
    assert TextPosition.objects.get().value == "oppose"
    assert ClausePosition.objects.get(clause_id=second).value == "agree"

    page.get_by_role("link", name="Предложить поправку").nth(2).click()
    page.get_by_label("Ваша формулировка").fill("Прекратить выдачи немедленно.")
    page.get_by_label("Почему").fill("Точнее.")
    press(page, "Предложить")
    expect(page.get_by_role("status")).to_contain_text("Ваша поправка предложена")
    assert Amendment.objects.get().language == "ru"

    page.get_by_role("link", name="Итоги").click()
    expect(page.get_by_text("Итоги появятся здесь после закрытия голосования.")).to_be_visible()

    services.close_voting(assembly, actor=owner)
    page.reload()
    expect(page.get_by_role("heading", name=re.compile("Forum in Cologne"))).to_be_visible()

    screen = new_page(js=False)
    # The projector's computer is set to Russian (its page has no language buttons).
    screen.context.add_cookies([{"name": "django_language", "value": "ru", "url": site}])
    screen.goto(f"{site}/a/cologne/screen?key={projector_key(assembly)}")
    expect(screen.get_by_role("heading", level=1)).to_have_text("Forum in Cologne")
    expect(screen.get_by_text("голосование закрыто")).to_be_visible()
    tally = screen.locator(".screen-text").first
    # The results name each text by its original title, whatever the screen's language.
    expect(tally.get_by_role("heading")).to_have_text("Draft A: on political prisoners")
    expect(tally.locator(".no .n")).to_have_text("1")
    # Without its key the projector's page does not exist.
    assert screen.goto(f"{site}/a/cologne/screen").status == 404


def test_the_door_and_the_ballot_pass_the_accessibility_check(new_page, room):
    # axe runs in the page, so this one has JavaScript on.
    site, code = room["site"], room["codes"][1]
    page = new_page()
    page.goto(f"{site}/a/cologne/in/{code}")
    assert_accessible(page, "the door")
    press(page, "Sign in")
    page.goto(f"{site}/a/cologne/t/draft-b/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Draft B: on the war")
    assert_accessible(page, "the ballot")
    page.goto(f"{site}/a/cologne/amendments/")
    assert_accessible(page, "the amendments")
