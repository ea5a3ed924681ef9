"""Inline SVG bar charts: no JavaScript, no external files, prints on A4.

A chart is returned as ``Markup`` so the autoescaping HTML template inserts it as it is; that is
safe only because every label is escaped here and every other part is a number or our constant.
"""

from __future__ import annotations

from markupsafe import Markup, escape

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
