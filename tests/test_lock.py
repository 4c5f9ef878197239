"""requirements.lock: the exact versions the committed study ran with, and the tests run with."""

import importlib.metadata
import re

import pandas as pd

from tests.conftest import ROOT


def _locked() -> dict[str, str]:
    """Package -> version pinned in requirements.lock (names normalized as pip does)."""
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if "==" in line and not line.lstrip().startswith("#"):
            name, version = line.split("==")
            pins[re.sub(r"[-_.]+", "-", name.strip().lower())] = version.strip()
    return pins


def test_the_lock_pins_every_package_the_provenance_table_names():
    from covae.paper import PACKAGES

    pins = _locked()
    assert set(PACKAGES) <= set(pins)
    # The environment running the tests is the lock's (make test installs from it).
    for package in PACKAGES:
        assert importlib.metadata.version(package) == pins[package], package


def test_the_committed_study_ran_with_the_locked_versions():
    provenance = pd.read_csv(ROOT / "results" / "tables" / "provenance.csv").set_index("item")
    pins = _locked()
    from covae.paper import PACKAGES

    for package in PACKAGES:
        assert provenance.loc[package, "value"] == pins[package], package
