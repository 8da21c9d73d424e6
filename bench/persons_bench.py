#!/usr/bin/env python3
"""一键通 at scale: person search and the person page through the real server, timed per request,
and DuckDB finding the same person's rows in the same Parquet files.

The platform is the demo's (`mingjing demo --no-serve`: a generated county, every type, 12
months, loaded, the models run); it is built once into --work and reused. Then `mingjing serve`
answers, as the county analyst (county-wide scope), over loopback HTTP:
- search by the full ID number, by name, and by a masked ID (`110105********123X`);
- the person page (`GET /api/persons/{handle}`): the register's entry and household, the
  person's rows of every type that has an ID field, and their alerts; the purpose is audited.
Each figure is client-side wall time per request (HTTP, JSON included), after a warm-up.

The peer: what an analyst would otherwise do with DuckDB — for each type that has ID fields,
`SELECT * FROM <that type's current Parquet files> WHERE <any ID field> = ?` — in the same run,
for the same persons, with views created once. Its time is the sum over the types for one person.

    pip install duckdb
    cargo build --workspace --tests          # or a release build
    python3 bench/persons_bench.py --binary target/debug/mingjing --persons 3000000 \
        --work /var/tmp/mj-city --queries 300
"""

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import duckdb

PASSWORD = "Mingjing@2026demo"


from benchhttp import Client, free_port, timed, wait_serving


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def build(binary, work, persons, no_models):
    data = os.path.join(work, "demo")
    if os.path.exists(os.path.join(data, "built")):
        print(f"reusing {data}", file=sys.stderr)
        return data
    t = time.perf_counter()
    args = [binary, "demo", "--data-dir", data, "--persons", str(persons), "--no-serve"]
    r = subprocess.run(args + (["--no-models"] if no_models else []), capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"demo failed:\n{r.stdout}\n{r.stderr}")
    print(r.stdout.strip(), file=sys.stderr)
    print(f"built in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    open(os.path.join(data, "built"), "w").close()
    return data


def sample_persons(data, n, seed):
    """n random residents of the loaded register: (ID, name)."""
    files = id_types(data)["persons"][1]
    con = duckdb.connect()
    total = con.execute(f"SELECT count(*) FROM read_parquet({files!r})").fetchone()[0]
    rng = random.Random(seed)
    picks = sorted(rng.sample(range(total), n))
    rows = con.execute(
        f"SELECT id_number, name FROM (SELECT id_number, name, row_number() OVER () - 1 AS i "
        f"FROM read_parquet({files!r})) WHERE i IN (SELECT unnest(?))", [picks]).fetchall()
    rng.shuffle(rows)
    return rows


def id_types(data):
    """For each type with ID fields: its ID columns and current Parquet files."""
    db = sqlite3.connect(os.path.join(data, "mingjing.db"))
    out = {}
    for name, definition in db.execute("SELECT name, definition FROM dataset_types ORDER BY name"):
        fields = [f["key"] for f in json.loads(definition)["fields"] if f["type"] == "id18"]
        files = [os.path.join(data, "uploads", d, f) for d, f in db.execute(
            "SELECT u.dir, s.file FROM upload_slices s JOIN uploads u ON u.id = s.upload_id "
            "WHERE s.dataset_type = ? AND s.superseded_by IS NULL ORDER BY s.upload_id", (name,))]
        if fields and files:
            out[name] = (fields, files)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/debug/mingjing")
    ap.add_argument("--persons", type=int, default=250000)
    ap.add_argument("--work", default="/var/tmp/mj-persons-bench")
    ap.add_argument("--queries", type=int, default=300, help="persons looked up")
    ap.add_argument("--peer-queries", type=int, default=100, help="persons DuckDB looks up")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-models", action="store_true",
                    help="load the county without running the models (city scale: see bench/README.md)")
    a = ap.parse_args()

    data = build(a.binary, a.work, a.persons, a.no_models)
    sample = sample_persons(data, a.queries + 20, a.seed)
    warm, sample = sample[:20], sample[20:]

    # No scheduled full run in the measured server: on a data set loaded without the models
    # it would start one at once (catching up the day's run) and share the machine with the
    # requests being timed.
    config = os.path.join(data, "mingjing.toml")
    text = open(config, encoding="utf-8").read() if os.path.exists(config) else ""
    if "[server]" not in text:
        with open(config, "a", encoding="utf-8") as f:
            f.write('\n[server]\ndaily_run_at = ""\n')
    port = free_port()
    t0 = time.perf_counter()
    server = subprocess.Popen([a.binary, "serve", "--data-dir", data, "--listen", f"127.0.0.1:{port}"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        # Serving, and the person index current (rebuilt at start only if the register changed).
        if wait_serving(server) is None:
            sys.exit("the server did not start")
        startup = time.perf_counter() - t0
        c = Client(f"http://127.0.0.1:{port}")
        c.json("POST", "/api/auth/login", {"username": "analyst", "password": PASSWORD})
        c.csrf = c.json("GET", "/api/auth/me")["csrf_token"]
        why = urllib.parse.quote("基准测试")

        def search(q):
            return c.json("GET", f"/api/persons?q={urllib.parse.quote(q)}&purpose={why}")["persons"]

        def page(handle):
            return c.json("GET", f"/api/persons/{handle}?purpose={why}")

        for pid, name in warm:
            for h in search(pid):
                page(h["handle"])
            search(name)
        times = {"search by ID": [], "search by name": [], "search by masked ID": [], "person page": []}
        rows_seen = []
        for pid, name in sample:
            t, hits = timed(lambda: search(pid))
            times["search by ID"].append(t)
            if len(hits) != 1:
                sys.exit(f"search by ID found {len(hits)} persons")
            t, by_name = timed(lambda: search(name))
            times["search by name"].append(t)
            if not any(h["handle"] == hits[0]["handle"] for h in by_name) and len(by_name) < 200:
                sys.exit(f"search by name did not find {name}")
            masked = pid[:6] + "*" * 8 + pid[14:]
            t, _ = timed(lambda: search(masked))
            times["search by masked ID"].append(t)
            t, p = timed(lambda: page(hits[0]["handle"]))
            times["person page"].append(t)
            rows_seen.append(sum(len(r["rows"]) for r in p["records"]))
    finally:
        server.terminate()
        server.wait()

    # The peer on the same files, for the same persons.
    types = id_types(data)
    con = duckdb.connect()
    for name, (_, files) in types.items():
        con.execute(f"CREATE VIEW t_{name} AS SELECT * FROM read_parquet({files!r})")
    # The peer scans every file per person: its figures come from the first --peer-queries.
    peer = sample[:a.peer_queries]
    duck, duck_rows = [], []
    for pid, _ in warm[:3] + peer:
        t0 = time.perf_counter()
        n = 0
        for name, (fields, _) in types.items():
            cond = " OR ".join(f'"{f}" = $id' for f in fields)
            n += len(con.execute(f"SELECT * FROM t_{name} WHERE {cond}", {"id": pid}).fetchall())
        duck.append(time.perf_counter() - t0)
        duck_rows.append(n)
    duck = duck[3:]
    duck_rows = duck_rows[3:]
    # Each row is counted once per ID field that names the person on Mingjing's page (a
    # relative's row names them once); DuckDB counts each row once: compare the row totals.
    print(f"machine: {os.cpu_count()} cores; DuckDB {duckdb.__version__}; {a.persons} persons, "
          f"12 months, {sum(len(f) for _, f in types.values())} current files of {len(types)} types "
          f"with ID fields; {len(sample)} persons looked up ({len(peer)} by DuckDB); server ready (person index current) in {startup:.1f} s\n")
    print("| request | p50 (ms) | p95 (ms) | max (ms) |")
    print("|---|---|---|---|")
    for k, xs in times.items():
        print(f"| {k} | {pct(xs, 50) * 1000:.1f} | {pct(xs, 95) * 1000:.1f} | {max(xs) * 1000:.1f} |")
    print(f"| DuckDB: the person's rows of every type (peer of the person page) | "
          f"{pct(duck, 50) * 1000:.1f} | {pct(duck, 95) * 1000:.1f} | {max(duck) * 1000:.1f} |")
    print(f"\nperson page p95 ratio (DuckDB / Mingjing): {pct(duck, 95) / pct(times['person page'], 95):.1f}; "
          f"rows per person: Mingjing {statistics.mean(rows_seen[:len(peer)]):.1f} (per naming field), "
          f"DuckDB {statistics.mean(duck_rows):.1f}")


if __name__ == "__main__":
    main()
