"""Nobody's place is published unless they ask: city and country are public only beside the
names of signers who ticked "Show my city and country next to my name" — on the page, in
the API, in the exports of public fields, in the handover PDF and on the confirm page. The
organisers still see every place (their list, the counts by city, exports with contacts)."""

import csv

import pytest
from pypdf import PdfReader

from tests.conftest import links, path_of, run_worker, sign
from tests.signers import confirmed, organiser
from undersign.signatures.exporters import exporter_for
from undersign.signatures.reporting import dashboard

PLACES = {"Anna Petrova": "Köln", "B. I.": "Tbilisi", "Clara Full": "Minsk", "D. A.": "Riga"}


@pytest.fixture
def signed(client, statement):
    """Four signers: two asked to show their place (a full name and initials), two did not."""
    confirmed(client, statement, name="Anna Petrova", city="Köln", country="DE", show_place="on")
    confirmed(
        client,
        statement,
        name="Boris Ivanov",
        display="initials",
        city="Tbilisi",
        country="GE",
        show_place="on",
    )
    confirmed(client, statement, name="Clara Full", city="Minsk", country="BY")
    confirmed(client, statement, name="Dina Arnold", display="initials", city="Riga", country="LV")
    confirmed(client, statement, name="Hidden Erik", display="hidden", city="Gomel", country="BY")
    return statement


def _public(text: str) -> set[str]:
    return {city for city in ("Köln", "Tbilisi", "Minsk", "Riga", "Gomel") if city in text}


def test_the_page_shows_only_the_places_people_asked_to_show(client, signed):
    listing = client.get("/s/letter/").content.decode()
    section = listing[listing.index('id="signatures"') :]
    assert _public(section) == {"Köln", "Tbilisi"}
    assert "Germany" in section and "Belarus" not in section and "Latvia" not in section


def test_the_api_gives_the_place_only_where_it_was_asked_for(client, signed):
    items = client.get("/api/v1/statements/letter/signatures").json()["items"]
    places = {i["display_name"]: (i["city"], i["country"]) for i in items}
    assert places == {
        "Anna Petrova": ("Köln", "DE"),
        "B. I.": ("Tbilisi", "GE"),
        "Clara Full": ("", ""),
        "D. A.": ("", ""),
    }


def test_the_public_export_follows_the_page_and_the_contact_export_holds_every_place(
    signed, tmp_path
):
    public = tmp_path / "public.csv"
    exporter_for("csv")(signed).write(public)
    with public.open(encoding="utf-8-sig") as f:
        rows = {r["shown_as"]: (r["city"], r["country"]) for r in csv.DictReader(f)}
    assert rows == {
        "Anna Petrova": ("Köln", "DE"),
        "B. I.": ("Tbilisi", "GE"),
        "Clara Full": ("", ""),
        "D. A.": ("", ""),
    }
    private = tmp_path / "contacts.csv"
    exporter_for("csv")(signed, contacts=True).write(private)
    with private.open(encoding="utf-8-sig") as f:
        cities = {r["name"]: r["city"] for r in csv.DictReader(f)}
    assert cities["Dina Arnold"] == "Riga" and cities["Hidden Erik"] == "Gomel"


def test_the_handover_pdf_names_only_the_places_people_asked_to_show(signed, tmp_path):
    path = tmp_path / "handover.pdf"
    exporter_for("pdf")(signed).write(path)
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    assert "Anna Petrova (Köln, Germany)" in " ".join(text.split())
    assert _public(text) == {"Köln", "Tbilisi"}


def test_the_organisers_still_see_and_count_every_place(client, signed):
    client.force_login(organiser())
    page = client.get("/workspace/s/letter/signers/").content.decode()
    assert {"Köln", "Tbilisi", "Minsk", "Riga", "Gomel"} <= _public(page)
    assert 'Riga, LV <span class="meta">(not public)</span>' in page
    assert {p.name for p in dashboard(signed).cities} >= {"Minsk", "Riga", "Gomel"}


def test_the_confirm_page_says_the_place_stays_with_the_organisers(client, statement, mailoutbox):
    sign(client, statement, display="initials", city="Riga", country="LV")
    run_worker()
    page = client.get(path_of(links(mailoutbox[0].body)["confirm"])).content.decode()
    preview = page[page.index('class="public-preview"') : page.index("</dl>")]
    assert "Riga" not in preview and "Not shown: only the organisers see it." in preview
    assert 'name="hide_place"' not in page  # nothing to hide


def test_the_form_asks_with_the_box_unticked(client, statement):
    html = client.get("/s/letter/").content.decode()
    box = html[html.index('name="show_place"') - 60 : html.index('name="show_place"') + 120]
    assert "checked" not in box
    assert "Show my city and country next to my name" in html
    assert "Public only if you tick the box below." in html
