"""Search over 100,000 studio publications: p50/p95/max per kind of query, service and page.

Run: .venv/bin/python tests/benchmarks/studio_search.py [--database URL] [--items 100000]
Target (issue 6, item 13): p95 <= 50 ms on SQLite and PostgreSQL.

200 approved studios (and 5 pending ones, whose rows must never be found) hold `--items`
publications: 40 % patents, 30 % achievements, 30 % courseware, with Chinese titles and
abstracts generated from word lists (a few rare words in about 0.1 % of rows). The rows and
their search entries, tokenised by studios.services.search itself, are inserted in bulk
(guild.bulk: COPY on PostgreSQL). The database is generated once and kept (default:
/tmp/guild-bench-cache/studio-search-<items>.sqlite3; with --database, that database, whose
tables are dropped and made again) until the generator, the tokeniser or the size changes,
or with --regenerate. Then each query of QUERIES runs `--rounds` times through the search
service (first page of 20), and once per round through GET /studios/search (Flask's test
client); p50/p95/max are reported per kind of query and overall.
"""

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
from _cached_db import CACHE, analyse, cached_app, fingerprint, move_sequences, write_meta  # noqa: E402
from _stats import report_service_and_page  # noqa: E402

GENERATOR = "studio search generator 2"
TOKENISER = ("studios/services/search.py", "studios/search_models.py")  # made the entries
STUDIOS, PENDING, CHUNK = 200, 5, 20_000
QUERIES = {
    "2-char common": ["焊接", "检测", "电缆", "安装"],
    "2-char rare": ["钨极", "淬火", "铆接", "镀锌"],
    "3-4 char": ["变压器", "数控机床", "输电线路", "储能电池"],
    "2 terms": ["焊接 管道", "变压器 监测", "智能 巡检", "电缆 CN2021"],
    "miss": ["月球基地", "量子纠缠", "钨极 月球"],
}
OBJECTS = [
    "变压器",
    "电缆",
    "断路器",
    "隔离开关",
    "输电线路",
    "配电柜",
    "电机",
    "数控机床",
    "焊缝",
    "管道",
    "阀门",
    "钢轨",
    "集装箱",
    "起重机",
    "锅炉",
    "汽轮机",
    "传感器",
    "机器人",
    "刀具",
    "模具",
    "轴承",
    "齿轮箱",
    "液压系统",
    "光伏组件",
    "储能电池",
    "充电桩",
    "盾构机",
    "桥梁",
    "隧道",
    "信号机",
    "互感器",
    "避雷器",
    "绝缘子",
    "电能表",
    "风机",
    "水泵",
    "压缩机",
    "减速机",
    "叉车",
    "吊具",
]
ACTIONS = [
    "检测",
    "监测",
    "安装",
    "拆卸",
    "定位",
    "切割",
    "焊接",
    "打磨",
    "清洗",
    "校准",
    "维修",
    "巡检",
    "防护",
    "冷却",
    "润滑",
    "紧固",
    "测量",
    "识别",
    "诊断",
    "控制",
    "更换",
    "调试",
    "加固",
    "除锈",
]
DEVICES = [
    "装置",
    "方法",
    "系统",
    "工具",
    "夹具",
    "平台",
    "机构",
    "组件",
    "设备",
    "工艺",
    "支架",
    "小车",
]
ADJECTIVES = [
    "智能",
    "便携式",
    "快速",
    "高效",
    "自动",
    "带电作业用",
    "新型",
    "多功能",
    "可调节",
    "防爆",
    "轻量化",
    "模块化",
]
FIELDS = [
    "电力",
    "机械",
    "焊接",
    "轨道交通",
    "港口",
    "化工",
    "纺织",
    "建筑",
    "通信",
    "水务",
    "石化",
    "冶金",
]
RARE = ["钨极", "氩弧", "铆接", "淬火", "镀锌", "绞线", "碳刷", "退磁"]
PHRASES = (
    "本发明涉及{field}技术领域",
    "解决了{obj}{act}效率低、劳动强度大的问题",
    "包括{dev}本体、{obj}连接件和{act}单元",
    "通过{adj}{dev}实现{obj}的{act}",
    "提高了{act}作业的安全性和可靠性",
    "经现场应用，年节约成本{n}万元",
    "适用于{field}行业{obj}的日常{act}",
    "结构简单、操作方便、成本低廉",
)


def schema(items: int) -> str:
    """What a cached database must have been made by, the tokeniser included."""
    return fingerprint(GENERATOR, items, sources=TOKENISER)


def text_for(rng: random.Random, number: int) -> tuple[str, str]:
    """A title and an abstract of 4-7 phrases, from the word lists."""
    words = {
        "obj": rng.choice(OBJECTS),
        "act": rng.choice(ACTIONS),
        "dev": rng.choice(DEVICES),
        "adj": rng.choice(ADJECTIVES),
        "field": rng.choice(FIELDS),
        "n": rng.randint(2, 500),
    }
    title = "一种{adj}{obj}{act}{dev}".format(**words)
    phrases = [rng.choice(PHRASES) for _ in range(rng.randint(4, 7))]
    body = "，".join(p.format(**{**words, "obj": rng.choice(OBJECTS)}) for p in phrases) + "。"
    if number % 997 == 0:
        body += f"采用{rng.choice(RARE)}技术。"
    return title, body


def _base_rows(app) -> tuple[int, list[int]]:
    """A user, an alliance, the approved and pending studios; the user and approved ids."""
    from sqlalchemy import insert, select

    from guild.extensions import db
    from studios.models import Alliance, Studio
    from tests.conftest import People

    user_id = People(app).make(real_name="王强").id
    with app.app_context():
        alliance = Alliance(name="杭州市劳模工匠创新工作室联盟", kind="city", city="杭州市")
        db.session.add(alliance)
        db.session.flush()
        rows = [
            {
                "name": f"工作室{n}",
                "leader_id": user_id,
                "city": "杭州市",
                "industry": "电力",
                "level": "city",
                "founded_on": date(2015, 1, 1),
                "leader_honours": [],
                "status": "approved" if n < STUDIOS else "pending",
                "applied_alliance_id": alliance.id,
                "applied_by_id": user_id,
            }
            for n in range(STUDIOS + PENDING)
        ]
        db.session.execute(insert(Studio), rows)
        db.session.commit()
        ids = list(db.session.scalars(select(Studio.id).order_by(Studio.id)))
    return user_id, ids


def _publication(kind: str, number: int, studio_id: int, user_id: int, title, body, day):
    if kind == "patent":
        digits = f"{2010 + number % 14}1{number:07d}"
        return {
            "studio_id": studio_id,
            "patent_type": "invention",
            "application_number": f"{digits}.0",  # the check is not what is measured here
            "title": title,
            "inventors": [{"user_id": None, "name": "王强"}],
            "filed_on": day,
            "status": "pending",
            "abstract": body,
            "created_by_id": user_id,
        }, f"{body}\n王强\nCN{digits}.0 ZL{digits}.0"  # as patents.reindex writes it
    if kind == "achievement":
        return {
            "studio_id": studio_id,
            "title": title.replace("一种", ""),
            "summary_markdown": body,
            "summary_html": f"<p>{body}</p>",
            "category": "technical_innovation",
            "benefit_fen": number * 100,
            "awards": "",
            "achieved_on": day,
            "created_by_id": user_id,
        }, body
    return {
        "studio_id": studio_id,
        "title": title.replace("一种", "") + "培训课件",
        "description": body,
        "kind": "pdf",
        "created_by_id": user_id,
    }, body


def completed(table, rows: list[dict]) -> list[dict]:
    """The rows with every other column at its Python-side default (guild.bulk needs them all)."""
    defaults = {}
    for column in table.columns:
        if rows and column.key not in rows[0] and column.default is not None:
            arg = column.default.arg
            defaults[column.key] = arg(None) if callable(arg) else arg
    return [{**defaults, **row} for row in rows]


def generate(app, items: int) -> None:
    """Every row, in chunks, through guild.bulk."""
    from sqlalchemy import text

    from guild.bulk import collection_paused, insert_rows
    from guild.extensions import db
    from studios.publication_models import Achievement, Courseware, Patent
    from studios.search_models import SearchEntry
    from studios.services.search import normalise, term_tokens

    user_id, studio_ids = _base_rows(app)
    rng, started = random.Random(6), time.perf_counter()
    models = {"patent": Patent, "achievement": Achievement, "courseware": Courseware}
    first_day = date(2012, 1, 1)
    with app.app_context(), collection_paused():
        for start in range(0, items, CHUNK):
            rows = {kind: [] for kind in models}
            entries = []
            for number in range(start, min(items, start + CHUNK)):
                kind = (
                    "patent"
                    if number % 10 < 4
                    else "achievement"
                    if number % 10 < 7
                    else "courseware"
                )
                studio_id = studio_ids[number % len(studio_ids)]
                title, body = text_for(rng, number)
                day = first_day + timedelta(days=rng.randint(0, 4700))
                row, indexed = _publication(kind, number, studio_id, user_id, title, body, day)
                row["id"] = number + 1
                rows[kind].append(row)
                content = normalise(f"{row['title']}\n{indexed}")
                entries.append(
                    {
                        "kind": kind,
                        "object_id": number + 1,
                        "studio_id": studio_id,
                        "title": row["title"],
                        "text": content,
                        "tokens": " ".join(term_tokens(content)),
                        "published_on": day,
                    }
                )
            for kind, model in models.items():
                insert_rows(model.__table__, completed(model.__table__, rows[kind]))
            insert_rows(SearchEntry.__table__, completed(SearchEntry.__table__, entries))
            db.session.commit()
            print(f"  {min(items, start + CHUNK):,} rows, {time.perf_counter() - started:.0f} s")
        if db.engine.dialect.name == "sqlite":
            db.session.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
        move_sequences(("patents", "achievements", "courseware", "search_entries", "studios"))
        analyse()
        write_meta({"schema": schema(items)})


def measure(app, rounds: int) -> None:
    """Every query `rounds` times through the service, and once a round through the page."""
    from guild.extensions import db
    from studios.services.search import search

    client = app.test_client()
    service: dict[str, list[float]] = {group: [] for group in QUERIES}
    page: list[float] = []
    with app.app_context():
        for group, queries in QUERIES.items():  # warm the caches once
            for query in queries:
                found = search(query)
                print(f"  {group:14} {query:12} {len(found.items):3} shown, more: {found.has_more}")
        for _ in range(rounds):
            for group, queries in QUERIES.items():
                for query in queries:
                    started = time.perf_counter()
                    search(query)
                    service[group].append(time.perf_counter() - started)
                    db.session.rollback()
    client.get("/studios/search", query_string={"q": "焊接"})  # templates compiled once
    for _ in range(rounds):
        for queries in QUERIES.values():
            for query in queries:
                started = time.perf_counter()
                response = client.get("/studios/search", query_string={"q": query})
                page.append(time.perf_counter() - started)
                assert response.status_code == 200
    names = ("search service", "search page GET /studios/search")
    report_service_and_page(app, service, page, names)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a scratch database URL (default: cached SQLite)")
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--regenerate", action="store_true")
    args = parser.parse_args()
    CACHE.mkdir(parents=True, exist_ok=True)
    folder = CACHE / "studio-search-files"
    folder.mkdir(exist_ok=True)
    url = args.database or f"sqlite:///{CACHE / f'studio-search-{args.items}.sqlite3'}"
    items = args.items
    app = cached_app(url, folder, schema(items), args.regenerate, lambda app: generate(app, items))
    measure(app, args.rounds)


if __name__ == "__main__":
    main()
