"""The inline SVG charts: well-formed, one bar per value, an honest axis."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from lamsach.report.charts import COLOURS, Bar, axis_start, bar_chart, bar_charts

SVG = "{http://www.w3.org/2000/svg}"


def test_axis_starts_at_the_tenth_below_the_lowest_value():
    assert axis_start([0.97, 0.99]) == 0.9
    assert axis_start([0.905, 1.0]) == 0.8
    assert axis_start([0.3, None]) == 0.2
    assert axis_start([0.01]) == 0.0
    assert axis_start([]) == 0.0


def test_chart_is_well_formed_svg_with_a_bar_per_value_and_escaped_labels():
    bars = [Bar("Xã A & <B>", 0.99, 0.95, "#unit-1"), Bar("Xã C", 0.85), Bar("Xã D", None)]
    root = ET.fromstring(str(bar_chart(bars, "Điểm")))
    rects = root.findall(f".//{SVG}rect")
    assert [r.get("fill") for r in rects] == [COLOURS["good"], COLOURS["poor"]]
    assert float(rects[0].get("width")) > float(rects[1].get("width")) > 0
    labels = [t.text for t in root.iter(f"{SVG}text")]
    assert "Xã A & <B>" in labels and "99,0%" in labels and "80%" in labels
    assert root.find(f".//{SVG}a").get("href") == "#unit-1"


def test_long_charts_are_cut_into_pieces_sharing_one_axis():
    bars = [Bar(f"Xã {i}", 0.8 + i / 500) for i in range(90)]
    pieces = bar_charts(bars, "Điểm", per_chart=40)
    assert len(pieces) == 3
    ticks = [[t.text for t in ET.fromstring(str(p)).iter(f"{SVG}text") if t.text.endswith("0%")] for p in pieces]
    assert ticks[0][0] == ticks[2][0] == "70%"
