#!/usr/bin/env python3
"""The cost of protecting personal values at rest (issue 22): the same county imported, its models
run and its person pages served by the binary of the last commit before the uploads' personal
values were protected (19bff2a, "without") and by the current one ("with"), in the same run,
alternating the two, plus the crypto provider's throughput on this machine.

One county is generated once (by the current binary). For each binary, its own data directory:
- import: `mingjing init`, then each file of the county's manifest.csv loaded by one
  `mingjing import` process; the time is the sum of the whole processes' wall times (the two
  binaries take turns file by file, which one goes first alternating);
- models: `mingjing run --as-of <the last month's last day> --timings`, whole-process wall time,
  median of --runs, the binaries alternating; the engine's own time (`--timings`: opening the
  data, then every model) is shown beside it. The script fails unless both binaries' alerts
  (`mingjing alerts --format csv`, lines sorted) are identical;
- person page: both data directories served at once (`mingjing serve`, the daily run off), the
  demo's county analyst signed in (password and TOTP code: the accounts are added by
  `mingjing demo --no-serve --no-models` over an empty manifest, so nothing is loaded again),
  the same sample of residents looked up on both servers request by request (search by ID, then
  the person page), as bench/persons_bench.py does;
- the data directory's size on disk (`du`), total, uploads/ and the metadata database;
- crypto throughput: `mingjing crypto-throughput` of the current binary.
While it runs, a sampler reads /proc every second and reports, per phase, how much CPU processes
other than this benchmark's used (e.g. someone's cargo build on the same cores).

    pip install duckdb
    git worktree add --detach /work/wt-old 19bff2a
    (cd /work/wt-old && MINGJING_SKIP_WEB_BUILD=1 CARGO_TARGET_DIR=/var/tmp/mj-old-target cargo build -p mingjing --locked)
    cargo build -p mingjing            # the dev/test profile: dependencies at opt-level 2, ours at 1
    cp /var/tmp/mj-old-target/debug/mingjing /var/tmp/mj-bench-old
    cp target/debug/mingjing /var/tmp/mj-bench-new
    python3 bench/protection_bench.py --old-binary /var/tmp/mj-bench-old --new-binary /var/tmp/mj-bench-new \
        --persons 250000 --months 12 --runs 3
    # the model runs alone at city scale (imports are still made, and reported):
    python3 bench/protection_bench.py --old-binary ... --new-binary ... --persons 3000000 \
        --runs 1 --parts models
"""

import argparse
import csv
import datetime
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

from benchhttp import Client, free_port, timed, wait_serving
from persons_bench import PASSWORD, pct, sample_persons

PARTS = ["import", "models", "person", "size", "crypto"]


def utc():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%H:%M:%S")


# ---------------------------------------------------------------------------------------------
# What else ran on the machine: CPU of processes that are not this script or its children.

class Monitor(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.phase = None
        self.phases = {}  # phase -> {"start", "end", "seconds", "foreign": jiffies, "by": {comm: jiffies}}
        self.me = os.getpid()
        self.hz = os.sysconf("SC_CLK_TCK")
        self.stop = False

    def set(self, phase):
        self.phase = phase
        if phase is not None:
            p = self.phases.setdefault(phase, {"start": utc(), "end": utc(), "seconds": 0.0,
                                               "foreign": 0, "by": {}})
            p["end"] = utc()

    def snapshot(self):
        procs = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    s = f.read()
            except OSError:
                continue
            comm = s[s.index("(") + 1:s.rindex(")")]
            rest = s[s.rindex(")") + 2:].split()
            ppid, ut, st = int(rest[1]), int(rest[11]), int(rest[12])
            procs[int(pid)] = (ppid, comm, ut + st)
        return procs

    def ours(self, procs, pid):
        seen = 0
        while pid in procs and seen < 64:
            if pid == self.me:
                return True
            pid = procs[pid][0]
            seen += 1
        return False

    def run(self):
        prev = self.snapshot()
        last = time.monotonic()
        while not self.stop:
            time.sleep(1)
            cur = self.snapshot()
            now = time.monotonic()
            phase = self.phase
            if phase is not None:
                p = self.phases[phase]
                p["seconds"] += now - last
                p["end"] = utc()
                for pid, (_, comm, cpu) in cur.items():
                    if self.ours(cur, pid):
                        continue
                    # A process started since the last sample counts from its start.
                    d = cpu - prev[pid][2] if pid in prev else cpu
                    if d > 0:
                        p["foreign"] += d
                        p["by"][comm] = p["by"].get(comm, 0) + d
            prev, last = cur, now

    def report(self):
        lines = []
        for name, p in self.phases.items():
            if p["seconds"] <= 0:
                continue
            cores = p["foreign"] / self.hz / p["seconds"]
            top = sorted(p["by"].items(), key=lambda kv: -kv[1])[:4]
            who = ", ".join(f"{c} {j / self.hz / p['seconds']:.2f}" for c, j in top)
            lines.append(f"- {name} ({p['start']}–{p['end']} UTC): other processes used "
                         f"{cores:.2f} cores on average" + (f" ({who})" if who else ""))
        return "\n".join(lines)


MON = Monitor()
# What makes the run fail; reported after the table.
FAILURES = []


# ---------------------------------------------------------------------------------------------
# Processes

def timed_process(args, env=None):
    """Runs a process to its end: (wall seconds, max resident KiB, exit code, stdout, stderr)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(args, stdout=out, stderr=err, env=env)
        _, status, ru = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return wall, ru.ru_maxrss, p.returncode, out.read().decode(), err.read().decode()


def sh(args):
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
    return r


def manifest(county):
    with open(os.path.join(county, "manifest.csv"), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def as_of_of(county):
    with open(os.path.join(county, "ground_truth.csv"), encoding="utf-8") as f:
        return f.readline().strip().removeprefix("# as-of ")


# ---------------------------------------------------------------------------------------------
# Import

def import_both(sides, county, concurrent=False):
    """Every file of the manifest into each side's fresh data directory, the two binaries
    taking turns file by file (or, concurrent, each binary in its own thread: quicker, but
    the times are then not comparable). Returns [(file, type, {side: (seconds, rows, max KiB) or
    (None, exit code, stderr)})]."""
    entries = manifest(county)
    for s in sides:
        if os.path.exists(s["data"] + ".imported"):
            os.remove(s["data"] + ".imported")
        if os.path.exists(s["data"]):
            shutil.rmtree(s["data"])
        key = s["data"] + ".master.key"
        if os.path.exists(key):
            os.remove(key)
        sh([s["binary"], "init", "--data-dir", s["data"]])
    got = [{} for _ in entries]

    def one(i, e, s):
        cmd = [s["binary"], "import", "--data-dir", s["data"], "--type", e["type"], "--org", e["org"]]
        if e["period"]:
            cmd += ["--period", e["period"]]
        cmd.append(os.path.join(county, e["file"]))
        wall, rss, rc, stdout, stderr = timed_process(cmd)
        if rc != 0:
            got[i][s["name"]] = (None, rc, stderr.strip()[:1500])
            print(f"[{utc()}] {s['name']} rejected {e['file']} ({rc}): {stderr.strip()[:300]}",
                  file=sys.stderr)
            return
        rows = 0
        for line in stdout.splitlines():
            if ": added " in line and " rows as upload #" in line:
                rows += int(line.split(": added ")[1].split()[0])
        got[i][s["name"]] = (wall, rows, rss)

    def progress(i, names):
        if i % 20 == 19 or i == len(entries) - 1:
            print(f"[{utc()}] imported {i + 1}/{len(entries)} files: " + ", ".join(
                f"{x} {sum(g[x][0] or 0 for g in got[:i + 1] if x in g):.0f} s" for x in names),
                file=sys.stderr)

    if concurrent:
        def side(s):
            for i, e in enumerate(entries):
                one(i, e, s)
                progress(i, [s["name"]])
        threads = [threading.Thread(target=side, args=(s,)) for s in sides]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    else:
        for i, e in enumerate(entries):
            for s in (sides if i % 2 == 0 else sides[::-1]):
                one(i, e, s)
            progress(i, [s["name"] for s in sides])
    return [(e["file"], e["type"], g) for e, g in zip(entries, got)]


# ---------------------------------------------------------------------------------------------
# Models

def run_models(sides, as_of, runs):
    res = {s["name"]: [] for s in sides}
    for i in range(runs):
        order = sides if i % 2 == 0 else sides[::-1]
        for s in order:
            wall, rss, rc, stdout, stderr = timed_process(
                [s["binary"], "run", "--data-dir", s["data"], "--as-of", as_of, "--timings"])
            if rc != 0:
                sys.exit(f"{s['name']}: mingjing run failed ({rc}):\n{stderr[-3000:]}")
            timings = {}
            for line in stderr.splitlines():
                if line.startswith("timing "):
                    _, what, secs = line.split()
                    timings[what] = float(secs)
            res[s["name"]].append({"wall": wall, "rss": rss, "engine": sum(timings.values()),
                                   "open": timings.get("open", float("nan")),
                                   "models": len(timings) - 1})
            print(f"[{utc()}] run {i + 1} {s['name']}: {wall:.2f} s (engine {sum(timings.values()):.2f} s)",
                  file=sys.stderr)
    alerts = {}
    for s in sides:
        text = sh([s["binary"], "alerts", "--data-dir", s["data"], "--format", "csv"]).stdout
        alerts[s["name"]] = sorted(text.splitlines())
    a, b = (alerts[s["name"]] for s in sides)
    if a != b:
        only_a = sorted(set(a) - set(b))[:10]
        only_b = sorted(set(b) - set(a))[:10]
        FAILURES.append(f"the two binaries' alerts differ ({len(a) - 1} and {len(b) - 1}); "
                        f"only {sides[0]['name']}: {only_a}; only {sides[1]['name']}: {only_b}")
    return res, len(a) - 1


# ---------------------------------------------------------------------------------------------
# Person page

def add_accounts(s):
    """The demo's accounts in an imported data directory: `mingjing demo --no-models` over a
    manifest without files loads nothing. Returns the analyst's TOTP secret (or None)."""
    files = os.path.join(s["data"], "county-files")
    os.makedirs(files, exist_ok=True)
    with open(os.path.join(files, "manifest.csv"), "w", encoding="utf-8") as f:
        f.write("file,type,org,period\n")
    r = sh([s["binary"], "demo", "--data-dir", s["data"], "--no-serve", "--no-models"])
    shutil.rmtree(files)
    for line in r.stdout.splitlines():
        parts = line.split()
        if parts and parts[0] == "analyst":
            return parts[parts.index("secret") + 1] if "secret" in parts else None
    sys.exit(f"{s['name']}: no analyst account in\n{r.stdout}")


def start_server(s):
    config = os.path.join(s["data"], "mingjing.toml")
    text = open(config, encoding="utf-8").read() if os.path.exists(config) else ""
    if "[server]" not in text:
        with open(config, "a", encoding="utf-8") as f:
            f.write('\n[server]\ndaily_run_at = ""\n')
    port = free_port()
    t0 = time.perf_counter()
    server = subprocess.Popen([s["binary"], "serve", "--data-dir", s["data"], "--listen", f"127.0.0.1:{port}"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if wait_serving(server) is None:
        sys.exit(f"{s['name']}: the server did not start")
    return server, port, time.perf_counter() - t0


def sign_in(s, port, secret):
    c = Client(f"http://127.0.0.1:{port}")
    body = {"username": "analyst", "password": PASSWORD}
    if secret:
        body["totp"] = sh([s["binary"], "totp-code", secret]).stdout.strip()
    c.json("POST", "/api/auth/login", body)
    c.csrf = c.json("GET", "/api/auth/me")["csrf_token"]
    return c


def person_pages(sides, queries, seed):
    secrets = {s["name"]: add_accounts(s) for s in sides}
    # The residents are drawn from the unprotected side's register (its Parquet holds the IDs).
    sample = sample_persons(sides[0]["data"], queries + 20, seed)
    warm, sample = sample[:20], sample[20:]
    servers = {}
    try:
        for s in sides:
            servers[s["name"]] = start_server(s)
        clients = {s["name"]: sign_in(s, servers[s["name"]][1], secrets[s["name"]]) for s in sides}
        why = urllib.parse.quote("基准测试")

        def look(c, pid):
            t1, hits = timed(lambda: c.json("GET", f"/api/persons?q={urllib.parse.quote(pid)}&purpose={why}")["persons"])
            if len(hits) != 1:
                sys.exit(f"search by ID {pid} found {len(hits)} persons")
            t2, p = timed(lambda: c.json("GET", f"/api/persons/{hits[0]['handle']}?purpose={why}"))
            return t1, t2, sum(len(r["rows"]) for r in p["records"])

        for pid, _ in warm:
            for s in sides:
                look(clients[s["name"]], pid)
        res = {s["name"]: {"search": [], "page": [], "rows": []} for s in sides}
        for i, (pid, _) in enumerate(sample):
            for s in (sides if i % 2 == 0 else sides[::-1]):
                t1, t2, n = look(clients[s["name"]], pid)
                r = res[s["name"]]
                r["search"].append(t1)
                r["page"].append(t2)
                r["rows"].append(n)
        a, b = (res[s["name"]]["rows"] for s in sides)
        if a != b:
            FAILURES.append(f"the person pages differ in rows: {sum(a)} against {sum(b)} "
                            f"({sum(x != y for x, y in zip(a, b))} of {len(a)} persons)")
    finally:
        for server, _, _ in servers.values():
            server.terminate()
            server.wait()
    return res, {n: v[2] for n, v in servers.items()}


# ---------------------------------------------------------------------------------------------

def du(path):
    if not os.path.exists(path):
        return 0
    return int(subprocess.run(["du", "-s", "--block-size=1", path], capture_output=True,
                              text=True).stdout.split()[0])


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old-binary", required=True, help="the binary of 19bff2a (without protection)")
    ap.add_argument("--new-binary", required=True, help="the current binary (with protection)")
    ap.add_argument("--persons", type=int, default=250000)
    ap.add_argument("--months", type=int, default=12)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--last-month", default=None, help="YYYY-MM (default: the generator's, last month)")
    ap.add_argument("--runs", type=int, default=3, help="model runs per binary (median)")
    ap.add_argument("--queries", type=int, default=300, help="persons looked up on each server")
    ap.add_argument("--work", default="/var/tmp/mj-protection-bench",
                    help="the county and both data directories are kept here")
    ap.add_argument("--parts", default=",".join(PARTS),
                    help=f"comma-separated, of {','.join(PARTS)} (models and person need the "
                         "imported data directories: made by import, or reused from --work)")
    ap.add_argument("--concurrent-imports", action="store_true",
                    help="import with both binaries at once (to build large data directories sooner "
                         "for the model runs; the import times are then not comparable)")
    ap.add_argument("--crypto-mib", type=int, default=256)
    ap.add_argument("--crypto-values", type=int, default=1_000_000)
    a = ap.parse_args()
    parts = [p.strip() for p in a.parts.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        ap.error(f"unknown parts {sorted(unknown)}")
    for b in (a.old_binary, a.new_binary):
        if not os.access(b, os.X_OK):
            ap.error(f"{b} is not an executable")
    MON.start()
    started = utc()

    os.makedirs(a.work, exist_ok=True)
    county = os.path.join(a.work, f"county-{a.persons}-{a.months}-{a.seed}")
    sides = [
        {"name": "without", "binary": os.path.abspath(a.old_binary),
         "data": os.path.join(a.work, f"without-{a.persons}-{a.months}-{a.seed}")},
        {"name": "with", "binary": os.path.abspath(a.new_binary),
         "data": os.path.join(a.work, f"with-{a.persons}-{a.months}-{a.seed}")},
    ]

    gen_seconds = None
    if any(p in parts for p in ("import", "models", "person", "size")) and \
            not os.path.exists(os.path.join(county, "manifest.csv")):
        if os.path.exists(county):
            shutil.rmtree(county)
        MON.set("generate")
        cmd = [sides[1]["binary"], "generate", "--out", county, "--persons", str(a.persons),
               "--months", str(a.months), "--seed", str(a.seed)]
        if a.last_month:
            cmd += ["--last-month", a.last_month]
        print(f"[{utc()}] generating {county}", file=sys.stderr)
        gen_seconds, _, rc, _, err = timed_process(cmd)
        if rc != 0:
            sys.exit(f"generate failed:\n{err}")
    entries = manifest(county) if os.path.exists(os.path.join(county, "manifest.csv")) else []
    county_bytes = du(county)

    imported = None
    need_data = any(p in parts for p in ("models", "person", "size"))
    reuse = all(os.path.exists(s["data"] + ".imported") for s in sides)
    if "import" in parts or (need_data and not reuse):
        MON.set("import")
        print(f"[{utc()}] importing {len(entries)} files with each binary", file=sys.stderr)
        imported = import_both(sides, county, a.concurrent_imports)
        for s in sides:
            open(s["data"] + ".imported", "w").close()

    models = alerts = None
    if "models" in parts:
        MON.set("models")
        models, alerts = run_models(sides, as_of_of(county), a.runs)

    sizes = None
    if "size" in parts or "models" in parts or "import" in parts:
        sizes = {s["name"]: (du(s["data"]), du(os.path.join(s["data"], "uploads")),
                             du(os.path.join(s["data"], "mingjing.db"))) for s in sides}

    pages = startup = None
    if "person" in parts:
        MON.set("person page")
        pages, startup = person_pages(sides, a.queries, a.seed)

    crypto = None
    if "crypto" in parts:
        MON.set("crypto throughput")
        crypto = sh([sides[1]["binary"], "crypto-throughput", "--mib", str(a.crypto_mib),
                     "--values", str(a.crypto_values)]).stdout.rstrip()
    MON.set(None)

    # ---- report -----------------------------------------------------------------------------
    w, n = "without", "with"
    print(f"machine: {os.cpu_count()} cores, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB; "
          f"{a.persons} persons, {a.months} months, seed {a.seed}: {len(entries)} files "
          f"({county_bytes / 1e6:,.0f} MB)"
          + (f", generated in {gen_seconds:.0f} s" if gen_seconds else "")
          + f"; run {started}–{utc()} UTC\n")
    print("| part | without protection (19bff2a) | with protection | ratio (with / without) | goal |")
    print("|---|---|---|---|---|")

    def row(label, x, y, fmt, goal="", ratio=True):
        r = f"{y / x:.2f}" if ratio and x else "—"
        print(f"| {label} | {fmt(x)} | {fmt(y)} | {r} | {goal} |")

    if imported:
        both = [(f, t, g) for f, t, g in imported if all(g[x][0] is not None for x in (w, n))]
        secs = {x: sum(g[x][0] for _, _, g in both) for x in (w, n)}
        rows = {x: sum(g[x][1] for _, _, g in both) for x in (w, n)}
        label = f"{len(both)} files" if len(both) == len(imported) else \
            f"the {len(both)} of {len(imported)} files both binaries accepted"
        if a.concurrent_imports:
            label += " imported by both binaries AT ONCE (not comparable)"
        row(f"import: {label}, sum of the processes' wall times (s)", secs[w], secs[n],
            lambda v: f"{v:.1f}", "≤ 1.20")
        print(f"| import: rows per second | {rows[w] / secs[w]:,.0f} ({rows[w]:,} rows) | "
              f"{rows[n] / secs[n]:,.0f} ({rows[n]:,} rows) | "
              f"{(rows[n] / secs[n]) / (rows[w] / secs[w]):.2f} | |")
        row("import: largest process's max resident (MiB)", max(g[w][2] for _, _, g in both) / 1024,
            max(g[n][2] for _, _, g in both) / 1024, lambda v: f"{v:,.0f}")
    if models:
        med = lambda side, k: statistics.median(r[k] for r in models[side])
        row(f"models: `mingjing run`, whole process, median of {a.runs} (s)", med(w, "wall"), med(n, "wall"),
            lambda v: f"{v:.2f}", "≤ 1.00")
        row(f"models: the engine's time (`--timings`: open + {models[n][0]['models']} models) (s)", med(w, "engine"), med(n, "engine"),
            lambda v: f"{v:.2f}")
        row("models: of which opening the data (blocks, names) (s)", med(w, "open"), med(n, "open"),
            lambda v: f"{v:.2f}")
        row("models: max resident (MiB)", max(r["rss"] for r in models[w]) / 1024,
            max(r["rss"] for r in models[n]) / 1024, lambda v: f"{v:,.0f}")
    if pages:
        for k, label in (("page", "person page"), ("search", "search by ID")):
            for p in (50, 95):
                row(f"{label} p{p} (ms)", pct(pages[w][k], p) * 1000, pct(pages[n][k], p) * 1000,
                    lambda v: f"{v:.1f}", "< 100 ms at city scale" if (k, p) == ("page", 95) else "")
        row("server ready, person index current (s)", startup[w], startup[n], lambda v: f"{v:.1f}")
    if sizes:
        for i, label in enumerate(("data directory on disk", "of which uploads/", "of which mingjing.db")):
            row(f"{label} (MB)", sizes[w][i] / 1e6, sizes[n][i] / 1e6, lambda v: f"{v:,.0f}")
    notes = []
    if models and not any("alerts differ" in f for f in FAILURES):
        notes.append(f"alerts: {alerts}, identical on both sides (`mingjing alerts --format csv`, sorted)")
    if pages:
        rows = pages[n]["rows"]
        notes.append(f"person page: {len(rows)} residents, each looked up on both servers in turn after "
                     f"20 warm-up looks; {statistics.mean(pages[w]['rows']):.1f} and "
                     f"{statistics.mean(rows):.1f} rows per page")
    if imported:
        for f, _, g in imported:
            for side in (w, n):
                if g[side][0] is None:
                    notes.append(f"REJECTED by the {side} binary: {f} (exit {g[side][1]}): {g[side][2]}")
    if notes:
        print("\n" + "\n".join(f"- {x}" for x in notes))
    if imported:
        by_type = {}
        for _, t, g in both:
            d = by_type.setdefault(t, {"files": 0, "rows": 0, w: 0.0, n: 0.0})
            d["files"] += 1
            d["rows"] += g[w][1]
            d[w] += g[w][0]
            d[n] += g[n][0]
        print("\nimport by type (sum of the processes' wall times, the types taking most time first):\n")
        print("| type | files | rows | without (s) | with (s) | ratio |")
        print("|---|---|---|---|---|---|")
        for t, d in sorted(by_type.items(), key=lambda kv: -kv[1][n]):
            print(f"| {t} | {d['files']} | {d['rows']:,} | {d[w]:.2f} | {d[n]:.2f} | {d[n] / d[w]:.2f} |")
    if crypto:
        print("\ncrypto throughput (`mingjing crypto-throughput --mib "
              f"{a.crypto_mib} --values {a.crypto_values}`, one thread):\n\n```\n{crypto}\n```")
    print("\nother processes on the machine, per phase (from /proc, sampled every second):\n")
    print(MON.report() + "\n")
    MON.stop = True
    if FAILURES:
        for f in FAILURES:
            print(f"FAILED: {f}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
