import re
from dataclasses import FrozenInstanceError
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from planner.interop.icalendar_export import CalendarEvent
from planner.interop.icalendar_export import build_calendar

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
DOMAIN = "clinic.example.org"
HOSTILE = (
    '<script>alert("x")</script>; DROP TABLE patient; a,b,,c;;\n'
    "second line\\n not a newline \\ backslash\n\n"
    "Zoë Ó'Brien — 日本語 テキスト 🙂 " + "long text " * 40
)


def make_event(**overrides):
    values = {
        "uid_source": "appointment-1",
        "start": datetime(2026, 7, 15, 8, 30, tzinfo=UTC),
        "end": datetime(2026, 7, 15, 9, 0, tzinfo=UTC),
        "summary": "Review: J.S. MRN 004211",
        "description": "Two-week review",
        "status": "CONFIRMED",
        "sequence": 1,
        "last_modified": datetime(2026, 4, 30, 16, 5, tzinfo=UTC),
    }
    values.update(overrides)
    return CalendarEvent(**values)


def build(events, **overrides):
    arguments = {
        "zone": LONDON,
        "clinic_name": "Facial Palsy Clinic",
        "domain": DOMAIN,
        "now": NOW,
    }
    arguments.update(overrides)
    return build_calendar(events, **arguments)


def parse(data):
    return Calendar.from_ical(data)


def display_name(calendar, prop):
    # icalendar parses NAME and X-WR-CALNAME without unescaping; clients unescape
    # them as TEXT (RFC 5545 section 3.3.11), as done here.
    return re.sub(
        r"\\([\\;,nN])",
        lambda match: "\n" if match[1] in "nN" else match[1],
        str(calendar[prop]),
    )


def only_event(calendar):
    (event,) = calendar.walk("VEVENT")
    return event


def physical_lines(data):
    assert data.endswith(b"\r\n")
    return data[: -len(b"\r\n")].split(b"\r\n")


# Time zones: UTC instants chosen so that each is 09:30 on the wall clock.


@pytest.mark.parametrize(
    ("zone_key", "utc_month_day_hour", "local_month_day"),
    [
        # Summer (BST, +01:00) and winter (GMT, +00:00).
        pytest.param("Europe/London", (7, 15, 8), (7, 15), id="london-july"),
        pytest.param("Europe/London", (1, 14, 9), (1, 14), id="london-january"),
        # The morning after the clocks go forward at 01:00 UTC.
        pytest.param("Europe/London", (3, 29, 8), (3, 29), id="london-dst-day"),
        # EDT -04:00 and EST -05:00.
        pytest.param("America/New_York", (7, 15, 13), (7, 15), id="new-york-july"),
        pytest.param("America/New_York", (1, 14, 14), (1, 14), id="new-york-january"),
        # Southern winter AEST +10:00 and summer AEDT +11:00: the UTC date is the day
        # before the local one.
        pytest.param("Australia/Sydney", (7, 14, 23), (7, 15), id="sydney-july"),
        pytest.param("Australia/Sydney", (1, 13, 22), (1, 14), id="sydney-january"),
    ],
)
def test_times_are_local_with_tzid_and_keep_the_utc_instant(
    zone_key, utc_month_day_hour, local_month_day
):
    start = datetime(2026, *utc_month_day_hour, 30, tzinfo=UTC)
    local_start = datetime(2026, *local_month_day, 9, 30)
    zone = ZoneInfo(zone_key)
    data = build(
        [make_event(start=start, end=start + timedelta(minutes=30))], zone=zone
    )

    calendar = parse(data)
    event = only_event(calendar)
    assert event["DTSTART"].params["TZID"] == zone_key
    assert event["DTEND"].params["TZID"] == zone_key
    assert f"DTSTART;TZID={zone_key}:{local_start:%Y%m%dT%H%M%S}\r\n".encode() in data

    parsed_start = event.decoded("DTSTART")
    parsed_end = event.decoded("DTEND")
    assert parsed_start.astimezone(UTC) == start
    assert parsed_end.astimezone(UTC) == start + timedelta(minutes=30)
    assert parsed_start.astimezone(zone).replace(tzinfo=None) == local_start

    # The file's own VTIMEZONE, not just the reader's tz database, gives the instant.
    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone["TZID"] == zone_key
    file_zone = vtimezone.to_tz(lookup_tzid=False)
    assert local_start.replace(tzinfo=file_zone).astimezone(UTC) == start


def test_timezone_covers_summer_and_winter_events_in_one_file():
    events = [
        make_event(uid_source="appointment-1"),
        make_event(
            uid_source="appointment-2",
            start=datetime(2026, 12, 2, 9, 30, tzinfo=UTC),
            end=datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
        ),
    ]
    calendar = parse(build(events))

    (vtimezone,) = calendar.walk("VTIMEZONE")
    assert vtimezone.walk("DAYLIGHT")
    assert vtimezone.walk("STANDARD")
    file_zone = vtimezone.to_tz(lookup_tzid=False)
    for event in calendar.walk("VEVENT"):
        local = event.decoded("DTSTART").replace(tzinfo=None)
        assert local.hour == 9
        assert local.minute == 30
        assert local.replace(tzinfo=file_zone) == event.decoded("DTSTART")


def test_every_event_has_the_required_properties():
    events = [make_event(uid_source=f"appointment-{n}") for n in range(1, 4)]
    calendar = parse(build(events))

    vevents = calendar.walk("VEVENT")
    assert len(vevents) == 3
    for event in vevents:
        for prop in ("UID", "DTSTAMP", "DTSTART", "DTEND", "SUMMARY", "STATUS"):
            assert prop in event, prop
        assert "TZID" in event["DTSTART"].params
        assert event.decoded("DTSTAMP") == NOW
        assert event.decoded("DTSTAMP").utcoffset() == timedelta(0)
        assert event.decoded("SEQUENCE") == 1
        assert event.decoded("LAST-MODIFIED") == datetime(
            2026, 4, 30, 16, 5, tzinfo=UTC
        )


def test_dtstamp_and_last_modified_are_written_in_utc():
    paris = ZoneInfo("Europe/Paris")
    data = build(
        [make_event(last_modified=datetime(2026, 4, 30, 18, 5, tzinfo=paris))],
        now=datetime(2026, 5, 1, 14, 0, tzinfo=paris),
    )
    assert b"DTSTAMP:20260501T120000Z\r\n" in data
    assert b"LAST-MODIFIED:20260430T160500Z\r\n" in data


def test_calendar_properties():
    calendar = parse(build([make_event()], name="Dr Rees: appointments"))

    assert calendar["VERSION"] == "2.0"
    assert calendar["PRODID"] == "-//planner//Facial Palsy Clinic//EN"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "PUBLISH"
    assert display_name(calendar, "NAME") == "Dr Rees: appointments"
    assert display_name(calendar, "X-WR-CALNAME") == "Dr Rees: appointments"
    assert calendar["X-WR-TIMEZONE"] == "Europe/London"


def test_calendar_name_is_optional():
    calendar = parse(build([make_event()]))

    assert "NAME" not in calendar
    assert "X-WR-CALNAME" not in calendar
    assert "X-WR-TIMEZONE" not in calendar


def test_empty_event_list_gives_a_valid_calendar():
    data = build([], name="Nothing booked")
    calendar = parse(data)

    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    assert data.endswith(b"END:VCALENDAR\r\n")
    assert calendar["VERSION"] == "2.0"
    assert "PRODID" in calendar
    assert calendar.walk("VEVENT") == []
    # RFC 5545 wants at least one component; the zone is it.
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]


def test_uids_are_stable_across_builds():
    events = [make_event(uid_source=f"appointment-{n}") for n in (7, 12, 40)]
    first = parse(build(events))
    second = parse(build(list(reversed(events)), now=NOW + timedelta(days=3)))

    def uids(calendar):
        return sorted(str(event["UID"]) for event in calendar.walk("VEVENT"))

    assert uids(first) == uids(second)
    assert uids(first) == [
        "appointment-12@clinic.example.org",
        "appointment-40@clinic.example.org",
        "appointment-7@clinic.example.org",
    ]


def test_an_update_keeps_the_uid_and_raises_the_sequence():
    before = only_event(parse(build([make_event(sequence=1)])))
    after = only_event(parse(build([make_event(sequence=2, status="TENTATIVE")])))

    assert before["UID"] == after["UID"]
    assert after.decoded("SEQUENCE") == 2
    assert after["STATUS"] == "TENTATIVE"


def test_cancelled_status_round_trips():
    event = only_event(parse(build([make_event(status="CANCELLED", sequence=3)])))

    assert event["STATUS"] == "CANCELLED"
    assert event.decoded("SEQUENCE") == 3


def test_alarm_is_a_display_reminder_before_the_start():
    event = only_event(parse(build([make_event(alarm_minutes_before=90)])))

    (alarm,) = event.walk("VALARM")
    assert alarm["ACTION"] == "DISPLAY"
    assert alarm["DESCRIPTION"] == "Review: J.S. MRN 004211"
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-90)


def test_no_alarm_unless_asked():
    event = only_event(parse(build([make_event()])))

    assert event.walk("VALARM") == []


def test_location_is_optional():
    without = only_event(parse(build([make_event()])))
    with_location = only_event(parse(build([make_event(location="Room 4, OPD")])))

    assert "LOCATION" not in without
    assert with_location["LOCATION"] == "Room 4, OPD"


# Text: escaping, folding and control characters.


def test_hostile_text_round_trips_exactly():
    event = make_event(
        summary=HOSTILE, description=HOSTILE, location=HOSTILE, alarm_minutes_before=5
    )
    data = build([event], clinic_name="Rees, Jones; Partners", name=HOSTILE)
    calendar = parse(data)
    parsed = only_event(calendar)

    assert str(parsed["SUMMARY"]) == HOSTILE
    assert str(parsed["DESCRIPTION"]) == HOSTILE
    assert str(parsed["LOCATION"]) == HOSTILE
    assert str(parsed.walk("VALARM")[0]["DESCRIPTION"]) == HOSTILE
    # A display name is one line: newlines become spaces, the rest round-trips.
    assert display_name(calendar, "NAME") == HOSTILE.replace("\n", " ")
    assert display_name(calendar, "X-WR-CALNAME") == HOSTILE.replace("\n", " ")
    assert str(calendar["PRODID"]) == "-//planner//Rees, Jones; Partners//EN"
    # Escaped on the wire: no raw separator or newline leaks into a property value.
    assert b'SUMMARY:<script>alert("x")</script>\\; DROP TABLE patient\\; a\\,b' in data


def test_lines_are_folded_at_75_octets():
    event = make_event(summary=HOSTILE, description="x" * 2000, location=HOSTILE)
    data = build([event], name=HOSTILE)
    lines = physical_lines(data)

    assert max(len(line) for line in lines) <= 75
    assert any(line.startswith(b" ") for line in lines)
    assert b"\n" not in data.replace(b"\r\n", b"")
    # Folding never splits a multi-byte UTF-8 character.
    for line in lines:
        line.decode("utf-8")


def test_line_ends_are_normalised_and_control_characters_dropped():
    event = only_event(
        parse(build([make_event(summary="a\r\nb\rc\nd\x00e\x07f\x1b\x7fg\th")]))
    )

    assert str(event["SUMMARY"]) == "a\nb\nc\ndefg\th"


# Inputs.


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"start": datetime(2026, 7, 15, 8, 30)}, "start"),
        ({"end": datetime(2026, 7, 15, 9, 0)}, "end"),
        ({"last_modified": datetime(2026, 4, 30)}, "last_modified"),
        ({"end": datetime(2026, 7, 15, 8, 30, tzinfo=UTC)}, "after start"),
        ({"status": "PROPOSED"}, "status"),
        ({"sequence": -1}, "sequence"),
        ({"alarm_minutes_before": -5}, "alarm_minutes_before"),
        ({"uid_source": ""}, "uid_source"),
        ({"uid_source": "appointment 1"}, "uid_source"),
        ({"uid_source": "appointment-1\n"}, "uid_source"),
    ],
)
def test_event_rejects_malformed_input(overrides, message):
    with pytest.raises(ValueError, match=message):
        make_event(**overrides)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"now": datetime(2026, 5, 1, 12)}, "now"),
        ({"domain": ""}, "domain"),
        ({"domain": "clinic example"}, "domain"),
        ({"domain": "a@clinic.example.org"}, "domain"),
    ],
)
def test_build_rejects_malformed_input(overrides, message):
    with pytest.raises(ValueError, match=message):
        build([make_event()], **overrides)


def test_build_rejects_a_zone_without_a_key():
    tzdata = pytest.importorskip("tzdata")
    tzif = Path(tzdata.__file__).parent / "zoneinfo" / "Europe" / "London"
    with tzif.open("rb") as file:
        zone = ZoneInfo.from_file(file)

    with pytest.raises(ValueError, match="zone"):
        build([make_event()], zone=zone)


def test_event_is_frozen():
    event = make_event()

    with pytest.raises(FrozenInstanceError):
        event.summary = "changed"
