"""Database back-ends for Splink: embedded DuckDB (default) and Apache Spark (local or cluster).

DuckDB 2.x refuses the arrow-lambda syntax that Splink 5.0.0 still emits for some array
comparisons (see docs/linkage.md); the connection opts back in, so a future comparison
that uses them keeps working. Spark needs Splink's Scala UDF jar (Jaro-Winkler) on its
class path; ``spark_session()`` builds a local session with it when none is given.
"""

from __future__ import annotations

import os
import tempfile
import threading
from typing import Any, Literal

from reunite.linkage.exceptions import BackendError

Backend = Literal["duckdb", "spark"]
BACKENDS: tuple[Backend, ...] = ("duckdb", "spark")

_spark_lock = threading.Lock()
_spark_session: Any = None


def check_backend(backend: str) -> Backend:
    if backend not in BACKENDS:
        raise BackendError(f"unknown backend {backend!r} (use one of: {', '.join(BACKENDS)})")
    return backend  # type: ignore[return-value]


def duckdb_api(*, threads: int | None = None, memory_limit: str | None = None) -> Any:
    """A fresh in-memory DuckDB connection wrapped for Splink."""
    import duckdb
    from splink import DuckDBAPI

    con = duckdb.connect(":memory:")
    try:
        con.execute("SET lambda_syntax='ENABLE_SINGLE_ARROW'")
    except duckdb.Error:  # pragma: no cover - DuckDB 1.x has no such setting
        pass
    # Spill to a private temp dir rather than fail when a large link outgrows memory.
    con.execute(f"SET temp_directory='{tempfile.gettempdir()}/reunite-duckdb-{os.getpid()}'")
    con.execute("SET preserve_insertion_order=false")
    if threads:
        con.execute(f"SET threads={int(threads)}")
    if memory_limit:
        con.execute(f"SET memory_limit='{memory_limit}'")
    return DuckDBAPI(connection=con)


def spark_session(master: str | None = None) -> Any:
    """A Spark session with Splink's UDF jar; reused across calls in one process.

    ``master`` defaults to ``$REUNITE_SPARK_MASTER`` or ``local[2]``. An existing active
    session (e.g. on a cluster) is used as is; it must have Splink's jar on its class path.
    """
    global _spark_session
    with _spark_lock:
        if _spark_session is not None:
            return _spark_session
        try:
            from pyspark.sql import SparkSession
            from splink.backends.spark import similarity_jar_location
        except ImportError as exc:  # pragma: no cover - pyspark is a dependency
            raise BackendError(f"the Spark backend needs pyspark: {exc}") from exc
        if not java_available():
            raise BackendError(
                "the Spark backend needs Java 17 (run scripts/install-java.sh or set JAVA_HOME)"
            )
        active = SparkSession.getActiveSession()
        if active is not None:
            _spark_session = active
            return active
        master = master or os.environ.get("REUNITE_SPARK_MASTER", "local[2]")
        if master.startswith("local"):
            # Stay on the loopback interface: a local run needs no network.
            os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
        builder = (
            SparkSession.builder.master(master)
            .appName("reunite-linkage")
            .config("spark.jars", similarity_jar_location())
            .config("spark.sql.shuffle.partitions", "8")
            .config("spark.default.parallelism", "8")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.driver.bindAddress", "127.0.0.1" if master.startswith("local")
                    else "0.0.0.0")  # noqa: S104 - cluster drivers must be reachable
            .config("spark.sql.ansi.enabled", "false")
            .config("spark.driver.memory", os.environ.get("REUNITE_SPARK_DRIVER_MEMORY", "2g"))
            .config("spark.sql.execution.arrow.pyspark.enabled", "true")
            # Executors compute the name features (``_spark_features``): they import
            # reunite from where the driver does, unless it is installed there anyway.
            .config("spark.executorEnv.PYTHONPATH", _python_path())
        )
        session = builder.getOrCreate()
        session.sparkContext.setLogLevel("ERROR")
        session.sparkContext.setCheckpointDir(
            tempfile.mkdtemp(prefix="reunite-spark-checkpoints-")
        )
        _spark_session = session
        return session


def _python_path() -> str:
    import reunite

    here = os.path.dirname(os.path.dirname(os.path.abspath(reunite.__file__)))
    extra = os.environ.get("PYTHONPATH", "")
    return os.pathsep.join(p for p in (here, extra) if p)


def java_available() -> bool:
    """True when a Java runtime is reachable (JAVA_HOME or `java` on PATH)."""
    import shutil

    java_home = os.environ.get("JAVA_HOME")
    if java_home and os.path.exists(os.path.join(java_home, "bin", "java")):
        return True
    return shutil.which("java") is not None


def spark_api(session: Any = None) -> Any:
    from splink import SparkAPI

    session = session or spark_session()
    return SparkAPI(spark_session=session, break_lineage_method="persist")


def make_api(backend: Backend, *, spark: Any = None) -> Any:
    backend = check_backend(backend)
    if backend == "duckdb":
        return duckdb_api()
    return spark_api(spark)
