"""Client records: made from a first screening or invitation, chosen by the therapist when
inviting (never guessed from a name), merged and unmerged (audited), a client's screenings
on a screening's page and in the queue, and everything about one client removed at once."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from sqlalchemy import select

from screening.database import db
from screening.invitations import service
from screening.invitations.models import Invitation
from screening.invitations.validation import InvitationDetails
from screening.models import AuditEvent, Client, Screening
from screening.outbox import OutboxMessage
from tests.factories import consent, form_data
from tests.web.helpers import CAUTION, events, page, queue_names

TOMORROW = date.today() + timedelta(days=1)
INVITE = {"client_name": "Ann Example", "email": "ann@example.com", "phone": "",
          "appointment_date": TOMORROW.isoformat(), "appointment_time": "14:30",
          "therapist": "", "note": ""}


def send(client, rulebook, answers=None, key="a", **details):
    """A client sends the questionnaire (the check page's post)."""
    response = client.post("/submit", data=consent(form_data(
        rulebook, answers, submission_key=key * 32, **details)))
    assert response.status_code == 303, response.status_code


def screenings(app):
    with app.app_context():
        return [(item.id, item.client_id) for item in
                db.session.scalars(select(Screening).order_by(Screening.id))]


def link_of(app, invitation_id: int) -> str:
    with app.app_context():
        invitation = db.session.get(Invitation, invitation_id)
        return "/start/" + service.link_token(invitation.link_key)


def latest_invitation(app) -> Invitation:
    with app.app_context():
        return db.session.scalar(select(Invitation).order_by(Invitation.id.desc()))


def test_each_walk_in_screening_is_a_new_record_even_with_the_same_name(app, client, rulebook):
    send(client, rulebook, key="a")
    send(client, rulebook, CAUTION, key="b")
    (_, first), (_, second) = screenings(app)
    assert first and second and first != second
    with app.app_context():
        record = db.session.get(Client, first)
        assert (record.name, record.date_of_birth, record.email) == \
            ("Ann Example", date(1980, 3, 27), "ann@example.com")


def test_inviting_a_known_name_asks_which_client_it_is(app, client, signed_in, rulebook):
    send(app.test_client(), rulebook)
    [(_, known)] = screenings(app)
    asked = signed_in.post("/review/invitations/new", data=INVITE)
    assert asked.status_code == 200
    shown = page(asked)
    assert shown.title.get_text().startswith("Error: ")
    assert shown.select_one(".error-summary a")["href"] == "#client-0"
    choices = [label.get_text(" ", strip=True) for label in shown.select(".choice")
               if label.find("input", {"name": "client"})]  # not the language's choices
    assert any(f"(client {known})" in text and "last screened" in text for text in choices)
    assert "A new client" in choices[-1]
    assert latest_invitation(app) is None, "nothing saved until the therapist chooses"

    chosen = signed_in.post("/review/invitations/new", data={**INVITE, "client": str(known)})
    assert chosen.status_code == 303
    assert latest_invitation(app).client_id == known


def test_a_new_client_is_a_new_record_whatever_the_name(app, signed_in, rulebook):
    send(app.test_client(), rulebook)
    [(_, known)] = screenings(app)
    signed_in.post("/review/invitations/new", data={**INVITE, "client": "new"})
    invitation = latest_invitation(app)
    assert invitation.client_id not in (None, known)


def test_no_record_to_suggest_means_a_new_client(app, signed_in):
    assert signed_in.post("/review/invitations/new", data=INVITE).status_code == 303
    assert latest_invitation(app).client_id is not None


@pytest.mark.parametrize("number", ["999", str(10**20)])  # past a database integer too
def test_a_record_chosen_that_is_gone_is_refused_with_a_message(app, signed_in, number):
    refused = signed_in.post("/review/invitations/new", data={**INVITE, "client": number})
    assert refused.status_code == 200
    assert "no longer there" in page(refused).select_one(".error-summary").get_text()


def test_a_client_number_no_record_can_have_in_a_link_is_ignored(signed_in):
    shown = signed_in.get(f"/review/invitations/new?client={10**20}")
    assert shown.status_code == 200
    assert page(shown).find("input", {"name": "client_name"}).get("value", "") == ""


def test_from_a_clients_page_the_invitation_is_for_that_client(app, signed_in, rulebook):
    send(app.test_client(), rulebook, client_name="Ann Married-Name")
    [(_, known)] = screenings(app)
    record = page(signed_in.get(f"/review/clients/{known}"))
    invite = record.find("a", string="Invite this client")["href"]
    form = page(signed_in.get(invite))
    assert form.find("input", {"name": "client_name"})["value"] == "Ann Married-Name"
    assert form.find("input", {"name": "client", "value": str(known)}).has_attr("checked")
    sent = signed_in.post(invite, data={**INVITE, "client_name": "Ann Married-Name",
                                        "client": str(known)})
    assert sent.status_code == 303
    assert latest_invitation(app).client_id == known


def test_the_screening_sent_from_an_invitation_joins_its_clients_record(
        app, signed_in, rulebook):
    walk_in = app.test_client()
    send(walk_in, rulebook, CAUTION, key="a")
    [(first_id, known)] = screenings(app)
    signed_in.post("/review/invitations/new", data={**INVITE, "client": str(known)})
    visitor = app.test_client()
    visitor.get(link_of(app, latest_invitation(app).id))
    send(visitor, rulebook, key="b")
    (_, _), (second_id, second) = screenings(app)
    assert second == known
    shown = page(signed_in.get(f"/review/screenings/{second_id}"))
    history = shown.find(id="client-history-title").find_parent("section")
    text = history.get_text(" ", strip=True)
    assert "This screening" in text and "Go ahead with care" in text
    assert history.find("a", href=f"/review/screenings/{first_id}") is not None
    assert shown.find("a", string=f"Client {known}")["href"] == f"/review/clients/{known}"


def test_the_queue_filters_by_client_merged_records_included(app, signed_in, rulebook):
    send(app.test_client(), rulebook, key="a", client_name="Ann Example")
    send(app.test_client(), rulebook, key="b", client_name="Bo Other")
    send(app.test_client(), rulebook, key="c", client_name="Ann Maiden")
    (_, ann), (_, _bo), (_, maiden) = screenings(app)
    assert queue_names(signed_in, f"?client={ann}") == ["Ann Example"]
    signed_in.post(f"/review/clients/{ann}/merge", data={"other": maiden})
    assert sorted(queue_names(signed_in, f"?client={ann}")) == ["Ann Example", "Ann Maiden"]
    notice = page(signed_in.get(f"/review/?client={ann}")).select_one(".notice")
    assert "Showing only the screenings of Ann Example" in notice.get_text(" ", strip=True)
    assert queue_names(signed_in, "?client=99999") == []
    assert len(queue_names(signed_in, "?client=nonsense")) == 3


def test_merging_shows_both_records_screenings_and_unmerging_undoes_it(
        app, signed_in, rulebook):
    send(app.test_client(), rulebook, key="a")
    send(app.test_client(), rulebook, CAUTION, key="b", client_name="Ann Exampel")
    (first_id, ann), (second_id, typo) = screenings(app)
    record = page(signed_in.get(f"/review/clients/{ann}?q=exampel"))
    form = record.find("input", {"name": "other", "value": str(typo)}).find_parent("form")
    merged = signed_in.post(form["action"], data={"other": typo})
    assert merged.status_code == 303
    shown = page(signed_in.get(f"/review/clients/{ann}"))
    links = {a["href"] for a in shown.select("ul.history a")}
    assert {f"/review/screenings/{first_id}", f"/review/screenings/{second_id}"} <= links
    assert page(signed_in.get(f"/review/screenings/{first_id}")).find(
        "a", href=f"/review/screenings/{second_id}") is not None
    trail = events(app, "merge_clients")
    assert [event.detail for event in trail] == [f"client {typo} into client {ann}"]
    assert "Exampel" not in trail[0].detail

    other = page(signed_in.get(f"/review/clients/{typo}"))
    assert "This record is merged into" in other.select_one(".notice").get_text()
    signed_in.post(f"/review/clients/{typo}/unmerge")
    links = {a["href"] for a in page(signed_in.get(f"/review/clients/{ann}")).select(
        "ul.history a")}
    assert f"/review/screenings/{second_id}" not in links
    assert [event.detail for event in events(app, "unmerge_clients")] == \
        [f"client {typo} out of client {ann}"]


def test_a_record_cannot_be_merged_into_itself_or_twice(app, signed_in, rulebook):
    send(app.test_client(), rulebook, key="a")
    send(app.test_client(), rulebook, key="b")
    (_, ann), (_, other) = screenings(app)
    itself = signed_in.post(f"/review/clients/{ann}/merge", data={"other": ann},
                            follow_redirects=True)
    assert "Nothing was merged" in page(itself).get_text()
    signed_in.post(f"/review/clients/{ann}/merge", data={"other": other})
    back = signed_in.post(f"/review/clients/{other}/merge", data={"other": ann},
                          follow_redirects=True)
    assert "Nothing was merged" in page(back).get_text()
    for unknown in ("12345", str(10**20), "-1", "0"):  # past a database integer too
        assert signed_in.post(f"/review/clients/{ann}/merge",
                              data={"other": unknown}).status_code == 404, unknown
    assert signed_in.post(f"/review/clients/{ann}/unmerge",
                          follow_redirects=True).status_code == 200
    assert len(events(app, "merge_clients")) == 1


def test_client_pages_need_a_therapist(app, client, rulebook):
    send(client, rulebook)
    [(_, ann)] = screenings(app)
    for path in ("/review/clients", f"/review/clients/{ann}"):
        assert client.get(path).status_code == 302
    assert client.post(f"/review/clients/{ann}/unmerge").status_code in (302, 400)


def test_the_client_list_finds_records_by_name_or_email(app, signed_in, rulebook):
    send(app.test_client(), rulebook, key="a", client_name="Zoë Nguyen")
    send(app.test_client(), rulebook, key="b", client_name="Bo Other", email="bo@example.com")
    found = page(signed_in.get("/review/clients?q=zoe"))
    assert [a.get_text() for a in found.select("ul.history a")][0].startswith("Zoë Nguyen")
    by_email = page(signed_in.get("/review/clients?q=BO@example.com"))
    assert [a.get_text() for a in by_email.select("ul.history a")][0].startswith("Bo Other")


def test_viewing_a_record_is_in_the_audit_trail_without_a_name(app, signed_in, rulebook):
    send(app.test_client(), rulebook)
    [(_, ann)] = screenings(app)
    signed_in.get(f"/review/clients/{ann}")
    [viewed] = events(app, "view_client")
    assert viewed.detail == f"client {ann}"


# --- the command line: flask invite, the CSV import, flask purge --client ----------------


def test_flask_invite_asks_for_a_record_when_one_is_suggested(app, rulebook):
    send(app.test_client(), rulebook)
    [(_, ann)] = screenings(app)
    runner = app.test_cli_runner()
    args = ["invite", "ann@example.com", "--name", "Ann Example", "--appointment",
            f"{TOMORROW} 14:30"]
    refused = runner.invoke(args=args)
    assert refused.exit_code == 2
    assert f"client {ann}: Ann Example" in refused.output and "--new-client" in refused.output
    assert runner.invoke(args=[*args, "--client", str(ann)]).exit_code == 0
    assert latest_invitation(app).client_id == ann
    unknown = runner.invoke(args=[*args[:-1], f"{TOMORROW} 16:00", "--client", "999"])
    assert unknown.exit_code == 2 and "no client record 999" in unknown.output
    new = runner.invoke(args=[*args[:-1], f"{TOMORROW} 17:00", "--new-client"])
    assert new.exit_code == 0
    assert latest_invitation(app).client_id not in (None, ann)


def test_a_csv_names_known_clients_by_their_record_number(app, rulebook, tmp_path):
    send(app.test_client(), rulebook)
    [(_, ann)] = screenings(app)
    path = tmp_path / "bookings.csv"
    path.write_text(f"name,email,date,time,client number\n"
                    f"Ann Example,ann@example.com,{TOMORROW},14:30,{ann}\n"
                    f"Bo Other,bo@example.com,{TOMORROW},15:30,\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["invite", "--csv", str(path)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.scalars(select(Invitation).order_by(Invitation.id)).all()
        assert rows[0].client_id == ann
        assert rows[1].client_id not in (None, ann)
        assert db.session.get(Client, rows[1].client_id).name == "Bo Other"


def test_a_csv_with_an_unknown_record_number_imports_nothing(app, tmp_path):
    path = tmp_path / "bookings.csv"
    path.write_text(f"name,email,date,time,client_number\n"
                    f"Ann Example,ann@example.com,{TOMORROW},14:30,77\n"
                    f"Bo Other,bo@example.com,{TOMORROW},15:30,B12\n"
                    f"Cy Third,cy@example.com,{TOMORROW},16:30,{10**20}\n", encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["invite", "--csv", str(path)])
    assert result.exit_code == 2
    assert "line 2, client_number: there is no client record 77" in result.output
    assert "line 3, client_number: 'B12' is not a client record's number" in result.output
    assert f"line 4, client_number: there is no client record {10**20}" in result.output
    assert latest_invitation(app) is None


def _everything_about_ann(app, rulebook):
    """Ann: two records merged, two screenings, an invitation with its email; and Bo, who
    stays."""
    send(app.test_client(), rulebook, key="a")
    send(app.test_client(), rulebook, key="b", client_name="Ann E")
    send(app.test_client(), rulebook, key="c", client_name="Bo Other", email="bo@example.com")
    (_, ann), (_, typo), (_, bo) = screenings(app)
    with app.app_context():
        db.session.get(Client, typo).merged_into_id = ann
        invitation = service.create(InvitationDetails(
            "Ann Example", "ann@example.com", None, TOMORROW, time(14, 30), "", "",
            client_id=ann))
        db.session.commit()
        return ann, typo, bo, invitation.id


def test_purge_client_removes_everything_about_them_in_one_audited_command(app, rulebook):
    ann, typo, bo, invitation_id = _everything_about_ann(app, rulebook)
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["purge", "--client", str(typo), "--dry-run"])
    assert dry.exit_code == 0
    assert "2 screening(s), 1 invitation(s), 2 client record(s)" in dry.output
    assert len(screenings(app)) == 3
    done = runner.invoke(args=["purge", "--client", str(typo), "--yes"])
    assert done.exit_code == 0, done.output
    assert [client for _id, client in screenings(app)] == [bo]
    with app.app_context():
        assert db.session.get(Invitation, invitation_id) is None
        assert db.session.scalars(select(OutboxMessage)).all() == []
        assert [item.id for item in db.session.scalars(select(Client))] == [bo]
        [event] = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "purge_client")).all()
        assert event.detail.startswith(f"client {ann}: 2 screening(s)")
        assert "Ann" not in event.detail and event.subject == "command line"


def test_purge_needs_one_of_older_than_or_client(app):
    runner = app.test_cli_runner()
    assert runner.invoke(args=["purge"]).exit_code == 2
    assert runner.invoke(args=["purge", "--older-than", "30", "--client", "1"]).exit_code == 2
    assert runner.invoke(args=["purge", "--client", "1", "--anonymise"]).exit_code == 2
    missing = runner.invoke(args=["purge", "--client", "41", "--yes"])
    assert missing.exit_code == 1 and "no client record 41" in missing.output
    huge = runner.invoke(args=["purge", "--client", str(10**20), "--yes"])
    assert huge.exit_code == 1 and f"no client record {10**20}" in huge.output


def test_the_retention_purge_removes_records_left_with_nothing(app, rulebook):
    send(app.test_client(), rulebook)
    with app.app_context():
        screening = db.session.scalar(select(Screening))
        screening.submitted_at = screening.submitted_at - timedelta(days=400)
        db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge", "--older-than", "365", "--yes",
                                                "--anonymise"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.scalars(select(Client)).all() == []
        assert db.session.scalar(select(Screening)).client_id is None
