"""Save and come back later: answers kept on the server as a saved draft (complete or not),
reachable only by the invitation's link or a link of their own, shown once and emailed;
never screened, counted or shown to therapists; deleted when sent or expired."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict

from screening import create_app
from screening.database import db
from screening.intake import saving
from screening.invitations import service
from screening.invitations.models import Invitation
from screening.invitations.service import long_day
from screening.models import AuditEvent, Draft, Screening
from screening.outbox import OutboxMessage
from tests.factories import SECRET, VEINS, consent, form_data, make_app_on
from tests.invitations.helpers import deliver, signed_in
from tests.invitations.test_start_links import make_invitation
from tests.web.helpers import events, page

LINK = re.compile(r"/resume/([A-Za-z0-9_-]{43})")
KEY = "s" * 32


def half_done(rulebook, submission_key=KEY, answers=None, **details) -> MultiDict:
    """The questionnaire as posted partway: details (a wrong date of birth among them), the
    sections answered but for the last."""
    data = form_data(rulebook, {**VEINS, **(answers or {})}, submission_key=submission_key,
                     **{"date_of_birth": "31/02/1980", **details})
    for question_id in last_health_section(rulebook).questions:
        data.poplist(question_id)
    return data


def last_health_section(rulebook):
    """The last section of health questions (the intake details after it are optional)."""
    return [section for section in rulebook.sections if section.kind == "screening"][-1]


def saved_drafts(app) -> list[Draft]:
    with app.app_context():
        found = db.session.scalars(select(Draft).where(Draft.kind == "saved")).all()
        db.session.expunge_all()
        return found


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def save(client, data) -> tuple[str, object]:
    """Press "Save and come back later"; (the resume link's path, the saved page)."""
    response = client.post("/save", data={**data.to_dict(flat=False), "save": "1"})
    assert response.status_code == 303, response.get_data(as_text=True)[:1000]
    shown = client.get(response.headers["Location"])
    assert shown.status_code == 200
    soup = page(shown)
    link = soup.select_one("#saved-link")
    return (LINK.search(link["href"]).group(0) if link and LINK.search(link["href"]) else
            link["href"] if link else ""), soup


def value(soup, name):
    field = soup.find("input", {"name": name})
    return field.get("value") if field is not None else None


def checked(soup, name):
    return [field["value"] for field in soup.find_all("input", {"name": name})
            if field.has_attr("checked")]


# The open questionnaire -------------------------------------------------------------------


def test_saving_half_a_form_keeps_it_and_shows_the_link_once(app, client, rulebook):
    link, saved = save(client, half_done(rulebook))
    assert saved.h1.get_text() == "Your answers are saved"
    assert LINK.fullmatch(link)
    assert "we are also emailing it to ann@example.com" in saved.get_text(" ", strip=True)
    [draft] = saved_drafts(app)
    token = LINK.fullmatch(link).group(1)
    # Only the link's hash is stored; the fields as typed, the wrong date too.
    assert token not in repr(draft.__dict__)
    assert ["date_of_birth", "31/02/1980"] in draft.fields
    assert ["vv_location", "left_calf"] in draft.fields
    assert count(app, Screening) == 0


def test_the_link_puts_back_every_answer_and_says_where_to_carry_on(app, client, rulebook):
    data = half_done(rulebook)
    link, _saved = save(client, data)
    later = app.test_client()  # another browser: nothing but the link
    resumed = page(later.get(link))
    assert value(resumed, "client_name") == "Ann Example"
    assert value(resumed, "date_of_birth") == "31/02/1980"  # as typed, wrong or not
    assert checked(resumed, "varicose_veins") == ["yes"]
    assert checked(resumed, "vv_location") == ["left_calf"]
    assert checked(resumed, "vv_severity") == ["large_raised"]
    for question_id in rulebook.conditions:
        if question_id in data:
            assert checked(resumed, question_id) == data.getlist(question_id), question_id
    notice = resumed.select_one(".notice")
    assert "Welcome back" in notice.get_text()
    # The first part with something to answer: the details, for the wrong date of birth.
    assert notice.a["href"] == "#section-details"
    assert resumed.select_one("#section-details") is not None
    assert not resumed.select(".field-error")  # not shown as errors: they were saving
    assert value(resumed, "submission_key") == KEY and value(resumed, "from_draft") == "1"


def test_where_to_carry_on_is_the_first_section_with_a_question_to_answer(app, client,
                                                                          rulebook):
    link, _saved = save(client, half_done(rulebook, date_of_birth="1980-03-27"))
    notice = page(client.get(link)).select_one(".notice")
    last = last_health_section(rulebook)
    assert notice.a["href"] == f"#section-{last.id}"
    assert last.title in notice.a.get_text()


def test_sending_the_resumed_form_stores_one_screening_and_deletes_the_draft(app, client,
                                                                            rulebook):
    link, _saved = save(client, half_done(rulebook))
    client.get(link)
    finished = form_data(rulebook, VEINS, submission_key=KEY, from_draft="1")
    check = client.post("/questionnaire", data=finished)
    assert check.status_code == 303
    carried = [(field["name"], field["value"]) for field in page(client.get(
        check.headers["Location"])).select("form[action='/submit'] input[type=hidden]")]
    assert ("from_draft", "1") in carried
    sent = client.post("/submit", data=consent(MultiDict(carried)))
    assert sent.status_code == 303 and sent.headers["Location"].startswith("/result/")
    assert saved_drafts(app) == []
    assert count(app, Screening) == 1
    gone = client.get(link)
    assert gone.status_code == 404
    assert page(gone).h1.get_text() == "These saved answers are no longer here"
    [deleted] = events(app, "draft_deleted")
    with app.app_context():
        assert deleted.screening_id == db.session.scalar(select(Screening.id))


def test_saving_from_the_check_page_keeps_the_checked_answers(app, client, rulebook):
    check = client.post("/questionnaire", data=form_data(rulebook, VEINS, submission_key=KEY))
    carried = [(field["name"], field["value"]) for field in page(client.get(
        check.headers["Location"])).select("form[action='/submit'] input[type=hidden]")]
    link, saved = save(client, MultiDict([*carried, ("signature", "Ann")]))
    assert saved.h1.get_text() == "Your answers are saved"
    resumed = page(client.get(link))
    assert checked(resumed, "vv_location") == ["left_calf"]
    assert value(resumed, "date_of_birth") == "1980-03-27"
    assert "Every question has an answer" in resumed.select_one(".notice").get_text()
    [draft] = saved_drafts(app)
    assert "signature" not in {name for name, _value in draft.fields}  # answers only


def test_the_check_and_questionnaire_pages_offer_to_save(app, client, rulebook):
    for soup in (page(client.get("/questionnaire")),
                 page(client.get(client.post("/questionnaire", data=form_data(
                     rulebook)).headers["Location"]))):
        button = soup.find("button", string="Save and come back later")
        assert button["formaction"] == "/save" and button["type"] == "submit"


def test_saving_again_gives_a_new_link_and_the_old_one_stops(app, client, rulebook):
    first, _saved = save(client, half_done(rulebook))
    [earlier] = saved_drafts(app)
    second, _saved = save(client, half_done(rulebook, client_name="Ann B Example"))
    assert first != second
    assert client.get(first).status_code == 404
    assert value(page(client.get(second)), "client_name") == "Ann B Example"
    assert len(saved_drafts(app)) == 1
    [replaced] = events(app, "draft_deleted")
    assert replaced.detail == f"Saved answers #{earlier.id}: replaced, saved again"


def test_no_email_without_a_usable_address(app, client, rulebook):
    _link, saved = save(client, half_done(rulebook, email="not an address"))
    assert "emailing" not in saved.get_text()
    assert count(app, OutboxMessage) == 0
    assert events(app, "draft_emailed") == []


def test_each_link_opens_its_own_client_only(app, rulebook):
    ann, bo = app.test_client(), app.test_client()
    ann_link, _ = save(ann, half_done(rulebook))
    bo_link, _ = save(bo, half_done(rulebook, client_name="Bo Other", email="bo@example.com",
                                    submission_key="b" * 32))
    assert value(page(app.test_client().get(ann_link)), "client_name") == "Ann Example"
    shown = app.test_client().get(bo_link).get_data(as_text=True)
    assert "Bo Other" in shown and "Ann Example" not in shown


@pytest.mark.parametrize("token", [
    "x", "A" * 43, "A" * 42 + "!", "A" * 44, "../../etc/passwd", "%00" * 15, "é" * 43])
def test_a_wrong_or_tampered_link_says_so_plainly(app, client, rulebook, token):
    link, _saved = save(client, half_done(rulebook))
    real = LINK.fullmatch(link).group(1)
    for path in (f"/resume/{token}", f"/saved/{token}", f"/resume/{real[:-1]}",
                 f"/resume/{real[:-1]}{'B' if real[-1] != 'B' else 'C'}"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert page(response).h1.get_text() in ("These saved answers are no longer here",
                                                "Page not found"), path


def test_the_two_kinds_of_draft_do_not_open_each_other(app, client, rulebook):
    check = client.post("/questionnaire", data=form_data(rulebook))
    check_token = check.headers["Location"].removeprefix("/check/")
    assert client.get(f"/resume/{check_token}").status_code == 404
    link, _saved = save(client, half_done(rulebook))
    assert client.get(f"/check/{LINK.fullmatch(link).group(1)}").status_code == 404


def test_nothing_saved_is_shown_to_therapists_or_counted(app, client, rulebook):
    save(client, half_done(rulebook))
    therapist_client = signed_in(app)
    queue = therapist_client.get("/review/").get_data(as_text=True)
    assert "Ann Example" not in queue
    export = therapist_client.get("/review/export.csv")
    assert "Ann Example" not in export.get_data(as_text=True)
    assert count(app, Screening) == 0


def test_every_draft_action_is_audited_without_what_it_holds(app, client, rulebook):
    link, _saved = save(client, half_done(rulebook))
    client.get(link)
    actions = [event.action for event in events(app) if event.action.startswith("draft_")]
    assert actions == ["draft_saved", "draft_emailed", "draft_resumed"]
    for event in events(app):
        text = f"{event.subject} {event.detail}"
        for secret in ("Ann", "ann@example.com", "31/02/1980", "left_calf", "varicose"):
            assert secret not in text


def test_a_stale_form_is_not_saved_but_every_answer_stays(app_with, rulebook):
    strict = app_with(WTF_CSRF_ENABLED=True)
    client = strict.test_client()
    response = client.post("/save", data=half_done(rulebook))
    assert response.status_code == 200
    assert "This page expired while it was open" in kept_on_the_page(response)
    assert saved_drafts(strict) == []


def test_a_save_that_fails_says_so_and_keeps_every_answer(app, client, rulebook, monkeypatch):
    def locked(*_args, **_kwargs):
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    monkeypatch.setattr(saving, "save_draft", locked)
    response = client.post("/save", data=half_done(rulebook))
    assert response.status_code == 503
    assert "Your answers were not saved" in kept_on_the_page(response)


def kept_on_the_page(response) -> str:
    """The questionnaire again with every answer as it was posted; the page's text."""
    soup = page(response)
    assert value(soup, "client_name") == "Ann Example"
    assert value(soup, "date_of_birth") == "31/02/1980"
    assert checked(soup, "vv_location") == ["left_calf"]
    return soup.get_text()


# Two windows at once --------------------------------------------------------------------


def sending(rulebook, **answers) -> MultiDict:
    return consent(form_data(rulebook, {**VEINS, **answers}, submission_key=KEY,
                             from_draft="1"))


def two_windows(app, client, rulebook):
    """Saved answers opened in two windows (browsers) from their link."""
    link, _saved = save(client, half_done(rulebook))
    one, two = app.test_client(), app.test_client()
    assert one.get(link).status_code == two.get(link).status_code == 200
    return one, two


def test_the_same_saved_answers_sent_from_two_windows_store_one_screening(app, client,
                                                                         rulebook):
    one, two = two_windows(app, client, rulebook)
    first = one.post("/submit", data=sending(rulebook))
    again = two.post("/submit", data=sending(rulebook))  # the very same: the same result
    assert first.headers["Location"] == again.headers["Location"]
    assert count(app, Screening) == 1


def test_different_answers_sent_from_another_window_are_kept_not_stored(app, client,
                                                                        rulebook):
    one, two = two_windows(app, client, rulebook)
    first = one.post("/submit", data=sending(rulebook))
    second = two.post("/submit", data=sending(rulebook, vv_clot_history="not_sure"))
    assert second.status_code == 409
    soup = page(second)
    assert soup.title.get_text().startswith("Error:")
    message = soup.select_one(".error-summary").get_text(" ", strip=True)
    assert "Your saved answers were already sent" in message
    assert soup.select_one(".error-summary a")["href"] == first.headers["Location"]
    carried = {(field["name"], field["value"]) for field in
               soup.select("form[action='/submit'] input[type=hidden]")}
    assert ("vv_clot_history", "not_sure") in carried  # nothing lost
    assert not any(name == "from_draft" for name, _value in carried)
    assert count(app, Screening) == 1
    # Sent on purpose from there, they are stored too (a correction, as any resubmission).
    resent = two.post("/submit", data=MultiDict([*carried, ("confirm", "y"),
                                                ("signature", "Ann Example"),
                                                ("signed_on", datetime.now(UTC).date()
                                                 .isoformat())]))
    assert resent.status_code == 303 and count(app, Screening) == 2


def test_two_windows_sending_at_the_same_moment_store_one_screening(app, rulebook):
    client = app.test_client()
    link, _saved = save(client, half_done(rulebook))
    posts = [sending(rulebook), sending(rulebook, vv_clot_history="not_sure")]
    start, codes = threading.Barrier(2), []

    def send(data):
        window = app.test_client()
        start.wait()
        codes.append(window.post("/submit", data=data).status_code)

    threads = [threading.Thread(target=send, args=(data,)) for data in posts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [303, 409]
    assert count(app, Screening) == 1
    assert saved_drafts(app) == []


# From an invitation -------------------------------------------------------------------


def test_an_invitation_saved_halfway_reopens_from_its_own_link(app, client, rulebook):
    invitation_id, start = make_invitation(app)
    client.get(start)
    response = client.post("/save", data=half_done(rulebook))
    assert response.status_code == 303 and response.headers["Location"] == "/saved"
    saved = page(client.get("/saved"))
    assert saved.h1.get_text() == "Your answers are saved"
    assert saved.select_one("#saved-link")["href"].endswith(start)
    assert count(app, OutboxMessage) == 1  # the invitation's own email, no other
    [draft] = saved_drafts(app)
    assert draft.invitation_id == invitation_id and draft.token_hash is None
    later = app.test_client()  # the browser was closed: the invitation's link again
    resumed = page(later.get(start))
    assert value(resumed, "date_of_birth") == "31/02/1980"
    assert checked(resumed, "vv_location") == ["left_calf"]
    notice = resumed.select_one(".notice[aria-label='Your saved answers']")
    assert "Welcome back" in notice.get_text()
    sent = later.post("/submit", data=sending(rulebook))
    assert sent.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(Screening.invitation_id)) == invitation_id
    assert saved_drafts(app) == []
    closed = later.get(start)
    assert page(closed).h1.get_text() == "You have already sent your answers"


def test_a_cancelled_invitation_shows_no_saved_answers(app, client, rulebook):
    invitation_id, start = make_invitation(app)
    client.get(start)
    client.post("/save", data=half_done(rulebook))
    with app.app_context():
        service.cancel(db.session.get(Invitation, invitation_id))
        db.session.commit()
    response = app.test_client().get(start)
    assert response.status_code == 410
    assert "Ann Example" not in response.get_data(as_text=True)
    assert "left_calf" not in response.get_data(as_text=True)
    assert client.get("/saved").status_code == 404
    assert saved_drafts(app) == []  # not kept for an appointment that is off
    [deleted] = events(app, "draft_deleted")
    assert deleted.detail.endswith(": the invitation was cancelled")


def test_the_saved_page_of_an_invitation_needs_its_session(app, client, rulebook):
    invitation_id, start = make_invitation(app)
    client.get(start)
    client.post("/save", data=half_done(rulebook))
    stranger = app.test_client()
    response = stranger.get("/saved")
    assert response.status_code == 404
    assert "Ann" not in response.get_data(as_text=True)


def test_saved_after_the_invitation_was_answered_gets_a_link_of_its_own(app, client,
                                                                        rulebook):
    invitation_id, start = make_invitation(app)
    client.get(start)
    client.post("/submit", data=consent(form_data(rulebook, submission_key="a" * 32)))
    link, saved = save(client, half_done(rulebook))
    assert LINK.fullmatch(link)
    assert saved_drafts(app)[0].invitation_id is None


# Expiry ------------------------------------------------------------------------------


def age(app, days: float) -> None:
    with app.app_context():
        db.session.execute(update(Draft).values(
            created_at=datetime.now(UTC) - timedelta(days=days)))
        db.session.commit()


def test_an_expired_link_says_how_long_answers_are_kept(app, client, rulebook):
    link, _saved = save(client, half_done(rulebook))
    age(app, 7.01)
    response = client.get(link)
    assert response.status_code == 404
    assert "kept for 7 days" in page(response).get_text()


def test_the_days_kept_come_from_the_setting(app_with, rulebook):
    short = app_with(DRAFT_DAYS=2)
    client = short.test_client()
    assert "keeps your answers for 2 days" in page(client.get("/questionnaire")).get_text()
    link, saved = save(client, half_done(rulebook))
    until = long_day((datetime.now() + timedelta(days=2)).date())
    assert f"We keep them until the end of {until}." in saved.get_text()
    age(short, 1.5)
    assert client.get(link).status_code == 200
    age(short, 2.01)
    assert client.get(link).status_code == 404


@pytest.mark.parametrize("wrong", [0, -3, "seven", True])
def test_a_wrong_number_of_days_stops_the_app(app_with, wrong):
    with pytest.raises(RuntimeError, match="SCREENING_DRAFT_DAYS="):
        app_with(DRAFT_DAYS=wrong)


def test_purge_deletes_expired_drafts_and_says_so(app, client, runner, rulebook):
    save(client, half_done(rulebook))
    kept_link, _saved = save(app.test_client(), half_done(rulebook, submission_key="k" * 32))
    with app.app_context():
        db.session.execute(update(Draft).where(Draft.submission_key == KEY).values(
            created_at=datetime.now(UTC) - timedelta(days=8)))
        db.session.commit()
    result = runner.invoke(args=["purge", "--older-than", "365", "--yes"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 saved draft(s) past their 7 days." in result.output
    assert [draft.submission_key for draft in saved_drafts(app)] == ["k" * 32]
    [expired] = events(app, "draft_expired")
    assert expired.detail == "1 saved draft(s) older than 7 days deleted"
    assert client.get(kept_link).status_code == 200


def test_the_app_deletes_expired_drafts_when_it_starts(app, client, rulebook):
    save(client, half_done(rulebook))
    age(app, 8)
    assert len(saved_drafts(app)) == 1
    started = make_app_on(app.config["DATABASE_URL"])
    assert saved_drafts(started) == []
    assert len(events(started, "draft_expired")) == 1
    with started.app_context():
        db.session.remove()
        db.engine.dispose()


def test_the_app_starts_on_a_database_without_tables(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET,
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"})
    assert app.config["DRAFT_DAYS"] == 7


def test_the_emailed_link_is_the_one_shown_and_says_nothing_answered(mail_app, rulebook,
                                                                     smtp):
    client = mail_app.test_client()
    link, _saved = save(client, half_done(rulebook))
    assert deliver(mail_app) == {"sent": 1}
    [message] = smtp.inbox.wait_for(1, timeout=10)
    assert message["To"] == "ann@example.com"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert f"https://forms.riverside.example{link}" in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert link in html
    for private in ("Ann", "varicose", "calf", "1980"):
        assert private not in text and private not in html
    assert value(page(client.get(link)), "client_name") == "Ann Example"


def test_the_email_is_not_sent_once_the_answers_are_gone(mail_app, rulebook, smtp):
    client = mail_app.test_client()
    save(client, half_done(rulebook))
    client.post("/submit", data=sending(rulebook))
    assert deliver(mail_app) == {"cancelled": 1}
    with mail_app.app_context():
        message = db.session.scalar(select(OutboxMessage))
        assert message.status == "cancelled" and message.draft_id is None
    assert smtp.inbox.messages == []


def test_no_audit_event_holds_a_link(app, client, rulebook):
    link, _saved = save(client, half_done(rulebook))
    token = LINK.fullmatch(link).group(1)
    with app.app_context():
        for event in db.session.scalars(select(AuditEvent)):
            assert token not in f"{event.subject} {event.detail}"


def test_a_red_flag_among_the_saved_answers_still_gets_the_urgent_advice(app, client,
                                                                        rulebook):
    _link, saved = save(client, half_done(rulebook, answers={"red_flags_today": "yes"}))
    urgent = saved.select_one(".urgent-top")
    assert urgent is not None and rulebook.urgent["title"].lower() in urgent.get_text()
    _link, calm = save(app.test_client(), half_done(rulebook, submission_key="c" * 32))
    assert calm.select_one(".urgent-top") is None


def test_a_dry_run_counts_expired_drafts_and_deletes_none(app, client, runner, rulebook):
    save(client, half_done(rulebook))
    age(app, 8)
    result = runner.invoke(args=["purge", "--older-than", "365", "--dry-run"])
    assert "1 saved draft(s) past their 7 days to delete." in result.output
    assert len(saved_drafts(app)) == 1


def test_therapists_see_the_draft_actions_in_the_audit_trail(app, client, rulebook):
    link, _saved = save(client, half_done(rulebook))
    client.get(link)
    trail = page(signed_in(app).get("/review/audit")).get_text(" ", strip=True)
    for words in ("A client saved their answers to come back to",
                  "A client opened their saved answers",
                  "A client's link to their saved answers emailed"):
        assert words in trail
    assert "Ann Example" not in trail


def test_one_address_gets_a_few_links_a_day_not_a_flood(app, rulebook):
    for number in range(5):
        _link, saved = save(app.test_client(), half_done(
            rulebook, submission_key=f"{number}" * 32, email="Target@Example.com"
            if number % 2 else "target@example.com"))
        assert ("we are also emailing it" in saved.get_text()) == (number < 3), number
    assert count(app, OutboxMessage) == 3
    assert len(events(app, "draft_emailed")) == 3
    assert len(saved_drafts(app)) == 5  # every one saved all the same


def test_an_expired_drafts_email_is_not_sent(mail_app, rulebook, smtp):
    client = mail_app.test_client()
    save(client, half_done(rulebook))
    age(mail_app, 7.01)
    assert deliver(mail_app) == {"cancelled": 1}
    assert smtp.inbox.messages == []


def test_purging_an_invitation_takes_its_saved_answers_with_it(app, client, runner, rulebook):
    invitation_id, start = make_invitation(app)
    client.get(start)
    client.post("/save", data=half_done(rulebook))
    with app.app_context():
        db.session.execute(update(Invitation).values(
            appointment_date=datetime.now(UTC).date() - timedelta(days=30)))
        db.session.commit()
    result = runner.invoke(args=["purge", "--older-than", "10", "--yes"])
    assert result.exit_code == 0, result.output
    assert saved_drafts(app) == []
