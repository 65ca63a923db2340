"""One generated province (3,000 people, seed 1) shared by the generate tests, plus its clean twin."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from lamsach.generate import build_world, write_province
from lamsach.generate.world import World

PEOPLE, SEED = 3000, 1


@dataclass
class Province:
    world: World  # as written: defects planted
    clean: World  # the same seed without defects
    folder: Path
    manifest: Path
    seconds: float  # time to build and write it


@pytest.fixture(scope="session")
def province(tmp_path_factory: pytest.TempPathFactory) -> Province:
    folder = tmp_path_factory.mktemp("province")
    started = time.perf_counter()
    world = build_world(PEOPLE, SEED)
    manifest = write_province(world, folder)
    seconds = time.perf_counter() - started
    return Province(world, build_world(PEOPLE, SEED, defects=False), folder, manifest, seconds)
