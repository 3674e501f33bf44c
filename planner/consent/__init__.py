"""Consent, pure: the form kinds, the shipped texts, strokes and the validity rule.

Nothing here imports Flask or the database (tests/unit/test_purity.py): the
services read the records, turn them into ``ConsentEvidence`` and ask
``decide_consent`` whether a treatment may be signed.
"""

from planner.consent.defaults import DEFAULT_FORMS
from planner.consent.defaults import DefaultForm
from planner.consent.kinds import ConsentKind
from planner.consent.kinds import ConsentMethod
from planner.consent.rule import ConsentDecision
from planner.consent.rule import ConsentEvidence
from planner.consent.rule import decide_consent
from planner.consent.rule import decide_photos_page_answer
from planner.consent.rule import expires_on
from planner.consent.strokes import SIGNATURE_HEIGHT
from planner.consent.strokes import SIGNATURE_WIDTH
from planner.consent.strokes import StrokeError
from planner.consent.strokes import parse_strokes
from planner.consent.strokes import render_signature_svg
from planner.consent.text import Block
from planner.consent.text import form_blocks
from planner.consent.where import treatment_consent_matters

__all__ = [
    "DEFAULT_FORMS",
    "SIGNATURE_HEIGHT",
    "SIGNATURE_WIDTH",
    "Block",
    "ConsentDecision",
    "ConsentEvidence",
    "ConsentKind",
    "ConsentMethod",
    "DefaultForm",
    "StrokeError",
    "decide_consent",
    "decide_photos_page_answer",
    "expires_on",
    "form_blocks",
    "parse_strokes",
    "render_signature_svg",
    "treatment_consent_matters",
]
