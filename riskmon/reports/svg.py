"""Inline SVG bar charts: no JavaScript, no external files, prints on A4.

A chart is returned as ``Markup`` so the autoescaping HTML template inserts it as it is; that is
safe only because every label is escaped here and every other part is a number or our constant.
"""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from riskmon.reports.funnel import LEVELS, PER, limits

FONT = "'Noto Sans CJK JP','Hiragino Sans','Yu Gothic','Meiryo',sans-serif"


def bar_chart(items: list[tuple[str, int]], *, width: int = 640, height: int = 220, highlight: set[str] | None = None) -> Markup:
    """Vertical bars with value labels; ``highlight`` labels are drawn in the accent colour."""
    if not items:
        return Markup("")
    top = max(v for _, v in items) or 1
    rotate = len(items) > 8 or max(len(n) for n, _ in items) > 4
    if rotate:
        height += 50
    margin, base = (64 if rotate else 28), height - (90 if rotate else 40)
    step = (width - margin - 28) / len(items)
    bar = step * 0.7
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'role="img" font-family="{FONT}" font-size="11">',
             f'<line x1="{margin}" y1="{base}" x2="{width - 28}" y2="{base}" stroke="#555"/>']  # fmt: skip
    for i, (name, number) in enumerate(items):
        value = int(number)  # a number, never text, goes into the markup unescaped
        h = (base - 20) * value / top
        x = margin + i * step + (step - bar) / 2
        colour = "#c0392b" if highlight and name in highlight else "#2f6fa7"
        parts.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{colour}"/>')
        parts.append(f'<text x="{x + bar / 2:.1f}" y="{base - h - 4:.1f}" text-anchor="middle">{value}</text>')
        lx, ly = x + bar / 2, base + 14
        if rotate:  # many or long labels: slanted, so neighbours never overlap
            parts.append(
                f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="end" transform="rotate(-35 {lx:.1f} {ly:.1f})">{escape(name)}</text>'
            )
        else:
            parts.append(f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="middle">{escape(name)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))  # labels escaped above; the rest are numbers and constants


def funnel_chart(points: list[dict[str, Any]], national_rate: float, words: dict[str, str], *, width: int = 640,
                 height: int = 300) -> Markup:  # fmt: skip
    """Offices' error rates against their volume, with the national rate and the 95 % / 99.8 %
    Poisson limits (riskmon.reports.funnel). Dots outside the 99.8 % limits are drawn in the
    accent colour; only numbers and the given (escaped) words go into the markup."""
    if not points:
        return Markup("")
    left, right, top, bottom = 56, 20, 14, 40
    x_max = float(max(p["forms"] for p in points)) * 1.05
    x_min = float(min(p["forms"] for p in points)) * 0.9
    y_max = float(max(max(p["rate"] for p in points), national_rate * 2.5) * 1.1) or 1.0

    def x(v: float) -> float:
        return left + (width - left - right) * v / x_max

    def y(v: float) -> float:
        return height - bottom - (height - top - bottom) * min(v, y_max) / y_max

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'role="img" font-family="{FONT}" font-size="10">',
             f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#555"/>',
             f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#555"/>']  # fmt: skip
    grid = [x_min + (x_max - x_min) * i / 80 for i in range(81)]
    national = national_rate / PER
    for level, dash in zip(LEVELS, ("4 3", ""), strict=True):
        for side in (0, 1):
            pts = " ".join(f"{x(n):.1f},{y(limits(national * n, level)[side] / n * PER):.1f}" for n in grid)
            parts.append(f'<polyline points="{pts}" fill="none" stroke="#888" stroke-width="1" stroke-dasharray="{dash}"/>')
    parts.append(f'<line x1="{left}" y1="{y(national_rate):.1f}" x2="{width - right}" y2="{y(national_rate):.1f}" stroke="#2f6fa7"/>')
    for p in points:
        colour = "#c0392b" if p["outside"].endswith("998") else "#2f6fa7"
        parts.append(f'<circle cx="{x(float(p["forms"])):.1f}" cy="{y(float(p["rate"])):.1f}" r="2.6" fill="{colour}" fill-opacity="0.8"/>')
    for i in range(5):  # axis ticks: numbers only
        xv, yv = x_max * i / 4, y_max * i / 4
        parts.append(f'<text x="{x(xv):.1f}" y="{height - bottom + 14}" text-anchor="middle">{int(xv):,}</text>')
        parts.append(f'<text x="{left - 4}" y="{y(yv) + 3:.1f}" text-anchor="end">{yv:.1f}</text>')
    parts.append(f'<text x="{(left + width - right) / 2:.1f}" y="{height - 6}" text-anchor="middle">{escape(words["x"])}</text>')
    parts.append(f'<text x="12" y="{(top + height - bottom) / 2:.1f}" text-anchor="middle" '
                 f'transform="rotate(-90 12 {(top + height - bottom) / 2:.1f})">{escape(words["y"])}</text>')  # fmt: skip
    legend_x, legend_y = width - 190, top + 4
    for i, (key, colour, dash) in enumerate((("national", "#2f6fa7", ""), ("l95", "#888", "4 3"), ("l998", "#888", ""))):
        ly = legend_y + 13 * i
        parts.append(f'<line x1="{legend_x}" y1="{ly}" x2="{legend_x + 20}" y2="{ly}" stroke="{colour}" stroke-dasharray="{dash}"/>'
                     f'<text x="{legend_x + 24}" y="{ly + 3}">{escape(words[key])}</text>')  # fmt: skip
    parts.append("</svg>")
    return Markup("".join(parts))  # words escaped above; the rest are numbers and constants
