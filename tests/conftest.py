"""Shared fixtures: the repository root and the two configurations."""

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]


def load_config(name: str) -> dict:
    with open(ROOT / "config" / name) as handle:
        return yaml.safe_load(handle)


@pytest.fixture
def paper_config() -> dict:
    return load_config("config.yaml")


@pytest.fixture
def smoke_config() -> dict:
    return load_config("smoke.yaml")
