"""Pure modules load neither the web framework nor the database, nor layers on them.

Each pure package is imported, every module of it, in a fresh interpreter whose
``planner`` package is an empty stand-in (the real ``planner/__init__.py`` builds
the Flask app), so what ends up in ``sys.modules`` is exactly what the package
pulls in. Imports written inside functions never run at import time, so every
``import`` statement in the source is read as well.
"""

import ast
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# No pure module may load these, however indirectly.
FORBIDDEN = ("flask", "werkzeug", "sqlalchemy", "sqlmodel") + tuple(
    f"planner.{layer}" for layer in ("services", "views", "models", "db")
)


@dataclass(frozen=True)
class Pure:
    """A pure package or module and the other planner modules it may use."""

    name: str
    uses: tuple[str, ...] = ()
    also_forbidden: tuple[str, ...] = ()

    @property
    def path(self) -> Path:
        base = ROOT.joinpath(*self.name.split("."))
        return base if base.is_dir() else base.with_suffix(".py")

    def modules(self) -> list[str]:
        """Name the module, or every module of the package."""
        if self.path.is_file():
            return [self.name]
        return sorted(
            self.name + "." + ".".join(p.relative_to(self.path).with_suffix("").parts)
            for p in self.path.rglob("*.py")
            if p.name != "__init__.py"
        ) + [self.name]

    def may_load(self, module: str) -> bool:
        """Whether loading planner module ``module`` is this package's business."""
        own = (self.name, *self.uses)
        ancestors = {
            m.rsplit(".", i)[0] for m in own for i in range(1, m.count(".") + 1)
        }
        return module in ancestors or any(
            module == m or module.startswith(m + ".") for m in own
        )


SHARED = ("planner.vocabulary", "planner.clinic_time")
PURE = [
    Pure("planner.dosing", uses=("planner.reference", *SHARED)),
    # Scores are plain arithmetic: not even numpy.
    Pure("planner.scoring", uses=SHARED, also_forbidden=("numpy",)),
    Pure("planner.scheduling", uses=SHARED),
    Pure("planner.comparison", uses=SHARED),
    Pure("planner.plots", uses=("planner.marker_size", *SHARED)),
    Pure("planner.facemap", uses=("planner.reference", "planner.marker_size", *SHARED)),
    # Photographs: Pillow and numpy on bytes and points.
    Pure("planner.photometry", uses=SHARED),
    Pure(
        "planner.interop",
        uses=("planner.dosing", "planner.scoring", "planner.reference", *SHARED),
    ),
    # The calendar file is built from plain values and the clinic's clock alone.
    Pure("planner.interop.icalendar_export", uses=("planner.clinic_time",)),
    Pure("planner.reference", uses=SHARED),
    # Consent: the validity rule, the shipped texts and the signature strokes.
    Pure("planner.consent", uses=SHARED),
    Pure("planner.passwords"),
    Pure("planner.audit_chain"),
    Pure("planner.vocabulary"),
    Pure("planner.clinic_time"),
    # How big a dose marker draws: shared by the face map and the plots.
    Pure("planner.marker_size"),
]

LOADER = """
import json, sys, types
stub = types.ModuleType("planner")
stub.__path__ = [sys.argv[1]]
sys.modules["planner"] = stub
import importlib
for name in sys.argv[2:]:
    importlib.import_module(name)
print(json.dumps(sorted(sys.modules)))
"""


def loaded_by(pure: Pure) -> set[str]:
    """Import every module of ``pure`` in a fresh interpreter; name what got loaded."""
    done = subprocess.run(
        [sys.executable, "-c", LOADER, str(ROOT / "planner"), *pure.modules()],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return set(json.loads(done.stdout))


def written_imports(pure: Pure) -> dict[str, list[str]]:
    """Every module named by an import statement, per source file of ``pure``."""
    files = [pure.path] if pure.path.is_file() else sorted(pure.path.rglob("*.py"))
    found: dict[str, list[str]] = {}
    for path in files:
        names = found.setdefault(path.relative_to(ROOT).as_posix(), [])
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names += [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and not node.level:
                names.append(node.module or "")
    return found


def names_one_of(module: str, prefixes: tuple[str, ...]) -> bool:
    return any(module == p or module.startswith(p + ".") for p in prefixes)


@pytest.fixture(params=PURE, ids=[pure.name for pure in PURE])
def pure(request: pytest.FixtureRequest) -> Pure:
    candidate: Pure = request.param
    assert candidate.path.exists(), f"{candidate.name} is listed but missing"
    return candidate


def test_pure_package_loads_no_framework_or_database(pure: Pure):
    loaded = loaded_by(pure)
    forbidden = FORBIDDEN + pure.also_forbidden
    assert not sorted(m for m in loaded if names_one_of(m, forbidden))
    strays = [m for m in loaded if m.startswith("planner.") and not pure.may_load(m)]
    assert not sorted(strays), f"{pure.name} loads other planner modules"


def test_pure_package_writes_no_impure_import(pure: Pure):
    forbidden = FORBIDDEN + pure.also_forbidden
    for path, names in written_imports(pure).items():
        for name in names:
            assert not names_one_of(name, forbidden), f"{path} imports {name}"
            if name.startswith("planner"):
                assert pure.may_load(name), f"{path} imports {name}"
