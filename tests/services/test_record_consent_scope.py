"""The printed record claims no more than the consent recorded (review rP, P3).

The shipped treatment form speaks of botulinum toxin and names no product, and
a change of product needs no new consent. So the record names the form (title,
version, when signed) as a general consent, and states the product used in this
session on a line of its own; it says the form names a product only when the
form's own words do. Printed over HTTP and read back with pdftotext.
"""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from planner.consent import DEFAULT_FORMS
from planner.consent import ConsentKind
from planner.consent.scope import products_named
from planner.models import Role
from planner.services import consent_forms
from planner.services.audit import Actor
from tests.factories import give_consent
from tests.factories import make_treatment
from tests.services.test_record_consent_print import printed
from tests.services.test_record_consent_print import treat

SIGNED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
BOTOX_DAY = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
# Within the clinic's re-consent age: the switch to Dysport asks for no consent.
DYSPORT_DAY = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
GENERAL = (
    "Scope General consent to botulinum toxin treatment: the form names no product"
)
INN = {"botox": "Botox (onabotulinumtoxinA)", "dysport": "Dysport (abobotulinumtoxinA)"}
CATALOGUE = (
    ("Botox", "onabotulinumtoxinA"),
    ("Dysport", "abobotulinumtoxinA"),
    ("Xeomin", "incobotulinumtoxinA"),
    ("Daxxify", "daxibotulinumtoxinA-lanm"),
)


@pytest.fixture
def witness(make_user):
    user = make_user(Role.INJECTOR, name="Dr Ines Duarte")
    return Actor(user.id, user.email)


def consent_panel(text):
    """The record's consent panel, from its heading to the note."""
    text = " ".join(text.split())
    start = text.index("Consent Consent")
    return text[start : text.index("Note", start)]


@pytest.fixture
def switched(session, make_patient, witness):
    """One treatment consent, then Botox, then Dysport under the same consent."""
    patient = make_patient()
    give_consent(session, witness, patient.id, when=SIGNED, name="Ada Okafor")
    return {
        "botox": treat(session, witness, patient, "botox", BOTOX_DAY),
        "dysport": treat(session, witness, patient, "dysport", DYSPORT_DAY),
    }


@pytest.mark.parametrize("product", ["botox", "dysport"])
def test_the_record_names_a_general_consent_and_the_product_apart(
    switched, login_as, product
):
    text = printed(login_as, switched[product], f"record-consent-scope-{product}.pdf")
    panel = consent_panel(text)
    assert "(treatment form, version 1)" in panel
    assert GENERAL in panel
    assert "by Ada Okafor, 2 Mar 2026, 09:00" in panel
    assert (
        f"Product used {INN[product]} in this session, at the 1 site in this record"
        in panel
    )
    # Nothing reads as consent to this product: it is named on its own line only.
    assert "injections at" not in text
    before_product = panel.split("Product used")[0]
    assert "Botox" not in before_product
    assert "Dysport" not in before_product


def test_a_form_that_names_a_product_is_quoted_as_it_reads(
    session, make_patient, make_user, witness, login_as
):
    """A clinic's own form naming Botox: the Botox record says so, and the
    Dysport record says the form does not name Dysport."""
    admin = make_user(Role.ADMIN)
    form = consent_forms.current_form(session, ConsentKind.TREATMENT)
    consent_forms.save_form_version(
        session,
        Actor(admin.id, admin.email),
        ConsentKind.TREATMENT,
        {
            "version": form.version,
            "title": form.title,
            "body": form.body + "\n\nThe medicine we use is Botox.",
        },
        now=SIGNED - timedelta(days=1),
    )
    patient = make_patient()
    give_consent(session, witness, patient.id, when=SIGNED)
    botox = consent_panel(
        printed(login_as, treat(session, witness, patient, "botox", BOTOX_DAY))
    )
    assert "(treatment form, version 2)" in botox
    assert "Scope The form names Botox Signed" in botox
    assert "General consent" not in botox
    dysport = consent_panel(
        printed(
            login_as,
            treat(session, witness, patient, "dysport", DYSPORT_DAY),
            "record-consent-scope-names-botox.pdf",
        )
    )
    assert (
        "Scope The form names Botox; it does not name Dysport, the product used in "
        "this session" in dysport
    )
    assert f"Product used {INN['dysport']} in this session, at the 1 site" in dysport


def test_without_a_form_on_file_the_product_line_still_prints(
    session, make_patient, witness, login_as
):
    """A draft with no treatment consent on file: no form, no scope, the product."""
    patient = make_patient()
    draft = make_treatment(
        session,
        witness,
        patient.id,
        [("mentalis", "left", 10)],
        when=DYSPORT_DAY,
        product="dysport",
        vial_units=300,
    )
    panel = consent_panel(printed(login_as, draft))
    assert "No consent form on file" in panel
    assert "Scope" not in panel
    assert (
        f"Product used {INN['dysport']} in this session, at the 1 site in this record"
        in panel
    )


@pytest.mark.parametrize(
    ("text", "named"),
    [
        ("Consent to botulinum toxin treatment for synkinesis", ()),
        ("We use BOTOX for most patients.", ("Botox",)),
        ("abobotulinumtoxinA (Dysport) or Xeomin", ("Dysport", "Xeomin")),
        ("daxibotulinumtoxinA-lanm, once", ("Daxxify",)),
        # Whole words only: a longer word is not the product's name.
        ("Botoxed and Dysportish", ()),
    ],
)
def test_products_named_reads_brands_and_inns_as_whole_words(text, named):
    assert products_named(text, CATALOGUE) == named


def test_the_shipped_treatment_form_names_no_product():
    shipped = DEFAULT_FORMS[ConsentKind.TREATMENT]
    assert products_named(f"{shipped.title}\n{shipped.body}", CATALOGUE) == ()
