"""Dialogs around a governance meeting: its details, the agenda built from the data, approving the
minutes and adding a dated addendum once they are locked."""

from __future__ import annotations

from collections.abc import Hashable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)
from sqlalchemy.orm import Session

from ...formatting import uk_date
from ...models.enums import MeetingType
from ...services.errors import NotAllowed, ServiceError, ValidationError
from ...services.governance import meetings, minute_drafts
from ...services.setup import people
from ..context import AppContext
from ..widgets.draft_keeper import DraftKeeper
from ..widgets.forms import (
    DateEdit,
    Form,
    GuardedDialog,
    Unsaved,
    ask_unsaved,
    report_problem,
    select_data,
    text_box,
)
from ..widgets.signed_in import actor_of, fill_homes, fill_people, muted, my_person_id

PROVIDER_HOME = "All homes (provider meeting)"
# Who usually chairs each meeting, by role, most likely first (DESIGN.md's worked scenarios).
CHAIR_ROLES = {
    MeetingType.WEEKLY_GOVERNANCE.value: ("registered manager",),
    MeetingType.MONTHLY_QUALITY.value: ("quality lead", "registered manager"),
    MeetingType.PROVIDER_GOVERNANCE.value: ("provider governance lead", "nominated individual"),
    MeetingType.STAFF.value: ("registered manager", "deputy manager"),
}


class MeetingDialog(GuardedDialog):
    """New meeting, or a draft meeting's details. Type and home are fixed once it exists."""

    what = "meeting"

    def __init__(
        self,
        ctx: AppContext,
        parent: QWidget | None,
        *,
        meeting_id: int | None = None,
        service_id: int | None = None,
    ) -> None:
        super().__init__(parent, "Meeting details" if meeting_id else "New meeting")
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.kind = QComboBox()
        for value in MeetingType:
            self.kind.addItem(value.value, value.value)
        self.held_on = DateEdit(ctx.today())
        self.home = QComboBox()
        self.chair = QComboBox()
        self.attendees = QListWidget()
        self.attendees.setMinimumHeight(130)
        self.other = text_box(2, "Pharmacist, relatives' forum, agency staff…")
        self.apologies = text_box(2)
        self.build_agenda = QCheckBox("Build the agenda from the data once saved")
        self.build_agenda.setChecked(meeting_id is None)
        self.form = Form()
        self.form.add_field("meeting_type", "Meeting &type:", self.kind)
        self.form.add_field("held_on", "&Date:", self.held_on)
        self.form.add_field(
            "service_id",
            "Care &home:",
            self.home,
            hint="A provider governance meeting can cover every home.",
        )
        self.form.add_field("chair_id", "&Chair:", self.chair)
        self.form.add_field("attendee_ids", "Atte&ndees:", self.attendees)
        self.form.add_field("other_attendees", "&Others present:", self.other)
        self.form.add_field("apologies", "A&pologies:", self.apologies)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        if meeting_id is None:
            layout.addWidget(self.build_agenda)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(560, 620)
        self._load(service_id)
        self.kind.currentIndexChanged.connect(self._kind_changed)
        self.home.currentIndexChanged.connect(self._home_changed)
        self.mark_clean()

    def _load(self, service_id: int | None) -> None:
        with self.ctx.db.reading() as session:
            fill_homes(self.home, session, all_label=None)
            if self.meeting_id is None:
                select_data(self.home, service_id)
                if self.home.currentIndex() < 0:
                    self.home.setCurrentIndex(0)
                chair = my_person_id(self.ctx) or self._usual_chair(session)
                self._people(session, self.home.currentData(), chair, [])
                return
            meeting = meetings.get_meeting(session, self.meeting_id)
            select_data(self.kind, meeting.meeting_type)
            self._kind_changed()
            select_data(self.home, meeting.service_id)
            self.held_on.set_value(meeting.held_on)
            self.other.setPlainText(meeting.other_attendees)
            self.apologies.setPlainText(meeting.apologies)
            self._people(session, meeting.service_id, meeting.chair_id, meeting.attendee_ids)
            self.kind.setEnabled(False)
            self.home.setEnabled(False)

    def _people(
        self, session: Session, service_id: int | None, chair: int | None, ticked: list[int]
    ) -> None:
        fill_people(self.chair, session, service_id, blank="— choose the chair —", selected=chair)
        self.attendees.clear()
        for i in range(1, self.chair.count()):
            item = QListWidgetItem(self.chair.itemText(i))
            item.setData(Qt.ItemDataRole.UserRole, self.chair.itemData(i))
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            checked = self.chair.itemData(i) in ticked
            item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
            self.attendees.addItem(item)

    def _usual_chair(self, session: Session) -> int | None:
        """Who normally chairs this kind of meeting, found by role (the chair can be changed)."""
        wanted = CHAIR_ROLES.get(self.kind.currentData(), ())
        staff = people.list_people(session, service_id=self.home.currentData())
        for role in wanted:
            found = next((p.id for p in staff if role in p.role.lower()), None)
            if found is not None:
                return found
        return None

    def _kind_changed(self) -> None:
        provider = self.kind.currentData() == MeetingType.PROVIDER_GOVERNANCE
        index = self.home.findData(None)
        if provider and index < 0:
            self.home.insertItem(0, PROVIDER_HOME, None)
            self.home.setCurrentIndex(0)
        elif not provider and index >= 0:
            self.home.removeItem(index)
        if self.meeting_id is None and not my_person_id(self.ctx):
            with self.ctx.db.reading() as session:
                chair = self._usual_chair(session)
            if chair is not None:
                select_data(self.chair, chair)

    def _home_changed(self) -> None:
        with self.ctx.db.reading() as session:
            self._people(session, self.home.currentData(), self.chair.currentData(), self._ticked())

    def _ticked(self) -> list[int]:
        out = []
        for i in range(self.attendees.count()):
            item = self.attendees.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return out

    def state(self) -> Hashable:
        return (
            self.kind.currentData(),
            self.held_on.value(),
            self.home.currentData(),
            self.chair.currentData(),
            tuple(self._ticked()),
            self.other.toPlainText(),
            self.apologies.toPlainText(),
        )

    def save(self) -> bool:
        self.general_error.set_error("")
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                if self.meeting_id is None:
                    meeting = meetings.create_meeting(
                        session,
                        self.kind.currentData(),
                        self.held_on.value(),
                        self.home.currentData(),
                        self.chair.currentData(),
                        self._ticked(),
                        self.other.toPlainText(),
                        self.apologies.toPlainText(),
                    )
                else:
                    meeting = meetings.update_meeting(
                        session,
                        self.meeting_id,
                        held_on=self.held_on.value(),
                        chair_id=self.chair.currentData(),
                        attendee_ids=self._ticked(),
                        other_attendees=self.other.toPlainText(),
                        apologies=self.apologies.toPlainText(),
                    )
                self.meeting_id = meeting.id
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except NotAllowed as exc:
            self.form.show_errors({"held_on": str(exc)})
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        self.sig_saved.emit(self.meeting_id)
        return True


class ApproveDialog(GuardedDialog):
    """Approving locks the minutes: only a manager, and only once every item is minuted."""

    what = "approval"

    def __init__(self, ctx: AppContext, parent: QWidget | None, meeting_id: int) -> None:
        super().__init__(parent, "Approve the minutes")
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.approver = QComboBox()
        self.on = DateEdit(ctx.today())
        self.form = Form()
        self.form.add_field("approved_by_id", "&Approved by:", self.approver)
        self.form.add_field("approved_on", "&Date:", self.on)
        with ctx.db.reading() as session:
            meeting = meetings.get_meeting(session, meeting_id)
            # Approval locks the minutes as they are now: a change made elsewhere after this
            # dialog opened is refused rather than locked in unread.
            self.seen_version = meeting.version
            self.seen_items = {item.id: item.version for item in meeting.items}
            default = my_person_id(ctx) or meeting.chair_id
            fill_people(
                self.approver, session, meeting.service_id, managers_only=True, selected=default
            )
            heading = f"{meeting.meeting_type}, {uk_date(meeting.held_on)}"
        self.save_button.setText("A&pprove and lock")
        note = muted(
            f"{heading}. Once approved the minutes are locked: corrections are added as dated "
            "addenda."
        )
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(self.form)
        layout.addStretch(1)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(480, 240)
        self.mark_clean()

    def state(self) -> Hashable:
        return ()  # nothing typed that could be lost

    def save(self) -> bool:
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                meetings.approve_minutes(
                    session,
                    self.meeting_id,
                    self.approver.currentData(),
                    self.on.value(),
                    seen_version=self.seen_version,
                    seen_item_versions=self.seen_items,
                )
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        self.sig_saved.emit(self.meeting_id)
        return True


class AddendumDialog(GuardedDialog):
    """A dated correction to approved minutes; the text is auto-saved as it is typed."""

    what = "addendum"

    def __init__(self, ctx: AppContext, parent: QWidget | None, meeting_id: int) -> None:
        super().__init__(parent, "Add an addendum")
        self.ctx = ctx
        self.meeting_id = meeting_id
        self.author = QComboBox()
        self.on = DateEdit(ctx.today())
        self.text = text_box(6, "What was wrong in the minutes, and what is correct")
        self.keeper = DraftKeeper(ctx, self.text, "addendum")
        self.form = Form()
        self.form.add_field("author_id", "&Written by:", self.author)
        self.form.add_field("added_on", "&Date:", self.on)
        self.form.add_field("text", "&Correction:", self.text)
        key = minute_drafts.meeting_key(meeting_id, "addendum")
        with ctx.db.reading() as session:
            meeting = meetings.get_meeting(session, meeting_id)
            fill_people(
                self.author,
                session,
                meeting.service_id,
                blank="— choose —",
                selected=my_person_id(ctx) or meeting.approved_by_id,
            )
            draft = minute_drafts.drafts_for(session, meeting_id).get(key)
        restored = self.keeper.bind(meeting_id, key, "", draft)
        layout = QVBoxLayout(self)
        if restored:
            layout.addWidget(muted("Restored a correction you had started typing."))
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.resize(520, 360)
        self._clean = (self.author.currentData(), self.on.value(), "")

    def state(self) -> Hashable:
        return (self.author.currentData(), self.on.value(), self.text.toPlainText())

    def reject(self) -> None:
        if self.is_dirty():
            choice = ask_unsaved(self, self.what)
            if choice is Unsaved.CANCEL:
                return
            if choice is Unsaved.SAVE:
                self.try_save()
                return
            self.text.clear()  # discarded: the auto-saved draft goes too
            self.keeper.flush()
        self.keeper.unbind()
        QDialog.reject(self)

    def save(self) -> bool:
        try:
            with self.ctx.db.unit_of_work(actor_of(self.ctx)) as session:
                meetings.add_addendum(
                    session,
                    self.meeting_id,
                    self.author.currentData(),
                    self.on.value(),
                    self.text.toPlainText(),
                )
        except ValidationError as exc:
            self.show_validation(self.form, exc)
            return False
        except ServiceError as exc:
            report_problem(self, self.windowTitle(), exc)
            return False
        self.keeper.unbind()
        self.sig_saved.emit(self.meeting_id)
        return True
