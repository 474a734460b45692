"""The demo's data files in resources/demo: every one reads at the version this app knows, and a
broken one stops the demo with a message that names the file."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from cqc_desktop.config import RESOURCES
from cqc_desktop.models import Base, Service
from cqc_desktop.services.demo import data
from cqc_desktop.services.demo.data import Calendar, DemoDataError
from cqc_desktop.services.demo.loader import seed_demo

TODAY = date(2026, 11, 26)  # a Thursday
FILES = sorted(p.stem for p in (RESOURCES / "demo").glob("*.json"))


@pytest.fixture
def demo_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A copy of resources/demo the test may break; the files read before are forgotten."""
    folder = tmp_path / "demo"
    shutil.copytree(RESOURCES / "demo", folder)
    monkeypatch.setattr(data, "DEMO_DIR", folder)
    data.read.cache_clear()
    yield folder
    data.read.cache_clear()


def _session() -> Session:
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    return Session(engine)


@pytest.mark.parametrize("name", FILES)
def test_every_demo_file_reads_at_the_current_version(name: str) -> None:
    loaded = data.read(name)
    assert loaded["version"] == data.VERSION == 1
    assert name == "home" or name in data.read("home")["scenarios"]  # none left unused


def test_the_home_lists_the_three_worked_scenarios_and_the_smaller_actions() -> None:
    assert data.read("home")["scenarios"] == [
        "late_medicines",
        "care_plan_reviews",
        "incident_learning",
        "smaller_actions",
    ]
    assert set(FILES) == {"home", *data.read("home")["scenarios"]}


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"version": 1, "actions": [', "is not valid JSON"),
        ('{"actions": []}', "has no version number"),
        ("[1, 2, 3]", "has no version number"),
        ('{"version": 2, "actions": []}', "is version 2; this app reads version 1"),
    ],
)
def test_a_malformed_file_is_named_in_the_error(demo_dir: Path, text: str, problem: str) -> None:
    (demo_dir / "care_plan_reviews.json").write_text(text, encoding="utf-8")
    with pytest.raises(DemoDataError, match=problem) as caught:
        data.read("care_plan_reviews")
    assert "resources/demo/care_plan_reviews.json" in str(caught.value)


def test_a_missing_file_is_named(demo_dir: Path) -> None:
    (demo_dir / "smaller_actions.json").unlink()
    with (
        _session() as session,
        pytest.raises(DemoDataError, match=r"smaller_actions\.json is missing"),
    ):
        seed_demo(session, TODAY)


def test_a_file_missing_a_field_stops_the_demo_naming_the_file(demo_dir: Path) -> None:
    path = demo_dir / "incident_learning.json"
    scenario = json.loads(path.read_text(encoding="utf-8"))
    del scenario["actions"][0]["events"][0]["review"]
    path.write_text(json.dumps(scenario), encoding="utf-8")
    with _session() as session:
        with pytest.raises(DemoDataError) as caught:
            seed_demo(session, TODAY)
        assert "resources/demo/incident_learning.json is malformed" in str(caught.value)
        assert "'review'" in str(caught.value)
        # Nothing is committed by the loader: the caller rolls the half-built home back.
        session.rollback()
        assert session.scalar(select(func.count()).select_from(Service)) == 0


def test_dates_are_relative_to_today_and_only_due_dates_lie_ahead() -> None:
    cal = Calendar(TODAY, {}, "Willow Court")
    assert cal.monday == date(2026, 11, 23)
    assert cal.date({"weeks_ago": 3, "day": 1}) == date(2026, 11, 3)
    assert cal.date({"weeks_ago": 11, "day": 42}) == date(2026, 10, 19)
    assert cal.date({"days_before_today": 18}) == date(2026, 11, 8)
    assert cal.date({"weeks_ago": 0, "day": 5}) == TODAY  # Saturday has not come yet
    assert cal.date({"weeks_ago": -1, "day": 0}, due=True) == date(2026, 11, 30)
    assert cal.text("{home}: {since:%d/%m/%Y}", {"since": {"weeks_ago": 1, "day": 0}}) == (
        "Willow Court: 16/11/2026"
    )
