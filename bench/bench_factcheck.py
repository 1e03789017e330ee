"""Throughput of the report checker (tongket.factcheck): extraction plus checks, one core.

    python bench/bench_factcheck.py [--mb 2] [--write]

The text is synthetic, built from generic sentence templates of review reports with random
figures (percentages, money, counts, fractions, target gaps, breakdowns, dates and document
numbers that must be skipped), so the figures say nothing about any real office. Goal: at least
1 MB of text per second on one core. --write puts the figures into docs/performance.md between
the markers <!-- bench:factcheck --> and <!-- /bench:factcheck -->, leaving other sections alone.
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from pathlib import Path

import perfdoc  # bench/perfdoc.py: this script's folder is on sys.path

from tongket.factcheck.checks import check_facts
from tongket.factcheck.extract import extract_facts, load_config
from tongket.factcheck.numbers import format_vn

GOAL_MB_PER_S = 1.0
ROOT = Path(__file__).resolve().parents[1]

START, END = "<!-- bench:factcheck -->", "<!-- /bench:factcheck -->"

LEVELS = ["mầm non", "tiểu học", "THCS", "THPT", "GDTX"]
NOUNS = ["trường", "học sinh", "giáo viên", "lớp", "phòng học", "cháu", "điểm cầu", "xã"]


def _pct(rng: random.Random) -> str:
    return format_vn(round(rng.uniform(40, 100), 1), 1)


# Sentences without figures: real reports are mostly prose (the shared seeds hold about one
# figure per 500 characters), and the scan over prose is part of the cost.
PROSE = [
    "Công tác chỉ đạo, điều hành của ngành được thực hiện kịp thời, linh hoạt và hiệu quả.",
    "Đội ngũ cán bộ quản lý, giáo viên tiếp tục được bồi dưỡng nâng cao năng lực chuyên môn.",
    "Các đơn vị đã chủ động xây dựng kế hoạch giáo dục phù hợp với điều kiện thực tế.",
    "Bên cạnh những kết quả đạt được, vẫn còn một số hạn chế cần khắc phục trong thời gian tới.",
    "Cơ sở vật chất, trang thiết bị dạy học được tăng cường nhưng chưa đáp ứng đầy đủ yêu cầu.",
    "Tiếp tục đẩy mạnh ứng dụng công nghệ thông tin trong quản lý và dạy học.",
    "Phối hợp chặt chẽ với gia đình và xã hội trong công tác giáo dục học sinh.",
]


def _sentence(rng: random.Random, prose_share: float) -> str:
    """One sentence from a generic template, with fresh random figures."""
    if rng.random() < prose_share:
        return rng.choice(PROSE)
    n = rng.randint(20, 900)
    k = rng.randint(1, n)
    level = rng.choice(LEVELS)
    noun = rng.choice(NOUNS)
    a, b = rng.randint(10**9, 9 * 10**10), rng.randint(10**8, 9 * 10**9)
    templates = [
        f"Toàn ngành có {n} {noun} {level}, trong đó {k} {noun} đạt chuẩn quốc gia.",
        f"Tỷ lệ huy động trẻ ra lớp {level} đạt {_pct(rng)}% (vượt 0,{rng.randint(1, 9)}% kế hoạch).",
        f"Đến nay có {k}/{n} {noun} đạt chuẩn, tỷ lệ {format_vn(100 * k / n, 2)}%.",
        f"Tổng kinh phí là {format_vn(a + b)} đồng (trong đó xây mới {format_vn(a)} đồng, "
        f"sửa chữa {format_vn(b)} đồng).",
        f"Ngày {rng.randint(1, 28)}/{rng.randint(1, 12)}/20{rng.randint(10, 25)}, Phòng GD&ĐT "
        f"tổ chức hội nghị theo Kế hoạch số {rng.randint(10, 999)}/KH-UBND năm học 2023-2024.",
        f"Xếp loại học lực: Giỏi {rng.randint(10, 30)},5%, Khá {rng.randint(30, 40)},2%, "
        f"Trung bình {rng.randint(20, 30)},3%.",
        f"Huy động các nguồn lực với tổng giá trị trên {rng.randint(1, 99)},{rng.randint(1, 9)} "
        f"tỷ đồng; khoảng {rng.randint(100, 9000)} học sinh được hỗ trợ.",
        f"Chỉ tiêu giao là {_pct(rng)}%, thực hiện đạt {_pct(rng)}%; còn thiếu {k} giáo viên.",
        "Công tác bồi dưỡng đội ngũ được quan tâm; thực hiện tốt các cuộc vận động và phong "
        "trào thi đua của ngành, dạy học 2 buổi/ngày theo Thông tư số 28/2020/TT-BGDĐT.",
    ]
    return rng.choice(templates)


def build_text(megabytes: float, prose_share: float = 0.6, seed: int = 20240901) -> str:
    rng = random.Random(seed)
    target = int(megabytes * 1_000_000)
    parts: list[str] = []
    size = 0
    while size < target:
        paragraph = " ".join(_sentence(rng, prose_share) for _ in range(rng.randint(3, 8)))
        parts.append(paragraph)
        size += len(paragraph.encode("utf-8")) + 1
    return "\n".join(parts)


def measure(text: str, repeats: int = 3) -> dict:
    size_mb = len(text.encode("utf-8")) / 1_000_000
    cfg = load_config()
    extract_facts(text[:20000], cfg)  # warm the regex caches
    best = float("inf")
    facts = issues = 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        found = extract_facts(text, cfg)
        problems = check_facts(text, found, cfg)
        best = min(best, time.perf_counter() - t0)
        facts, issues = len(found), len(problems)
    return {
        "text_mb": round(size_mb, 2),
        "seconds": round(best, 3),
        "mb_per_s": round(size_mb / best, 2),
        "facts": facts,
        "facts_per_s": round(facts / best),
        "issues": issues,
    }


def run(megabytes: float = 2.0, repeats: int = 3) -> dict:
    """Two mixes: report-like (60 % prose sentences; the goal is judged on it) and dense (every
    sentence carries figures, about ten times the density of real reports)."""
    report = measure(build_text(megabytes, 0.6), repeats)
    dense = measure(build_text(megabytes, 0.0), repeats)
    return {
        "report_like": report,
        "dense": dense,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "goal_mb_per_s": GOAL_MB_PER_S,
        "goal_met": report["mb_per_s"] >= GOAL_MB_PER_S,
    }


def section(figures: dict) -> str:
    verdict = "met" if figures["goal_met"] else "NOT met"
    rows = []
    for name, label in (("report_like", "report-like (60 % prose)"), ("dense", "dense figures")):
        f = figures[name]
        rows.append(
            f"| {label} | {f['text_mb']} MB | {f['seconds']} s | {f['mb_per_s']} MB/s | "
            f"{f['facts']} | {f['facts_per_s']} | {f['issues']} |"
        )
    return "\n".join(
        [
            START,
            "## Report checker (factcheck)",
            "",
            "`python bench/bench_factcheck.py --write`: fact extraction plus consistency checks "
            "on synthetic report text (generic sentence templates, random figures), one core, "
            "best of 3 runs.",
            "",
            "| text | size | time | throughput | facts | facts/s | issues |",
            "|---|---|---|---|---|---|---|",
            *rows,
            "",
            f"Goal ≥ {figures['goal_mb_per_s']} MB/s on one core (report-like text): {verdict} "
            f"(Python {figures['python']}, {figures['machine']}).",
            END,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--mb", type=float, default=2.0, help="size of the synthetic text")
    p.add_argument("--write", action="store_true", help="update docs/performance.md")
    args = p.parse_args(argv)
    figures = run(args.mb)
    for key, value in figures.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        print(f"{key:>14}: {value}")
    if args.write:
        perfdoc.write_section(section(figures), START, END)
        print(f"written to {perfdoc.DOC}")
    return 0 if figures["goal_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
