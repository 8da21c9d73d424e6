#!/usr/bin/env python3
"""Run all enabled models with Mingjing and the same logic with DuckDB, on the same Parquet files.

Mingjing's side is `mingjing run --timings` (its engine: opening the data, building blocks and
names once, then each model's query and the grouping of its hits into alerts). DuckDB's side
runs the very SQL Mingjing compiles for each model (`mingjing model plan`), over views on the
same Parquet files, with the building blocks materialised once, as Mingjing does; the three
functions DataFusion gets as UDFs (`last_day` is built into DuckDB) are DuckDB macros. Both
sides must find the same number of (subject, programme) pairs per model, or the run fails.

    pip install duckdb
    cargo build --release -p mingjing
    python3 bench/models_bench.py --binary target/release/mingjing --persons 250000 --runs 3
"""

import argparse
import csv
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import duckdb


def sh(args, **kw):
    r = subprocess.run(args, capture_output=True, text=True, **kw)
    if r.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{r.stderr}")
    return r


def duck_type(arrow: str) -> str:
    m = re.match(r"Decimal128\((\d+), (\d+)\)", arrow)
    if m:
        return f"DECIMAL({m.group(1)}, {m.group(2)})"
    return {"Utf8": "VARCHAR", "Date32": "DATE", "Int64": "BIGINT", "Boolean": "BOOLEAN"}[arrow]


MACROS = [
    "CREATE MACRO add_months(d, n) AS CAST(d + to_months(CAST(n AS INTEGER)) AS DATE)",
    # Whole years completed on `d` by someone born on the ID's birth date.
    """CREATE MACRO age_years(id, d) AS (
         WITH b AS (SELECT strptime(substr(id, 7, 8), '%Y%m%d')::DATE AS birth)
         SELECT year(d) - year(birth)
                - CASE WHEN month(d) * 100 + day(d) < month(birth) * 100 + day(birth) THEN 1 ELSE 0 END
         FROM b)""",
]


def duckdb_run(plan, threads, memory_limit=None):
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    if memory_limit:
        # The same bound Mingjing's pool has (it spills past it; so does DuckDB).
        con.execute(f"SET memory_limit = '{memory_limit}'")
    for m in MACROS:
        con.execute(m)
    for d in plan["datasets"]:
        cols = ", ".join(f'"{c}" {duck_type(t)}' for c, t in d["columns"])
        if d["files"]:
            files = ", ".join("'" + f.replace("'", "''") + "'" for f in d["files"])
            con.execute(f'CREATE VIEW {d["name"]} AS SELECT * FROM read_parquet([{files}], union_by_name = true)')
        else:
            con.execute(f'CREATE TABLE {d["name"]} ({cols})')
    con.execute(
        "CREATE TABLE programs (code VARCHAR, label VARCHAR, department VARCHAR, "
        "monthly_max DECIMAL(18, 2), min_age BIGINT, exclusive_with VARCHAR, ordinal BIGINT)"
    )
    for p in plan["programs"]:
        con.execute(
            "INSERT INTO programs VALUES (?, ?, ?, CAST(? AS DECIMAL(18, 2)), ?, ?, ?)",
            [p["code"], p["label"], p["department"], p["monthly_max"], p["min_age"], p["exclusive_with"], p["ordinal"]],
        )
    t0 = time.perf_counter()
    for name, sql in plan["blocks"]:
        con.execute(f"CREATE TABLE {name} AS {sql}")
    opened = time.perf_counter() - t0
    per_model, pairs = {}, {}
    persons = set()
    for mid, sql in plan["models"].items():
        t = time.perf_counter()
        rows = con.execute(sql).fetchall()
        per_model[mid] = time.perf_counter() - t
        pairs[mid] = len({(r[0], r[1]) for r in rows if r[0] is not None})
        persons.update(r[2] for r in rows if r[0] is not None)
    # As Mingjing does (counted in its "open"): the hits' persons named from the register.
    t = time.perf_counter()
    con.execute("CREATE TEMP TABLE hit_persons (id VARCHAR)")
    con.executemany("INSERT INTO hit_persons VALUES (?)", [[p] for p in sorted(persons)])
    con.execute(
        "SELECT p.id_number, MIN(p.name), MIN(p.town || '/' || p.village) FROM persons p "
        "JOIN hit_persons h ON p.id_number = h.id GROUP BY p.id_number"
    ).fetchall()
    opened += time.perf_counter() - t
    con.close()
    return opened, per_model, pairs


def mingjing_run(binary, data, as_of):
    r = sh([binary, "run", "--data-dir", data, "--as-of", as_of, "--timings"])
    timings = {}
    for line in r.stderr.splitlines():
        if line.startswith("timing "):
            _, what, secs = line.split()
            timings[what] = float(secs)
    found = {}
    for line in r.stdout.splitlines():
        m = re.match(r"(\S+): .*\((\d+) subjects found\)", line)
        if m:
            found[m.group(1)] = int(m.group(2))
    return timings, found


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", required=True)
    ap.add_argument("--persons", type=int, default=250000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default=None, help="keep the county and platform here")
    ap.add_argument("--demo", default=None,
                    help="use the platform `mingjing demo --data-dir DIR` built (e.g. the persons "
                         "benchmark's city) instead of generating one")
    ap.add_argument("--duckdb-memory", default=None,
                    help="DuckDB's memory_limit, e.g. 2GB to match Mingjing's default pool "
                         "(DuckDB's own default is 80%% of the machine's memory)")
    ap.add_argument("--skip-duckdb", action="store_true",
                    help="Mingjing only (e.g. to measure its memory at city scale)")
    args = ap.parse_args()
    if args.demo:
        county, data = os.path.join(args.demo, "county-files"), args.demo
    else:
        work = args.work or tempfile.mkdtemp(prefix="mj-bench-")
        county = os.path.join(work, f"county-{args.persons}")
        data = os.path.join(work, f"platform-{args.persons}")
    if not os.path.exists(os.path.join(county, "manifest.csv")):
        sh([args.binary, "generate", "--out", county, "--persons", str(args.persons),
            "--months", str(args.months), "--last-month", "2026-10"])
    if not os.path.exists(os.path.join(data, "mingjing.db")):
        sh([args.binary, "init", "--data-dir", data])
        with open(os.path.join(county, "manifest.csv"), newline="", encoding="utf-8") as f:
            for e in csv.DictReader(f):
                cmd = [args.binary, "import", "--data-dir", data, "--type", e["type"], "--org", e["org"]]
                if e["period"]:
                    cmd += ["--period", e["period"]]
                sh(cmd + [os.path.join(county, e["file"])])
    with open(os.path.join(county, "ground_truth.csv"), encoding="utf-8") as f:
        as_of = f.readline().strip().removeprefix("# as-of ")
    plan = json.loads(sh([args.binary, "model", "plan", "--data-dir", data, "--as-of", as_of]).stdout)
    threads = os.cpu_count() or 2

    mj_runs, dk_runs = [], []
    mj_found = dk_pairs = None
    for _ in range(args.runs):
        t, mj_found = mingjing_run(args.binary, data, as_of)
        mj_runs.append(t)
        if args.skip_duckdb:
            print(json.dumps(t), file=sys.stderr)
            continue
        opened, per_model, dk_pairs = duckdb_run(plan, threads, args.duckdb_memory)
        dk_runs.append({"open": opened, **per_model})
    if args.skip_duckdb:
        return
    mismatch = {m: (mj_found.get(m), dk_pairs[m]) for m in dk_pairs if mj_found.get(m) != dk_pairs[m]}
    if mismatch:
        sys.exit(f"the two engines disagree (model: mingjing, duckdb): {mismatch}")

    def med(runs, key):
        return statistics.median(r[key] for r in runs)

    parts = ["open"] + list(plan["models"])
    scale = f"data set {args.demo}" if args.demo else f"{args.persons} persons, {args.months} months"
    print(f"machine: {os.cpu_count()} cores; DuckDB {duckdb.__version__}; {scale}; "
          f"median of {args.runs} runs; same (subject, programme) pairs on both sides\n")
    print("| part | hits | Mingjing (s) | DuckDB (s) | ratio (DuckDB / Mingjing) |")
    print("|---|---|---|---|---|")
    tot_m = tot_d = 0.0
    for p in parts:
        m, d = med(mj_runs, p), med(dk_runs, p)
        tot_m += m
        tot_d += d
        hits = "" if p == "open" else str(dk_pairs[p])
        label = "open (blocks, names)" if p == "open" else p
        print(f"| {label} | {hits} | {m:.3f} | {d:.3f} | {d / m if m else float('nan'):.2f} |")
    print(f"| **total** | | **{tot_m:.3f}** | **{tot_d:.3f}** | **{tot_d / tot_m:.2f}** |")
    # ru_maxrss is in KiB on Linux. Mingjing's runs are this script's children (with
    # --demo, nothing else is); DuckDB runs inside this process.
    gib = 1024 * 1024
    print(f"\nmax resident: Mingjing {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / gib:.2f} GiB"
          f" (largest child process); DuckDB {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / gib:.2f} GiB"
          f" (this process; memory_limit {args.duckdb_memory or 'default'})")


if __name__ == "__main__":
    main()
