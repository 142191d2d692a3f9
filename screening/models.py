"""Stored screenings. Answers are one JSON document keyed by question id."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, String
from sqlalchemy.orm import Mapped, mapped_column

from .database import db


class Screening(db.Model):
    """One client's submitted questionnaire and the engine's result at the time."""

    __tablename__ = "screenings"

    id: Mapped[int] = mapped_column(primary_key=True)
    submission_key: Mapped[str] = mapped_column(String(64), unique=True)
    result_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_name: Mapped[str] = mapped_column(String(100), index=True)
    date_of_birth: Mapped[date] = mapped_column(Date)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(40))
    appointment_date: Mapped[date | None] = mapped_column(Date, index=True)
    answers: Mapped[dict[str, Any]] = mapped_column(JSON)
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    urgent: Mapped[bool]
    findings: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    body_areas: Mapped[list[str]] = mapped_column(JSON)
    rulebook_version: Mapped[str] = mapped_column(String(80))
    screened_on: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    signature: Mapped[str] = mapped_column(String(100))
    signed_on: Mapped[date] = mapped_column(Date)

    def __repr__(self) -> str:
        return f"<Screening {self.id} {self.outcome}>"
