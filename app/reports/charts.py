"""Charts drawn on the server as small, accessible SVG (role="img", a title and a description; the same figures
are always in a table under the chart). No script, no chart library: the page works on any phone."""

from html import escape

from markupsafe import Markup

from app.i18n import N_, translate
from app.timefmt import format_number

BAR = "#1d5fa7"
BAR2 = "#7fb069"
TEXT = "#222"


NO_VALUE = N_("chưa có")


def _svg(width: int, height: int, title: str, desc: str, body: list[str], ident: str) -> Markup:
    title = translate(title)
    return Markup(  # noqa: S704 (every text inside is escaped above)
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-labelledby="{ident}-t {ident}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


def columns(*, ident: str, title: str, labels: list[str], series: list[tuple[str, list[int]]]) -> Markup:
    """Grouped vertical bars (e.g. received and answered per month). Texts may be `N_()` messages: they are shown
    in the language of the page being rendered."""
    series = [(translate(name), values) for name, values in series]
    width, height, left, bottom, top = 480, 220, 52, 30, 24
    peak = max([1, *(v for _, values in series for v in values)])
    n, k = max(1, len(labels)), len(series)
    slot = (width - left - 10) / n
    bar = max(2.0, (slot - 6) / max(1, k))
    colours = [BAR, BAR2]
    body = [f'<line x1="{left}" y1="{height - bottom}" x2="{width - 5}" y2="{height - bottom}" stroke="#999"/>',
            f'<text x="{left - 4}" y="{top + 4}" font-size="11" text-anchor="end" fill="{TEXT}">'
            f'{format_number(peak)}</text>']
    for i, label in enumerate(labels):
        x0 = left + i * slot + 3
        for j, (_, values) in enumerate(series):
            h = (height - bottom - top) * values[i] / peak
            body.append(f'<rect x="{x0 + j * bar:.1f}" y="{height - bottom - h:.1f}" width="{bar - 1:.1f}" '
                        f'height="{h:.1f}" fill="{colours[j % 2]}"><title>{escape(series[j][0])} '
                        f'{escape(label)}: {format_number(values[i])}</title></rect>')
        body.append(f'<text x="{x0 + slot / 2 - 3:.1f}" y="{height - bottom + 14}" font-size="10" '
                    f'text-anchor="middle" fill="{TEXT}">{escape(label)}</text>')
    for j, (name, _) in enumerate(series):
        body.append(f'<rect x="{left + j * 120}" y="4" width="10" height="10" fill="{colours[j % 2]}"/>'
                    f'<text x="{left + j * 120 + 14}" y="13" font-size="12" fill="{TEXT}">{escape(name)}</text>')
    desc = "; ".join(f"{label}: " + ", ".join(f"{name} {format_number(values[i])}" for name, values in series)
                     for i, label in enumerate(labels))
    return _svg(width, height, title, desc, body, ident)


def hbars(*, ident: str, title: str, rows: list[tuple[str, float | None]], unit: str = "%",
          maximum: float = 100.0) -> Markup:
    """Horizontal bars with their value written at the end (e.g. on-time rate per agency)."""
    row_h, label_w, width = 22, 190, 480  # narrow: readable on a phone without zooming
    height = max(1, len(rows)) * row_h + 8
    span = width - label_w - 60
    body = []
    for i, (label, value) in enumerate(rows):
        y = 4 + i * row_h
        short = label if len(label) <= 30 else label[:29] + "…"
        body.append(f'<text x="{label_w - 6}" y="{y + 14}" font-size="11" text-anchor="end" fill="{TEXT}">'
                    f'{escape(short)}</text>')
        if value is None:
            body.append(f'<text x="{label_w + 4}" y="{y + 14}" font-size="11" fill="#666">'
                        f'{escape(translate(NO_VALUE))}</text>')
            continue
        w = span * max(0.0, min(value, maximum)) / maximum
        body.append(f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 8}" fill="{BAR}"/>'
                    f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" font-size="11" fill="{TEXT}">'
                    f'{format_number(value, 1)}{escape(unit)}</text>')
    desc = "; ".join(f"{label}: " + (translate(NO_VALUE) if v is None else f"{format_number(v, 1)}{unit}")
                     for label, v in rows)
    return _svg(width, height, title, desc, body, ident)
