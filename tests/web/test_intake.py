"""The client's journey through the Flask test client: form, check, consent, result."""

import gzip
import json
import re
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from screening.database import db
from screening.intake.forms import build_forms
from screening.models import Screening
from screening.rulebook.load_conditions import RESERVED_IDS
from tests.factories import all_no, consent, form_data, make_app

TODAY = date.today()

#: Typical answers for the five seed conditions, and the outcome a clinician expects.
SEED_CASES = {
    "osteoporosis": ({"osteoporosis": "yes", "recent_fracture": "no", "spine_changes": "no",
                      "long_term_steroids": "no"}, "caution"),
    "recent_surgery": ({"recent_surgery": "yes",
                        "surgery_date": (TODAY - timedelta(days=20)).isoformat(),
                        "surgery_what": "Knee replacement", "surgery_what_where": ["left_knee"],
                        "major_surgery": "yes", "wound_healed": "yes", "wound_problem": "no",
                        "leg_symptoms_since": "no"}, "medical_clearance"),
    "varicose_veins": ({"varicose_veins": "yes", "vv_location": ["left_calf"],
                        "vv_severity": "large_raised", "vv_symptoms_now": "no",
                        "vv_clot_history": "no"}, "local"),
    "infectious_skin_condition": ({"infectious_skin_condition": "yes", "skin_what": "impetigo",
                                   "skin_where": ["face"], "skin_covered_small": "no",
                                   "skin_unwell": "no"}, "postpone"),
    "unhealed_wound_or_rash": ({"unhealed_wound_or_rash": "yes", "wr_where": ["right_hand"],
                                "wr_type": ["cut_sore"], "wr_weeping_spreading": "no",
                                "wr_fever": "no"}, "local"),
}


def page(response):
    return page_of(response.get_data())


def page_of(html: bytes):
    return BeautifulSoup(html.decode(), "html.parser")


def summary_errors(soup):
    return [(link["href"], link.get_text(strip=True))
            for link in soup.select(".error-summary a")]


def submit(client, rulebook, answers=None, **details):
    """Fill in the questionnaire, confirm on the check page, and send."""
    data = form_data(rulebook, answers, **details)
    check = client.post("/questionnaire", data=data, follow_redirects=True)
    assert check.status_code == 200
    assert "Check your answers" in page(check).h1.get_text()
    return client.post("/submit", data=consent(data))


def stored(app):
    with app.app_context():
        return db.session.scalars(select(Screening)).all()


def test_start_page_leads_to_the_questionnaire(client):
    soup = page(client.get("/"))
    assert soup.h1.get_text() == "Health questions before your massage"
    assert soup.find("a", string="Start now")["href"] == "/questionnaire"


def control(soup, question_id):
    """The question's input, or for a hidden body-area question the box the script fills."""
    return soup.find(attrs={"name": question_id}) or soup.find(attrs={"data-name": question_id})


def test_form_asks_every_question_of_the_rule_book(client, rulebook):
    soup = page(client.get("/questionnaire"))
    text = soup.get_text(" ", strip=True)
    for question in rulebook.questions.values():
        assert control(soup, question.id), question.id
        assert " ".join(question.text.split()) in text, question.id
    for section in rulebook.sections:
        assert soup.find("h2", string=section.title)


def test_follow_ups_start_hidden_and_disabled(client, rulebook):
    soup = page(client.get("/questionnaire"))
    template = soup.find("template", id="body-regions")
    assert [box["value"] for box in template.find_all("input")] == [
        region.id for region in rulebook.regions]
    for question in rulebook.questions.values():
        found = control(soup, question.id)
        box = found.find_parent(class_="conditional")
        if question.parent is None:
            assert box is None and not found.has_attr("disabled")
        elif question.type == "body_location":  # filled from the template when shown
            assert box.has_attr("hidden") and found["data-choices-from"] == "body-regions"
        else:
            assert box.has_attr("hidden") and found.has_attr("disabled"), question.id
            assert box["data-follow-up-of"] == question.parent
            if question.ask_when_data is not None:
                assert json.loads(box["data-ask-when"]) == question.ask_when_data


def test_no_question_id_can_clash_with_a_name_of_the_form(app, rulebook):
    """WTForms sets each field as an attribute of the form, so a question named like one of
    the form's own fields, attributes or methods would break the questionnaire: the loader
    refuses every such name (RESERVED_IDS), and this keeps that list complete."""
    questionnaire_form, submit_form = build_forms(rulebook)
    with app.test_request_context():
        form = submit_form()
    names = {name for name in [*dir(questionnaire_form), *dir(submit_form), *vars(form)]
             if re.fullmatch(r"[a-z][a-z0-9_]*", name)}
    assert names - set(rulebook.questions) <= RESERVED_IDS


def test_all_no_is_stored_and_gives_clear(app, client, rulebook):
    response = submit(client, rulebook)
    assert response.status_code == 303
    result = page(client.get(response.headers["Location"]))
    assert result.find(class_="outcome__title").get_text() == "Your massage can go ahead"
    assert "Riverside Massage" in result.get_text()
    [screening] = stored(app)
    assert screening.outcome == "clear" and screening.urgent is False
    assert screening.answers == all_no(rulebook)
    assert screening.client_name == "Ann Example"
    assert screening.rulebook_version == rulebook.version
    assert screening.signature == "Ann Example"


@pytest.mark.parametrize("condition", SEED_CASES)
def test_seed_condition_gives_expected_outcome(app, client, rulebook, condition):
    answers, outcome = SEED_CASES[condition]
    response = submit(client, rulebook, answers)
    result = page(client.get(response.headers["Location"]))
    assert result.find(class_="outcome__title").get_text() == rulebook.outcomes[outcome]["title"]
    assert rulebook.conditions[condition].name in result.find(class_="findings").get_text()
    [screening] = stored(app)
    assert screening.outcome == outcome
    assert {finding["condition"] for finding in screening.findings} == {condition}


def test_check_page_lists_answers_in_words(client, rulebook):
    answers, _ = SEED_CASES["varicose_veins"]
    soup = page(client.post("/questionnaire", data=form_data(rulebook, answers),
                            follow_redirects=True))
    rows = {row.dt.get_text(" ", strip=True): row.select_one(".summary__value").get_text()
            for row in soup.select(".summary__row")}
    assert rows["Full name"] == "Ann Example"
    assert rows["Date of birth"] == "27 March 1980"
    assert rows[rulebook.questions["vv_location"].text] == "Left calf or shin"
    assert rows[rulebook.questions["vv_severity"].text] == "Large, raised or bulging"
    assert rows[" ".join(rulebook.questions["recent_surgery"].text.split())] == "No"


def test_missing_answers_give_field_errors_and_keep_the_rest(client, rulebook):
    data = form_data(rulebook, {"varicose_veins": "yes", "vv_location": ["left_calf"]},
                     client_name="")
    del data["osteoporosis"]
    soup = page(client.post("/questionnaire", data=data))
    assert soup.title.get_text().startswith("Error:")
    errors = dict(summary_errors(soup))
    assert errors["#client_name"] == "Enter your full name"
    assert errors["#osteoporosis-0"] == "Select an answer about osteoporosis or thin bones"
    assert "#vv_severity-0" in errors and "#vv_location-0" not in errors
    # each summary link points at a real control, and the message is repeated next to it
    for anchor, message in summary_errors(soup):
        control = soup.find(id=anchor[1:])
        assert control is not None, anchor
        assert message in control.find_parent(class_="field").get_text()
    # what was given is still there
    assert soup.find("input", {"name": "varicose_veins", "value": "yes"}).has_attr("checked")
    assert soup.find("input", {"name": "vv_location", "value": "left_calf"}).has_attr("checked")
    assert soup.find("input", {"name": "phone"})["value"] == "07700 900982"
    assert soup.find("input", {"name": "fever_acute_illness", "value": "no"}).has_attr("checked")


@pytest.mark.parametrize(("field", "value", "message"), [
    ("date_of_birth", (TODAY + timedelta(days=1)).isoformat(), "must be in the past"),
    ("date_of_birth", "31/02/1980", "real date"),
    ("date_of_birth", "1850-01-01", "after 1900"),
    ("appointment_date", (TODAY - timedelta(days=1)).isoformat(), "today or in the future"),
    ("email", "ann.example.com", "correct format"),
    ("phone", "call me", "Enter a phone number"),
    ("client_name", "A" * 101, "100 characters or fewer"),
])
def test_invalid_details_are_explained(client, rulebook, field, value, message):
    soup = page(client.post("/questionnaire", data=form_data(rulebook, **{field: value})))
    assert message in dict(summary_errors(soup))[f"#{field}"]
    assert soup.find(attrs={"name": field}).get("value", "") == value


def test_phone_or_email_is_needed(client, rulebook):
    soup = page(client.post("/questionnaire", data=form_data(rulebook, phone="", email="")))
    assert "phone number or an email" in dict(summary_errors(soup))["#phone"]


@pytest.mark.parametrize(("answers", "anchor", "message"), [
    ({"surgery_date": (TODAY + timedelta(days=3)).isoformat()}, "#surgery_date",
     "must be today or in the past"),
    ({"surgery_date": "not a date"}, "#surgery_date", "as a real date"),
    ({"surgery_what": "x" * 201}, "#surgery_what", "200 characters or fewer"),
    ({"major_surgery": "perhaps"}, "#major_surgery-0", "is not an answer"),
])
def test_invalid_answers_are_explained(client, rulebook, answers, anchor, message):
    base, _ = SEED_CASES["recent_surgery"]
    soup = page(client.post("/questionnaire", data=form_data(rulebook, {**base, **answers})))
    assert message in dict(summary_errors(soup))[anchor]


def test_without_javascript_the_server_asks_the_follow_ups(client, rulebook):
    """A browser without JavaScript never sees follow-ups until it posts a Yes."""
    soup = page(client.post("/questionnaire", data=form_data(rulebook, {"varicose_veins": "yes"})))
    follow_ups = [q for q in rulebook.questions.values() if q.parent == "varicose_veins"]
    anchors = dict(summary_errors(soup))
    for question in follow_ups:
        control = soup.find(attrs={"name": question.id})
        assert not control.find_parent(class_="conditional").has_attr("hidden")
        assert not control.has_attr("disabled")
        if question.required:
            assert any(a.startswith(f"#{question.id}") for a in anchors), question.id


def test_answers_to_follow_ups_not_asked_are_not_stored(app, client, rulebook):
    submit(client, rulebook, {"varicose_veins": "no", "vv_location": ["left_calf"],
                              "vv_symptoms_now": "yes"})
    [screening] = stored(app)
    assert "vv_location" not in screening.answers
    assert screening.outcome == "clear"


def test_double_submission_stores_one_screening(app, client, rulebook):
    data = consent(form_data(rulebook, submission_key="s" * 32))
    first = client.post("/submit", data=data)
    second = client.post("/submit", data=data)
    assert first.status_code == second.status_code == 303
    assert first.headers["Location"] == second.headers["Location"]
    assert len(stored(app)) == 1


def test_result_links_are_unguessable(app, client, rulebook):
    locations = []
    for key in ("a" * 32, "b" * 32):
        response = client.post("/submit", data=consent(form_data(rulebook, submission_key=key)))
        locations.append(response.headers["Location"])
    tokens = [location.rsplit("/", 1)[1] for location in locations]
    assert tokens[0] != tokens[1]
    for token in tokens:
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)  # 256 bits
    ids = [str(screening.id) for screening in stored(app)]
    assert not any(token in ids for token in tokens)
    assert client.get(f"/result/{tokens[0][:-1]}").status_code == 404
    assert client.get("/result/1").status_code == 404
    missing = client.get("/result/" + "A" * 43)
    assert missing.status_code == 404
    assert "Page not found" in page(missing).h1.get_text()


def test_token_hash_not_token_is_stored(app, client, rulebook):
    response = submit(client, rulebook)
    token = response.headers["Location"].rsplit("/", 1)[1]
    [screening] = stored(app)
    assert token not in (screening.result_token_hash, screening.submission_key)


def test_consent_is_required(app, client, rulebook):
    data = consent(form_data(rulebook), signature="")
    del data["confirm"]
    soup = page(client.post("/submit", data=data))
    assert soup.h1.get_text() == "Check your answers before sending them"
    errors = dict(summary_errors(soup))
    assert "Confirm that your answers are true" in errors["#confirm"]
    assert "Type your full name" in errors["#signature"]
    assert stored(app) == []


def test_signature_date_must_be_today(app, client, rulebook):
    data = consent(form_data(rulebook), signed_on=TODAY - timedelta(days=5))
    soup = page(client.post("/submit", data=data))
    assert "Enter today's date" in dict(summary_errors(soup))["#signed_on"]
    assert stored(app) == []


def test_change_link_reopens_the_form_with_answers(client, rulebook):
    answers, _ = SEED_CASES["varicose_veins"]
    data = form_data(rulebook, answers)
    data["change"] = "vv_severity-0"
    soup = page(client.post("/questionnaire", data=data))
    assert soup.h1.get_text() == "Health questions before your massage"
    assert summary_errors(soup) == []
    assert soup.find("input", {"name": "vv_severity", "value": "large_raised"}).has_attr("checked")


def test_appointment_date_sets_the_timing_windows(app, client, rulebook):
    """A minor, healed operation 40 days ago is past the 6-week window by a visit in 10 days."""
    answers = {**SEED_CASES["recent_surgery"][0], "major_surgery": "no",
               "surgery_date": (TODAY - timedelta(days=40)).isoformat()}
    submit(client, rulebook, answers, submission_key="t" * 32)
    submit(client, rulebook, answers, submission_key="u" * 32,
           appointment_date=(TODAY + timedelta(days=10)).isoformat())
    today_only, with_visit = sorted(stored(app), key=lambda s: s.id)
    assert (today_only.outcome, today_only.screened_on) == ("medical_clearance", TODAY)
    assert (with_visit.outcome, with_visit.screened_on) == ("local", TODAY + timedelta(days=10))


def test_urgent_advice_comes_first(client, rulebook):
    response = submit(client, rulebook, {"dvt_suspected": "yes", "pe_symptoms": "yes",
                                         "clot_diagnosed_now": "no",
                                         "clot_risk_factors": ["long_journey"]})
    soup = page(client.get(response.headers["Location"]))
    sections = soup.find("main").find_all("section")
    assert "urgent" in sections[0]["class"]
    assert sections[0].h2.get_text(strip=True).endswith(rulebook.urgent["title"])
    assert "emergency number" in sections[0].get_text()


def test_form_and_cli_give_the_same_outcome(app, client, rulebook, tmp_path):
    for condition, (answers, _outcome) in SEED_CASES.items():
        key = (condition.replace("_", "") * 3)[:32]
        submit(client, rulebook, answers, submission_key=key)
        file = tmp_path / f"{condition}.json"
        file.write_text(json.dumps({**all_no(rulebook), **answers}))
        output = app.test_cli_runner().invoke(args=["screen", str(file)])
        assert output.exit_code == 0, output.output
        with app.app_context():
            screening = db.session.scalar(select(Screening).where(
                Screening.submission_key == key))
        printed = json.loads(output.output)
        assert printed["outcome"] == screening.outcome
        assert [f["rule"] for f in printed["findings"]] == [f["rule"] for f in screening.findings]


def test_csrf_is_enforced_and_answers_are_kept(tmp_path, migrated_db, rulebook):
    path = tmp_path / "csrf.sqlite3"
    path.write_bytes(migrated_db.read_bytes())
    app = make_app(path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    answers, _ = SEED_CASES["varicose_veins"]
    soup = page(client.post("/questionnaire", data=form_data(rulebook, answers)))
    assert soup.title.get_text().startswith("Error:")
    assert "This page expired" in soup.select_one(".error-summary").get_text()
    assert soup.find("input", {"name": "vv_location", "value": "left_calf"}).has_attr("checked")
    assert client.post("/submit", data=consent(form_data(rulebook))).status_code == 200
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Screening)) == 0
    # with the token from the page, the same journey works
    token = page(client.get("/questionnaire")).find("input", {"name": "csrf_token"})["value"]
    data = form_data(rulebook, answers)
    data["csrf_token"] = token
    check = page(client.post("/questionnaire", data=data, follow_redirects=True))
    assert check.h1.get_text() == "Check your answers before sending them"
    assert client.post("/submit", data=consent(data)).status_code == 303


def test_health_pages_are_not_cached_and_carry_security_headers(client, rulebook):
    response = submit(client, rulebook)
    for resp in (client.get("/questionnaire"), client.get(response.headers["Location"])):
        assert resp.headers["Cache-Control"] == "no-store"
        assert "frame-ancestors 'none'" in resp.headers["Content-Security-Policy"]
        assert "unsafe-inline" not in resp.headers["Content-Security-Policy"]
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert resp.headers["Referrer-Policy"] == "no-referrer"


def test_oversized_post_gets_a_friendly_413(client):
    response = client.post("/questionnaire", data={"client_name": "x" * (300 * 1024)})
    assert response.status_code == 413
    assert "too much information" in page(response).h1.get_text()


def test_each_visitor_gets_their_own_token_and_key(tmp_path, migrated_db):
    """The empty form is rendered once and reused: only its token and key may differ."""
    path = tmp_path / "csrf.sqlite3"
    path.write_bytes(migrated_db.read_bytes())
    app = make_app(path, WTF_CSRF_ENABLED=True)
    pages = [page(app.test_client().get("/questionnaire")) for _ in range(3)]
    tokens = {soup.find("input", {"name": "csrf_token"})["value"] for soup in pages}
    keys = {soup.find("input", {"name": "submission_key"})["value"] for soup in pages}
    assert len(tokens) == len(keys) == 3
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32}", key) for key in keys)
    assert "\x00" not in str(pages[2])


def test_the_empty_form_is_sent_gzipped_to_browsers_that_accept_it(tmp_path, migrated_db,
                                                                   rulebook):
    """Compressed once, with the visitor's token and key in it: the same page, a tenth of
    the size, and its token works."""
    path = tmp_path / "gzip.sqlite3"
    path.write_bytes(migrated_db.read_bytes())
    app = make_app(path, WTF_CSRF_ENABLED=True)
    browser, old_client = app.test_client(), app.test_client()
    zipped = browser.get("/questionnaire", headers={"Accept-Encoding": "gzip, deflate, br"})
    plain = old_client.get("/questionnaire")
    assert zipped.headers["Content-Encoding"] == "gzip"
    assert "Content-Encoding" not in plain.headers
    for response in (zipped, plain):
        assert "Accept-Encoding" in response.headers["Vary"]
    html = gzip.decompress(zipped.data)  # checks the CRC and length too
    assert len(zipped.data) * 5 < len(html)

    def own_values(soup):
        return [soup.find("input", {"name": name})["value"]
                for name in ("csrf_token", "submission_key")]

    unzipped, unchanged = page_of(html), page(plain)
    values, other = own_values(unzipped), own_values(unchanged)
    assert values != other
    normalised = str(unchanged)
    for mine, theirs in zip(values, other, strict=True):
        normalised = normalised.replace(theirs, mine)
    assert str(unzipped) == normalised
    data = form_data(rulebook, submission_key=values[1])
    data["csrf_token"] = values[0]
    check = page(browser.post("/questionnaire", data=data, follow_redirects=True))
    assert check.h1.get_text() == "Check your answers before sending them"
    assert browser.get("/questionnaire", headers={"Accept-Encoding": "gzip;q=0, identity"}) \
        .headers.get("Content-Encoding") is None


def test_a_message_for_one_visitor_never_reaches_the_next(app, client):
    with client.session_transaction() as session:
        session["_flashes"] = [("message", "Only for this visitor")]
    assert "Only for this visitor" in client.get("/questionnaire").get_data(as_text=True)
    other = app.test_client().get("/questionnaire").get_data(as_text=True)
    assert "Only for this visitor" not in other
