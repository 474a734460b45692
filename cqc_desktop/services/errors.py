"""Errors that services raise, worded for the person at the keyboard."""

from __future__ import annotations

from datetime import UTC, datetime


class ServiceError(Exception):
    """Base class: ``str(error)`` is a complete, plain-English sentence."""


class ValidationError(ServiceError):
    """One or more fields are wrong. ``errors`` maps field name → message shown beside the field."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = dict(errors)
        super().__init__(" ".join(self.errors.values()))

    @classmethod
    def single(cls, field: str, message: str) -> ValidationError:
        return cls({field: message})


class NotFound(ServiceError):
    """The record asked for does not exist (or was archived)."""


class NotAllowed(ServiceError):
    """The signed-in user's role does not allow this, or the record is locked."""


class Problems:
    """Collects field errors so a form reports every problem at once, not one per save."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def require(self, field: str, value: object, message: str) -> None:
        if value is None or (isinstance(value, str) and not value.strip()):
            self.add(field, message)

    def choice(self, field: str, value: str, allowed: type, label: str) -> None:
        values = [m.value for m in allowed]  # type: ignore[attr-defined]
        if value not in values:
            article = "an" if label[:1].lower() in "aeiou" else "a"
            self.add(field, f"Choose {article} {label} from the list ({', '.join(values)}).")

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


class ConflictError(ServiceError):
    """Someone else (usually on another PC) saved this record after the form was opened, so saving
    would overwrite their change. Nothing was saved; the form stays open with what was typed.

    ``who`` and ``when`` come from the audit trail (empty/None when it does not say);
    ``record_type`` and ``record_id`` name the record, ``current_version`` is its version now.
    """

    def __init__(
        self,
        what: str,
        *,
        who: str = "",
        when: datetime | None = None,
        record_type: str = "",
        record_id: int | None = None,
        current_version: int | None = None,
    ) -> None:
        self.what = what
        self.who = who
        self.when = when
        self.record_type = record_type
        self.record_id = record_id
        self.current_version = current_version
        by = who or "Someone else"
        super().__init__(
            f"{by} changed this {what}{self.when_text()}, after you opened it. "
            "Nothing has been saved, so their change is not overwritten: look at their change, "
            "or reload and re-apply yours."
        )

    def when_text(self) -> str:
        """ " at 14:32 on 08/12/2026" on this computer's clock ("" when not known)."""
        if self.when is None:
            return ""
        # The audit trail keeps UTC; the person reading the message wants their own clock.
        local = self.when.replace(tzinfo=UTC).astimezone()
        return f" at {local:%H:%M} on {local:%d/%m/%Y}"
