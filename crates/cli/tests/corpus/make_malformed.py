#!/usr/bin/env python3
"""Writes the committed corpus of malformed files (tests/corpus/malformed) and cases.csv.

Each case names the dataset type, the period, and what the rejection must say. The corpus is
committed; this script documents how each file was made (openpyxl and xlwt from PyPI).
Run: python3 make_malformed.py
"""
import csv
import io
import os
import random

import openpyxl
import xlwt

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "malformed")
W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def idn(first17):
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, W)) % 11]


A = "0123456789ABCDEFGHJKLMNPQRTUWXY"
UW = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def uscc(first17):
    return first17 + A[(31 - sum(A.index(c) * w for c, w in zip(first17, UW)) % 31) % 31]


ID1 = idn("61032719800101123")
ID2 = idn("61032719751212002")
ID3 = idn("61032719900630451")
BAD_CHECK = ID1[:17] + ("0" if ID1[17] != "0" else "1")
PAY_HEAD = ["项目代码", "领取人身份证号", "领取人姓名", "乡镇", "村(社区)", "发放月份", "发放金额", "收款账号"]


def pay(pid=ID1, name="张三", program="DIBAO", month="2026-03", amount="500.00", account="6228000000000001"):
    return [program, pid, name, "城关镇", "东关社区", month, amount, account]


cases = []


def csv_bytes(rows, encoding="utf-8"):
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    for r in rows:
        w.writerow(r)
    return buf.getvalue().encode(encoding)


def case(name, data, expect, ty="benefit_payments", period="2026-03"):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data)
    cases.append((name, ty, period, expect))


def payments_csv(name, rows, expect, **kw):
    case(name, csv_bytes([PAY_HEAD] + rows), expect, **kw)


def xlsx(name, header, rows, expect, ty="benefit_payments", period="2026-03", formulas=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    for cell, f in formulas:
        ws[cell] = f
    path = os.path.join(OUT, name)
    wb.save(path)
    cases.append((name, ty, period, expect))


def main():
    os.makedirs(OUT, exist_ok=True)
    for f in os.listdir(OUT):
        os.remove(os.path.join(OUT, f))

    # ID numbers.
    payments_csv("id_bad_checksum.csv", [pay(), pay(BAD_CHECK, "李四")],
                 f"row 3, column 领取人身份证号: ID number check character is {BAD_CHECK[17]} but should be {ID1[17]}")
    payments_csv("id_bad_birth_date.csv", [pay(idn("61032719800230123"))],
                 "row 2, column 领取人身份证号: ID number holds birth date 1980-02-30, which is not a calendar date")
    payments_csv("id_birth_in_future.csv", [pay(idn("61032720990101123"))],
                 "row 2, column 领取人身份证号: ID number holds birth date 2099-01-01, which is after the day of import")
    payments_csv("id_birth_before_1900.csv", [pay(idn("61032718991231123"))],
                 "which is before 1900-01-01")
    payments_csv("id_15_digits.csv", [pay("610327800101123")],
                 "row 2, column 领取人身份证号: ID number is a 15-digit ID number; the standard requires 18 digits (as 18 digits it would read "
                 + idn("61032719800101123") + ")")
    payments_csv("id_letter_inside.csv", [pay("61032719800A01123X")],
                 "row 2, column 领取人身份证号: ID number has a character that is not a digit at position 12")
    payments_csv("id_too_short.csv", [pay("6103271980")],
                 "row 2, column 领取人身份证号: ID number has 10 characters; an ID number has 18")
    # Credit codes.
    good = uscc("91610327MA6XAB12C")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    case("uscc_bad_check.csv", csv_bytes([["公民身份号码", "姓名", "工作单位", "单位统一社会信用代码", "人员类别", "任职开始日期"],
                                          [ID1, "张三", "陇县民政局", bad, "公务员", "2020-01-01"]]),
         f"row 2, column 单位统一社会信用代码: credit code check character is {bad[17]} but should be {good[17]}",
         ty="public_officials", period="")
    case("uscc_bad_symbol.csv", csv_bytes([["credit_code", "company_name", "id_number", "person_name", "role", "establish_date", "status"],
                                           ["91610327MA6XAB1IC0", "陇县商贸", ID1, "张三", "股东", "2020-01-01", "存续"]]),
         "row 2, column credit_code: credit code has 'I' at position 16, which is not one of the code's 31 symbols",
         ty="businesses", period="")
    # Enums and required values.
    payments_csv("enum_unknown_program.csv", [pay(program="DIBAO2")],
                 "row 2, column 项目代码: 'DIBAO2' is not one of: DIBAO, TEKUN")
    case("enum_bad_gender.csv", csv_bytes([["公民身份号码", "姓名", "性别", "户号", "乡镇", "村(社区)"],
                                           [ID1, "张三", "M", "H1", "城关镇", "东关社区"]]),
         "row 2, column 性别: 'M' is not one of: 男, 女", ty="persons", period="")
    payments_csv("required_cell_empty.csv", [pay(), pay(ID2, "")],
                 "row 3, column 领取人姓名: is required but empty")
    # Header problems.
    case("missing_required_column.csv", csv_bytes([PAY_HEAD[:6] + ["收款账号"], pay()[:6] + ["6228"]]),
         "row 1: required column 发放金额 (amount) is missing")
    case("duplicate_column.csv", csv_bytes([PAY_HEAD + ["id_number"], pay() + [ID1]]),
         "row 1: columns 领取人身份证号 and id_number both name field id_number")
    case("wrong_type_persons_as_deaths.csv", csv_bytes([["公民身份号码", "姓名", "户号", "乡镇", "村(社区)"], [ID1, "张三", "H1", "城关镇", "东关社区"]]),
         "row 1: required column 死亡日期 (death_date) is missing | row 1: required column 数据来源 (source) is missing",
         ty="deaths", period="")
    # Money.
    payments_csv("money_negative.csv", [pay(amount="-5.00")], "row 2, column 发放金额: amount is negative")
    payments_csv("money_three_decimals.csv", [pay(amount="233.333")],
                 "row 2, column 发放金额: amount has 3 decimal places; at most 2 are allowed")
    payments_csv("money_words.csv", [pay(amount="五百元")], "row 2, column 发放金额: amount is not a number")
    payments_csv("money_thousands_separator.csv", [pay(amount="1,000.00")], "row 2, column 发放金额: amount is not a number")
    case("decimal_negative_area.csv", csv_bytes([["权利人身份证号", "权利人姓名", "不动产权证号", "坐落", "用途", "面积(平方米)", "登记日期", "状态"],
                                                  [ID1, "张三", "陕(2020)陇县不动产权第1号", "城关镇", "住宅", "-80.5", "2020-01-01", "现势"]]),
         "row 2, column 面积(平方米): amount is negative", ty="properties", period="")
    # Dates and months.
    deaths_head = ["公民身份号码", "姓名", "死亡日期", "数据来源"]
    case("date_no_such_day.csv", csv_bytes([deaths_head, [ID1, "张三", "2026-02-29", "户籍注销"]]),
         "row 2, column 死亡日期: '2026-02-29' is not a calendar date", ty="deaths", period="")
    case("date_not_a_date.csv", csv_bytes([deaths_head, [ID1, "张三", "去年冬天", "户籍注销"]]),
         "row 2, column 死亡日期: '去年冬天' is not a date", ty="deaths", period="")
    case("date_month_thirteen.csv", csv_bytes([deaths_head, [ID1, "张三", "2025/13/01", "户籍注销"]]),
         "row 2, column 死亡日期: '2025/13/01' is not a calendar date", ty="deaths", period="")
    payments_csv("month_bad.csv", [pay(month="2026-13")], "row 2, column 发放月份: '2026-13' is not a month")
    payments_csv("month_differs_from_period.csv", [pay(), pay(ID2, "李四", month="2026-04")],
                 "row 3, column 发放月份: month 2026-04 differs from the upload's period 2026-03")
    # Keys.
    payments_csv("duplicate_key.csv", [pay(), pay(ID2, "李四"), pay(ID1, "张三", amount="300")],
                 "row 4, column 项目代码+领取人身份证号+发放月份: duplicate key: the same as row 2")
    payments_csv("duplicate_key_lower_x.csv", [pay(idn("61032719800101003")), pay(idn("61032719800101003").lower())] if idn("61032719800101003").endswith("X") else [pay(idn("11010519491231002")), pay(idn("11010519491231002").lower())],
                 "row 3, column 项目代码+领取人身份证号+发放月份: duplicate key: the same as row 2")
    case("duplicate_key_deaths.csv", csv_bytes([deaths_head, [ID1, "张三", "2025-01-02", "火化记录"], [ID2, "李四", "2025-01-02", "火化记录"], [ID1, "张三", "2025-01-03", "火化记录"]]),
         "row 4, column 公民身份号码+数据来源: duplicate key: the same as row 2", ty="deaths", period="")
    # Row numbers: a blank line is a spreadsheet row.
    case("blank_line_before_error.csv",
         csv_bytes([deaths_head, [ID1, "张三", "2025-01-02", "火化记录"]]) + b"\n" +
         csv_bytes([[ID2, "李四", "2025-01-02", "火化记录"], [ID3, "王五", "昨天", "火化记录"]]),
         "row 5, column 死亡日期: '昨天' is not a date", ty="deaths", period="")
    # Text: control characters, length.
    payments_csv("nul_byte_in_cell.csv", [pay(name="张\x00三")], "row 2, column 领取人姓名: holds control character U+0000 at character 2")
    payments_csv("bell_character.csv", [pay(), pay(ID2, "李\x07四")], "row 3, column 领取人姓名: holds control character U+0007 at character 2")
    payments_csv("cell_of_one_megabyte.csv", [pay(name="名" * 350_000)], "line 2, column 3: more characters in a cell than the limit of 32767 (max_cell_chars)")
    payments_csv("text_4001_characters.csv", [pay(account="1" * 4001)], "row 2, column 收款账号: text has 4001 characters; at most 4000 are allowed")
    payments_csv("extra_cells.csv", [pay() + ["多出的值"]], "row 2: has 9 cells but the header has 8 columns")
    case("unterminated_quote.csv", csv_bytes([PAY_HEAD]) + ("DIBAO," + ID1 + ',"张三,城关镇,东关社区,2026-03,500.00,6228\n').encode(),
         "row 2, column 乡镇: is required but empty")
    # Whole-file problems.
    case("empty.csv", b"", "the file is empty (0 bytes)")
    case("blank_lines_only.csv", b"\n\n\n", "the file is empty: no header row")
    case("utf16.csv", "\ufeff".encode("utf-16-le") + csv_bytes([PAY_HEAD, pay()]).decode().encode("utf-16-le"),
         "the file is UTF-16 text; save it as CSV in UTF-8 or GB18030")
    rng = random.Random(7)
    case("binary_noise.csv", bytes(rng.randrange(256) for _ in range(8192)), "the file is not text in UTF-8 or GB18030")
    case("bom_then_bad_utf8.csv", b"\xef\xbb\xbf" + csv_bytes([PAY_HEAD]) + b"DIBAO,\xff\xfe\n",
         "the file starts with a UTF-8 byte-order mark but line 2 is not valid UTF-8")
    gbk_rows = csv_bytes([PAY_HEAD, pay(BAD_CHECK, "王五")], "gbk")
    case("gbk_with_errors.csv", gbk_rows, "row 2, column 领取人身份证号: ID number check character")
    many = [pay(idn("610327198001%02d%03d" % (1 + (i % 28), i % 1000))[:17] + "Z", "某人") for i in range(1500)]
    payments_csv("fifteen_hundred_errors.csv", many, "row 2, column 领取人身份证号 | … and 500 more errors (1500 in all)")
    # Excel.
    xlsx("xlsx_bad_cells.xlsx", PAY_HEAD, [pay(), [*pay(ID2, "李四")[:6], 233.333, "6228"]],
         "row 3, column 发放金额: amount has 3 decimal places; at most 2 are allowed")
    xlsx("xlsx_id_as_number.xlsx", PAY_HEAD, [[*pay()[:1], int(ID2) if ID2[-1] != "X" else int(ID3), *pay()[2:]]],
         "row 2, column 领取人身份证号: ID number is stored as a number, which keeps only 15 significant digits")
    xlsx("xlsx_formula_amount.xlsx", PAY_HEAD, [pay()], "row 2, column 发放金额: amount is not a number", formulas=[("G2", "=250*2")])
    xlsx("xlsx_missing_column.xlsx", PAY_HEAD[:5] + PAY_HEAD[6:], [pay()[:5] + pay()[6:]], "row 1: required column 发放月份 (period) is missing")
    xlsx("xlsx_header_on_row_two.xlsx", ["", "", ""], [PAY_HEAD, pay()], "the file is empty: no header row")
    wb = openpyxl.Workbook()
    wb.active.append(PAY_HEAD)
    wb.active.append(pay())
    b = io.BytesIO()
    wb.save(b)
    data = b.getvalue()
    case("xlsx_truncated.xlsx", data[: len(data) // 2], "the workbook cannot be read (corrupt or truncated)")
    case("xlsx_zip_garbage.xlsx", b"PK\x03\x04" + bytes(rng.randrange(256) for _ in range(2000)), "the workbook cannot be read (corrupt or truncated)")
    case("csv_named_xlsx.xlsx", csv_bytes([PAY_HEAD, pay()]), "the file is named as an Excel workbook but is not one")
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Sheet1")
    for c, h in enumerate(PAY_HEAD):
        sheet.write(0, c, h)
    for c, v in enumerate(pay(BAD_CHECK, "赵六")):
        sheet.write(1, c, v)
    b = io.BytesIO()
    book.save(b)
    case("xls_bad_checksum.xls", b.getvalue(), "row 2, column 领取人身份证号: ID number check character")
    case("xls_truncated.xls", b.getvalue()[:700], "the workbook cannot be read (corrupt or truncated)")

    with open(os.path.join(HERE, "malformed_cases.csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "type", "period", "expect"])
        for c in cases:
            w.writerow(c)
    print(f"{len(cases)} cases")


if __name__ == "__main__":
    main()
