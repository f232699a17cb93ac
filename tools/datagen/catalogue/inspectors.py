#!/usr/bin/env python3
"""Writes the demo inspector pool (执法人员库) of data/catalogue/ as CSV on stdout.

    tools/datagen/catalogue/inspectors.py > data/catalogue/inspectors.csv

Deterministic (fixed seed). The columns are those of IMPORT_FORMAT_INSPECTORS_CSV
(proto/jianguan/catalogue/v1/catalogue.proto). The people are synthetic:

- names: a common surname and one or two given-name characters;
- certificate numbers: issuing region (GB/T 2260, 6 digits) + a two-digit department class +
  a five-digit serial, e.g. 3307000100042. This layout is our own, modelled on the
  province-issued administrative enforcement certificate (行政执法证); it is not an official
  numbering standard;
- validity: issued between 2019 and 2025 for five years, so some have expired by 2026;
- about 4 % suspended and 3 % retired; about 5 % declare a conflict of interest with a real
  USCC taken from data/uscc_samples.csv (valid rows only).
"""
import csv
import os
import random
import sys
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

# department code, count, class, authorised main items, authorised fields
DEPARTMENTS = [
    ("330700-SCJG", 90, "01", ["SCJG-01", "SCJG-02", "SCJG-03", "SCJG-04", "SCJG-05", "SCJG-06"],
     ["market-regulation", "food-safety"]),
    ("330782-SCJG", 80, "01", ["SCJG-01", "SCJG-02", "SCJG-03", "SCJG-05", "SCJG-06"],
     ["market-regulation"]),
    ("330700-STHJ", 40, "02", ["STHJ-01"], ["ecology-environment"]),
    ("330700-WGLY", 30, "03", ["WGLY-01"], ["culture-market"]),
    ("330700-YJGL", 35, "04", ["YJGL-01"], ["work-safety"]),
    ("330700-RLSB", 30, "05", ["RLSB-01"], ["labour-security"]),
    ("330700-ZHZF", 45, "06", ["ZHZF-01"], ["urban-management"]),
    ("330700-XFJY", 30, "07", ["XFJY-01"], ["fire-safety"]),
    ("330700-GA", 40, "08", ["GA-01", "GA-02"], ["public-security"]),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华玉兰建国志红文斌浩宇婷晨欣怡佳俊鹏飞燕"


def valid_usccs():
    with open(os.path.join(ROOT, "data", "uscc_samples.csv"), encoding="utf-8") as f:
        return [row["code"] for row in csv.DictReader(f) if row["valid"] == "1"]


def main():
    rnd = random.Random(20260501)
    usccs = valid_usccs()
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["name", "department", "certificate_number", "certificate_issuer", "valid_from",
                  "valid_until", "authorised_items", "authorised_fields", "conflicts", "photo_ref",
                  "signature_ref", "status"])
    for department, count, klass, items, fields in DEPARTMENTS:
        region = department.split("-")[0]
        for serial in range(1, count + 1):
            number = f"{region}{klass}{serial:05d}"
            name = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice((1, 2))))
            issued = date(2019, 1, 1) + timedelta(days=rnd.randrange(7 * 365))
            until = date(issued.year + 5, issued.month, min(issued.day, 28)) - timedelta(days=1)
            authorised = rnd.sample(items, k=max(1, len(items) - rnd.randrange(2)))
            roll = rnd.random()
            status = "suspended" if roll < 0.04 else "retired" if roll < 0.07 else "active"
            conflicts = rnd.choice(usccs) if usccs and rnd.random() < 0.05 else ""
            out.writerow([name, department, number, "浙江省人民政府", issued.isoformat(),
                          until.isoformat(), ";".join(sorted(authorised)), ";".join(fields),
                          conflicts, f"photos/{number}.jpg", f"signatures/{number}.png", status])


if __name__ == "__main__":
    main()
