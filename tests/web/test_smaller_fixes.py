"""Issue 11's smaller points, as a client or therapist meets them."""

from __future__ import annotations

from datetime import date, timedelta

from bs4 import BeautifulSoup

from tests.factories import VEINS, consent, form_data

TODAY = date.today()


def page(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def test_a_wrong_signature_date_reads_like_every_other_date(client, rulebook):
    soup = page(client.post("/submit", data=consent(
        form_data(rulebook), signed_on=TODAY - timedelta(days=5))))
    assert [a.get_text() for a in soup.select(".error-summary a")] == [
        f"Enter today's date ({TODAY.day} {TODAY:%B %Y})"]


def test_follow_ups_asked_without_javascript_come_calmly(client, rulebook):
    soup = page(client.post("/questionnaire", data=form_data(
        rulebook, {"varicose_veins": "yes"})))
    assert soup.select_one(".error-summary__title").get_text() == \
        "A few more questions about your answers"
    assert not soup.title.get_text().startswith("Error:")
    assert soup.select(".error-summary a")


def test_a_real_mistake_is_still_a_problem(client, rulebook):
    soup = page(client.post("/questionnaire", data=form_data(
        rulebook, {"varicose_veins": "yes"}, client_name="")))
    assert soup.select_one(".error-summary__title").get_text() == "There is a problem"
    assert soup.title.get_text().startswith("Error:")


def test_the_client_and_therapist_pdfs_have_their_own_names(client, rulebook, signed_in,
                                                            pdf_renderer):
    response = client.post("/submit", data=consent(form_data(rulebook, VEINS)))
    link = response.headers["Location"]
    client_copy = client.get(link + "/record.pdf").headers["Content-Disposition"]
    therapist_copy = client.get("/review/screenings/1/record.pdf").headers[
        "Content-Disposition"]
    stamp = TODAY.isoformat()
    assert client_copy == f'attachment; filename="screening-result-Ann-Example-{stamp}.pdf"'
    assert therapist_copy == f'attachment; filename="screening-record-Ann-Example-{stamp}.pdf"'


def test_the_clinic_is_named_once_at_the_foot_of_the_result(client, rulebook):
    response = client.post("/submit", data=consent(form_data(rulebook)))
    soup = page(client.get(response.headers["Location"]))
    last = soup.select_one("main .keep-private")
    assert not any("Riverside Massage" in sibling.get_text()
                   for sibling in last.find_next_siblings())
    assert soup.select_one("footer").get_text().count("Riverside Massage") == 1


def test_each_unanswered_question_has_a_line_of_its_own_words(client, rulebook):
    """Varicose veins asked about 'a blood clot or phlebitis' and the next question about
    'a blood clot' again: two near-identical lines. Clots now have one question."""
    data = form_data(rulebook, {"varicose_veins": "yes"})
    del data["clot_history"]
    lines = [a.get_text() for a in page(client.post("/questionnaire", data=data)).select(
        ".error-summary a")]
    assert "Select an answer about past phlebitis (an inflamed vein)" in lines
    assert "Select an answer about past blood clots" in lines
    assert len(set(lines)) == len(lines)
    assert not [(a, b) for a in lines for b in lines if a != b and b.startswith(a)]
    assert "clot" not in rulebook.questions["vv_clot_history"].text
