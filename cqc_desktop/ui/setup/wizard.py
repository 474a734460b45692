"""The first start of a new database: who the provider is, the first care home, the
administrator's account and (if there is one to hand) the staff list, in four short pages.

Nothing is saved until Finish, and then all of it at once (``first_run.set_up``): a problem found
at the end takes the person back to the page where it can be put right. When it finishes, the
administrator is signed in and the app is ready to use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ... import APP_NAME
from ...services.errors import ServiceError, ValidationError
from ...services.governance.audits import install_builtin_audit_templates
from ...services.setup import first_run, homes
from ...services.setup.homes import HomeInput
from ...services.setup.people import suggest_username
from ...services.spreadsheets import Sheet
from ...services.trust import users
from .. import ui_state
from ..trust.login_dialog import LAST_USER_KEY, password_box, recovery_code_text
from ..widgets.forms import ErrorLabel, Form, inform, warn
from .staff_import_view import HEADINGS_HINT, StaffFilePicker, StaffPreviewView, connect_picker

if TYPE_CHECKING:
    from ...db import Database
    from ...services.trust.permissions import Actor


def _intro(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    return label


class _Page(QWizardPage):
    """A page with a form whose errors show beside the fields."""

    def __init__(self, title: str, subtitle: str) -> None:
        super().__init__()
        self.setTitle(title)
        self.setSubTitle(subtitle)
        self.form = Form()
        self.general = ErrorLabel()
        self.layout_ = QVBoxLayout(self)
        self.layout_.addLayout(self.form)
        self.layout_.addWidget(self.general)

    def show_errors(self, errors: dict[str, str]) -> bool:
        """Show the errors that belong here; True if any did."""
        rest = self.form.show_errors({k: v for k, v in errors.items() if self.owns(k)})
        self.general.set_error(" ".join(rest.values()))
        return any(self.owns(k) for k in errors)

    def owns(self, key: str) -> bool:
        return self.form.has_field(key.split(".")[0])

    def owns_any(self, errors: dict[str, str]) -> bool:
        return any(self.owns(k) for k in errors)


class ProviderPage(_Page):
    def __init__(self) -> None:
        super().__init__(
            "Your organisation",
            "The provider is the organisation registered with CQC. With one home, it may simply "
            "be the home's own name.",
        )
        self.provider = QLineEdit()
        self.form.add_field(
            "provider", "&Provider name:", self.provider, hint="For example Willow Care Ltd."
        )
        self.registerField("provider*", self.provider)

    def validatePage(self) -> bool:
        if not self.provider.text().strip():
            self.show_errors({"provider": "Enter the provider's name."})
            return False
        self.form.clear_errors()
        return True


class HomePage(_Page):
    def __init__(self, db: Database) -> None:
        super().__init__(
            "Your first care home",
            "You can add more homes later (Administration ▸ Homes).",
        )
        self.db = db
        self.name = QLineEdit()
        self.location = QLineEdit()
        self.manager = QLineEdit()
        self.beds = QSpinBox()
        self.beds.setRange(0, homes.MAX_BEDS)
        self.beds.setSpecialValueText("Not given")
        self.service_type = QComboBox()
        self.service_type.setEditable(True)
        self.service_type.addItems(["", *homes.SERVICE_TYPES])
        self.form.add_field("name", "Care &home name:", self.name)
        self.form.add_field(
            "cqc_location_id",
            "&CQC location ID:",
            self.location,
            hint="As on the home's CQC web page, e.g. 1-123456789. You can add it later.",
        )
        self.form.add_field(
            "registered_manager",
            "&Registered manager:",
            self.manager,
            hint="Added to the staff list, so actions can be given to them straight away.",
        )
        self.form.add_field("beds", "Number of &beds:", self.beds)
        self.form.add_field("service_type", "&Type of service:", self.service_type)
        self.registerField("home*", self.name)

    def home_input(self) -> HomeInput:
        return HomeInput(
            name=self.name.text(),
            cqc_location_id=self.location.text(),
            registered_manager=self.manager.text(),
            beds=self.beds.value() or None,
            service_type=self.service_type.currentText(),
        )

    def validatePage(self) -> bool:
        with self.db.reading() as session:
            errors = homes.home_problems(session, self.home_input())
        self.show_errors(errors)
        return not errors


class AdministratorPage(_Page):
    def __init__(self) -> None:
        super().__init__(
            "Your administrator account",
            "The administrator adds homes, staff and the other people who sign in, and "
            "decides what each may do.",
        )
        self.username = QLineEdit()
        self.display_name = QLineEdit()
        self.password = password_box("Password")
        self.confirm = password_box("Password again")
        self.form.add_field(
            "username", "&Username:", self.username, hint="For example zoe.hart (no spaces)."
        )
        self.form.add_field(
            "display_name",
            "Your &name:",
            self.display_name,
            hint="If you are the registered manager, keep your name as it is: your actions "
            "then show under My actions.",
        )
        self.form.add_field(
            "password",
            "&Password:",
            self.password,
            hint=f"At least {users.MIN_PASSWORD} characters; a short phrase is easy to remember.",
        )
        self.form.add_field("confirm", "Password &again:", self.confirm)
        self.registerField("username*", self.username)
        self._suggested = ""

    def initializePage(self) -> None:
        manager = " ".join(str(self.field("manager_name") or "").split())
        if manager and self.display_name.text() in ("", self._suggested):
            self.display_name.setText(manager)
            if not self.username.text():
                self.username.setText(suggest_username(manager))
        self._suggested = manager

    def validatePage(self) -> bool:
        from ...services.errors import Problems

        p = Problems()
        users.check_password_rules(p, "password", self.password.text(), self.username.text())
        if self.password.text() != self.confirm.text():
            p.add("confirm", "The two passwords are not the same.")
        self.show_errors(p.errors)
        return not p.errors


class StaffPage(_Page):
    """Optional: the staff list, checked before Finish."""

    def __init__(self, wizard: SetUpWizard) -> None:
        super().__init__(
            "Your staff list (optional)",
            "Import it now from a spreadsheet, or later (Administration ▸ Staff), where you "
            "can also add people one at a time.",
        )
        self.wizard_ = wizard
        self.picker = StaffFilePicker()
        self.view = StaffPreviewView()
        self.form.add_field("staff_list", "Staff list &file:", self.picker)
        self.layout_.insertWidget(0, _intro(HEADINGS_HINT))
        self.layout_.addWidget(self.view, 1)
        self.sheet: Sheet | None = None
        connect_picker(self.picker, self.view, self._preview)
        self.picker.sig_sheet.connect(lambda _s: self.completeChanged.emit())
        self.picker.sig_problem.connect(lambda _m: self.completeChanged.emit())

    def _preview(self, sheet: Sheet) -> object:
        self.sheet = sheet
        with self.wizard_.db.reading() as session:  # rolled back: nothing is kept
            return first_run.preview_staff_list(session, self.wizard_.set_up_input(), sheet)

    def isComplete(self) -> bool:
        typed = bool(self.picker.path.text().strip())
        preview = self.view.preview
        return not typed or (preview is not None and preview.ok)

    def validatePage(self) -> bool:
        self.picker.read()
        if not self.isComplete():
            return False
        return self.wizard_.finish_set_up()


class SetUpWizard(QWizard):
    """``actor`` is the administrator, signed in, once the wizard has finished."""

    def __init__(self, db: Database, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.actor: Actor | None = None
        self.recovery_code = ""  # shown once when set-up finishes
        self.setWindowTitle(f"Set up {APP_NAME}")
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.provider_page = ProviderPage()
        self.home_page = HomePage(db)
        self.admin_page = AdministratorPage()
        self.staff_page = StaffPage(self)
        for page in (self.provider_page, self.home_page, self.admin_page, self.staff_page):
            self.addPage(page)
        self.home_page.registerField("manager_name", self.home_page.manager)
        self.setButtonText(QWizard.WizardButton.FinishButton, "&Finish and sign in")
        self.resize(720, 560)

    def set_up_input(self) -> first_run.SetUpInput:
        return first_run.SetUpInput(
            provider=self.provider_page.provider.text(),
            home=self.home_page.home_input(),
            username=self.admin_page.username.text(),
            display_name=self.admin_page.display_name.text(),
            password=self.admin_page.password.text(),
            confirm=self.admin_page.confirm.text(),
        )

    def finish_set_up(self) -> bool:
        data = self.set_up_input()
        data.staff_list = self.staff_page.sheet if self.staff_page.view.preview else None
        try:
            with self.db.unit_of_work() as session:
                result = first_run.set_up(session, data)
                install_builtin_audit_templates(session)  # the audit templates, ready to use
            with self.db.unit_of_work() as session:
                self.actor = users.authenticate(session, data.username, data.password)
        except ValidationError as exc:
            self._back_to(exc.errors)
            return False
        except ServiceError as exc:
            warn(self, self.windowTitle(), str(exc))
            return False
        self.admin_page.password.clear()
        self.admin_page.confirm.clear()
        ui_state.save_str(LAST_USER_KEY, self.actor.username)
        self.recovery_code = result.recovery_code
        inform(self, "Your recovery code", recovery_code_text(result.recovery_code))
        return True

    def _back_to(self, errors: dict[str, str]) -> None:
        """Go back to the first page with a problem on it, and show it there."""
        pages = [self.provider_page, self.home_page, self.admin_page, self.staff_page]
        target = next((p for p in pages if p.owns_any(errors)), self.staff_page)
        for page in pages:
            page.show_errors(errors)
        if target is self.staff_page and not self.staff_page.owns_any(errors):
            self.staff_page.general.set_error(" ".join(errors.values()))
        while self.currentPage() is not target and self.currentId() > 0:
            self.back()
