"""`flask purge`: removing or anonymising screenings past the retention period."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from screening.database import db
from screening.models import AuditEvent, Decision, Screening
from tests.factories import VEINS, add_screening, consent, form_data


def test_purge_dry_run_then_remove(app, rulebook):
    with app.app_context():
        old = add_screening(rulebook, VEINS, submitted_at=datetime.now(UTC) - timedelta(days=400))
        add_screening(rulebook)
        db.session.add(Decision(screening=old, therapist_id=None, kind="go_ahead", note="n",
                                created_at=datetime.now(UTC)))
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["purge", "--older-than", "365", "--dry-run"])
    assert dry.exit_code == 0
    assert "1 screening(s)" in dry.output and "#1 submitted" in dry.output
    assert "dry run" in dry.output and "Client 0" not in dry.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Screening)) == 2
    done = runner.invoke(args=["purge", "--older-than", "365", "--yes"])
    assert done.exit_code == 0, done.output
    with app.app_context():
        assert [s.id for s in db.session.scalars(select(Screening))] == [2]
        assert db.session.scalar(select(func.count()).select_from(Decision)) == 0
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "purge"))
        assert "#1" in event.detail


def anonymise_older_than_730_days(app):
    """Run `purge --older-than 730 --anonymise`; return the one screening (app context)."""
    result = app.test_cli_runner().invoke(args=["purge", "--older-than", "730", "--anonymise",
                                                "--yes"])
    assert result.exit_code == 0, result.output
    return db.session.scalar(select(Screening))


def test_purge_anonymises_with_the_flag(app, client, rulebook):
    answers = {**VEINS, "osteoporosis": "yes", "fracture_history": "Wrist, skiing 2019",
               "recent_fracture": "no", "spine_changes": "no", "long_term_steroids": "no"}
    link = client.post("/submit", data=consent(form_data(rulebook, answers))).headers["Location"]
    with app.app_context():
        screening = db.session.scalar(select(Screening))
        screening.submitted_at = datetime.now(UTC) - timedelta(days=800)
        db.session.commit()
    with app.app_context():
        screening = anonymise_older_than_730_days(app)
        assert screening.client_name == "Anonymised" and screening.email is None
        assert screening.date_of_birth == date(1980, 1, 1)
        assert "fracture_history" not in screening.answers
        assert screening.answers["vv_location"] == ["left_calf"]
        assert screening.outcome == "local"
        assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "anonymise"))
    app.config["RESULT_LINK_DAYS"] = 10_000
    assert client.get(link).status_code == 404


def test_anonymising_drops_answers_to_questions_the_rule_book_no_longer_has(app, rulebook):
    """Free text given to a question since removed from the rule book (or since changed
    from free text to a coded question) goes too; it could name or describe the client."""
    with app.app_context():
        screening = add_screening(rulebook, VEINS,
                                  submitted_at=datetime.now(UTC) - timedelta(days=800))
        coded = dict(screening.answers)
        screening.answers = {**coded, "old_medication_notes": "Warfarin, Dr Jones, 1 High St",
                             "old_pregnant": "yes", "vv_severity": "the big one behind my knee"}
        db.session.commit()
    with app.app_context():
        screening = anonymise_older_than_730_days(app)
        assert screening.client_name == "Anonymised"
        assert screening.answers == {qid: value for qid, value in coded.items()
                                     if qid != "vv_severity"}
        assert screening.answers["vv_location"] == ["left_calf"]
        assert screening.outcome == "local"


def test_purge_needs_a_positive_number_of_days(app):
    result = app.test_cli_runner().invoke(args=["purge", "--older-than", "0"])
    assert result.exit_code == 2
    assert "0 is not in the range" in result.output


def test_purge_works_in_committed_batches(app, rulebook, monkeypatch):
    """Each batch (retention.BATCH screenings) is removed and recorded in a transaction of
    its own, so a purge of a year never holds the database for long; newer ones stay."""
    from screening import retention

    monkeypatch.setattr(retention, "BATCH", 2)
    old = datetime.now(UTC) - timedelta(days=400)
    with app.app_context():
        for _ in range(5):
            add_screening(rulebook, submitted_at=old)
        add_screening(rulebook)
    commits = []
    with app.app_context():
        original = db.session.commit

        def counted():
            commits.append(db.session.scalar(select(func.count()).select_from(Screening)))
            original()
        monkeypatch.setattr(db.session, "commit", counted)
        done = app.test_cli_runner().invoke(args=["purge", "--older-than", "365", "--yes"])
    assert done.exit_code == 0, done.output
    assert "5 screening(s) submitted before" in done.output
    assert "Done: 5 screening(s) removed." in done.output
    # two, two, then the last one, each committed; then the client records left with nothing
    assert commits[-4:] == [4, 2, 1, 1]
    with app.app_context():
        assert [s.id for s in db.session.scalars(select(Screening))] == [6]
        details = [event.detail for event in db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == "purge").order_by(AuditEvent.id))]
    assert [detail.split(": ", 1)[1] for detail in details] == ["#1, #2", "#3, #4", "#5"]


def test_anonymising_works_in_batches_too(app, rulebook, monkeypatch):
    from screening import retention

    monkeypatch.setattr(retention, "BATCH", 2)
    with app.app_context():
        for _ in range(3):
            add_screening(rulebook, VEINS, submitted_at=datetime.now(UTC) - timedelta(days=800))
    done = app.test_cli_runner().invoke(args=["purge", "--older-than", "730", "--anonymise",
                                              "--yes"])
    assert done.exit_code == 0, done.output
    assert "Done: 3 screening(s) anonymised." in done.output
    with app.app_context():
        assert {s.client_name for s in db.session.scalars(select(Screening))} == {"Anonymised"}
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "anonymise")) == 2
