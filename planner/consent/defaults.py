"""The shipped consent forms: plain-language texts a clinic may edit.

Every statement comes from /work/shared/domain/clinical-reference.md; the tags in
the comments name its sources (the list at the end of that file). Nothing the
reference marks UNSOURCED is stated as fact here. A clinic's edit makes a new
version. A correction to a shipped text makes a new version too: the text it
replaces stays in ``SHIPPED_BEFORE``, so that a clinic still on it, unedited, is
moved on to the corrected text as its next version (``shipped_update``), and the
consents signed on the old one keep their own words.

The text format is plain: paragraphs split by blank lines, ``## `` starts a
heading, ``- `` starts a list item (see ``planner.consent.text``).
"""

from dataclasses import dataclass

from planner.consent.kinds import ConsentKind


def _text(*lines: str) -> str:
    return "\n".join(lines)


@dataclass(frozen=True)
class DefaultForm:
    """A shipped form: its title and text."""

    title: str
    body: str


# [S12] Facial Palsy UK: treatment of the affected side, sometimes the other side
#   for symmetry; explain foreseeable risks, side effects, contraindications and
#   that results are not guaranteed.
# [S13] UCLH: side effects appear within a few days and last up to 2 weeks; the
#   list of common side effects; given with facial therapy.
# [S14] [S15] Moorfields: fine needle, numbing cream optional; breast-feeding
#   24-48 h; no risk of botulism at these doses, very small risk of allergy.
# [S16] [S20] [S36] time course: starts in 2-3 days, full by 2 weeks; wears off
#   over about 3-4 months, sourced for onabotulinumtoxinA (Botox) only: no
#   source gives the other products a duration, Daxxify's "about 6 months" is
#   marketing copy [S27c] (review rP, P4).
# [S7] [S19] drooling, difficulty sealing the lips, leaking liquids.
# [S37b] upper-face complications: lid or brow droop, double vision, eye not
#   closing fully.
# [S35] boxed warning, distant spread of toxin effect: difficulty swallowing,
#   speaking or breathing, hours to weeks after the injection.
# [S8] alternatives: facial training first line; surgery (selective neurectomy,
#   myectomy) when other treatment is not enough.
# [S22] [S26] [S27] [S28] the labels cover other uses (lines, eyelid spasm):
#   facial-palsy use is outside the licence ("off-label").
# [S60] GMC: consent covers risks, the chance of not achieving the aim and
#   follow-up; [S63] tell the injector about blood thinners.
TITLE = "Consent to botulinum toxin treatment for synkinesis"
# Version 1 stated Botox's 3 to 4 months as a fact for every product.
TEMPORARY_1 = (
    "It starts after 2 to 3 days and is at its best after about 2 weeks. It"
    " wears off slowly over about 3 to 4 months. To keep the effect, you "
    "would need injections again."
)
# No brand by name: a form that named Botox would read (and print on the
# record, planner.consent.scope) as a consent to Botox only.
TEMPORARY = (
    "It starts after 2 to 3 days and is at its best after about 2 weeks. Then "
    "it wears off slowly, over months. How long it lasts depends on the "
    "medicine: we will tell you what we expect with yours. To keep the effect, "
    "you would need injections again."
)


def _treatment(temporary: str) -> DefaultForm:
    """Return the treatment form, with its paragraph on how long the effect lasts."""
    return DefaultForm(title=TITLE, body=_treatment_body(temporary))


def _treatment_body(temporary: str) -> str:
    return _text(
        "## What the treatment is",
        (
            "Botulinum toxin is a medicine that relaxes muscles. After facial "
            "palsy, some muscles can tighten or move together when they should not."
            " This is called synkinesis. Small injections can relax these muscles. "
            "We may also treat the other side of your face to make the two sides "
            "more even."
        ),
        "",
        (
            "We use a very fine needle. You do not usually need an anaesthetic. "
            "Numbing cream is available if you want it."
        ),
        "",
        (
            "The medicine is licensed for other uses, such as frown lines and "
            'eyelid spasm. Using it for facial palsy is called "off-label" use.'
        ),
        "",
        "## What it may do for you",
        (
            "- It may ease tightness and unwanted movements, such as your eye "
            "closing when you smile."
        ),
        "- It may make your face look more even.",
        "- It may help most alongside the exercises from your facial therapist.",
        "- We cannot promise that it will work for you, or how well.",
        "",
        "## The effect is temporary",
        temporary,
        "",
        "## Common side effects",
        (
            "These usually start within a few days and last up to 2 weeks. "
            "Sometimes they take a few weeks to appear."
        ),
        "- Bruising or swelling where the needle went in.",
        "- Mild headache, feeling sick, or feeling tired.",
        "- A droop of the eyebrow or upper eyelid, for a while.",
        "- Blurred or double vision, for a short time.",
        "- The eye not closing fully. Tell us if this happens.",
        "- Drooling, leaking drinks, or finding it hard to close your lips.",
        "",
        "## Serious side effects: get help at once",
        (
            "Very rarely, the medicine can spread and cause weakness away from "
            "where it was injected. This can happen from a few hours to a few weeks"
            " after the injections."
        ),
        "",
        ("Call an ambulance or go to an emergency department at once if you have:"),
        "- difficulty swallowing,",
        "- difficulty speaking,",
        "- difficulty breathing,",
        "- weakness in other parts of your body.",
        "",
        (
            "There is a very small risk of an allergic reaction. There is no risk "
            "of botulism from these small doses."
        ),
        "",
        "## Other choices",
        "- Facial therapy (retraining exercises) on its own.",
        (
            "- An operation on the nerves or muscles, if other treatment does not "
            "help enough."
        ),
        "- No treatment. You can decide at any time.",
        "",
        "## Before your injections, tell us if you",
        "- are pregnant, trying for a baby, or breast-feeding,",
        "- take medicines that thin the blood,",
        ("- have a muscle or nerve condition, or an infection where the needles go,"),
        "- ever had a reaction to botulinum toxin.",
        "",
        "## Your choice",
        (
            "You can ask questions at any time. You can say no, or change your mind"
            " later. Saying no will not change the rest of your care."
        ),
        "",
        (
            "By signing, you say that you have read this form, that you had the "
            "chance to ask questions, and that you agree to botulinum toxin "
            "injections for your synkinesis."
        ),
    )


TREATMENT = _treatment(TEMPORARY)

# Photographs are part of the pre-treatment record [S61]; comparing the same
# views from visit to visit is how the clinic sees change (issue 20). What is
# said about who sees them and withdrawal describes how planner works (photos
# hidden on withdrawal, an admin-only archive), not a clinical fact. How long
# records are kept is UNSOURCED in the reference, so the form does not say.
PHOTOGRAPHY = DefaultForm(
    title="Consent to photographs of your face",
    body=_text(
        "## Why we take photographs",
        (
            "At each visit we take photographs of your face, at rest and with a few"
            " gentle movements. Comparing them from visit to visit helps us see how"
            " the treatment works for you."
        ),
        "",
        "## Who sees them",
        "- The photographs are kept in your clinic record.",
        "- Only the clinic team who look after you can see them.",
        "- We do not show them outside the clinic without asking you first.",
        "",
        "## Your choice",
        "You can say no. You can still have your treatment.",
        "",
        (
            "You can change your mind at any time. If you do, we stop taking "
            "photographs and we hide the ones we have from every screen. They stay "
            "in your clinic record."
        ),
        "",
        (
            "By signing, you agree that the clinic may take photographs of your "
            "face for your clinical record."
        ),
    ),
)

# The research export is pseudonymised (README, "Research export"): no names,
# MRN, date of birth, contact details or clinicians' notes.
RESEARCH = DefaultForm(
    title="Consent to the use of your data for research",
    body=_text(
        "## What we would like to do",
        (
            "We would like to use information about your treatment to learn how to "
            "treat synkinesis better. This includes the doses, the muscles treated,"
            " your scores and any side effects."
        ),
        "",
        "## How we protect you",
        (
            "- We take out your name, hospital number, date of birth and contact "
            "details first."
        ),
        (
            "- You are given a code instead. Nobody outside the clinic can tell it "
            "is you."
        ),
        (
            "- Treatment dates are included, so we check every file before it "
            "leaves the clinic."
        ),
        "",
        "## Your choice",
        "You do not have to agree. Your care will be just the same.",
        "",
        (
            "You can change your mind at any time. We will then leave your "
            "information out of new research files."
        ),
        "",
        (
            "By signing, you agree that your information, without your name or "
            "details, may be used for research."
        ),
    ),
)

DEFAULT_FORMS: dict[ConsentKind, DefaultForm] = {
    ConsentKind.TREATMENT: TREATMENT,
    ConsentKind.PHOTOGRAPHY: PHOTOGRAPHY,
    ConsentKind.RESEARCH: RESEARCH,
}

# The texts each kind shipped with before its current one, oldest first, word
# for word as clinics stored them: never edit one.
SHIPPED_BEFORE: dict[ConsentKind, tuple[DefaultForm, ...]] = {
    ConsentKind.TREATMENT: (_treatment(TEMPORARY_1),),
}


def shipped_update(kind: ConsentKind, title: str, body: str) -> DefaultForm | None:
    """Return the kind's shipped text if ``title`` and ``body`` are one it replaced.

    None for the current shipped text and for a clinic's own words.
    """
    if DefaultForm(title, body) in SHIPPED_BEFORE.get(kind, ()):
        return DEFAULT_FORMS[kind]
    return None
