"""Import 100,000 questions from .csv and from .xlsx through the service the pages use.

Run: .venv/bin/python tests/benchmarks/question_import.py [--rows 100000] [--database URL]
Targets (issue 3): csv <= 5 s and xlsx <= 15 s end to end, peak memory <= 1 GB.
Each format runs in its own process so that its peak memory is its own.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def make_questions(count: int):
    """A realistic mix of the four types, every stem distinct."""
    from competitions.questions.types import QuestionData, QuestionType

    kinds = [
        QuestionType.SINGLE,
        QuestionType.MULTIPLE,
        QuestionType.TRUE_FALSE,
        QuestionType.FILL_BLANK,
    ]
    for n in range(count):
        kind = kinds[n % 4]
        stem = f"第{n}题：电气设备检修前，下列哪项安全措施是必需的？（编号{n}）"
        if kind == QuestionType.SINGLE:
            yield QuestionData(
                kind,
                stem,
                ["停电", "验电", "挂接地线", "悬挂标示牌"],
                ["B"],
                "先验电。",
                2,
                f"第{n % 20}章",
                ["L5"],
                ["安全"],
            )
        elif kind == QuestionType.MULTIPLE:
            yield QuestionData(
                kind,
                stem,
                ["停电", "验电", "装设接地线", "戴手套"],
                ["A", "B", "C"],
                "",
                3,
                f"第{n % 20}章",
                ["L4"],
                [],
            )
        elif kind == QuestionType.TRUE_FALSE:
            yield QuestionData(kind, stem, [], ["true"], "", 1, f"第{n % 20}章", [], [])
        else:
            yield QuestionData(kind, stem, [], ["50", "五十"], "", 2, f"第{n % 20}章", [], [])


def write_file(kind: str, rows: int, folder: Path) -> Path:
    from competitions.questions.interchange.tabular import export_csv, export_xlsx

    questions = list(make_questions(rows))
    path = folder / f"bank.{kind}"
    path.write_bytes(export_csv(questions) if kind == "csv" else export_xlsx(questions))
    return path


def run_one(kind: str, path: Path, database: str) -> None:
    """In a child process: import the file into a fresh bank and print the figures as JSON."""
    os.environ["DATABASE_URL"] = database
    os.environ["GUILD_SECRET_KEY"] = "benchmark"
    from flask_migrate import upgrade

    from competitions.questions.services.importing import import_rows, preview
    from guild import create_app
    from guild.audit.services import Actor
    from guild.extensions import db
    from guild.trades.levels import SkillLevel
    from guild.trades.services.catalogue import TradeFields, save_trade

    app = create_app()
    with app.app_context():
        upgrade()
        trade = save_trade(
            Actor(None),
            None,
            TradeFields(f"电工{kind}{time.time_ns()}", "电力能源", (SkillLevel.L5,)),
        )
        db.session.commit()
        started = time.perf_counter()
        report = preview(trade, path.read_bytes(), path.name)
        parsed = time.perf_counter()
        summary = import_rows(Actor(None, "bench"), trade, report)
        db.session.commit()
        done = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(
        json.dumps(
            {
                "kind": kind,
                "rows": summary.created,
                "errors": len(report.errors),
                "parse_s": parsed - started,
                "insert_s": done - parsed,
                "total_s": done - started,
                "peak_mb": peak,
                "file_mb": path.stat().st_size / 2**20,
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a scratch SQLite file)")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "PATH"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_one(args.child[0], Path(args.child[1]), args.database)
        return
    folder = Path(tempfile.mkdtemp(prefix="guild-bank-bench-"))
    database = args.database or f"sqlite:///{folder / 'bench.sqlite3'}"
    print(f"{args.rows} questions, database {database.split('://')[0]}")
    print(f"{'format':<8}{'file MB':>9}{'parse s':>9}{'insert s':>10}{'total s':>9}{'peak MB':>9}")
    for kind in ("csv", "xlsx"):
        path = write_file(kind, args.rows, folder)
        command = [sys.executable, __file__, "--database", database, "--child", kind, str(path)]
        out = subprocess.run(command, capture_output=True, text=True, check=True, cwd=ROOT).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        assert figures["rows"] == args.rows and figures["errors"] == 0, figures
        print(
            f"{kind:<8}{figures['file_mb']:>9.1f}{figures['parse_s']:>9.2f}{figures['insert_s']:>10.2f}"
            f"{figures['total_s']:>9.2f}{figures['peak_mb']:>9.0f}"
        )


if __name__ == "__main__":
    main()
