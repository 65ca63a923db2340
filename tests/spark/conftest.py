"""One local SparkSession for the whole test session (starting one costs tens of seconds): two
cores, a small driver, offline on the loopback. Tests that need it are marked `spark`."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def spark_session():
    from lamsach.backends.engine.spark_check import spark_missing

    missing = spark_missing()
    if missing:
        pytest.fail(f"the Spark tests need the [spark] extra and Java 17 ({missing.value}); make install-test "
                    "installs the first, .ci/run the second")
    from lamsach.backends.engine.spark import spark_session as start

    session = start("local[2]", driver_memory="2g", shuffle_partitions=2)
    yield session
    session.stop()


@pytest.fixture
def spark_engine(spark_session):
    """A Spark engine on the shared session, dropping its tables when the test ends."""
    from lamsach.backends.engine.spark import SparkEngine

    engine = SparkEngine(session=spark_session)
    yield engine
    for name in list(engine._frames):
        engine.drop(name)
