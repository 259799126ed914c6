"""Charts of the results, drawn on the server as SVG: a stacked bar for the text (support,
oppose, abstain) and one per clause (agree, disagree, pass), in shares of those who took a
position. No script, no inline style (the CSP forbids both): colours are SVG attributes.

The same drawing serves the organisers' pages, the projector and the PDF; each bar carries a
<title> with its counts, and every page shows the same numbers in a table beside it.
"""

from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

WIDTH = 640
LABEL = 64  # room for "Text" / the clause's number left of the bars
BAR_WIDTH = WIDTH - LABEL - 8
ROW = 24
BAR = 16
# Blue, vermilion and grey: apart for every kind of colour vision, and in greyscale print.
COLOURS = {"yes": "#2166ac", "no": "#c0392b", "neither": "#9e9e9e"}
INK = {"yes": "#ffffff", "no": "#ffffff", "neither": "#1c1b1a"}
# A share shows its number in the bar when the segment is wide enough for it.
LABEL_MIN_SHARE = 0.08


def _segments(counts: list[tuple[str, str, int]], y: int) -> list[dict[str, Any]]:
    total = sum(n for _, _, n in counts)
    x = float(LABEL)
    out = []
    for kind, name, n in counts:
        share = n / total if total else 0.0
        width = BAR_WIDTH * share
        out.append(
            {
                "kind": kind,
                "name": name,
                "count": n,
                "percent": round(100 * share),
                "x": round(x, 2),
                "y": y,
                "width": round(width, 2),
                "fill": COLOURS[kind],
                "ink": INK[kind],
                "mid": round(x + width / 2, 2),
                "labelled": share >= LABEL_MIN_SHARE,
            }
        )
        x += width
    return out


def text_chart(text: dict[str, Any], *, ident: str = "") -> SafeString:
    """The SVG chart of one text's entry in the results (see results.assembly_results)."""
    from django.utils.translation import gettext as _

    rows = [
        {
            "label": _("Text"),
            "y": 0,
            "total": text["support"] + text["oppose"] + text["abstain"],
            "segments": _segments(
                [
                    ("yes", _("Support"), text["support"]),
                    ("no", _("Oppose"), text["oppose"]),
                    ("neither", _("Abstain"), text["abstain"]),
                ],
                0,
            ),
        }
    ]
    for i, clause in enumerate(text["clauses"], start=1):
        y = i * ROW + 8  # a gap between the text's bar and its clauses'
        rows.append(
            {
                "label": f"{clause['number']}.",
                "y": y,
                "total": clause["seen"],
                "segments": _segments(
                    [
                        ("yes", _("Agree"), clause["agree"]),
                        ("no", _("Disagree"), clause["disagree"]),
                        ("neither", _("Pass"), clause["pass"]),
                    ],
                    y,
                ),
            }
        )
    legend_y = len(rows) * ROW + 16
    context = {
        "ident": ident or f"chart-{text['id']}",
        "title": text["title"],
        "rows": rows,
        "width": WIDTH,
        "height": legend_y + ROW,
        "label_x": LABEL - 8,
        "bar": BAR,
        "bar_width": BAR_WIDTH,
        "text_dy": BAR - 4,
        "legend_y": legend_y,
        "legend": [
            (COLOURS["yes"], _("Agree, support"), LABEL),
            (COLOURS["no"], _("Disagree, oppose"), LABEL + 190),
            (COLOURS["neither"], _("Pass, abstain"), LABEL + 380),
        ],
    }
    # The template escapes every word in it; the result is markup of our own.
    return mark_safe(render_to_string("assemblies/chart.svg", context))  # noqa: S308


MINI_WIDTH = 120
MINI_HEIGHT = 12


def mini_bar(clause: dict[str, Any]) -> SafeString:
    """A small stacked bar of a clause's agree, disagree and pass shares, for tables that
    print the same numbers beside it (so it is hidden from screen readers)."""
    x = 0.0
    rects = []
    for kind, value in (("yes", "agree"), ("no", "disagree"), ("neither", "pass")):
        width = MINI_WIDTH * float(clause.get(f"{value}_share", 0.0))
        if width > 0:
            rects.append(
                f'<rect x="{x:.2f}" y="0" width="{width:.2f}" height="{MINI_HEIGHT}" '
                f'fill="{COLOURS[kind]}"/>'
            )
        x += width
    if not rects:
        rects.append(
            f'<rect x="0.5" y="0.5" width="{MINI_WIDTH - 1}" height="{MINI_HEIGHT - 1}" '
            'fill="none" stroke="#d6d3d1"/>'
        )
    # Numbers we formatted and colours of our own: nothing a person typed.
    return mark_safe(  # noqa: S308
        f'<svg xmlns="http://www.w3.org/2000/svg" class="mini-bar" width="{MINI_WIDTH}" '
        f'height="{MINI_HEIGHT}" viewBox="0 0 {MINI_WIDTH} {MINI_HEIGHT}" aria-hidden="true">'
        + "".join(rects)
        + "</svg>"
    )
