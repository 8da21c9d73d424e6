#!/usr/bin/env python3
"""Import benchmark: a city-scale payment roll, CSV and XLSX, loaded by `mingjing import` (full
validation, Parquet out) and, in the same run on the same CSV, by DuckDB (`read_csv` -> Parquet,
no validation). Prints a Markdown table of rows/s and the ratio.

    python3 bench/import_bench.py --binary target/release/mingjing [--rows 1000000] [--xlsx-rows 200000]
"""
import argparse
import os
import statistics
import subprocess
import tempfile
import time

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
HEADER = ["项目代码", "领取人身份证号", "领取人姓名", "乡镇", "村(社区)", "发放月份", "发放金额", "收款账号", "账户持有人身份证号", "发放日期"]
TOWNS = ["城关镇", "东风镇", "八渡镇", "温水镇", "天成镇", "曹家湾镇", "固关镇", "东南镇", "河北镇", "新集川镇"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟强磊军勇杰涛斌芳娜敏静丽艳娟霞秀英玲"


def id18(i):
    k = i // 1000
    first17 = "6103%02d%04d%02d%02d%03d" % (k % 90 + 1, 1930 + k // 90 % 60, 1 + k // 5400 % 12, 1 + k // 64800 % 28, i % 1000)
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, W)) % 11]


def rows(n):
    for i in range(n):
        name = SURNAMES[i % 20] + GIVEN[(i // 20) % len(GIVEN)] + GIVEN[(i // 400) % len(GIVEN)]
        town = TOWNS[i % 10]
        yield ["YANGLAO", id18(i), name, town, f"{town[:2]}{i % 37}村", "2026-03", f"{100 + i % 300}.{i % 100:02d}",
               f"6228{i:015d}", "", "2026-03-15"]


def write_csv(path, n):
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(HEADER) + "\n")
        for r in rows(n):
            f.write(",".join(r) + "\n")


def write_xlsx(path, n):
    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append(HEADER)
    for r in rows(n):
        r[6] = float(r[6])
        ws.append(r)
    wb.save(path)


def time_mingjing(binary, path, runs):
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as d:
            subprocess.run([binary, "init", "--data-dir", d], check=True, capture_output=True)
            t0 = time.perf_counter()
            r = subprocess.run([binary, "import", "--data-dir", d, "--type", "benefit_payments", "--org", "人社局",
                                "--period", "2026-03", path], capture_output=True, text=True)
            times.append(time.perf_counter() - t0)
            if r.returncode != 0:
                raise SystemExit(f"import failed: {r.stderr[:2000]}")
    return statistics.median(times)


def time_duckdb(path, runs):
    import duckdb
    times = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as d:
            con = duckdb.connect()
            t0 = time.perf_counter()
            con.execute(f"COPY (SELECT * FROM read_csv('{path}')) TO '{d}/out.parquet' (FORMAT parquet)")
            times.append(time.perf_counter() - t0)
            con.close()
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--binary", default="target/release/mingjing")
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--xlsx-rows", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    import duckdb
    with tempfile.TemporaryDirectory() as work:
        csv_path = os.path.join(work, "roll.csv")
        xlsx_path = os.path.join(work, "roll.xlsx")
        write_csv(csv_path, a.rows)
        mb = os.path.getsize(csv_path) / 1e6
        m_csv = time_mingjing(a.binary, csv_path, a.runs)
        d_csv = time_duckdb(csv_path, a.runs)
        lines = [
            f"machine: {os.cpu_count()} cores; DuckDB {duckdb.__version__}; median of {a.runs} runs",
            "",
            "| file | rows | Mingjing import (full validation) | DuckDB read_csv → Parquet | ratio (DuckDB time / Mingjing time) |",
            "|---|---|---|---|---|",
            f"| CSV, {mb:.0f} MB | {a.rows:,} | {a.rows / m_csv:,.0f} rows/s ({m_csv:.2f} s) | {a.rows / d_csv:,.0f} rows/s ({d_csv:.2f} s) | {d_csv / m_csv:.2f} |",
        ]
        if a.xlsx_rows:
            write_xlsx(xlsx_path, a.xlsx_rows)
            m_x = time_mingjing(a.binary, xlsx_path, a.runs)
            lines.append(f"| XLSX | {a.xlsx_rows:,} | {a.xlsx_rows / m_x:,.0f} rows/s ({m_x:.2f} s) | (no xlsx reader offline) | — |")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
