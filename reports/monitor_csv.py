"""Home blood-pressure monitor exports (CSV) read into readings. Pure Python, typed.

Monitors and their phone apps export differently; no export format is in
docs/sources, so this reads what they have in common, by the header's words:
a date column and a time column (or one date-and-time column), a systolic and a
diastolic column ("Systolic (mmHg)", "SYS", "Diastolic", "DIA", ...). Other columns
(pulse, notes) are ignored. Times are the patient's local times, in the clinic's
zone. Readings a few minutes apart are one sitting (the first two are kept as its
two readings, as the home-BP form asks for).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = ["MAX_BYTES", "MAX_ROWS", "SITTING_MINUTES", "CsvProblem", "Reading", "parse", "sittings"]

MAX_BYTES = 256 * 1024  # a year of twice-daily readings is ~50 KiB
MAX_ROWS = 2000
SITTING_MINUTES = 10  # readings this close together were taken at one sitting

_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y", "%Y/%m/%d")
_TIME_FORMATS = ("%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M:%S %p")


class CsvProblem(ValueError):
    """The file cannot be read; ``problems`` are (row number, message) in plain words."""

    def __init__(self, problems: list[tuple[int, str]]):
        self.problems = problems
        super().__init__("; ".join(f"row {row}: {text}" for row, text in problems))


@dataclass(frozen=True, slots=True)
class Reading:
    row: int
    taken_at: datetime  # aware, in the given zone
    sbp: int
    dbp: int


def _column(header: list[str], *words: str) -> int | None:
    for index, name in enumerate(header):
        lowered = name.strip().lower()
        if any(lowered.startswith(word) for word in words):
            return index
    return None


def _parse_when(date_text: str, time_text: str) -> datetime | None:
    for date_format in _DATE_FORMATS:
        for time_format in _TIME_FORMATS:
            try:
                return datetime.strptime(
                    f"{date_text.strip()} {time_text.strip()}", f"{date_format} {time_format}"
                )
            except ValueError:
                continue
    return None


def parse(text: str, zone: ZoneInfo) -> list[Reading]:
    """Every reading of the export, oldest first; CsvProblem naming each bad row."""
    if len(text.encode()) > MAX_BYTES:
        raise CsvProblem([(0, f"the file is larger than {MAX_BYTES // 1024} KiB")])
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    if not rows:
        raise CsvProblem([(0, "the file is empty")])
    header = rows[0]
    sys_col = _column(header, "sys")
    dia_col = _column(header, "dia")
    stamp_col = _column(header, "date/time", "datetime", "date and time", "measurement date")
    date_col = _column(header, "date")
    time_col = _column(header, "time")
    if sys_col is None or dia_col is None or (date_col is None and stamp_col is None):
        raise CsvProblem([(1, "no date, systolic and diastolic columns were found")])
    if len(rows) - 1 > MAX_ROWS:
        raise CsvProblem([(0, f"the file has more than {MAX_ROWS} readings")])
    readings: list[Reading] = []
    problems: list[tuple[int, str]] = []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            if stamp_col is not None and (time_col is None or time_col == stamp_col):
                date_text, _, time_text = row[stamp_col].strip().partition(" ")
            else:
                date_text = row[date_col if date_col is not None else 0]
                time_text = row[time_col] if time_col is not None else ""
            sbp_text, dbp_text = row[sys_col], row[dia_col]
        except IndexError:
            problems.append((number, "the row has fewer columns than the header"))
            continue
        when = _parse_when(date_text, time_text)
        if when is None:
            problems.append((number, f"cannot read the date and time {date_text} {time_text}"))
            continue
        try:
            sbp, dbp = int(sbp_text.strip()), int(dbp_text.strip())
        except ValueError:
            problems.append((number, "the blood pressure is not two whole numbers"))
            continue
        readings.append(Reading(number, when.replace(tzinfo=zone), sbp, dbp))
    if problems:
        raise CsvProblem(problems)
    return sorted(readings, key=lambda r: r.taken_at)


def sittings(readings: list[Reading]) -> list[list[Reading]]:
    """Readings grouped by sitting: each within SITTING_MINUTES of the sitting's first,
    at most two per sitting (a third starts a new one)."""
    groups: list[list[Reading]] = []
    window = timedelta(minutes=SITTING_MINUTES)
    for reading in readings:
        last = groups[-1] if groups else None
        if last and len(last) < 2 and reading.taken_at - last[0].taken_at <= window:
            last.append(reading)
        else:
            groups.append([reading])
    return groups
