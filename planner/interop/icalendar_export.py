"""Build RFC 5545 calendar files (`.ics`) for appointments.

Pure: no flask, no database. Callers turn each appointment into a `CalendarEvent` and
pass the clinic's time zone, name and domain, and "now"; `build_calendar` returns the
bytes of one VCALENDAR, for a single-appointment download or a clinician's feed.

Privacy: these files leave the clinic, into clinicians' phone and cloud calendars. The
caller chooses the text, but the default summary the app builds must identify the
patient by initials and MRN only (e.g. "Review: J.S. MRN 004211"), and neither the
summary nor the description may carry diagnoses, doses or free-text notes.

Stability: a VEVENT's UID is `f"{uid_source}@{domain}"`, so a rebuilt feed updates the
events a calendar app already holds instead of duplicating them; a higher SEQUENCE (the
appointment's version) tells the app which copy is newer.

Times: DTSTART and DTEND are written as wall-clock times in the clinic's zone with a
TZID, backed by a VTIMEZONE covering the file's dates, so subscribers in another zone
still see the right instant. DTSTAMP and LAST-MODIFIED are UTC, as RFC 5545 requires.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from typing import Literal
from typing import get_args
from zoneinfo import ZoneInfo

from icalendar import Alarm
from icalendar import Calendar
from icalendar import Event
from icalendar import Timezone
from icalendar import vText

from planner.clinic_time import require_aware

EventStatus = Literal["CONFIRMED", "TENTATIVE", "CANCELLED"]

EVENT_STATUSES: frozenset[str] = frozenset(get_args(EventStatus))
# RFC 5545 TEXT admits no control characters except HTAB; a newline is written as the
# escape "\n". Anything else would make the file invalid, so it is dropped.
_CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_NEWLINES = re.compile(r"\r\n?")
# The VTIMEZONE must cover every local time in the file; a day either side keeps
# events that start at midnight, and reminders before the first one, inside it.
_ZONE_MARGIN = timedelta(days=1)


def _is_token(value: str) -> bool:
    """Say whether the text is non-empty with no spaces or control characters."""
    return bool(value) and value.isprintable() and " " not in value


def _clean_text(value: str) -> str:
    """Return the text with newlines as LF and other control characters removed."""
    return _CONTROL_CHARS.sub("", _NEWLINES.sub("\n", value))


@dataclass(frozen=True)
class CalendarEvent:
    """One appointment as a calendar event; the caller has already chosen its text."""

    # Stable per appointment, e.g. "appointment-42"; the UID is built from it.
    uid_source: str
    start: datetime
    end: datetime
    summary: str
    description: str
    status: EventStatus
    # The appointment's version: calendar apps keep the copy with the higher SEQUENCE.
    sequence: int
    last_modified: datetime
    location: str | None = None
    # A DISPLAY reminder this many minutes before the start; None for no reminder.
    alarm_minutes_before: int | None = None

    def __post_init__(self) -> None:
        if not _is_token(self.uid_source):
            raise ValueError(f"uid_source must be one word, got {self.uid_source!r}")
        require_aware("start", self.start)
        require_aware("end", self.end)
        require_aware("last_modified", self.last_modified)
        if self.end <= self.start:
            raise ValueError(f"end {self.end} must be after start {self.start}")
        if self.status not in EVENT_STATUSES:
            raise ValueError(
                f"status must be one of {sorted(EVENT_STATUSES)}, got {self.status!r}"
            )
        if self.sequence < 0:
            raise ValueError(f"sequence must be 0 or more, got {self.sequence!r}")
        if self.alarm_minutes_before is not None and self.alarm_minutes_before < 0:
            raise ValueError(
                "alarm_minutes_before must be 0 or more, "
                f"got {self.alarm_minutes_before!r}"
            )


def build_calendar(
    events: Iterable[CalendarEvent],
    *,
    zone: ZoneInfo,
    clinic_name: str,
    domain: str,
    now: datetime,
    name: str | None = None,
) -> bytes:
    """Build a VCALENDAR holding one VEVENT per event, with times in the clinic's zone.

    :param zone: the clinic's time zone; it must have an IANA key ("Europe/London").
    :param domain: the clinic's host name, making UIDs globally unique.
    :param now: the export time, written as every event's DTSTAMP.
    :param name: the calendar's display name (NAME, X-WR-CALNAME), for feeds.
    :return: the calendar as UTF-8 bytes with CRLF line ends, folded at 75 octets.
    """
    if not zone.key:
        raise ValueError("zone must have an IANA key, e.g. ZoneInfo('Europe/London')")
    if not _is_token(domain) or "@" in domain:
        raise ValueError(f"domain must be a host name, got {domain!r}")
    require_aware("now", now)
    events = list(events)
    stamp = now.astimezone(UTC)

    calendar = Calendar()
    calendar.add("PRODID", f"-//planner//{_clean_text(clinic_name)}//EN")
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", "PUBLISH")
    if name is not None:
        # icalendar writes NAME and X-WR-CALNAME raw, so they are escaped here as the
        # TEXT that clients read them as. A display name is one line.
        display_name = vText(_clean_text(name).replace("\n", " "))
        calendar.add("NAME", display_name)
        calendar.add("X-WR-CALNAME", display_name)
        calendar.add("X-WR-TIMEZONE", zone.key)
    # Always present, even with no events: RFC 5545 wants at least one component, and
    # it lets an empty feed declare its zone.
    calendar.add_component(_timezone_for(zone, events, stamp))
    for event in events:
        calendar.add_component(_vevent(event, zone=zone, domain=domain, stamp=stamp))
    # to_ical has no return annotation in icalendar; it returns bytes.
    ical: bytes = calendar.to_ical()
    return ical


def _timezone_for(
    zone: ZoneInfo, events: list[CalendarEvent], stamp: datetime
) -> Timezone:
    """Return a VTIMEZONE for the zone covering every event and the export date."""
    local_dates: list[date] = [stamp.astimezone(zone).date()]
    for event in events:
        local_dates.append(event.start.astimezone(zone).date())
        local_dates.append(event.end.astimezone(zone).date())
    return Timezone.from_tzid(
        zone.key,
        first_date=min(local_dates) - _ZONE_MARGIN,
        last_date=max(local_dates) + _ZONE_MARGIN,
    )


def _vevent(
    event: CalendarEvent, *, zone: ZoneInfo, domain: str, stamp: datetime
) -> Event:
    vevent = Event()
    vevent.add("UID", f"{event.uid_source}@{domain}")
    vevent.add("DTSTAMP", stamp)
    vevent.add("DTSTART", event.start.astimezone(zone))
    vevent.add("DTEND", event.end.astimezone(zone))
    vevent.add("SUMMARY", _clean_text(event.summary))
    vevent.add("DESCRIPTION", _clean_text(event.description))
    if event.location is not None:
        vevent.add("LOCATION", _clean_text(event.location))
    vevent.add("STATUS", event.status)
    vevent.add("SEQUENCE", event.sequence)
    vevent.add("LAST-MODIFIED", event.last_modified.astimezone(UTC))
    if event.alarm_minutes_before is not None:
        alarm = Alarm()
        alarm.add("ACTION", "DISPLAY")
        # DISPLAY alarms require a DESCRIPTION; the summary is what the reminder shows.
        alarm.add("DESCRIPTION", _clean_text(event.summary))
        alarm.add("TRIGGER", timedelta(minutes=-event.alarm_minutes_before))
        vevent.add_component(alarm)
    return vevent
