"""Printed records and PDFs: the therapist's record, the client's result, the doctor's letter.

The PDF tests need WeasyPrint's libraries (Pango and a font, from Debian): without them they
are skipped on a developer's machine, with the command that installs them, but fail in CI.
"""

import io
import unicodedata
from datetime import date, timedelta

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from screening.presenters import group_findings, region_labels
from screening.printing import running_css
from tests.factories import add_screening, add_therapist, consent, form_data, make_app

TODAY = date.today()
TYPICAL = {"varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "large_raised",
           "vv_symptoms_now": "no", "vv_clot_history": "no", "osteoporosis": "yes",
           "recent_fracture": "no", "spine_changes": "yes", "long_term_steroids": "no"}
#: A client with many conditions: the record runs over several pages.
LONG = {**TYPICAL,
        "recent_surgery": "yes", "surgery_date": (TODAY - timedelta(days=20)).isoformat(),
        "surgery_what": "Hip replacement", "surgery_what_where": ["left_hip"],
        "major_surgery": "yes", "wound_healed": "not_sure", "wound_problem": "no",
        "leg_symptoms_since": "no",
        "unhealed_wound_or_rash": "yes", "wr_where": ["right_hand", "face"],
        "wr_type": ["cut_sore", "bruise"], "wr_bruise_cause_known": "no",
        "wr_weeping_spreading": "no", "wr_fever": "no",
        "infectious_skin_condition": "yes", "skin_what": "cold_sore", "skin_where": ["face"],
        "skin_covered_small": "yes", "skin_unwell": "no",
        "fever_acute_illness": "yes", "temp_38": "yes", "illness_symptoms": ["cold_symptoms"],
        "illness_last_symptom": TODAY.isoformat(),
        "dvt_suspected": "not_sure", "pe_symptoms": "no", "clot_diagnosed_now": "no",
        "clot_risk_factors": ["surgery_hospital"]}
#: Conditions that each need a doctor's advice (a finding each in the doctor's letter), with
#: no time windows: several together make a letter of several pages.
NEEDS_A_DOCTOR = {
    "aneurysm": {"aneurysm": "yes", "aneurysm_where": ["abdomen"],
                 "aneurysm_treated": "monitored", "aneurysm_sudden_pain": "no"},
    "bleeding": {"blood_thinners_or_bleeding_disorder": "yes", "bt_disorder": "yes",
                 "bt_bruises": "no"},
    "cancer": {"cancer_treatment": "yes", "ca_treatments": ["hormone_therapy"], "ca_bone": "no",
               "ca_low_counts": "no", "ca_fever": "no", "ca_nodes": "no"},
    "organ": {"kidney_liver_lung_organ_disease": "yes", "organ_what": "COPD",
              "organ_dialysis": "no", "fluid_swelling": "no", "immunosuppressed": "no",
              "organ_unwell_today": "no"},
    "nerve": {"nerve_symptoms_or_disc": "yes", "nv_where": ["right_hand"], "nv_red_flags": "no",
              "nv_new": "yes", "nv_diagnosed": "no"},
    "osteoporosis": {"osteoporosis": "yes", "recent_fracture": "no", "spine_changes": "yes",
                     "long_term_steroids": "no"},
    "blood_pressure": {"uncontrolled_high_blood_pressure": "yes", "bp_treated": "not_controlled",
                       "bp_symptoms_today": "no"},
    "lump": {"unexplained_pain_or_lump": "yes", "unexp_where": ["neck"],
             "unexp_how_long": "3 weeks", "unexp_red_flags": "no",
             "unexp_checked_benign": "no"},
    "fainting": {"dizziness_fainting": "yes", "dz_today": "no", "dz_fainted": "yes",
                 "dz_assessed": "no", "dz_cause_known": "no", "dz_on_standing": "no"},
    "diabetes": {"diabetes": "yes", "dm_uses_insulin": "no", "dm_numb_feet": "yes",
                 "dm_foot_sores": "yes", "dm_sores_where": ["right_foot"],
                 "dm_frequent_hypos": "no", "dm_poorly_controlled": "no",
                 "dm_complications": "no"},
}
#: The doctor's reply, which must print on one page, in the order it prints.
REPLY = ("Your reply Please tick one", "Cleared for massage", "with these limits",
         "Not cleared for massage at present", "Name and role", "Practice", "Signature",
         "Thank you.")


def needing_a_doctor(count):
    """Answers with the first `count` conditions of NEEDS_A_DOCTOR."""
    answers = {}
    for case in list(NEEDS_A_DOCTOR)[:count]:
        answers.update(NEEDS_A_DOCTOR[case])
    return answers


def pdf_text(response):
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(response.data))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def flat(text):
    return " ".join(text.split())


def squeezed(text):
    """Text without spaces (a line may break after a hyphen) and with ligatures spelt out."""
    return "".join(unicodedata.normalize("NFKC", text).split())


@pytest.fixture
def signed_in(app, client):
    add_therapist(app)
    client.post("/review/sign-in", data={"email": "kim@example.com",
                                         "password": "correct horse battery"})
    return client


def test_therapist_record_pdf_holds_the_whole_record_on_one_page(app, signed_in, rulebook,
                                                                 pdf_renderer):
    with app.app_context():
        screening = add_screening(rulebook, TYPICAL, client_name="Ann Example")
        findings = screening.findings
    signed_in.post("/review/screenings/1/decision", data={
        "kind": "waiting_for_clearance", "note": "Letter for the GP given"})
    response = signed_in.get("/review/screenings/1/record.pdf")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="screening-record-Ann-Example-{TODAY.isoformat()}.pdf"')
    pages = pdf_text(response)
    assert len(pages) == 1
    text = pages[0]
    for expected in ("Riverside Massage", "Ann Example", "27 March 1980",
                     flat(rulebook.outcomes["medical_clearance"]["title"]),
                     "Waiting for doctor's clearance", "Letter for the GP given",
                     rulebook.version, "Client's signature", "Therapist's signature",
                     "Page 1 of 1"):
        assert expected in text, expected
    for finding in findings:
        assert finding["condition_name"] in text
        assert flat(finding["therapist_action"])[:60] in text


def test_a_flagged_record_with_a_decision_and_a_note_is_one_pdf_page(app, signed_in, rulebook,
                                                                   pdf_renderer):
    urgent = {"varicose_veins": "yes", "vv_location": ["left_calf"],
              "vv_severity": "large_raised", "vv_symptoms_now": "yes",
              "vv_clot_history": "not_sure"}
    note = ("Sent her to her GP today about the painful, swollen calf.\n"
            "Rebook once the GP has seen her; letter for the doctor given.")
    with app.app_context():
        add_screening(rulebook, urgent, client_name="Ann Example")
    signed_in.post("/review/screenings/1/decision", data={
        "kind": "waiting_for_clearance", "note": note})
    [text] = pdf_text(signed_in.get("/review/screenings/1/record.pdf"))
    for expected in (flat(rulebook.urgent["title"]), "Waiting for doctor's clearance",
                     *note.split("\n"), "Therapist's signature", "Page 1 of 1"):
        assert expected in text, expected


def test_long_records_break_between_findings_with_the_name_on_every_page(
        app, signed_in, rulebook, pdf_renderer):
    """Records of 7 to 15 conditions: wherever the pages end, every finding (its condition,
    each therapist action and its body areas) is printed whole on one page."""
    with app.app_context():
        records = [add_screening(rulebook, {**LONG, **needing_a_doctor(count)},
                                 client_name="Ann Example").findings
                   for count in (0, 1, 5, 9)]
    for screening_id, findings in enumerate(records, start=1):
        pages = pdf_text(signed_in.get(f"/review/screenings/{screening_id}/record.pdf"))
        assert len(pages) >= 2
        for number, text in enumerate(pages, start=1):
            assert "Ann Example, born 27 March 1980" in text
            assert f"Page {number} of {len(pages)}" in text
        groups = group_findings(findings)
        assert len(groups) >= 7
        on_pages = [squeezed(text) for text in pages]
        for condition, parts in groups:
            whole = [squeezed(condition)] + [
                squeezed(part["therapist_action"]) for part in parts] + [
                squeezed(", ".join(region_labels(rulebook, part["body_areas"])))
                for part in parts if part["body_areas"]]
            on = [number for number, text in enumerate(on_pages, start=1)
                  if all(bit in text for bit in whole)]
            assert on, f"record {screening_id}: {condition!r} is split between pages"


def test_client_downloads_their_own_result_through_their_link(client, rulebook, pdf_renderer):
    result = client.post("/submit", data=consent(form_data(rulebook, TYPICAL)))
    link = result.headers["Location"]
    soup = BeautifulSoup(client.get(link).get_data(as_text=True), "html.parser")
    assert soup.find("a", string="Download this result (PDF)")["href"] == f"{link}/record.pdf"
    [text] = pdf_text(client.get(f"{link}/record.pdf"))
    assert "Ann Example" in text
    assert flat(rulebook.outcomes["medical_clearance"]["title"]) in text
    assert "Thin bones can crack" in text  # the client's wording, not the therapist's
    assert "Therapist's signature" in text
    assert client.get(f"{link[:-2]}xx/record.pdf").status_code == 404
    assert client.get("/result/" + "A" * 43 + "/record.pdf").status_code == 404


@pytest.mark.parametrize(("paper", "points"), [(None, (595, 842)), ("A4", (595, 842)),
                                               ("letter", (612, 792))])
def test_pdfs_are_made_on_the_clinics_paper(tmp_path, migrated_db, rulebook, pdf_renderer,
                                             paper, points):
    """A4 unless the clinic sets SCREENING_PAPER_SIZE=Letter, for the record and the letter."""
    path = tmp_path / "paper.sqlite3"
    path.write_bytes(migrated_db.read_bytes())
    app = make_app(path, **({"PAPER_SIZE": paper} if paper else {}))
    client = app.test_client()
    link = client.post("/submit", data=consent(form_data(rulebook, TYPICAL))).headers["Location"]
    for pdf in ("record.pdf", "doctor-letter.pdf"):
        response = client.get(f"{link}/{pdf}")
        assert response.status_code == 200
        pages = PdfReader(io.BytesIO(response.data)).pages
        assert len(pages) == 1  # a typical record or letter fits on either paper
        assert (round(pages[0].mediabox.width), round(pages[0].mediabox.height)) == points


def test_therapist_pdf_needs_sign_in_and_is_audited(app, client, rulebook, pdf_renderer):
    with app.app_context():
        add_screening(rulebook, TYPICAL)
    for path in ("/review/screenings/1/record.pdf", "/review/screenings/1/doctor-letter.pdf",
                 "/review/screenings/1/doctor-letter", "/review/screenings/1/print.css"):
        assert "/review/sign-in" in client.get(path).headers["Location"]
    add_therapist(app)
    client.post("/review/sign-in", data={"email": "kim@example.com",
                                         "password": "correct horse battery"})
    client.get("/review/screenings/1/record.pdf")
    audit = client.get("/review/audit").get_data(as_text=True)
    assert "Downloaded the record (PDF)" in audit


def test_doctor_letter_for_a_medical_clearance_result(client, rulebook, pdf_renderer):
    result = client.post("/submit", data=consent(form_data(rulebook, TYPICAL)))
    link = result.headers["Location"]
    soup = BeautifulSoup(client.get(link).get_data(as_text=True), "html.parser")
    letter_link = soup.find("a", string="Letter for your doctor")["href"]
    letter = BeautifulSoup(client.get(letter_link).get_data(as_text=True), "html.parser")
    text = " ".join(letter.get_text(" ").split())
    assert "Before a massage: a question for Ann Example's doctor" in text
    assert "Osteoporosis or fragile bones" in text
    assert flat(rulebook.questions["spine_changes"].text) + " Yes" in text
    assert "Varicose veins" not in text  # only what needs the doctor
    for reply in ("Cleared for massage", "with these limits", "Not cleared for massage",
                  "Signature", "Name and role"):
        assert reply in text
    [pdf] = pdf_text(client.get(letter.find("a", string="Download the letter (PDF)")["href"]))
    assert "Ann Example" in pdf and "Not cleared for massage at present" in pdf


def test_a_long_doctor_letter_pdf_keeps_the_reply_on_one_page(app, signed_in, rulebook,
                                                              pdf_renderer):
    """Letters of 3, 4 and 9 conditions, whose pages used to end inside the doctor's reply."""
    counts = (3, 4, 9)
    with app.app_context():
        for count in counts:
            add_screening(rulebook, needing_a_doctor(count), client_name="Ann Example")
    for screening_id, count in enumerate(counts, start=1):
        pages = pdf_text(signed_in.get(f"/review/screenings/{screening_id}/doctor-letter.pdf"))
        assert len(pages) >= 2
        where = [{number for number, text in enumerate(pages, start=1) if part in text}
                 for part in REPLY]
        assert all(len(found) == 1 for found in where) and len(set.union(*where)) == 1, (
            f"{count} conditions: the reply is split over pages "
            f"{dict(zip(REPLY, where, strict=True))}")


def test_no_doctor_letter_when_no_clearance_is_needed(client, rulebook):
    result = client.post("/submit", data=consent(form_data(rulebook, {
        "varicose_veins": "yes", "vv_location": ["left_calf"], "vv_severity": "small_flat",
        "vv_symptoms_now": "no", "vv_clot_history": "no"})))
    link = result.headers["Location"]
    assert "Letter for your doctor" not in client.get(link).get_data(as_text=True)
    assert client.get(f"{link}/doctor-letter").status_code == 404
    assert client.get(f"{link}/doctor-letter.pdf").status_code == 404


def test_print_pages_link_a_footer_with_the_escaped_name(app, client, rulebook):
    name = 'Zoë "Z" </style><script>x()</script>'
    result = client.post("/submit", data=consent(form_data(rulebook, client_name=name)))
    link = result.headers["Location"]
    soup = BeautifulSoup(client.get(link).get_data(as_text=True), "html.parser")
    assert soup.find("link", media="print")["href"] == f"{link}/print.css"
    css = client.get(f"{link}/print.css")
    assert css.mimetype == "text/css"
    body = css.get_data(as_text=True)
    assert "@bottom-left" in body and "Zoë" in body
    name_rule = body.splitlines()[0]  # the next line numbers the pages
    assert "<" not in body and '"Z"' not in body and name_rule.count('"') == 2


def test_running_footer_css_escapes_everything_but_letters(app, rulebook):
    with app.app_context():
        screening = add_screening(rulebook, client_name='A\\"; } body { x')
        css = running_css(screening)
    name_rule, numbers_rule = css.splitlines()
    assert name_rule.count('"') == 2 and name_rule.count("{") == 2 and name_rule.count("}") == 1
    assert numbers_rule == '  @bottom-right { content: "Page " counter(page) " of " ' \
        'counter(pages); } }'


def test_pdf_renderer_reads_only_the_apps_static_files(app, pdf_renderer):
    from screening.pdf import StaticOnlyFetcher

    fetcher = StaticOnlyFetcher(app.static_folder, "/static")
    css = fetcher.fetch("file:///static/site.css")
    assert css.headers.get_content_type() == "text/css"
    for url in ("http://example.com/tracker.css", "file:///etc/passwd",
                "file:///static/../../etc/passwd", "file:///static/%2e%2e/__init__.py"):
        with pytest.raises(ValueError, match="may not load"):
            fetcher.fetch(url)
