"""An invitation: a client, their appointment, and the private link to their questionnaire."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text, Time, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import db
from ..models import Client, Screening, Therapist

if TYPE_CHECKING:
    from ..outbox import OutboxMessage

#: A link works until the end of this many days after the appointment (in the clinic's time).
LINK_DAYS_AFTER = 1


class Invitation(db.Model):
    """A client asked to answer the questionnaire before an appointment.

    The link's token is never stored: it is derived from `link_key` and the app's secret
    key (see links.py), and only its hash is kept to find the invitation, so a copy of the
    database alone opens no link; the app can still rebuild the link to send it again.
    The appointment is a date and a time on the clinic's clock (SCREENING_TIMEZONE).
    """

    __tablename__ = "invitations"
    #: The Appointments view (service.upcoming_query): the invitations not cancelled, in
    #: its order, so its page is read in order and its count from the index alone.
    __table_args__ = (Index("ix_invitations_upcoming", "appointment_date", "appointment_time",
                            "id", sqlite_where=text("cancelled_at IS NULL"),
                            postgresql_where=text("cancelled_at IS NULL")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    link_key: Mapped[str] = mapped_column(String(64), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    client_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    appointment_date: Mapped[date] = mapped_column(Date, index=True)
    appointment_time: Mapped[time] = mapped_column(Time)
    therapist: Mapped[str] = mapped_column(String(100), default="")
    #: For the clinic only: never in an email.
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("therapists.id"))
    #: When the client first opened the link.
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: The client record the therapist chose (or made) when inviting. Not a foreign key in
    #: the database, like Screening.client_id (see there).
    client_id: Mapped[int | None] = mapped_column(index=True)
    #: The language the client's emails are in, and the questionnaire opens in, from the
    #: link (screening/i18n.py); None (invitations made before languages): the clinic's.
    language: Mapped[str | None] = mapped_column(String(16))

    client: Mapped[Client | None] = relationship(
        primaryjoin="foreign(Invitation.client_id) == Client.id")
    created_by: Mapped[Therapist | None] = relationship()
    screenings: Mapped[list[Screening]] = relationship(
        back_populates="invitation", order_by="Screening.id.desc()")
    messages: Mapped[list[OutboxMessage]] = relationship(
        back_populates="invitation", order_by="OutboxMessage.id.desc()",
        cascade="all, delete-orphan", passive_deletes=True)

    @property
    def screening(self) -> Screening | None:
        """The latest screening sent from this invitation (a corrected one comes later)."""
        return self.screenings[0] if self.screenings else None

    @property
    def link_works_until(self) -> date:
        """The last day the link opens the questionnaire."""
        return self.appointment_date + timedelta(days=LINK_DAYS_AFTER)

    def __repr__(self) -> str:
        return f"<Invitation {self.id} {self.appointment_date} {self.appointment_time}>"
