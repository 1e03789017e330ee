"""Pure norm calculators: staffing norms, PCGD–XMC recognition, quality certificate dates.

Plain Python (plus DuckDB/numpy for the PCGD survey) over plain data; no Django import, so the
apps, the CLI and the benchmarks can all call them.
"""
