"""The paths that read the computer's clock when no date is given, tried with the clock frozen at the
awkward moments: a second before midnight, just after it, and on 29 February."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine

from cqc_desktop.db import Database
from cqc_desktop.services.errors import ValidationError
from cqc_desktop.services.records import incidents
from cqc_desktop.services.setup import people
from cqc_desktop.services.trust import backups

LEAP_DAY_LAST_SECOND = datetime(2028, 2, 29, 23, 59, 59)
MARCH_FIRST_JUST_AFTER = datetime(2028, 3, 1, 0, 0, 1)


def _home(db: Database) -> int:
    with db.unit_of_work() as s:
        return people.create_service(s, "Willow Court").id


def _log(db: Database, home: int, occurred_at: datetime) -> int:
    with db.unit_of_work() as s:
        return incidents.log_incident(
            s,
            home,
            occurred_at=occurred_at,
            incident_type="Fall",
            severity="No harm",
            person_ref="MS",
        ).id


@time_machine.travel(LEAP_DAY_LAST_SECOND, tick=False)
def test_an_incident_late_on_29_february_is_today_and_one_after_midnight_is_the_future(
    db: Database,
) -> None:
    home = _home(db)
    assert _log(db, home, datetime(2028, 2, 29, 23, 30)) > 0
    with pytest.raises(ValidationError, match="future"):
        _log(db, home, datetime(2028, 3, 1, 0, 5))


@time_machine.travel(MARCH_FIRST_JUST_AFTER, tick=False)
def test_just_after_midnight_the_new_day_is_today(db: Database) -> None:
    home = _home(db)
    assert _log(db, home, datetime(2028, 3, 1, 0, 0)) > 0


@pytest.mark.sqlite_only
def test_the_daily_backup_is_made_once_a_day_by_the_clock(db: Database) -> None:
    _home(db)
    with time_machine.travel(LEAP_DAY_LAST_SECOND, tick=False):
        first = backups.run_daily_backup(db.location)
        assert first is not None
        assert backups.run_daily_backup(db.location) is None  # the same day: nothing more
    with time_machine.travel(MARCH_FIRST_JUST_AFTER, tick=False):
        second = backups.run_daily_backup(db.location)
        assert second is not None
    made = sorted(
        b.made_at.date().isoformat() for b in backups.list_backups(db.location.backups_dir)
    )
    assert made == ["2028-02-29", "2028-03-01"]
