"""Who and where: care homes (services), the people who hold roles, app users and settings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, IdMixin, TimestampMixin, VersionMixin


class Service(IdMixin, TimestampMixin, VersionMixin, Base):
    """A registered location: one care home. A provider may run several."""

    __tablename__ = "service"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    provider_name: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(Text, default="")
    cqc_location_id: Mapped[str] = mapped_column(String(40), default="")
    current_rating: Mapped[str] = mapped_column(String(40), default="Not rated")
    registered_manager: Mapped[str] = mapped_column(String(200), default="", server_default="")
    beds: Mapped[int | None] = mapped_column(Integer)
    service_type: Mapped[str] = mapped_column(String(100), default="", server_default="")
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    people: Mapped[list[Person]] = relationship(back_populates="service")

    def __repr__(self) -> str:
        return f"<Service {self.id} {self.name!r}>"


class Person(IdMixin, TimestampMixin, VersionMixin, Base):
    """A member of staff or role holder who can lead actions, own steps or review."""

    __tablename__ = "person"

    # The home the person is listed under; None for provider-level people (a nominated
    # individual covers every home). Further homes they work in are PersonHome rows.
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    # The job title ("Registered manager", "Senior carer"); the column keeps its first name.
    role: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    # False once the person has left: kept (they led or did things), but offered for nothing new.
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    start_date: Mapped[date | None]
    leaving_date: Mapped[date | None]

    service: Mapped[Service | None] = relationship(back_populates="people")

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.name!r} ({self.role})>"


class PersonHome(Base):
    """A further home a member of staff works in, besides the one they are listed under."""

    __tablename__ = "person_home"

    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id"), primary_key=True, index=True)


class User(IdMixin, TimestampMixin, VersionMixin, Base):
    """Someone who signs in to the app. Passwords are stored only as a salted scrypt hash."""

    __tablename__ = "app_user"

    username: Mapped[str] = mapped_column(String(80), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(200), default="")
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login: Mapped[datetime | None]


class Setting(Base):
    """A user-changeable setting (rule lengths, idle lock minutes, privacy); value is JSON text."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="null")


class SignInThrottle(Base):
    """Failed sign-ins for one username (known or not), and until when it must wait.

    Audited like any record, so every failure (the count going up) and every lock-out (the time
    it must wait until) is in the audit trail.
    """

    __tablename__ = "sign_in_throttle"

    username: Mapped[str] = mapped_column(String(80), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None]


class RecoveryCode(IdMixin, TimestampMixin, Base):
    """A one-time code that lets someone set a new password for the last administrator.

    Only a scrypt hash is kept; the code itself is shown once, when it is made.
    """

    __tablename__ = "recovery_code"

    code_hash: Mapped[str] = mapped_column(String(200))
    used_at: Mapped[datetime | None]
