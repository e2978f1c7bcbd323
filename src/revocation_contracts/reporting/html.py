"""The conformance report as one self-contained HTML page (``--report report.html``)."""

from __future__ import annotations

import html

from revocation_contracts.reporting.matrix import (
    SECTIONS,
    STATUS_HELP,
    STATUSES,
    Matrix,
    headline,
    numbered_details,
    status_label,
)

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem;color:#1b1f24;background:#fff}
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.2rem;margin:2rem 0 .6rem}h3{font-size:1rem;margin:1rem 0 .3rem}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.1rem 1rem;margin:.6rem 0 1rem}dl.meta dt{color:#57606a}
dl.meta dd{margin:0}
table{border-collapse:collapse;margin:.5rem 0}th,td{border:1px solid #d0d7de;padding:.3rem .55rem;text-align:left;
vertical-align:top}thead th{background:#f6f8fa;position:sticky;top:0}
tr.group th{background:#eef1f4;font-weight:600}td.clause{color:#57606a;font-size:.85rem;max-width:24rem}
td.check code{font-size:.85rem}td.st{text-align:center;font-weight:600;white-space:nowrap}
.st-pass{background:#dafbe1;color:#116329}.st-fail{background:#ffd8d3;color:#a40e26}.st-xpass{background:#ffd8d3;color:#a40e26}
.st-warn{background:#fff1c2;color:#7a4d00}.st-skip{background:#f2f3f5;color:#57606a}.st-xfail{background:#e6dcfd;color:#5a32a3}
.st-throttled{background:#fff1c2;color:#57606a}.st-none{color:#8c959f}td.st a{color:inherit}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:.6rem;white-space:pre-wrap;word-break:break-all;
font-size:.82rem}
pre.repro{background:#0d1117;color:#e6edf3;border-color:#0d1117}
ul.legend{padding-left:1.2rem}ul.legend span{display:inline-block;min-width:3.5rem;text-align:center;font-weight:600}
"""


def render_html(matrix: Matrix, context: dict[str, str]) -> str:
    """A self-contained page: inline CSS, no scripts, no external assets, every value escaped."""
    e = html.escape
    contracts = matrix.contracts(tuple(context["contracts"].split(",")))
    numbered = numbered_details(matrix, contracts)
    anchors = {(row.check, contract): number for number, row, contract, _ in numbered}
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Revocation contract conformance</title>",
        f"<style>{CSS}</style></head><body>",
        "<header><h1>Revocation contract conformance</h1>",
        f"<p><strong>{e(headline(matrix) or 'no contract tests ran')}</strong></p>",
        '<dl class="meta">',
    ]
    for key, title in (("target", "Target"), ("bugs", "Planted bugs"), ("baselines", "Baselines")):
        if context[key]:
            out.append(f"<dt>{title}</dt><dd>{e(context[key])}</dd>")
    out += [
        f"<dt>Strict semantics</dt><dd>{e(context['strict'])}</dd>",
        f"<dt>Generated</dt><dd>{e(context['generated'])} ({e(context['duration'])}, exit status "
        f"{e(context['exitstatus'])})</dd>",
        "</dl></header>",
        '<main><table><thead><tr><th scope="col">Check</th><th scope="col">Clause</th>',
    ]
    out += [f'<th scope="col">{e(contract)}</th>' for contract in contracts]
    out.append("</tr></thead><tbody>")
    group = None
    for row in matrix.ordered_rows():
        module, _, name = row.check.partition("::")
        if module != group:
            group = module
            out.append(f'<tr class="group"><th colspan="{len(contracts) + 2}">{e(module)}</th></tr>')
        out.append(f'<tr><td class="check"><code>{e(name)}</code></td><td class="clause">{e(row.clause)}</td>')
        for contract in contracts:
            cell = row.cells.get(contract)
            if cell is None:
                out.append('<td class="st st-none" title="not run">&ndash;</td>')
                continue
            title = e(cell.details[0].summary, quote=True) if cell.details else e(STATUS_HELP[cell.status], quote=True)
            label = e(status_label(cell.status))
            number = anchors.get((row.check, contract))
            content = f'<a href="#d{number}">{label}</a>' if number is not None else label
            out.append(f'<td class="st st-{cell.status}" title="{title}">{content}</td>')
        out.append("</tr>")
    out.append('</tbody></table><ul class="legend">')
    for status in STATUSES:
        out.append(f'<li><span class="st-{status}">{e(status_label(status))}</span> {e(STATUS_HELP[status])}</li>')
    out.append("</ul>")
    for heading, statuses in SECTIONS:
        entries = [entry for entry in numbered if entry[3].status in statuses]
        if not entries:
            continue
        out.append(f"<section><h2>{e(heading)}</h2>")
        for number, row, contract, cell in entries:
            out.append(f'<article id="d{number}"><h3>{number}. {e(contract)} &middot; <code>{e(row.check)}</code></h3>')
            if row.clause:
                out.append(f"<p>Clause: {e(row.clause)}</p>")
            for detail in cell.details:
                out.append(f"<p><strong>{e(detail.summary)}</strong></p>")
                if detail.subtest:
                    out.append(f"<p>Test: <code>{e(detail.subtest)}</code></p>")
                if detail.text:
                    out.append(f'<pre class="message">{e(detail.text)}</pre>')
                for command in detail.reproduce:
                    out.append(f'<p>Reproduce:</p><pre class="repro">{e(command)}</pre>')
            out.append("</article>")
        out.append("</section>")
    out.append("</main></body></html>")
    return "\n".join(out) + "\n"
