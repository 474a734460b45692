"""How long the monthly QA report takes on the demo data (target: under 1 second).

    python bench/report_speed.py [--runs 7] [--limit 1.0]

Loads the demo (Willow Court, twelve weeks to 26/11/2026) into a temporary database, then makes
the November report — reading the data and laying out the PDF, exactly as the Reports tab and
``cqc-desktop report monthly`` do — several times. Prints every run and the median, and exits
non-zero if the median is over the limit. The first run also pays for loading ReportLab and the
font, so it is shown separately and left out of the median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

TODAY = date(2026, 11, 26)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--limit", type=float, default=1.0, help="seconds (median)")
    args = parser.parse_args()

    from cqc_desktop.config import resolve
    from cqc_desktop.db import Database
    from cqc_desktop.reports.catalogue import MONTHLY, DocumentRequest, generate
    from cqc_desktop.services.demo.loader import seed_demo
    from cqc_desktop.services.reporting.common import find_home, month_period

    with tempfile.TemporaryDirectory(prefix="cqc-bench-") as folder:
        location = resolve(str(Path(folder) / "demo.sqlite3"))
        db = Database(location)
        try:
            with db.unit_of_work() as session:
                seed_demo(session, TODAY, location.attachments_dir)
            with db.reading() as session:
                home = find_home(session, None)
            request = DocumentRequest(MONTHLY, service_id=home.id, period=month_period("2026-11"))

            def once() -> tuple[float, int]:
                started = time.perf_counter()
                with db.reading() as session:
                    pdf = generate(
                        session, request, today=TODAY, attachments_dir=location.attachments_dir
                    )
                return time.perf_counter() - started, len(pdf)

            cold, size = once()
            print(f"first run (loads ReportLab and the font): {cold:.3f} s, {size:,} bytes")
            times = []
            for n in range(1, args.runs + 1):
                seconds, _ = once()
                times.append(seconds)
                print(f"run {n}: {seconds:.3f} s")
        finally:
            db.dispose()
    median = statistics.median(times)
    verdict = "OK" if median <= args.limit else "TOO SLOW"
    print(f"median of {len(times)} runs: {median:.3f} s (limit {args.limit:.1f} s) — {verdict}")
    return 0 if median <= args.limit else 1


if __name__ == "__main__":
    sys.exit(main())
