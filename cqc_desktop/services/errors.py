"""Errors that services raise, worded for the person at the keyboard."""

from __future__ import annotations


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
