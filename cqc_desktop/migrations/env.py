"""Alembic environment: uses the engine handed over by the app (or a URL for developers)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from cqc_desktop.migrations import include_name
from cqc_desktop.models import Base

config = context.config
target_metadata = Base.metadata


def run() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch mode copies a table and drops the old one, which SQLite refuses while other
            # tables point at it and foreign keys are enforced. They are switched off for the
            # migration only (it cannot be done inside a transaction) and checked afterwards.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    # SQLite cannot ALTER most things in place; batch mode copies the table.
                    render_as_batch=True,
                    compare_type=True,
                    include_name=include_name,
                )
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"The upgrade left broken links: {broken[:5]}")
        finally:
            if sqlite:
                connection.rollback()  # whatever is left open, before the pragma can apply
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


run()
