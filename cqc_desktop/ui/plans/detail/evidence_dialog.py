"""Add evidence to an action: source type (and so its CQC evidence category), whether it
supports the change, who tested it and when, a link to a record, and files to attach."""

from __future__ import annotations

from collections.abc import Hashable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from ....models import Action
from ....models.enums import Supports
from ....services.errors import ServiceError, ValidationError
from ....services.plans import evidence
from ....services.reference import source_type, source_types
from ....services.setup import people
from ...context import AppContext
from ...widgets.forms import (
    DateEdit,
    Form,
    GuardedDialog,
    OptionalDateEdit,
    combo_of,
    report_problem,
    text_box,
    warn,
)


def choose_files(parent: QWidget) -> list[str]:
    """Ask for files to attach (replaced in tests)."""
    paths, _ = QFileDialog.getOpenFileNames(parent, "Attach files", str(Path.home()))
    return paths


class AddEvidenceDialog(GuardedDialog):
    """Add one piece of evidence, optionally linked to a record and with files attached."""

    what = "evidence"

    def __init__(self, ctx: AppContext, action_id: int, *, parent: QWidget | None = None) -> None:
        super().__init__(parent, "Add evidence")
        self.ctx = ctx
        self.action_id = action_id
        today = ctx.today()
        with ctx.db.reading() as session:
            action = session.get(Action, action_id)
            assert action is not None
            self.service_id = action.finding.plan.service_id
            staff = [
                (f"{p.name} — {p.role}" if p.role else p.name, p.id)
                for p in people.list_people(session, service_id=self.service_id)
            ]
            heading = f"<b>{action.reference} {action.title}</b>"
        self.heading = QLabel(heading)
        self.title_edit = QLineEdit()
        self.title_edit.setMaxLength(200)
        self.title_edit.setPlaceholderText("For example: Evening round observed, on time")
        self.source = combo_of([(s.name, s.code) for s in source_types()], blank="Choose…")
        self.category = QLabel()
        self.category.setStyleSheet("color: #555;")
        self.category.setAccessibleName("CQC evidence category")
        self.supports_group = QButtonGroup(self)
        supports_row = QWidget()
        row = QHBoxLayout(supports_row)
        row.setContentsMargins(0, 0, 0, 0)
        self.supports_buttons: dict[str, QRadioButton] = {}
        for value, text in (
            (Supports.YES, "&Yes"),
            (Supports.PARTLY, "Pa&rtly"),
            (Supports.NO, "N&o"),
        ):
            button = QRadioButton(text)
            button.setAccessibleName(f"Supports the change: {value.value}")
            self.supports_group.addButton(button)
            self.supports_buttons[value.value] = button
            row.addWidget(button)
        row.addStretch(1)
        self.supports_buttons[Supports.YES.value].setChecked(True)
        self.collected_on = DateEdit(today)
        self.tested_by = combo_of(staff, blank="(not tested yet)")
        self.tested_on = OptionalDateEdit("Tested on", today)
        self.tested_on.setAccessibleName("Tested on")
        self.description = text_box(3, "What it shows, and how it was checked")
        self.link_kind = combo_of(
            list((v, k) for k, v in evidence.LINK_KINDS.items()), blank="(nothing)"
        )
        self.link_kind.setAccessibleName("Linked record type")
        self.link_record = combo_of([])
        self.link_record.setAccessibleName("Linked record")
        self.link_record.setEnabled(False)
        link_row = QWidget()
        link_layout = QHBoxLayout(link_row)
        link_layout.setContentsMargins(0, 0, 0, 0)
        link_layout.addWidget(self.link_kind)
        link_layout.addWidget(self.link_record, 1)
        self.files = QListWidget()
        self.files.setAccessibleName("Files to attach")
        self.files.setMaximumHeight(80)
        self.add_files_button = QPushButton("Attach &files…")
        self.remove_file_button = QPushButton("Remove file")
        self.add_files_button.clicked.connect(lambda: self.add_files(choose_files(self)))
        self.remove_file_button.clicked.connect(self._remove_file)
        files_box = QWidget()
        files_layout = QHBoxLayout(files_box)
        files_layout.setContentsMargins(0, 0, 0, 0)
        files_layout.addWidget(self.files, 1)
        file_buttons = QVBoxLayout()
        file_buttons.addWidget(self.add_files_button)
        file_buttons.addWidget(self.remove_file_button)
        file_buttons.addStretch(1)
        files_layout.addLayout(file_buttons)

        self.form = Form()
        self.form.add_field("title", "&Title:", self.title_edit)
        self.form.add_field("source_type", "&Source type:", self.source)
        self.form.addRow("", self.category)
        self.form.add_field("supports", "Supports the change?", supports_row)
        self.form.add_field("collected_on", "&Collected on:", self.collected_on)
        self.form.add_field("tested_by", "Tested &by:", self.tested_by)
        self.form.add_field("tested_on", "", self.tested_on)
        self.form.add_field("description", "&Detail:", self.description)
        self.form.add_field("link", "&Linked to:", link_row)
        self.form.add_field("files", "Files:", files_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.heading)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(640, 0)
        self.source.currentIndexChanged.connect(self._show_category)
        self.link_kind.currentIndexChanged.connect(self._load_links)
        self._show_category()
        self.mark_clean()

    def _show_category(self) -> None:
        kind = source_type(self.source.currentData() or "")
        self.category.setText(
            f"CQC evidence category: {kind.category}"
            if kind
            else "Pick where the evidence came from."
        )

    def _load_links(self) -> None:
        kind = self.link_kind.currentData()
        self.link_record.clear()
        if kind is None:
            self.link_record.setEnabled(False)
            return
        with self.ctx.db.reading() as session:
            choices = evidence.link_choices(session, kind, self.service_id)
        for choice in choices:
            self.link_record.addItem(choice.label, choice.record_id)
        if not choices:
            self.link_record.addItem("(none recorded at this home)", None)
        self.link_record.setEnabled(bool(choices))

    def add_files(self, paths: list[str]) -> None:
        for path in paths:
            if path and not self.files.findItems(path, Qt.MatchFlag.MatchExactly):
                self.files.addItem(path)

    def _remove_file(self) -> None:
        row = self.files.currentRow()
        if row >= 0:
            self.files.takeItem(row)

    def supports(self) -> str:
        return next(v for v, b in self.supports_buttons.items() if b.isChecked())

    def set_supports(self, value: str) -> None:
        self.supports_buttons[value].setChecked(True)

    def file_paths(self) -> list[Path]:
        return [Path(self.files.item(i).text()) for i in range(self.files.count())]

    def state(self) -> Hashable:
        return (
            self.title_edit.text(),
            self.source.currentData(),
            self.supports(),
            self.collected_on.value(),
            self.tested_by.currentData(),
            self.tested_on.value(),
            self.description.toPlainText(),
            self.link_kind.currentData(),
            self.link_record.currentData(),
            tuple(self.file_paths()),
        )

    def data(self) -> evidence.EvidenceInput:
        kind = self.link_kind.currentData()
        record = self.link_record.currentData()
        return evidence.EvidenceInput(
            title=self.title_edit.text(),
            source_type=self.source.currentData() or "",
            collected_on=self.collected_on.value(),
            supports=self.supports(),
            description=self.description.toPlainText(),
            tested_by_id=self.tested_by.currentData(),
            tested_on=self.tested_on.value(),
            observation_id=record if kind == "observation" else None,
            incident_id=record if kind == "incident" else None,
            audit_run_id=record if kind == "audit_run" else None,
            meeting_item_id=record if kind == "meeting_item" else None,
        )

    def save(self) -> bool:
        data = self.data()
        try:
            if data.tested_on is not None and data.tested_by_id is None:
                raise ValidationError({"tested_by": "Say who tested the evidence."})
            with self.ctx.unit_of_work() as session:
                item = evidence.add_evidence(
                    session,
                    self.action_id,
                    data,
                    files=self.file_paths(),
                    attachments_dir=self.ctx.db.location.attachments_dir,
                    today=self.ctx.today(),
                )
                saved = item.id
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        except OSError as exc:
            warn(self, self.windowTitle(), f"A file could not be copied: {exc.strerror}.")
            return False
        self.ctx.sig_data_changed.emit("evidence")
        self.sig_saved.emit(saved)
        return True
