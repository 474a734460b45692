"""A daily governance log entry, rota note or staff communication book entry."""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget

from ...models import LogEntry
from ...models.enums import LogKind
from ...services.errors import ServiceError, ValidationError
from ...services.records import logs
from ..context import AppContext
from ..widgets.forms import (
    DateEdit,
    Form,
    GuardedDialog,
    combo_of,
    report_problem,
    select_data,
    text_box,
)
from ..widgets.signed_in import actor_of, fill_people, my_person_id
from .common import fill_actions, keep_rows_compact


class LogEntryDialog(GuardedDialog):
    what = "entry"

    def __init__(
        self,
        parent: QWidget | None,
        ctx: AppContext,
        service_id: int,
        entry_id: int | None,
        kind: str = LogKind.GOVERNANCE_LOG.value,
    ) -> None:
        super().__init__(parent, kind if entry_id is None else "Log entry")
        self.ctx = ctx
        self.service_id = service_id
        self.entry_id = entry_id
        self.setMinimumWidth(560)
        self.form = Form()
        self.kind = combo_of([(k.value, k.value) for k in LogKind])
        self.day = DateEdit(ctx.today())
        self.author = QComboBox()
        self.text = text_box(8, "What happened, what was decided, who needs to know")
        self.action = QComboBox()
        f = self.form
        f.add_field("kind", "&Log:", self.kind)
        f.add_field("entry_date", "&Date:", self.day)
        f.add_field("author_id", "&Written by:", self.author)
        f.add_field("text", "&Entry:", self.text)
        f.add_field("action_id", "Linked &action:", self.action)
        keep_rows_compact(f, grow=self.text)
        layout = QVBoxLayout(self)
        layout.addLayout(f)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        with ctx.db.reading() as session:
            entry = session.get(LogEntry, entry_id) if entry_id is not None else None
            author = entry.author_id if entry else my_person_id(ctx)
            fill_people(self.author, session, service_id, blank="(choose)", selected=author)
            if author is None:
                self.author.setCurrentIndex(0)
            fill_actions(self.action, session, service_id, entry.action_id if entry else None)
            select_data(self.kind, entry.kind if entry else kind)
            if entry is not None:
                self.day.set_value(entry.entry_date)
                self.text.setPlainText(entry.text)
        self.mark_clean()

    def state(self) -> Hashable:
        return (
            self.kind.currentData(),
            self.day.value(),
            self.author.currentData(),
            self.text.toPlainText(),
            self.action.currentData(),
        )

    def save(self) -> bool:
        args = (
            self.kind.currentData(),
            self.day.value(),
            self.author.currentData(),
            self.text.toPlainText(),
            self.action.currentData(),
        )
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                if self.entry_id is None:
                    saved = logs.add_log_entry(session, self.service_id, *args).id
                else:
                    saved = logs.update_log_entry(session, self.entry_id, *args).id
        except ValidationError as error:
            self.show_validation(self.form, error)
            return False
        except ServiceError as exc:
            report_problem(self, "Log entry", exc)
            return False
        self.entry_id = saved
        self.sig_saved.emit(saved)
        return True
