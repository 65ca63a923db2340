"""A file named by URL is copied to this machine through Spark's own file systems
(`SparkEngine.fetch_file`, the `binaryFile` source): here `file://`, on a cluster HDFS or S3
with the cluster's configuration. Its size is read first, so a file over the limit is refused
without being transferred; a missing file or a folder is named by its URL."""

from __future__ import annotations

from pathlib import Path

import pytest

from lamsach.domain import ErrorCode, LamsachError

pytestmark = pytest.mark.spark


def test_spark_fetches_the_bytes_of_a_file_url(spark_engine, tmp_path: Path):
    original = tmp_path / "kho" / "Dân cư [xã 1].csv"
    original.parent.mkdir()
    content = "Số định danh,Họ tên\n038086676159,Nguyễn Thùy Thơ\n".encode() + bytes(range(256)) * 40
    original.write_bytes(content)
    copy = tmp_path / "copy.csv"
    spark_engine.fetch_file(original.as_uri(), copy, max_bytes=1_000_000)
    assert copy.read_bytes() == content

    with pytest.raises(LamsachError) as too_large:
        spark_engine.fetch_file(original.as_uri(), tmp_path / "large.csv", max_bytes=len(content) - 1)
    assert too_large.value.code == ErrorCode.INGEST_FILE_TOO_LARGE
    assert not (tmp_path / "large.csv").exists()

    for url in ((tmp_path / "khong_co.csv").as_uri(), original.parent.as_uri()):
        with pytest.raises(LamsachError) as missing:
            spark_engine.fetch_file(url, tmp_path / "missing.csv", max_bytes=None)
        assert missing.value.code == ErrorCode.INGEST_FILE_NOT_FOUND
        assert missing.value.location.file == url
