"""Who and where: care homes (services), the people who hold roles, app users and settings."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
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
    archived: Mapped[bool] = mapped_column(Boolean, default=False)

    people: Mapped[list[Person]] = relationship(back_populates="service")

    def __repr__(self) -> str:
        return f"<Service {self.id} {self.name!r}>"


class Person(IdMixin, TimestampMixin, VersionMixin, Base):
    """A member of staff or role holder who can lead actions, own steps or review."""

    __tablename__ = "person"

    # None for provider-level people (a nominated individual covers every home).
    service_id: Mapped[int | None] = mapped_column(ForeignKey("service.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(200), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    service: Mapped[Service | None] = relationship(back_populates="people")

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.name!r} ({self.role})>"


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
