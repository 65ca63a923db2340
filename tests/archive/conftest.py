"""Archive fixtures: a real store and archive folder per test, and scans generated with known text."""

from __future__ import annotations

import pytest

from lamsach.generate.scans import ScanLook, certificate_lines, render_scan, scan_bytes

PARCEL = {"certificate_serial": "CS 123456", "owner_name": "Nguyễn Thị Thủy", "owner_birth_year": "1985",
          "owner_id": "038185012345", "parcel_no": "125", "map_sheet": "14", "area_m2": "215.5",
          "land_use_code": "ONT", "parcel_address": "Thôn Đông, xã Hậu Lộc, tỉnh Thanh Hóa"}


@pytest.fixture
def archive(tmp_path, store_url):
    """(settings, store) over a fresh store on each backend, with a second copy folder."""
    from lamsach.backends.store import SqlAlchemyStore
    from lamsach.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", database_url=store_url, archive_copy_dir=tmp_path / "copy",
                        archive_ocr_jobs=1)
    return settings, SqlAlchemyStore.open(settings.store_url)


@pytest.fixture
def sqlite_archive(tmp_path):
    from lamsach.backends.store import SqlAlchemyStore
    from lamsach.settings import Settings

    settings = Settings(data_dir=tmp_path / "data", archive_copy_dir=tmp_path / "copy", archive_ocr_jobs=1)
    return settings, SqlAlchemyStore.open(settings.store_url)


@pytest.fixture(scope="session")
def certificate_scan() -> tuple[bytes, list[str]]:
    """A parcel certificate scanned rough (turned 1.5°, blurred, 1% speckles), as PNG, and its lines."""
    lines = certificate_lines(PARCEL)
    return scan_bytes([render_scan(lines, seed=3, look=ScanLook(1.5, 0.8, 0.01))]), lines
