"""A linkage on a Spark standalone cluster: one master and two workers on loopback.

The way a ministry would run it on a cluster, shrunk to one machine: starts a Spark
standalone master and two workers (one core, 1 GB each) from the scripts and jars that
ship inside the pyspark wheel (Java 17 needed), connects a driver to them, and then

1. computes the name features of a synthetic population on the executors and reports,
   per executor, how many rows it analysed (each row says which Python process and
   executor directory computed it), and that none was computed in the driver;
2. runs ``reunite.linkage.link(backend="spark")`` on the cluster and checks that it
   proposes the same pairs, with the same weights, as the DuckDB back-end.

Too slow for CI (a minute or more of JVM start-up and Spark overhead); run it by hand:

    .venv/bin/python bench/spark_cluster.py --records 20000 --enquiries 2000
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for(port: int, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.5)
    raise SystemExit(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def start_cluster(workdir: Path, workers: int = 2) -> tuple[str, list[subprocess.Popen]]:
    import pyspark

    spark_home = Path(pyspark.__file__).parent
    env = {**os.environ, "SPARK_HOME": str(spark_home), "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_NO_DAEMONIZE": "1"}  # fmt: skip
    spark_class = str(spark_home / "bin" / "spark-class")
    port, ui = _free_port(), _free_port()
    procs = [subprocess.Popen(
        [spark_class, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1",
         "--port", str(port), "--webui-port", str(ui)],
        env=env, stdout=(workdir / "master.log").open("wb"), stderr=subprocess.STDOUT,
    )]  # fmt: skip
    _wait_for(port)
    master = f"spark://127.0.0.1:{port}"
    for i in range(workers):
        wdir = workdir / f"worker{i}"
        wdir.mkdir()
        procs.append(subprocess.Popen(
            [spark_class, "org.apache.spark.deploy.worker.Worker", master, "--host",
             "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port",
             str(_free_port()), "--work-dir", str(wdir)],
            env=env, stdout=(workdir / f"worker{i}.log").open("wb"),
            stderr=subprocess.STDOUT,
        ))  # fmt: skip
    return master, procs


def _wait_for_executors(spark: object, n: int, seconds: float = 120) -> int:
    tracker = spark.sparkContext._jsc.sc()  # type: ignore[attr-defined]
    deadline = time.monotonic() + seconds
    count = 0
    while time.monotonic() < deadline:
        count = tracker.getExecutorMemoryStatus().size() - 1  # minus the driver
        if count >= n:
            return int(count)
        time.sleep(1)
    return int(count)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, default=20000)
    ap.add_argument("--enquiries", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    from reunite.linkage import java_available

    if not java_available():
        print("needs Java 17 (scripts/install-java.sh)", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="reunite-spark-cluster-"))
    master, procs = start_cluster(workdir)
    try:
        os.environ["REUNITE_SPARK_MASTER"] = master
        os.environ["PYSPARK_PYTHON"] = sys.executable
        os.environ["REUNITE_SPARK_EXECUTOR_FEATURES"] = "1"
        os.environ["SPARK_LOCAL_IP"] = "127.0.0.1"  # the driver is reached on loopback too
        from reunite.linkage import link, spark_session, train
        from reunite.linkage._spark_features import COMPUTED_BY, feature_frame
        from reunite.synth import generate

        t0 = time.perf_counter()
        spark = spark_session()
        executors = _wait_for_executors(spark, 2)
        print(f"cluster {master}: {executors} executors up after "
              f"{time.perf_counter() - t0:.1f} s; driver pid {os.getpid()}")  # fmt: skip
        pop = generate(records=args.records, enquiries=args.enquiries, difficulty="hard",
                       seed=args.seed)  # fmt: skip

        t0 = time.perf_counter()
        frame = feature_frame(spark, pop.records, partitions=4)
        where = Counter(r[COMPUTED_BY] for r in frame.select(COMPUTED_BY).collect())
        secs = time.perf_counter() - t0
        print(f"\nname features of {len(pop.records):,} records computed in {secs:.1f} s by:")
        print("| executor Python process and executor directory | rows |")
        print("|---|---:|")
        for place, rows in sorted(where.items()):
            print(f"| {place} | {rows:,} |")
        driver = f"pid {os.getpid()} "
        in_driver = sum(n for p, n in where.items() if p.startswith(driver))
        executor_dirs = {p.rsplit("/", 1)[-1] for p in where}
        print(f"rows computed in the driver's process: {in_driver}; executor ids seen: "
              f"{sorted(executor_dirs)}")  # fmt: skip

        model = train(pop.enquiries, pop.records)
        t0 = time.perf_counter()
        on_spark = link(pop.enquiries, pop.records, model=model, backend="spark")
        spark_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        on_duck = link(pop.enquiries, pop.records, model=model, backend="duckdb")
        duck_s = time.perf_counter() - t0
        same = [p.key for p in on_spark] == [p.key for p in on_duck] and all(
            abs(a.match_weight - b.match_weight) < 1e-6
            for a, b in zip(on_spark, on_duck, strict=True)
        )
        truth = pop.truth
        tp = sum(1 for p in on_spark if p.key in truth)
        print(f"\nlink() on the cluster: {len(on_spark):,} pairs in {spark_s:.1f} s "
              f"(DuckDB: {duck_s:.1f} s); identical to DuckDB: {same}; precision "
              f"{tp / max(len(on_spark), 1):.3f}, recall {tp / len(truth):.3f}")  # fmt: skip
        ok = in_driver == 0 and len(executor_dirs) >= 2 and same
        print("OK" if ok else "FAILED")
        spark.stop()
        return 0 if ok else 1
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()


if __name__ == "__main__":
    raise SystemExit(main())
