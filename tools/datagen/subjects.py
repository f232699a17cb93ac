#!/usr/bin/env python3
"""Synthetic but realistic subjects (监管对象) for the subject registry, as CSV.

    tools/datagen/subjects.py --count 50000 --prefecture 330700 > jinhua.csv

Codes are real: regions from data/regions.csv (GB/T 2260, weighted towards Zhejiang and
within it Jinhua unless --prefecture narrows it), industries from data/industries.csv
(GB/T 4754-2017 小类). USCCs carry the correct GB 32100-2015 check character. About 70 %
are individual businesses (个体工商户, as in Jinhua's 1.03 million subjects). The same
--seed gives the same file, so importing it twice changes nothing the second time.
Columns are those `jgctl subjects import` reads.
"""
import argparse
import csv
import os
import random
import sys

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015 Table 1
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 3^(i-1) mod 31
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国平刚桂兰志红霞玉萍文辉力斌宇浩凯鹏飞俊峰海燕雪梅晨阳"
SHOP_WORDS = ["鑫", "盛", "兴", "隆", "达", "顺", "福", "源", "丰", "佳", "美", "优", "诚", "信", "和", "泰", "华", "恒", "祥", "瑞"]
SHOP_KINDS = ["小吃店", "便利店", "五金店", "服装店", "饰品商行", "水果店", "理发店", "副食品店", "餐馆", "日用品商行", "电器维修部", "面馆"]
COMPANY_KINDS = ["有限公司", "贸易有限公司", "科技有限公司", "工艺品有限公司", "电子商务有限公司", "制衣有限公司", "食品有限公司"]
ROADS = ["人民路", "解放路", "工人路", "宾王路", "稠州路", "八一街", "环城路", "城中路", "江滨路", "丹溪路", "李渔路", "双龙路"]
TAGS = ["key-supervision", "pollutant-source", "special-equipment-user", "food-business", "online-seller"]


def check_character(first17):
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def read_codes(name):
    with open(os.path.join(ROOT, "data", name), encoding="utf-8") as f:
        return list(csv.DictReader(f))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=4)
    parser.add_argument("--prefecture", default="", help="only this prefecture, e.g. 330700 (金华市)")
    args = parser.parse_args()
    rnd = random.Random(args.seed)

    regions = [r for r in read_codes("regions.csv") if r["level"] == "3"]
    names = {r["code"]: r["name"] for r in read_codes("regions.csv")}
    if args.prefecture:
        pool = [r for r in regions if r["parent_code"] == args.prefecture]
        weights = [1] * len(pool)
    else:
        # Weighted: Jinhua 40 %, the rest of Zhejiang 30 %, the rest of China 30 %.
        pool = regions
        weights = [40 / 9 if r["parent_code"] == "330700" else
                   30 / 80 if r["code"].startswith("33") else 30 / 2700 for r in regions]
    if not pool:
        sys.exit(f"no county-level region under {args.prefecture}")
    industries = [i["code"] for i in read_codes("industries.csv") if i["level"] == "4"]
    retail = [c for c in industries if c[:2] in ("51", "52", "62", "80", "81")]

    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["uscc", "name", "type", "legal_representative", "id_number", "registered_capital_fen",
                  "established_on", "industry", "registration_region", "business_region",
                  "business_address", "latitude", "longitude", "business_scope", "tags"])
    used = set()
    for n in range(args.count):
        region = rnd.choices(pool, weights)[0]["code"]
        kind = rnd.choices(["2", "1", "3"], [70, 28, 2])[0]
        while True:
            body = "".join(rnd.choice(ALPHABET) for _ in range(9))
            first17 = "9" + kind + region + body
            if first17 not in used:
                used.add(first17)
                break
        town = names.get(region, "")
        person = rnd.choice(SURNAMES) + "".join(rnd.choice(GIVEN) for _ in range(rnd.choice([1, 2])))
        word = rnd.choice(SHOP_WORDS) + rnd.choice(SHOP_WORDS)
        if kind == "2":
            name = f"{town}{word}{rnd.choice(SHOP_KINDS)}"
            industry = rnd.choice(retail)
            capital = rnd.randrange(1, 50) * 1_000_000
        elif kind == "1":
            name = f"{names[region[:4] + '00'] if region[:4] + '00' in names else town}{word}{rnd.choice(COMPANY_KINDS)}"
            industry = rnd.choice(industries)
            capital = rnd.randrange(10, 5000) * 1_000_000
        else:
            name = f"{town}{word}农民专业合作社"
            industry = rnd.choice([c for c in industries if c[0] == "0"])
            capital = rnd.randrange(10, 500) * 1_000_000
        id_number = region + f"{rnd.randrange(1950, 2004)}{rnd.randrange(1, 13):02d}{rnd.randrange(1, 29):02d}{rnd.randrange(0, 10000):04d}"
        tags = ";".join(t for t in TAGS if rnd.random() < 0.05)
        out.writerow([first17 + check_character(first17), name, kind, person, id_number, capital,
                      f"{rnd.randrange(2000, 2026)}-{rnd.randrange(1, 13):02d}-{rnd.randrange(1, 29):02d}",
                      industry, region, region, f"{town}{rnd.choice(ROADS)}{rnd.randrange(1, 999)}号",
                      f"{29.0 + rnd.random():.5f}", f"{119.5 + rnd.random():.5f}",
                      "", tags])


if __name__ == "__main__":
    main()
