#!/usr/bin/env python3
"""Integrity opinions at request scale: a request of N persons checked and compiled, and its
reply letter rendered as DOCX and PDF, through the real server (`mingjing demo`).

There is no peer a user would otherwise run for this (today it is done by hand from paper
files), so the figures are absolute: the median wall time of each HTTP call over --runs runs.

    python3 bench/opinions_bench.py --binary target/release/mingjing --persons 20000 --size 500 --runs 5
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request


from benchhttp import Client, free_port, timed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/mingjing")
    ap.add_argument("--persons", type=int, default=20000, help="residents of the demo county")
    ap.add_argument("--size", type=int, default=500, help="persons on the request")
    ap.add_argument("--runs", type=int, default=5)
    a = ap.parse_args()

    port = free_port()
    work = tempfile.mkdtemp(prefix="mj-opinions-bench-")
    demo = subprocess.Popen(
        [a.binary, "demo", "--data-dir", os.path.join(work, "demo"), "--persons", str(a.persons),
         "--listen", f"127.0.0.1:{port}"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        for line in demo.stdout:
            if "serving http://" in line:
                break
        else:
            sys.exit("the demo did not start")
        c = Client(f"http://127.0.0.1:{port}")
        c.json("POST", "/api/auth/login", {"username": "analyst", "password": "Mingjing@2026demo"})
        c.csrf = c.json("GET", "/api/auth/me")["csrf_token"]
        rows = []
        while len(rows) < a.size:
            page = c.json("GET", f"/api/dataset-types/persons/rows?limit=200&offset={len(rows)}")["rows"]
            if not page:
                break
            rows += page
        persons = [{"id_number": r[0], "name": r[1]} for r in rows[: a.size]]
        if len(persons) < a.size:
            sys.exit(f"the demo has only {len(persons)} persons")
        compile_s, docx_s, pdf_s, sizes = [], [], [], {}
        for run in range(a.runs):
            body = {"reference": f"基准〔2026〕{run + 1}号", "purpose": "提拔任用",
                    "requesting_org": "县委组织部", "reply_date": time.strftime("%Y-%m-%d"),
                    "persons": persons}
            t, out = timed(lambda: c.json("POST", "/api/opinions", body))
            compile_s.append(t)
            rid = out["id"]
            for fmt, acc in (("docx", docx_s), ("pdf", pdf_s)):
                t, data = timed(lambda: c.call("GET", f"/api/opinions/{rid}/document?format={fmt}"))
                acc.append(t)
                sizes[fmt] = len(data)
        med = statistics.median
        print(f"machine: {os.cpu_count()} cores; demo county of {a.persons} residents; median of {a.runs} runs\n")
        print("| step | persons | median time | output |")
        print("|---|---|---|---|")
        print(f"| check + compile + save the request (POST /api/opinions) | {a.size} | {med(compile_s):.2f} s | — |")
        print(f"| reply letter as DOCX | {a.size} | {med(docx_s):.2f} s | {sizes['docx'] / 1024:.0f} KiB |")
        print(f"| reply letter as PDF (font subset embedded) | {a.size} | {med(pdf_s):.2f} s | {sizes['pdf'] / 1024:.0f} KiB |")
    finally:
        demo.terminate()
        demo.wait()


if __name__ == "__main__":
    main()
