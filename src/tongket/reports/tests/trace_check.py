"""Re-read every printed figure of a built report from the database, independently of the
builder's own reads (fresh queries, the norms and quality modules called again)."""

from __future__ import annotations

from collections import Counter

from tongket.analytics import quality, service
from tongket.analytics.models import Target
from tongket.collection.models import ReportingRound
from tongket.collection.queries import reporting_rates
from tongket.reports import specs
from tongket.reports.docgen import sentences as S
from tongket.reports.docgen.trace import bare, extract_numbers, printed_value, prints, strings_in
from tongket.reports.figures import Sums
from tongket.units.models import OrgUnit


def _staffing(ref):
    from tongket.norms import service as norms

    k = ("staffing-report", ref["unit"], ref["period"], ref["mode"], ref["policy"])
    if k not in _CACHE:
        unit = OrgUnit.objects.get(pk=ref["unit"])
        _CACHE[k] = norms.compute_staffing(unit, ref["period"], ref["mode"], ref["policy"])
    b = _CACHE[k].whole.summary.group(ref["label"])
    if ref["field"] == "net":
        return abs(b.balance)
    if ref["field"] in ("shortage", "surplus"):
        return getattr(b, ref["field"])
    return b.shortage_parts(norms.labels_pack().subject_labels)[int(ref["index"])][1]


_CACHE: dict = {}


def db_value(src):
    """The stored figure behind a source (heavy re-computations cached per call set)."""
    key = (src.kind, tuple(sorted((k, str(v)) for k, v in src.ref.items())))
    if key not in _CACHE:
        _CACHE[key] = _db_value(src)
    return _CACHE[key]


def _db_value(src):
    r = src.ref
    if src.kind == "engine":
        iv = service.get(r["policy"]).value(r["unit"], r["period"], r["code"], r["mode"])
        return getattr(iv, r["field"])
    if src.kind == "sum":
        ind = next(i for i in specs.SUM_INDICATORS if i.code == r["code"])
        if ind.den_period:  # semester-I dropouts: over the school year's pupils
            import dataclasses

            ind = dataclasses.replace(ind, den_period=r["period"].split()[0])
        sums = Sums(
            r["unit"], r["on"], [r["period"], r["period"].split()[0]], [ind], policy=r["policy"]
        )
        return getattr(sums.get(r["unit"], r["period"], r["code"]), r["field"])
    if src.kind == "target":
        return getattr(Target.objects.get(pk=r["pk"]), r["field"])
    if src.kind == "rates":
        rnd = ReportingRound.objects.get(pk=r["round"])
        return getattr(reporting_rates(rnd, under=OrgUnit.objects.get(pk=r["unit"])), r["field"])
    if src.kind == "staffing":
        return _staffing(r)
    if src.kind in ("outlier", "jump"):
        root = OrgUnit.objects.get(pk=r["root"])
        k = (src.kind, root.pk, r["period"], r["policy"])
        if k not in _CACHE:
            fn = quality.outliers if src.kind == "outlier" else quality.jumps
            _CACHE[k] = fn(root, r["period"], r["policy"])
        rows = _CACHE[k]
        row = next(x for x in rows if x.check == r["check"] and x.unit.pk == r["unit"])
        return getattr(row, r["field"])
    raise AssertionError(f"unknown source kind {src.kind}")


def check_traceability(built, rendered, docx_path) -> Counter:
    """Token for token, the DOCX numbers are the ledger; every data figure has a source whose
    database value is the model figure, and the print rounds it correctly."""
    _CACHE.clear()
    extracted = extract_numbers(docx_path)
    assert Counter(extracted) == Counter(t.text for t in rendered.traces)
    report = built.report
    by_kind: Counter = Counter()
    model_strings = strings_in(report)
    for t in rendered.traces:
        by_kind[t.kind] += 1
        if t.kind == "data":
            assert t.key in built.sources, f"figure without a source: {t}"
            src = built.sources[t.key]
            assert prints(t.text, src.raw), (t, src)
            got = db_value(src)
            assert got is not None and abs(float(got) - float(src.raw)) < 1e-6, (t, src, got)
        elif t.kind == "derived":
            i = next(x for x in report.indicators if x.key == t.key.split(".")[1])
            d = S.signed_gap(i) if t.key.endswith(".gap") else S.printed_change(i)
            assert printed_value(t.text) == abs(d), t
        elif t.kind == "text":
            assert any(bare(t.text) in s for s in model_strings), t
    return by_kind
