"""'Check your answers' at an address of its own (POST, redirect, GET), so Back and Reload show
it again without sending a form; the answers wait there as a draft, for a few hours only.
Back and Reload in a real browser: tests/browser/test_browser_back.py."""

from datetime import UTC, datetime, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict

from screening.database import db
from screening.intake.drafts import DRAFT_HOURS
from screening.models import Draft, Screening
from tests.factories import form_data

VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "small_flat",
         "vv_symptoms_now": "no", "vv_clot_history": "no"}
CHECK = "Check your answers before sending them"


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def count(app, model):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def checked(client, rulebook, answers=VEINS, **details):
    """Fill in the questionnaire and press Continue; the address it sends the browser to."""
    response = client.post("/questionnaire", data=form_data(rulebook, answers, **details))
    assert response.status_code == 303, response.status_code
    return response.headers["Location"]


def send_from(client, check):
    """Sign the check page's form and send it, as a browser would (hidden fields as they are)."""
    form = check.select_one("form[action='/submit']")
    fields = [(field["name"], field.get("value", "")) for field in form.select("input")
              if field["type"] not in ("checkbox", "submit")
              and field["name"] not in ("signature", "signed_on")]
    fields += [("confirm", "y"), ("signature", "Ann Example"),
               ("signed_on", check.select_one("#signed_on")["value"])]
    return client.post("/submit", data=MultiDict(fields))


def test_continue_leads_to_the_check_page_at_its_own_address(app, client, rulebook):
    location = checked(client, rulebook)
    assert location.startswith("/check/") and len(location) == len("/check/") + 43
    shown = page(client.get(location))
    assert shown.h1.get_text() == CHECK
    rows = {row.dt.get_text(" ", strip=True): row.select_one(".summary__value").get_text()
            for row in shown.select(".summary__row")}
    assert rows["Full name"] == "Ann Example"
    assert rows[rulebook.questions["vv_location"].text] == "Left calf or shin"
    assert count(app, Screening) == 0  # checked, not sent: nothing is stored as a screening
    with app.app_context():
        [draft] = db.session.scalars(select(Draft)).all()
        assert location.rsplit("/", 1)[1] not in draft.token_hash  # only a hash of the token


def test_reloading_and_sending_again_from_the_check_page_store_one_screening(app, client,
                                                                           rulebook):
    location = checked(client, rulebook)
    first = send_from(client, page(client.get(location)))
    again = send_from(client, page(client.get(location)))  # Back from the result, and send
    assert first.status_code == again.status_code == 303
    assert first.headers["Location"] == again.headers["Location"]
    assert count(app, Screening) == 1
    result = page(client.get(first.headers["Location"]))
    assert result.select_one(".outcome__title").get_text() == \
        rulebook.outcomes["local"]["title"]


def test_a_wrong_or_expired_check_page_address_says_what_to_do(app, client, rulebook):
    location = checked(client, rulebook)
    with app.app_context():
        db.session.execute(update(Draft).values(
            created_at=datetime.now(UTC) - timedelta(hours=DRAFT_HOURS, minutes=1)))
        db.session.commit()
    for path in (location, "/check/" + "x" * 43, "/check/short", location[:-1] + "."):
        response = client.get(path)
        assert response.status_code == 404, path
        shown = page(response)
        assert shown.h1.get_text() == "These answers are no longer here"
        assert f"kept for {DRAFT_HOURS} hours" in shown.get_text()


def test_expired_drafts_are_deleted_when_the_next_one_is_kept(app, client, rulebook):
    checked(client, rulebook, client_name="Old Draft")
    checked(client, rulebook, client_name="Recent Draft")
    with app.app_context():
        db.session.execute(update(Draft).where(Draft.id == 1).values(
            created_at=datetime.now(UTC) - timedelta(hours=DRAFT_HOURS, minutes=1)))
        db.session.commit()
    checked(client, rulebook, client_name="New Draft")
    with app.app_context():
        kept = [dict(draft.fields)["client_name"] for draft in db.session.scalars(
            select(Draft).order_by(Draft.id))]
    assert kept == ["Recent Draft", "New Draft"]


def test_when_the_draft_cannot_be_kept_the_check_page_is_shown_at_once(app, client, rulebook,
                                                                     monkeypatch):
    def full(*_args, **_kwargs):
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    with app.app_context():
        monkeypatch.setattr(db.session, "commit", full)
    response = client.post("/questionnaire", data=form_data(rulebook, VEINS))
    monkeypatch.undo()
    assert response.status_code == 200
    shown = page(response)
    assert shown.h1.get_text() == CHECK
    sent = send_from(client, shown)
    assert sent.status_code == 303 and count(app, Screening) == 1
    assert count(app, Draft) == 0
