"""A returning client: an invitation for a known client, within 12 months of their last
screening, shows section by section what they told us last time; "No change" keeps it,
"Something has changed" opens the section's questions filled in; questions about today are
asked afresh. The screening is stored in full; the therapist's page says what changed.
Driven through the pages as a browser without JavaScript sends them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bs4 import BeautifulSoup
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from screening.database import db
from screening.invitations import service
from screening.invitations.models import Invitation
from screening.invitations.validation import InvitationDetails
from screening.models import Screening
from tests.factories import add_screening, signed_in_therapist

TODAY = date.today()
VEINS = {"varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "large_raised",
         "vv_symptoms_now": "no", "vv_clot_history": "no"}
FEVER = {"fever_acute_illness": "yes", "temp_38": "yes", "illness_symptoms": ["fever_chills"],
         "illness_last_symptom": (TODAY - timedelta(days=500)).isoformat()}


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def known_client(app, rulebook, answers=None, days_ago=30, **fields):
    """A client with one screening `days_ago` days ago, and a new invitation for them; the
    invitation's link."""
    with app.app_context():
        earlier = add_screening(rulebook, {**VEINS, **FEVER, **(answers or {})},
                                on=TODAY - timedelta(days=days_ago), client_name="Ann Example",
                                **fields)
        from screening.clients import new_client

        earlier.client = new_client("Ann Example", date_of_birth=earlier.date_of_birth)
        earlier.submitted_at = datetime.now(UTC) - timedelta(days=days_ago)
        db.session.commit()
        invitation = service.create(InvitationDetails(
            "Ann Example", "ann@example.com", None, TODAY + timedelta(days=1), time(14, 30),
            "", "", client_id=earlier.client_id))
        db.session.commit()
        return "/start/" + service.link_token(invitation.link_key), earlier.id


def form_post(soup, changes: dict | None = None) -> MultiDict:
    """What a browser without JavaScript sends: every enabled field as it is on the page
    (hidden sections too), with `changes` (name: value or list) made as a person would."""
    form = soup.select_one("form[data-questionnaire]")
    data = MultiDict()
    for field in form.select("input, textarea, select"):
        if field.has_attr("disabled") or not field.get("name"):
            continue
        kind = field.get("type", "text")
        if kind in ("radio", "checkbox"):
            if field.has_attr("checked"):
                data.add(field["name"], field.get("value", "on"))
        elif field.name == "textarea":
            data.add(field["name"], field.get_text())
        else:
            data.add(field["name"], field.get("value", ""))
    for name, value in (changes or {}).items():
        data.setlist(name, value if isinstance(value, list) else [value])
    return data


def fresh_today(rulebook):
    """The answers asked afresh (never filled in): No to each, nothing wrong today."""
    return {**{cid: "no" for cid, question in rulebook.questions.items()
               if question.parent is None and question.ask_afresh and not question.intake},
            "vv_symptoms_now": "no"}


def no_change_everywhere(soup) -> dict:
    return {radio["name"]: "same" for radio in soup.select("input[data-change-of]")}


def send_check_page(browser, response) -> str:
    """Sign and send the check page the post landed on; the result's address."""
    assert response.status_code == 303, [
        (a["href"], a.get_text()) for a in page(response).select(".error-summary a")]
    check = page(browser.get(response.headers["Location"]))
    form = check.select_one("form[action='/submit']")
    data = MultiDict()
    for field in form.select("input"):
        if field.get("type") != "checkbox" or field.has_attr("checked"):
            data.add(field["name"], field.get("value", ""))
    for name, value in {"confirm": "y", "signature": "Ann Example",
                        "signed_on": TODAY.isoformat()}.items():
        data.setlist(name, [value])
    sent = browser.post("/submit", data=data)
    assert sent.status_code == 303, page(sent).get_text()[:500]
    return sent.headers["Location"]


def latest(app) -> Screening:
    with app.app_context():
        screening = db.session.scalar(select(Screening).order_by(Screening.id.desc()))
        db.session.expunge(screening)
        return screening


def test_a_returning_client_sees_what_they_told_us_last_time(app, client, rulebook):
    link, _earlier = known_client(app, rulebook)
    shown = page(client.get(link))
    notice = shown.select_one(".notice").get_text(" ", strip=True)
    assert "Welcome back: you last answered these questions on" in notice
    circulation = shown.find(id="last-time-circulation")
    said = circulation.select_one("dl").get_text(" ", strip=True)
    assert "varicose veins" in said and "Left calf" in said
    assert circulation.find("legend").get_text(strip=True) == \
        "Has anything here changed since then?"
    kept = shown.select('[data-kept-by="circulation"]')
    assert kept and all(box.has_attr("hidden") for box in kept)
    assert shown.find(id="last-time-today") is None, "today's questions: asked afresh"
    fever = shown.find("input", {"name": "fever_acute_illness", "value": "yes"})
    assert not fever.has_attr("checked"), "last time's fever is never filled in"
    now = shown.find("input", {"name": "vv_symptoms_now", "value": "no"})
    assert not now.has_attr("checked") and not now.find_parent(attrs={"data-kept-by": True})
    assert shown.find("input", {"name": "date_of_birth"})["value"] == "1980-03-27"


def test_no_change_stores_every_answer_as_if_typed(app, client, rulebook):
    link, earlier_id = known_client(app, rulebook)
    shown = page(client.get(link))
    sent = client.post(link, data=form_post(shown, {**no_change_everywhere(shown),
                                                    **fresh_today(rulebook)}))
    send_check_page(client, sent)
    stored = latest(app)
    assert stored.id != earlier_id
    assert stored.answers["vv_location"] == ["left_calf"]
    assert stored.answers["vv_severity"] == "large_raised"
    assert stored.answers["fever_acute_illness"] == "no"
    assert "temp_38" not in stored.answers
    assert stored.outcome == "local" and stored.screened_on == TODAY + timedelta(days=1)
    with app.app_context():
        earlier = db.session.get(Screening, earlier_id)
        assert stored.client_id == earlier.client_id
        assert stored.invitation_id == db.session.scalar(select(Invitation.id))


def test_something_changed_opens_the_section_filled_in_without_javascript(
        app, client, rulebook):
    link, earlier_id = known_client(app, rulebook)
    shown = page(client.get(link))
    choices = {**no_change_everywhere(shown), "change-circulation": "changed"}
    opened = page(client.post(link, data=form_post(shown, {**choices, **fresh_today(rulebook)})))
    assert not opened.title.get_text().startswith("Error")
    kept = opened.select('[data-kept-by="circulation"]')
    assert kept and not any(box.has_attr("hidden") for box in kept)
    assert opened.find("input", {"name": "varicose_veins", "value": "yes"}).has_attr("checked")
    assert opened.find("input", {"name": "vv_location", "value": "left_calf"}).has_attr(
        "checked")
    assert "Change what is different below" in opened.find(
        id="last-time-circulation").get_text()
    assert opened.find("input", {"name": "fever_acute_illness", "value": "no"}).has_attr(
        "checked"), "answers typed are kept"
    sent = client.post(link, data=form_post(opened, {"vv_location": ["right_calf"]}))
    send_check_page(client, sent)
    stored = latest(app)
    assert stored.answers["vv_location"] == ["right_calf"]

    therapist = signed_in_therapist(app)
    review = page(therapist.get(f"/review/screenings/{stored.id}"))
    since = review.find(id="since-last-title").find_parent("section")
    assert since.h2.get_text(strip=True).startswith("Returning client, last screened on")
    rows = [[cell.get_text(" ", strip=True) for cell in row.select("th, td")]
            for row in since.select("tbody tr")]
    assert any(row[1] == "Left calf or shin" and row[2] == "Right calf or shin"
               for row in rows), rows
    assert any("fever" in row[0].lower() and row[1] == "Yes" and row[2] == "No"
               for row in rows), rows
    assert "is Avoid some areas now: less restrictive" in since.get_text(" ", strip=True)
    history = review.find(id="client-history-title").find_parent("section")
    assert history.find("a", href=f"/review/screenings/{earlier_id}") is not None


def test_a_section_not_answered_is_asked_about_with_every_answer_kept(app, client, rulebook):
    link, _earlier = known_client(app, rulebook)
    shown = page(client.get(link))
    choices = no_change_everywhere(shown)
    del choices["change-circulation"]
    again = page(client.post(link, data=form_post(shown, {**choices, **fresh_today(rulebook)})))
    assert again.title.get_text().startswith("Error: ")
    summary = [(a["href"], a.get_text(strip=True)) for a in again.select(".error-summary a")]
    assert summary[0] == ("#change-circulation-0", "Tell us whether anything has changed about "
                          "'Heart, blood pressure and circulation' since last time")
    assert again.find(id="change-circulation-error") is not None
    assert again.find("input", {"name": "change-other", "value": "same"}).has_attr("checked")
    assert again.find("input", {"name": "dvt_suspected", "value": "no"}).has_attr("checked")


def test_questions_about_today_left_empty_are_asked_for(app, client, rulebook):
    link, _earlier = known_client(app, rulebook)
    shown = page(client.get(link))
    again = page(client.post(link, data=form_post(shown, no_change_everywhere(shown))))
    summary = [a["href"] for a in again.select(".error-summary a")]
    assert "#fever_acute_illness-0" in summary


def test_an_invitation_for_a_new_client_with_the_same_name_shows_nothing_of_theirs(
        app, client, rulebook):
    known_client(app, rulebook)
    with app.app_context():
        other = service.create(InvitationDetails(
            "Ann Example", "ann@example.com", None, TODAY + timedelta(days=1), time(16, 0),
            "", ""))
        db.session.commit()
        link = "/start/" + service.link_token(other.link_key)
    shown = page(client.get(link))
    assert shown.select('[id^="last-time-"]') == []
    assert "Welcome back" not in shown.get_text()
    assert not shown.find("input", {"name": "varicose_veins", "value": "yes"}).has_attr(
        "checked")
    assert shown.find("input", {"name": "date_of_birth"}).get("value", "") == ""


def test_a_client_last_screened_over_a_year_ago_starts_afresh(app, client, rulebook):
    link, _earlier = known_client(app, rulebook, days_ago=400)
    shown = page(client.get(link))
    assert shown.select('[id^="last-time-"]') == []


def test_an_answer_to_a_retired_question_is_listed_not_lost(app, client, rulebook):
    link, earlier_id = known_client(app, rulebook)
    with app.app_context():
        earlier = db.session.get(Screening, earlier_id)
        earlier.answers = {**earlier.answers, "old_question": ["knee", "hip"]}
        db.session.commit()
    shown = page(client.get(link))
    assert shown.find(id="last-time-circulation") is not None
    sent = client.post(link, data=form_post(shown, {**no_change_everywhere(shown),
                                                    **fresh_today(rulebook)}))
    send_check_page(client, sent)
    therapist = signed_in_therapist(app)
    review = page(therapist.get(f"/review/screenings/{latest(app).id}"))
    since = review.find(id="since-last-title").find_parent("section")
    assert "No longer asked" in since.get_text()
    retired = since.find("code", string="old_question").find_parent("tr")
    assert [cell.get_text() for cell in retired.select("td")] == ["knee, hip", "Not answered"]


def test_an_unknown_link_says_so(app, client):
    for method in (client.get, client.post):
        response = method("/start/" + "x" * 43)
        assert response.status_code == 404
        assert "We don't recognise this link" in page(response).h1.get_text()


def test_answers_posted_after_the_link_was_cancelled_are_kept_untied(app, client, rulebook):
    link, _earlier = known_client(app, rulebook)
    shown = page(client.get(link))
    with app.app_context():
        service.cancel(db.session.scalar(select(Invitation)))
        db.session.commit()
    sent = client.post(link, data=form_post(shown, {**no_change_everywhere(shown),
                                                    **fresh_today(rulebook)}))
    assert sent.status_code == 303
    check = page(client.get(sent.headers["Location"]))
    assert "was cancelled by the clinic, but your answers are kept" in check.get_text()
    send_check_page(client, sent)
    stored = latest(app)
    assert stored.answers["vv_location"] == ["left_calf"]
    assert stored.invitation_id is None


def test_the_link_used_in_two_tabs_at_once_loses_neither(app, rulebook):
    link, _earlier = known_client(app, rulebook)
    first, second = app.test_client(), app.test_client()
    pages = [page(first.get(link)), page(second.get(link))]
    posts = [browser.post(link, data=form_post(shown, {**no_change_everywhere(shown),
                                                       **fresh_today(rulebook)}))
             for browser, shown in zip((first, second), pages, strict=True)]
    send_check_page(first, posts[0])
    send_check_page(second, posts[1])
    with app.app_context():
        stored = db.session.scalars(select(Screening).order_by(Screening.id)).all()
        assert len(stored) == 3
        assert {item.client_id for item in stored} == {stored[0].client_id}
        assert stored[1].invitation_id == stored[2].invitation_id is not None
    assert page(app.test_client().get(link)).h1.get_text() == \
        "You have already sent your answers"


def test_intake_details_are_kept_or_asked_afresh_like_health_answers(app, client, rulebook):
    """The massage intake (issue 14) is sections like the others: last time's pressure and
    doctor are shown to keep; why they come and where it hurts today are asked afresh."""
    link, _earlier = known_client(app, rulebook, {
        "pressure": "firm", "doctor": {"name": "Dr A Patel", "practice": "Riverside Surgery"},
        "visit_reasons": ["pain_tension"], "pain_areas": {"lower_back": 6}})
    shown = page(client.get(link))
    said = shown.find(id="last-time-preferences").select_one("dl").get_text(" ", strip=True)
    assert "Firm" in said
    doctor = shown.find(id="last-time-medicines_doctor").get_text(" ", strip=True)
    assert "Dr A Patel" in doctor
    assert shown.find(id="last-time-visit") is None, "why they come is about this visit"
    assert not shown.find("input", {"name": "visit_reasons", "value": "pain_tension"}) \
        .has_attr("checked")
    assert not shown.find("input", {"name": "pain_areas", "value": "lower_back"}) \
        .has_attr("checked"), "where it hurts today is asked afresh"
    sent = client.post(link, data=form_post(shown, {**no_change_everywhere(shown),
                                                    **fresh_today(rulebook)}))
    send_check_page(client, sent)
    stored = latest(app)
    assert stored.answers["pressure"] == "firm"
    assert stored.answers["doctor"]["name"] == "Dr A Patel"
    assert "visit_reasons" not in stored.answers and "pain_areas" not in stored.answers


def test_a_returning_clients_date_outside_its_window_is_checked_beside_it(app, client,
                                                                           rulebook):
    """As on the first visit (issue 11): an operation two years ago, answered afresh, is
    checked with the client before "check your answers"."""
    link, _earlier = known_client(app, rulebook)
    shown = page(client.get(link))
    two_years_ago = (TODAY - timedelta(days=730)).isoformat()
    operation = {"recent_surgery": "yes", "surgery_date": two_years_ago,
                 "surgery_what": "Knee replacement", "surgery_what_where": "left_knee",
                 "major_surgery": "yes", "wound_healed": "yes", "wound_problem": "no",
                 "leg_symptoms_since": "no"}
    asked = client.post(link, data=form_post(shown, {
        **no_change_everywhere(shown), **fresh_today(rulebook), **operation}))
    assert asked.status_code == 200, "the questionnaire again, not 'check your answers'"
    note = page(asked).select_one("#surgery_date-check")
    assert "This date is more than 6 months before your appointment" in note.get_text()
    confirmed = client.post(link, data=form_post(page(asked), {
        "dates_checked": f"surgery_date={two_years_ago}"}))
    send_check_page(client, confirmed)
    assert latest(app).answers["surgery_date"] == two_years_ago
