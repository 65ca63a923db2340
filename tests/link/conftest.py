"""Passes shared by the link tests: a generated province and the sample, each run once."""

from __future__ import annotations

from pathlib import Path

import pytest
from link_passes import LinkedPass, run

from lamsach.generate import generate_province


@pytest.fixture(scope="session")
def generated_pass(tmp_path_factory) -> LinkedPass:
    folder = tmp_path_factory.mktemp("linked-province")
    return run(generate_province(folder / "province", people=3000, seed=7), folder)


@pytest.fixture(scope="session")
def sample_linked_pass(tmp_path_factory, sample_dir) -> LinkedPass:
    return run(sample_dir / "manifest.yaml", tmp_path_factory.mktemp("linked-sample"))


@pytest.fixture
def small_province(tmp_path) -> Path:
    """A province small enough to run twice in one test, large enough to train a model."""
    return generate_province(tmp_path / "province", people=900, seed=4)
