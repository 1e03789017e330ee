import datetime as dt

import pytest

from tongket.units.closure import closure_rows

D = dt.date


def test_path_holds_on_the_intersection_of_its_links():
    units = {
        1: (D(2000, 1, 1), None),
        2: (D(2000, 1, 1), D(2025, 6, 30)),
        3: (D(2025, 7, 1), None),
        10: (D(2010, 1, 1), None),
    }
    links = [
        (2, 1, D(2000, 1, 1), D(2025, 6, 30)),
        (3, 1, D(2025, 7, 1), None),
        (10, 2, D(2010, 1, 1), D(2025, 6, 30)),
        (10, 3, D(2025, 7, 1), None),
    ]
    rows = {(a, d, depth, s, e) for a, d, depth, s, e in closure_rows(links, units, [10])}
    assert (1, 10, 2, D(2010, 1, 1), D(2025, 6, 30)) in rows
    assert (1, 10, 2, D(2025, 7, 1), None) in rows
    assert (2, 10, 1, D(2010, 1, 1), D(2025, 6, 30)) in rows
    assert (10, 10, 0, D(2010, 1, 1), None) in rows


def test_cycle_is_reported():
    units = {1: (D(2000, 1, 1), None), 2: (D(2000, 1, 1), None)}
    links = [(1, 2, D(2000, 1, 1), None), (2, 1, D(2000, 1, 1), None)]
    with pytest.raises(ValueError, match="cycle"):
        closure_rows(links, units)
