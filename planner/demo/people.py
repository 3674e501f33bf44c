"""Demo patients: names, birth dates, palsy history and contact details."""

import unicodedata
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from planner.demo.clock import HOUR
from planner.demo.clock import IntArray
from planner.demo.clock import to_dates
from planner.demo.clock import to_datetimes
from planner.demo.clock import utc_seconds
from planner.demo.names import EMAIL_DOMAINS
from planner.demo.names import GENERAL_NOTES
from planner.demo.names import NAME_GROUPS
from planner.demo.names import PHONE_PREFIXES
from planner.demo.names import STREETS
from planner.demo.names import SURGERY_NOTES
from planner.demo.names import TOWNS
from planner.demo.names import TRAUMA_NOTES
from planner.demo.tables import Rows
from planner.demo.tables import column
from planner.demo.tables import table_of
from planner.models import Patient

StrArray = NDArray[np.str_]
FloatArray = NDArray[np.float64]

MRN_PREFIX = "DEMO"
YEAR_DAYS = 365.25

SEXES = ("female", "male", "other", "unknown")
SEX_SHARES = (0.56, 0.42, 0.01, 0.01)
CAUSES = ("bells", "ramsay_hunt", "post_surgical", "trauma", "congenital", "other")
CAUSE_SHARES = (0.62, 0.12, 0.14, 0.06, 0.02, 0.04)
SIDES = ("left", "right", "bilateral")
SIDE_SHARES = (0.49, 0.49, 0.02)


@dataclass(frozen=True)
class Cohort:
    """What later steps need to know about each patient, by patient index."""

    sex: StrArray
    affected_side: StrArray
    cause: StrArray
    # Synkinesis severity before any treatment, 0 (none) to 1 (gross).
    severity: FloatArray
    injector: IntArray
    rows: Rows


def mrn(number: int) -> str:
    """Return the demo MRN with this number."""
    return f"{MRN_PREFIX}{number:06d}"


def draw_cohort(
    rng: np.random.Generator,
    *,
    first_number: int,
    first_day: IntArray,
    today: int,
    injectors: list[int],
    zone: str,
) -> Cohort:
    """Draw one patient per entry of ``first_day``, the day of their first treatment."""
    count = len(first_day)
    sex = rng.choice(SEXES, count, p=SEX_SHARES)
    given, family = _draw_names(rng, sex)
    cause = rng.choice(CAUSES, count, p=CAUSE_SHARES)
    birth, onset = _draw_birth_and_onset(rng, cause, first_day, today)
    severity = np.clip(
        rng.beta(2.2, 2.5, count)
        + np.isin(cause, ("ramsay_hunt", "post_surgical")) / 10,
        0.05,
        0.95,
    )
    registered = (first_day - rng.integers(7, 60, count)).astype(np.int64)
    registered_at = to_datetimes(
        utc_seconds(registered, rng.integers(9 * 4, 17 * 4, count) * HOUR // 4, zone)
    )
    values = {
        "mrn": [mrn(first_number + index) for index in range(count)],
        "given_name": column(given),
        "family_name": column(family),
        "date_of_birth": to_dates(birth),
        "sex": column(sex),
        "phone": _draw_phones(rng, count),
        "email": _draw_emails(rng, given, family),
        "address": _draw_addresses(rng, count),
        "cause": column(cause),
        "affected_side": column(rng.choice(SIDES, count, p=SIDE_SHARES)),
        "onset_date": to_dates(onset),
        "notes": _draw_notes(rng, cause),
        "created_at": registered_at,
        "updated_at": registered_at,
        **_draw_flags(rng, sex, (today - birth) / YEAR_DAYS),
    }
    rows = Rows(
        table_of(Patient),
        patient=np.arange(count, dtype=np.int64),
        values=values,
        refs={"id": ("patient", np.arange(count, dtype=np.int64))},
        constants={"version": 1},
    )
    side = np.array(values["affected_side"])
    injector = np.array(injectors, dtype=np.int64)[
        rng.integers(0, len(injectors), count)
    ]
    return Cohort(sex, side, cause, severity, injector, rows)


def _draw_names(rng: np.random.Generator, sex: StrArray) -> tuple[StrArray, StrArray]:
    """Draw given names by sex and family names, mostly from one origin."""
    count = len(sex)
    shares = np.array([group.weight for group in NAME_GROUPS])
    origin = rng.choice(len(NAME_GROUPS), count, p=shares / shares.sum())
    mixed = rng.random(count) < 0.12
    family_origin = np.where(
        mixed, rng.choice(len(NAME_GROUPS), count, p=shares / shares.sum()), origin
    )
    # Patients recorded as other or unknown sex get either list's names.
    female_list = (sex == "female") | ((sex != "male") & (rng.random(count) < 0.5))
    given = np.empty(count, dtype=object)
    family = np.empty(count, dtype=object)
    for index, group in enumerate(NAME_GROUPS):
        for chosen, names in ((True, group.female), (False, group.male)):
            mask = (origin == index) & (female_list == chosen)
            given[mask] = np.array(names)[rng.integers(0, len(names), mask.sum())]
        mask = family_origin == index
        family[mask] = np.array(group.family)[
            rng.integers(0, len(group.family), mask.sum())
        ]
    return given.astype(str), family.astype(str)


def _draw_birth_and_onset(
    rng: np.random.Generator, cause: StrArray, first_day: IntArray, today: int
) -> tuple[IntArray, IntArray]:
    """Draw adult birth dates and a palsy onset 1-15 years before treatment began.

    Congenital palsy dates from birth. Otherwise onset is at age one or later, so
    patients whose treatment history is long are drawn a little older.
    """
    count = len(cause)
    span = (today - first_day) / YEAR_DAYS
    years_before = 1 + 14 * rng.beta(1.3, 2.5, count)
    age = np.clip(rng.normal(50, 15, count), 18, 85)
    age = np.clip(np.maximum(age, span + years_before + 1), 18, 85)
    years_before = np.maximum(1, np.minimum(years_before, age - span - 1))
    birth = (today - np.round(age * YEAR_DAYS)).astype(np.int64)
    onset = (first_day - np.round(years_before * YEAR_DAYS)).astype(np.int64)
    onset = np.where(cause == "congenital", birth, np.maximum(onset, birth + 366))
    return birth, onset.astype(np.int64)


def _draw_flags(
    rng: np.random.Generator, sex: StrArray, age: FloatArray
) -> dict[str, list[bool]]:
    """Set the contraindication and caution flags, each for a few patients only."""
    count = len(sex)
    childbearing = (sex == "female") & (age < 45)
    flags = {
        "pregnant": childbearing & (rng.random(count) < 0.01),
        "breastfeeding": childbearing & (rng.random(count) < 0.01),
        "neuromuscular_disease": rng.random(count) < 0.004,
        "aminoglycosides": rng.random(count) < 0.002,
        "toxin_allergy": rng.random(count) < 0.001,
    }
    return {name: column(values) for name, values in flags.items()}


def _draw_phones(rng: np.random.Generator, count: int) -> list[str | None]:
    """Draw phone numbers from the fictional ranges; a few patients give none."""
    prefix = rng.integers(0, len(PHONE_PREFIXES), count).tolist()
    number = rng.integers(0, 1000, count).tolist()
    present = (rng.random(count) < 0.95).tolist()
    return [
        f"{PHONE_PREFIXES[p]}{n:03d}" if has else None
        for p, n, has in zip(prefix, number, present, strict=True)
    ]


def _draw_emails(
    rng: np.random.Generator, given: StrArray, family: StrArray
) -> list[str | None]:
    """Give about half the patients an address at a reserved example domain."""
    count = len(given)
    present = (rng.random(count) < 0.55).tolist()
    domain = rng.integers(0, len(EMAIL_DOMAINS), count).tolist()
    suffix = rng.integers(1, 100, count).tolist()
    return [
        f"{_ascii(g)}.{_ascii(f)}{s}@{EMAIL_DOMAINS[d]}" if has else None
        for g, f, s, d, has in zip(
            given.tolist(), family.tolist(), suffix, domain, present, strict=True
        )
    ]


def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "".join(char for char in folded.lower() if char.isalnum())


def _draw_addresses(rng: np.random.Generator, count: int) -> list[str | None]:
    """Give most patients a made-up street address."""
    house = rng.integers(1, 180, count).tolist()
    street = rng.integers(0, len(STREETS), count).tolist()
    town = rng.integers(0, len(TOWNS), count).tolist()
    present = (rng.random(count) < 0.7).tolist()
    return [
        f"{h} {STREETS[s]}, {TOWNS[t]}" if has else None
        for h, s, t, has in zip(house, street, town, present, strict=True)
    ]


def _draw_notes(rng: np.random.Generator, cause: StrArray) -> list[str | None]:
    """Note the operation or injury where there was one; otherwise, now and then."""
    count = len(cause)
    general = rng.integers(0, len(GENERAL_NOTES), count).tolist()
    specific = rng.integers(0, 100, count).tolist()
    has_note = (rng.random(count) < 0.35).tolist()
    notes: list[str | None] = []
    for kind, g, s, has in zip(
        cause.tolist(), general, specific, has_note, strict=True
    ):
        if kind == "post_surgical":
            notes.append(SURGERY_NOTES[s % len(SURGERY_NOTES)])
        elif kind == "trauma":
            notes.append(TRAUMA_NOTES[s % len(TRAUMA_NOTES)])
        else:
            notes.append(GENERAL_NOTES[g] if has else None)
    return notes
