"""Declarative base and the column helpers every table shares.

Enumerations are stored as short strings (not database enums) so the schema stays portable between
SQLite and PostgreSQL and a new choice never needs a migration; services validate the values.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, Integer, MetaData, String, Text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# Named constraints so Alembic can alter them later (SQLite batch mode needs names).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


@compiles(String, "postgresql")
def _unbounded_on_postgresql(type_: String, compiler: Any, **kw: Any) -> str:
    """Lengths on String columns are a guide for forms: SQLite never enforces them, so data that
    has been saved there (and a long name or reference typed today) must save on PostgreSQL too,
    rather than fail there alone. PostgreSQL's VARCHAR without a length is as fast as with one."""
    return "VARCHAR"


def utcnow() -> datetime:
    """Naive UTC timestamp (stored naive so SQLite and PostgreSQL compare the same way)."""
    return datetime.now(UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {str: String(200), date: Date, datetime: DateTime}  # noqa: RUF012


class IdMixin:
    id: Mapped[int] = mapped_column(Integer, primary_key=True)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class VersionMixin:
    """A record several PCs may edit: ``version`` goes up by one at every save, and an UPDATE or
    DELETE whose version is no longer the one read is refused (SQLAlchemy's ``version_id_col``), so
    no save silently overwrites another PC's. Services also compare it with the version a form
    was opened at (``services.versions``)."""

    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def long_text() -> Mapped[str]:
    """Free text that may run to paragraphs (minutes, root causes); never NULL."""
    return mapped_column(Text, default="", nullable=False)
