"""Shared form pieces: labelled rows with an error line beside each field, UK date editors,
and dialogs that ask before throwing away unsaved changes.

Every dialog that edits a record builds on ``GuardedDialog`` and ``Form`` so validation errors from
the services (``ValidationError.errors``: field → message) land next to the right field, and the
behaviour on Cancel/Escape/close is the same everywhere.

Message boxes go through the small functions at the top (``ask``, ``ask_unsaved``, ``warn``,
``inform``) so tests can answer them without a modal loop.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from datetime import date
from enum import StrEnum

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ...services.errors import ServiceError, ValidationError

UK_DATE_FORMAT = "dd/MM/yyyy"
ERROR_COLOUR = "#b3261e"


# --- message boxes (replaceable in tests) -----------------------------------------------------


class Unsaved(StrEnum):
    SAVE = "save"
    DISCARD = "discard"
    CANCEL = "cancel"


def ask(parent: QWidget | None, title: str, text: str) -> bool:
    """A Yes/No question; No is the default so Enter never destroys anything."""
    answer = QMessageBox.question(
        parent,
        title,
        text,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def ask_reason(parent: QWidget | None, title: str, text: str) -> str | None:
    """Ask why (withdrawing a record needs a reason); None if cancelled or left blank."""
    from PySide6.QtWidgets import QInputDialog

    reason, ok = QInputDialog.getText(parent, title, text)
    return reason.strip() if ok and reason.strip() else None


def ask_unsaved(parent: QWidget | None, what: str) -> Unsaved:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Unsaved changes")
    box.setText(f"Save the changes to this {what}?")
    box.setInformativeText("If you don't save, your changes will be lost.")
    box.setStandardButtons(
        QMessageBox.StandardButton.Save
        | QMessageBox.StandardButton.Discard
        | QMessageBox.StandardButton.Cancel
    )
    box.setDefaultButton(QMessageBox.StandardButton.Save)
    answer = box.exec()
    if answer == QMessageBox.StandardButton.Save:
        return Unsaved.SAVE
    if answer == QMessageBox.StandardButton.Discard:
        return Unsaved.DISCARD
    return Unsaved.CANCEL


def warn(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.warning(parent, title, text)


def inform(parent: QWidget | None, title: str, text: str) -> None:
    QMessageBox.information(parent, title, text)


def report_problem(parent: QWidget | None, title: str, error: ServiceError) -> None:
    """A service refused: say why, in its own words (never a traceback)."""
    warn(parent, title, str(error))


# --- field widgets -----------------------------------------------------------------------------


class ErrorLabel(QLabel):
    """The red line under a field saying what is wrong with it; hidden when there is nothing."""

    def __init__(self) -> None:
        super().__init__()
        self.setWordWrap(True)
        self.setStyleSheet(f"color: {ERROR_COLOUR};")
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hide()

    def set_error(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))


class DateEdit(QDateEdit):
    """A date field shown dd/mm/yyyy with a calendar drop-down."""

    def __init__(self, value: date | None = None) -> None:
        super().__init__()
        self.setDisplayFormat(UK_DATE_FORMAT)
        self.setCalendarPopup(True)
        self.setMinimumDate(QDate(2000, 1, 1))
        self.setMaximumDate(QDate(2100, 12, 31))
        self.setMinimumWidth(120)
        self.set_value(value or date.today())

    def value(self) -> date:
        return self.date().toPython()  # type: ignore[no-any-return]

    def set_value(self, value: date) -> None:
        self.setDate(QDate(value.year, value.month, value.day))


class OptionalDateEdit(QWidget):
    """A date that may be left unset: a tick box switches the date field on."""

    sig_changed = Signal()
    """Emitted when the tick or the date changes."""

    def __init__(self, check_text: str, default: date, value: date | None = None) -> None:
        super().__init__()
        self.check = QCheckBox(check_text)
        self.edit = DateEdit(value or default)
        self._default = default
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.check)
        layout.addWidget(self.edit)
        layout.addStretch(1)
        self.check.toggled.connect(self._toggled)
        self.edit.dateChanged.connect(lambda _d: self.sig_changed.emit())
        self.set_value(value)
        self.setFocusProxy(self.check)

    def _toggled(self, on: bool) -> None:
        self.edit.setEnabled(on)
        self.sig_changed.emit()

    def value(self) -> date | None:
        return self.edit.value() if self.check.isChecked() else None

    def set_value(self, value: date | None) -> None:
        self.check.setChecked(value is not None)
        self.edit.set_value(value or self._default)
        self.edit.setEnabled(value is not None)

    def setAccessibleName(self, name: str) -> None:
        super().setAccessibleName(name)
        self.check.setAccessibleName(f"{name}: set")
        self.edit.setAccessibleName(name)


def text_box(lines: int = 3, placeholder: str = "") -> QPlainTextEdit:
    """Several lines of free text. Tab moves to the next field, as in every other field."""
    box = QPlainTextEdit()
    box.setTabChangesFocus(True)
    box.setPlaceholderText(placeholder)
    height = box.fontMetrics().lineSpacing() * lines + 14
    box.setMinimumHeight(height)
    box.setMaximumHeight(max(height, box.fontMetrics().lineSpacing() * (lines + 4) + 14))
    return box


def compact_rows(view: QAbstractItemView) -> None:
    """One line of text per table row, with a little air (the default is much taller)."""
    header = getattr(view, "verticalHeader", None)
    if header is not None:
        header().setDefaultSectionSize(view.fontMetrics().height() + 8)


def select_data(combo: QComboBox, value: object) -> None:
    """Select the item carrying ``value`` (or nothing, index -1, when it is not there)."""
    combo.setCurrentIndex(combo.findData(value))


def combo_of(items: list[tuple[str, object]], *, blank: str | None = None) -> QComboBox:
    combo = QComboBox()
    if blank is not None:
        combo.addItem(blank, None)
    for text, data in items:
        combo.addItem(text, data)
    return combo


# --- forms -------------------------------------------------------------------------------------


class Form(QFormLayout):
    """A QFormLayout whose rows carry an error line under the field, keyed by the service's field
    names, so ``show_errors`` can put each message beside the right field."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self._fields: dict[str, tuple[QWidget, ErrorLabel]] = {}

    def add_field(
        self,
        key: str,
        label: str,
        widget: QWidget,
        *,
        hint: str = "",
        aliases: tuple[str, ...] = (),
    ) -> ErrorLabel:
        caption = QLabel(label)
        caption.setBuddy(widget)
        plain = label.replace("&", "").rstrip(":")
        if not widget.accessibleName():
            widget.setAccessibleName(plain)
        error = ErrorLabel()
        error.setAccessibleName(f"{plain}: problem")
        holder = QWidget()
        column = QVBoxLayout(holder)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(2)
        column.addWidget(widget)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            note.setStyleSheet("color: #555;")
            column.addWidget(note)
        column.addWidget(error)
        self.addRow(caption, holder)
        for name in (key, *aliases):
            self._fields[name] = (widget, error)
        return error

    def error_label(self, key: str) -> ErrorLabel:
        return self._fields[key][1]

    def has_field(self, key: str) -> bool:
        return key in self._fields

    def clear_errors(self) -> None:
        for _widget, error in self._fields.values():
            error.set_error("")

    def show_errors(self, errors: dict[str, str]) -> dict[str, str]:
        """Show each message beside its field; return the ones with no field here."""
        self.clear_errors()
        unplaced: dict[str, str] = {}
        first: QWidget | None = None
        for key, message in errors.items():
            target = self._fields.get(key) or self._fields.get(key.split(".")[0])
            if target is None:
                unplaced[key] = message
                continue
            widget, error = target
            error.set_error(f"{error.text()}\n{message}" if error.text() else message)
            first = first or widget
        if first is not None:
            first.setFocus(Qt.FocusReason.OtherFocusReason)
        return unplaced


def top_aligned(form: Form) -> QVBoxLayout:
    """A form column that keeps its rows at the top when its neighbour is taller."""
    column = QVBoxLayout()
    column.addLayout(form)
    column.addStretch(1)
    return column


class GuardedDialog(QDialog):
    """A record dialog: Save runs ``save()`` (which returns True when stored); Cancel, Escape or
    closing the window asks first if anything changed since ``mark_clean()``."""

    what = "record"

    sig_saved = Signal(int)
    """Emitted with the saved record's id after a successful save."""

    def __init__(self, parent: QWidget | None, title: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setModal(True)
        self.general_error = ErrorLabel()
        self.general_error.setAccessibleName("Problems")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button: QPushButton = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        self.buttons.accepted.connect(self.try_save)
        self.buttons.rejected.connect(self.reject)
        self._clean: Hashable = None
        self._confirmed_close = False

    # Subclasses provide these two.
    def state(self) -> Hashable:
        """A snapshot of every field, compared to tell whether anything changed."""
        raise NotImplementedError

    def save(self) -> bool:
        raise NotImplementedError

    def mark_clean(self) -> None:
        self._clean = self.state()

    def is_dirty(self) -> bool:
        return self.state() != self._clean

    def show_validation(self, forms: Form | list[Form], error: ValidationError) -> None:
        """Put each message beside its field (in whichever form has it); the rest go below."""
        rest = dict(error.errors)
        for form in forms if isinstance(forms, list) else [forms]:
            rest = form.show_errors(rest)
        self.general_error.set_error(" ".join(rest.values()))

    def try_save(self) -> None:
        if self.save():
            self.mark_clean()
            self.accept()

    def reject(self) -> None:
        if self.is_dirty():
            choice = ask_unsaved(self, self.what)
            if choice is Unsaved.CANCEL:
                return
            if choice is Unsaved.SAVE:
                self.try_save()
                return
        super().reject()

    def closeEvent(self, event: QCloseEvent) -> None:
        # Route the window's close button through reject() so it asks the same question.
        if self.isVisible() and self.result() == 0 and self.is_dirty():
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)


def run_service(
    parent: QWidget | None, title: str, work: Callable[[], object]
) -> tuple[bool, object]:
    """Run a service call; show a refusal as a message instead of a traceback."""
    try:
        return True, work()
    except ServiceError as exc:
        report_problem(parent, title, exc)
        return False, None
