"""Score the checker against labelled reports.

    python -m tongket.factcheck.scorer FOLDER [--json] [--include-implicit] [--verbose]

A labelled report is NAME.json (with "file", "facts" and "inconsistencies") beside the text it
names (NAME.txt, or any format the readers take). An extracted fact counts when its value equals
a labelled fact's value and its span overlaps that fact's quote in the text; each labelled fact
is matched once. Facts labelled "implicit" (a zero read from "không có ...") carry no figure in
the text and are left out of recall unless --include-implicit is given.

A labelled inconsistency is found when an issue's quotes overlap its quotes and the kind or the
stated value agrees. A hard issue that matches no labelled inconsistency is a false hard issue.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tongket.core.vntext import nfc
from tongket.factcheck.checks import analyse
from tongket.factcheck.readers import ReadError, read_document

GOALS = {"precision": 0.95, "recall": 0.90, "false_hard_per_doc": 0.1}


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return False
    return abs(a - b) <= max(abs(b) * 1e-6, 0.005)


def find_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Every place the quote occurs; whitespace- and case-insensitive when the exact text is
    not found (labellers retype quotes)."""
    quote = nfc(quote).strip()
    if not quote:
        return []
    spans = []
    i = text.find(quote)
    while i >= 0:
        spans.append((i, i + len(quote)))
        i = text.find(quote, i + 1)
    if spans:
        return spans
    words = quote.split()
    pattern = r"\s*".join(re.escape(w) for w in words)
    return [m.span() for m in re.finditer(pattern, text, re.IGNORECASE)]


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    return any(s1 < e2 and s2 < e1 for s1, e1 in a for s2, e2 in b)


@dataclass
class DocScore:
    name: str
    predicted: int = 0
    labelled: int = 0
    matched_pred: int = 0
    matched_gold: int = 0
    hard_gold: int = 0
    hard_found: int = 0
    hard_found_as_hard: int = 0
    false_hard: int = 0
    missed: list[str] = field(default_factory=list)
    spurious: list[str] = field(default_factory=list)
    error: str | None = None


def score_document(label: dict, text: str, include_implicit: bool = False) -> DocScore:
    text = nfc(text)
    analysis = analyse(text)
    doc = DocScore(label.get("file", "?"))
    gold = [f for f in label.get("facts", []) if include_implicit or not f.get("implicit")]
    gold_spans = [find_spans(text, f.get("quote", "")) for f in gold]
    used = [False] * len(gold)
    doc.predicted, doc.labelled = len(analysis.facts), len(gold)
    for fact in analysis.facts:
        span = [(fact.start, fact.end)]
        hit = next(
            (
                k
                for k, g in enumerate(gold)
                if not used[k]
                and _close(fact.value, g.get("value"))
                and _overlap(span, gold_spans[k])
            ),
            None,
        )
        if hit is None:
            doc.spurious.append(f"{fact.quote!r} = {fact.value}")
        else:
            used[hit] = True
            doc.matched_pred += 1
    doc.matched_gold = sum(used)
    doc.missed = [
        f"{g.get('quote')!r} = {g.get('value')}" for k, g in enumerate(gold) if not used[k]
    ]

    gold_issues = label.get("inconsistencies", [])
    gold_issue_spans = [
        [s for q in g.get("quotes", []) for s in find_spans(text, q)] for g in gold_issues
    ]

    def matches(issue, k: int) -> bool:
        g = gold_issues[k]
        spans = [s for q in issue.quotes for s in find_spans(text, q)]
        same = issue.kind == g.get("kind") or _close(issue.stated, g.get("stated"))
        return same and _overlap(spans, gold_issue_spans[k])

    for k, g in enumerate(gold_issues):
        if g.get("severity") != "hard":
            continue
        doc.hard_gold += 1
        found = [i for i in analysis.issues if matches(i, k)]
        if found:
            doc.hard_found += 1
            if any(i.severity == "hard" for i in found):
                doc.hard_found_as_hard += 1
    for issue in analysis.issues:
        if issue.severity == "hard" and not any(matches(issue, k) for k in range(len(gold_issues))):
            doc.false_hard += 1
    return doc


def score_folder(folder: str | Path, include_implicit: bool = False) -> dict:
    folder = Path(folder)
    return score_labels(sorted(folder.glob("*.json")), include_implicit)


def score_labels(label_paths: list[Path], include_implicit: bool = False) -> dict:
    """Score the labelled reports given by their label files (NAME.json beside its text)."""
    docs: list[DocScore] = []
    for label_path in label_paths:
        try:
            label = json.loads(label_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(label, dict) or "facts" not in label:
            continue
        text_path = label_path.parent / label.get("file", label_path.with_suffix(".txt").name)
        try:
            text = read_document(text_path)
        except ReadError as exc:
            docs.append(DocScore(label_path.name, error=str(exc)))
            continue
        docs.append(score_document(label, text, include_implicit))
    return _summarise(docs)


_SERIES_RE = re.compile(r"^(?P<series>[a-z]+)\d+$")


def corpus_sets(root: str | Path) -> list[tuple[str, list[Path]]]:
    """The labelled sets of a corpus folder: each sub-folder holding labels (seeds, dev, …),
    and within one whose files are named by series (a01…, b01…) each series on its own
    ("dev-a", "dev-b") before the whole folder ("dev")."""
    root = Path(root)
    folders = [root] if any(root.glob("*.json")) else []
    # Smallest set first: the seeds, then the development corpus.
    subs = [d for d in sorted(root.iterdir()) if d.is_dir() and any(d.glob("*.json"))]
    folders += sorted(subs, key=lambda d: len(list(d.glob("*.json"))))
    sets: list[tuple[str, list[Path]]] = []
    for folder in folders:
        labels = sorted(folder.glob("*.json"))
        series: dict[str, list[Path]] = {}
        for p in labels:
            m = _SERIES_RE.match(p.stem)
            if m is None:
                series = {}
                break
            series.setdefault(m.group("series"), []).append(p)
        if len(series) > 1:
            sets += [(f"{folder.name}-{k}", v) for k, v in sorted(series.items())]
        sets.append((folder.name, labels))
    return sets


def score_corpus(root: str | Path, include_implicit: bool = False) -> dict[str, dict]:
    """Scores per set of a corpus folder (see corpus_sets), in order."""
    return {name: score_labels(paths, include_implicit) for name, paths in corpus_sets(root)}


def format_table(results: dict[str, dict]) -> str:
    """One line per set: value precision, recall, hard issues found, false hard per document."""
    lines = [
        f"{'set':<10} {'docs':>4} {'precision':>9} {'recall':>7} {'hard found':>10} "
        f"{'false hard/doc':>14}"
    ]
    for name, r in results.items():
        lines.append(
            f"{name:<10} {r['documents']:>4} {r['precision']:>9.3f} {r['recall']:>7.3f} "
            f"{str(r['hard_found']) + '/' + str(r['hard_inconsistencies']):>10} "
            f"{r['false_hard_per_doc']:>14.2f}"
        )
    return "\n".join(lines)


def _summarise(docs: list[DocScore]) -> dict:
    ok = [d for d in docs if d.error is None]
    predicted = sum(d.predicted for d in ok)
    labelled = sum(d.labelled for d in ok)
    hard_gold = sum(d.hard_gold for d in ok)
    false_hard = sum(d.false_hard for d in ok)
    precision = sum(d.matched_pred for d in ok) / predicted if predicted else 1.0
    recall = sum(d.matched_gold for d in ok) / labelled if labelled else 1.0
    false_hard_per_doc = false_hard / len(ok) if ok else 0.0
    hard_found = sum(d.hard_found for d in ok)
    result: dict[str, object] = {
        "documents": len(ok),
        "unreadable": [d.name for d in docs if d.error],
        "facts_predicted": predicted,
        "facts_labelled": labelled,
        "precision": precision,
        "recall": recall,
        "hard_inconsistencies": hard_gold,
        "hard_found": hard_found,
        "hard_found_as_hard": sum(d.hard_found_as_hard for d in ok),
        "false_hard": false_hard,
        "false_hard_per_doc": false_hard_per_doc,
        "per_document": [
            {
                "file": d.name,
                "predicted": d.predicted,
                "labelled": d.labelled,
                "matched": d.matched_gold,
                "missed": d.missed,
                "spurious": d.spurious,
                "hard_gold": d.hard_gold,
                "hard_found": d.hard_found,
                "false_hard": d.false_hard,
            }
            for d in ok
        ],
    }
    result["goals_met"] = {
        "precision": precision >= GOALS["precision"],
        "recall": recall >= GOALS["recall"],
        "all_hard_found": hard_found == hard_gold,
        "false_hard_per_doc": false_hard_per_doc <= GOALS["false_hard_per_doc"],
    }
    return result


def format_summary(result: dict, verbose: bool = False) -> str:
    lines = [
        f"documents:              {result['documents']}",
        f"facts labelled/found:   {result['facts_labelled']} / {result['facts_predicted']}",
        f"value precision:        {result['precision']:.3f}  (goal >= {GOALS['precision']})",
        f"value recall:           {result['recall']:.3f}  (goal >= {GOALS['recall']})",
        f"hard inconsistencies:   {result['hard_found']} / {result['hard_inconsistencies']} found"
        f" ({result['hard_found_as_hard']} as hard)",
        f"false hard issues:      {result['false_hard']} "
        f"({result['false_hard_per_doc']:.2f} per document, goal <= 0.1)",
    ]
    if result["unreadable"]:
        lines.append(f"unreadable:             {', '.join(result['unreadable'])}")
    if verbose:
        for d in result["per_document"]:
            if d["missed"] or d["spurious"] or d["false_hard"]:
                lines.append(f"-- {d['file']}")
                lines += [f"   missed   {m}" for m in d["missed"]]
                lines += [f"   spurious {s}" for s in d["spurious"]]
                if d["false_hard"]:
                    lines.append(f"   false hard issues: {d['false_hard']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tongket.factcheck.scorer")
    p.add_argument("folder")
    p.add_argument("--json", action="store_true")
    p.add_argument("--include-implicit", action="store_true")
    p.add_argument("--verbose", "-v", action="store_true")
    p.add_argument(
        "--sets",
        action="store_true",
        help="FOLDER holds labelled sets (seeds/, dev/ …): one line of scores per set",
    )
    args = p.parse_args(argv)
    if not Path(args.folder).is_dir():
        print(f"không tìm thấy thư mục '{args.folder}'", file=sys.stderr)
        return 2
    if args.sets:
        results = score_corpus(args.folder, args.include_implicit)
        if args.json:
            print(json.dumps(results, ensure_ascii=False, indent=2))
        else:
            print(format_table(results))
        return 0
    result = score_folder(args.folder, args.include_implicit)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(format_summary(result, args.verbose))
    return 0


if __name__ == "__main__":
    sys.exit(main())
