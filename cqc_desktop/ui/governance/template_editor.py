"""Editing an audit template: sections and questions in a tree, saved as a new version.

Past runs keep the version they were asked from; questions keep their keys so the next run is still
compared with the last one and the trend continues.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy import func, select

from ...models import AuditRun
from ...models.enums import KeyQuestion, RiskArea
from ...services.errors import ServiceError, ValidationError
from ...services.governance.audits import SCHEDULES, get_template, new_template_version
from ..context import AppContext
from ..widgets.forms import Form, GuardedDialog, report_problem, select_data, text_box
from ..widgets.signed_in import actor_of, commit_open_editor, muted

KEY_ROLE = Qt.ItemDataRole.UserRole
ERROR_BRUSH = QBrush(QColor("#f8d7d5"))
EDITABLE = Qt.ItemFlag.ItemIsEditable | Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class TemplateEditorDialog(GuardedDialog):
    what = "audit template"

    def __init__(self, ctx: AppContext, parent: QWidget | None, template_id: int) -> None:
        super().__init__(parent, "Edit audit template")
        self.ctx = ctx
        self.template_id = template_id
        self.new_id: int | None = None
        self.name = QLineEdit()
        self.description = text_box(3)
        self.schedule = QComboBox()
        for value in SCHEDULES:
            self.schedule.addItem(value.capitalize(), value)
        self.record_sample = QCheckBox("Record how many records were sampled")
        self.risk_area = QComboBox()
        for value in RiskArea:
            self.risk_area.addItem(value.value, value.value)
        self.key_question = QComboBox()
        for value in KeyQuestion:
            self.key_question.addItem(value.value, value.value)
        self.tree = QTreeWidget()
        self.tree.setHeaderLabels(
            ["Sections and questions (double-click or F2 to edit the wording)"]
        )
        self.tree.setAccessibleName("Sections and questions")
        self.tree.setWordWrap(True)
        self.form = Form()
        self.form.add_field("name", "&Name:", self.name)
        self.form.add_field("description", "&Description:", self.description)
        self.form.add_field(
            "schedule", "Default &schedule:", self.schedule, hint="Each home can set its own."
        )
        self.form.add_field("record_sample", "", self.record_sample)
        self.form.add_field(
            "risk_area", "&Risk area:", self.risk_area, hint="For actions raised from a “No”."
        )
        self.form.add_field("key_question", "&Key question:", self.key_question)
        self.controls = {
            "section": QPushButton("Add s&ection"),
            "question": QPushButton("Add &question"),
            "remove": QPushButton("Re&move"),
            "up": QPushButton("Move &up"),
            "down": QPushButton("Move do&wn"),
        }
        with ctx.db.reading() as session:
            template = get_template(session, template_id)
            runs = session.scalar(
                select(func.count())
                .select_from(AuditRun)
                .where(AuditRun.template_id == template.id)
            )
            self._fill(template.name, template.schedule, template.definition)
            note = (
                f"Saving makes a new version of “{template.name}” (now version {template.version}). "
                f"The {runs} run(s) recorded on version {template.version} keep its questions."
            )
        self.save_button.setText("&Save as new version")
        self._build(note)
        self.controls["section"].clicked.connect(self.add_section)
        self.controls["question"].clicked.connect(self.add_question)
        self.controls["remove"].clicked.connect(self.remove)
        self.controls["up"].clicked.connect(self.move_up)
        self.controls["down"].clicked.connect(self.move_down)
        self.resize(900, 700)
        self.mark_clean()

    def _build(self, note: str) -> None:
        bar = QHBoxLayout()
        for button in self.controls.values():
            bar.addWidget(button)
        bar.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(muted(note))
        layout.addLayout(self.form)
        layout.addLayout(bar)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)

    def _fill(self, name: str, schedule: str, definition: dict[str, Any]) -> None:
        self.name.setText(name)
        self.description.setPlainText(definition.get("description", ""))
        select_data(self.schedule, schedule)
        self.record_sample.setChecked(bool(definition.get("record_sample")))
        select_data(self.risk_area, definition.get("risk_area", RiskArea.OTHER.value))
        select_data(self.key_question, definition.get("key_question", KeyQuestion.SAFE.value))
        for section in definition["sections"]:
            top = self._section_item(section["title"])
            for question in section["questions"]:
                self._question_item(top, question["text"], question["key"])
        self.tree.expandAll()

    def _section_item(self, title: str, at: int | None = None) -> QTreeWidgetItem:
        item = QTreeWidgetItem([title])
        item.setFlags(EDITABLE)
        font = item.font(0)
        font.setBold(True)
        item.setFont(0, font)
        if at is None:
            self.tree.addTopLevelItem(item)
        else:
            self.tree.insertTopLevelItem(at, item)
        return item

    def _question_item(
        self, section: QTreeWidgetItem, text: str, key: str = "", at: int | None = None
    ) -> QTreeWidgetItem:
        item = QTreeWidgetItem([text])
        item.setFlags(EDITABLE)
        item.setData(0, KEY_ROLE, key)
        if at is None:
            section.addChild(item)
        else:
            section.insertChild(at, item)
        return item

    # --- structure commands ----------------------------------------------------------------
    def _current_section(self) -> QTreeWidgetItem | None:
        item = self.tree.currentItem()
        if item is None:
            return None
        return item if item.parent() is None else item.parent()

    def add_section(self) -> None:
        section = self._section_item("New section")
        self._question_item(section, "New question")
        self.tree.expandItem(section)
        self.tree.setCurrentItem(section)
        self.tree.editItem(section, 0)

    def add_question(self) -> None:
        section = self._current_section()
        if section is None:
            self.add_section()
            return
        current = self.tree.currentItem()
        at = (
            section.indexOfChild(current) + 1
            if current is not None and current.parent() is section
            else None
        )
        item = self._question_item(section, "New question", at=at)
        self.tree.expandItem(section)
        self.tree.setCurrentItem(item)
        self.tree.editItem(item, 0)

    def remove(self) -> None:
        item = self.tree.currentItem()
        if item is None:
            return
        parent = item.parent()
        if parent is None:
            self.tree.takeTopLevelItem(self.tree.indexOfTopLevelItem(item))
        else:
            parent.removeChild(item)

    def move_up(self) -> None:
        self.move(-1)

    def move_down(self) -> None:
        self.move(1)

    def move(self, offset: int) -> None:
        item = self.tree.currentItem()
        if item is None:
            return
        parent = item.parent()
        if parent is None:
            here = self.tree.indexOfTopLevelItem(item)
            there = here + offset
            if 0 <= there < self.tree.topLevelItemCount():
                self.tree.takeTopLevelItem(here)
                self.tree.insertTopLevelItem(there, item)
                item.setExpanded(True)
        else:
            here = parent.indexOfChild(item)
            there = here + offset
            if 0 <= there < parent.childCount():
                parent.takeChild(here)
                parent.insertChild(there, item)
        self.tree.setCurrentItem(item)

    # --- saving ----------------------------------------------------------------------------
    def definition(self) -> dict[str, Any]:
        sections = []
        for s in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(s)
            sections.append(
                {
                    "title": top.text(0),
                    "questions": [
                        {"key": top.child(q).data(0, KEY_ROLE) or "", "text": top.child(q).text(0)}
                        for q in range(top.childCount())
                    ],
                }
            )
        return {
            "name": self.name.text(),
            "schedule": self.schedule.currentData(),
            "description": self.description.toPlainText(),
            "record_sample": self.record_sample.isChecked(),
            "risk_area": self.risk_area.currentData(),
            "key_question": self.key_question.currentData(),
            "sections": sections,
        }

    def state(self) -> Hashable:
        return repr(self.definition())

    def _mark(self, errors: dict[str, str]) -> None:
        for s in range(self.tree.topLevelItemCount()):
            top = self.tree.topLevelItem(s)
            marked = f"sections.{s + 1}" in errors
            top.setBackground(0, ERROR_BRUSH if marked else QBrush())
            for q in range(top.childCount()):
                bad = f"sections.{s + 1}.{q + 1}" in errors
                top.child(q).setBackground(0, ERROR_BRUSH if bad else QBrush())

    def save(self) -> bool:
        commit_open_editor(self.tree)
        if not self.name.text().strip():
            self.form.show_errors({"name": "Give the audit a name."})
            return False
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                template = new_template_version(session, self.template_id, self.definition())
                self.new_id = template.id
        except ValidationError as exc:
            self._mark(exc.errors)
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        assert self.new_id is not None
        self.sig_saved.emit(self.new_id)
        return True
