"""The conformance report as one self-contained HTML page (``--report report.html``).

Why one file, inline CSS and a short inline script, nothing fetched: the page is a CI artifact
opened offline, often from a zip. The only links out are a clause's RFC section and its rule
documentation. The order and content are ``page.py``'s; this module only lays them out:

- the first screen holds the run's facts, what was not checked, and the first problems, open;
  problems past ``OPEN_PROBLEMS`` are one line each (``<details>``), so a ``--spec all`` run's
  page is short and a reader finds the first failure without scrolling;
- each problem shows its clause (statement, RFC section, rule doc), expected, the masked
  response, the masked request to reproduce it (or the request sequence) once, and the tests
  that saw it; a test whose own evidence differs opens to show it;
- filters by contract, verdict and clause live in the URL fragment (``#contract=polar&verdict=fail``),
  so a reload or a shared link keeps them; each element a filter can hide carries what it is
  about (``data-c`` contracts, ``data-v`` verdicts, ``data-k`` clauses). Anchor links
  (``#p3``) are followed by the script without touching the fragment, so they keep the filters.

Every value is escaped; the page works without its script (no filters, everything else).
"""

from __future__ import annotations

import html

from revocation_contracts.reporting.matrix import STATUS_HELP, STATUSES, Row, status_label
from revocation_contracts.reporting.page import (
    NOTHING_UNCHECKED,
    OPEN_NOTES,
    OPEN_PROBLEMS,
    Entry,
    Note,
    Page,
    docs_url,
    rfc_url,
    same_evidence,
    short_test,
)
from revocation_contracts.rules.violation import Violation

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.2rem 2rem;color:#1b1f24;
background:#fff}
h1{font-size:1.4rem;margin:0 0 .2rem}h2{font-size:1.1rem;margin:1.1rem 0 .4rem}
p.verdict{margin:.1rem 0 .4rem;font-size:1.05rem}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:0 1rem;margin:.3rem 0;font-size:.82rem}
dl.meta dt{color:#57606a}dl.meta dd{margin:0;overflow-wrap:anywhere}dl.meta code{font-size:.8rem}
nav.filters{display:flex;gap:1rem;align-items:center;padding:.35rem .6rem;background:#f6f8fa;border:1px solid #d0d7de;
border-radius:6px;margin:.5rem 0;font-size:.85rem}nav.filters select{font:inherit}
ul.notes{margin:.2rem 0;padding-left:1.2rem;font-size:.9rem}ul.notes li{margin:.1rem 0}
article.problem{border:1px solid #d0d7de;border-radius:6px;margin:.4rem 0}
article.problem>details>summary{padding:.35rem .6rem;cursor:pointer;list-style-position:inside}
article.problem .body{padding:0 .8rem .5rem}
span.tag{display:inline-block;min-width:3.2rem;text-align:center;font-weight:600;border-radius:4px;font-size:.8rem}
code.clause{font-size:.85rem;background:#eef1f4;padding:0 .25rem;border-radius:3px}
p.rule{color:#57606a;font-size:.88rem;margin:.3rem 0}
dl.ev{display:grid;grid-template-columns:max-content auto;gap:.1rem .8rem;margin:.3rem 0}dl.ev dt{color:#57606a}
dl.ev dd{margin:0;overflow-wrap:anywhere}
p.lbl{margin:.4rem 0 .1rem;color:#57606a;font-size:.85rem}ul.tests{margin:.1rem 0;padding-left:1.2rem;font-size:.88rem}
table{border-collapse:collapse;margin:.4rem 0}th,td{border:1px solid #d0d7de;padding:.25rem .5rem;text-align:left;
vertical-align:top}thead th{background:#f6f8fa;position:sticky;top:0}
tr.group th{background:#eef1f4;font-weight:600}td.clause{color:#57606a;font-size:.85rem;max-width:22rem}
td.clause span{display:block}td.check code{font-size:.85rem}
td.st,td.n{text-align:center;font-weight:600;white-space:nowrap}
.st-pass{background:#dafbe1;color:#116329}.st-fail{background:#ffd8d3;color:#a40e26}.st-xpass{background:#ffd8d3;color:#a40e26}
.st-warn{background:#fff1c2;color:#7a4d00}.st-skip{background:#f2f3f5;color:#57606a}.st-xfail{background:#e6dcfd;color:#5a32a3}
.st-throttled{background:#fff1c2;color:#57606a}.st-none{color:#8c959f}td.st a{color:inherit}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:.5rem;white-space:pre-wrap;word-break:break-all;
font-size:.8rem;margin:.1rem 0}
pre.repro{background:#0d1117;color:#e6edf3;border-color:#0d1117}
ul.legend{padding-left:1.2rem;font-size:.88rem}
ul.legend span{display:inline-block;min-width:3.5rem;text-align:center;font-weight:600}
[hidden]{display:none!important}
"""

# Filters from the URL fragment; anchor links followed without losing them. No external resource.
SCRIPT = """
(function(){
var KEYS=["contract","verdict","clause"],OPEN=%d;
function state(){var s={};location.hash.slice(1).split("&").forEach(function(part){
var kv=part.split("=");if(kv.length===2&&KEYS.indexOf(kv[0])>=0&&kv[1])s[kv[0]]=decodeURIComponent(kv[1]);});return s;}
function has(el,attr,value){var v=el.getAttribute(attr);return v===null||v.split(" ").indexOf(value)>=0;}
function apply(){var s=state();
KEYS.forEach(function(k){document.getElementById("f-"+k).value=s[k]||"";});
document.querySelectorAll("[data-c],[data-v],[data-k]").forEach(function(el){
el.hidden=!((!s.contract||has(el,"data-c",s.contract))&&(!s.verdict||has(el,"data-v",s.verdict))&&
(!s.clause||has(el,"data-k",s.clause)));});
document.querySelectorAll("tr.check").forEach(function(tr){
var cells=Array.prototype.filter.call(tr.querySelectorAll("td.st"),function(td){return !td.hidden;});
tr.hidden=!cells.some(function(td){return (!s.verdict||td.getAttribute("data-st")===s.verdict)&&
(!s.clause||has(td,"data-clauses",s.clause));});});
var open=0;document.querySelectorAll("article.problem").forEach(function(a){
if(!a.hidden&&open<OPEN){a.querySelector("details").open=true;open++;}});
var shown=KEYS.filter(function(k){return s[k];}).map(function(k){return k+"="+s[k];});
document.getElementById("f-state").textContent=shown.length?"showing "+shown.join(", "):"";}
function update(){var parts=[];KEYS.forEach(function(k){var v=document.getElementById("f-"+k).value;
if(v)parts.push(k+"="+encodeURIComponent(v));});location.hash=parts.join("&");}
KEYS.forEach(function(k){document.getElementById("f-"+k).addEventListener("change",update);});
document.getElementById("f-clear").addEventListener("click",function(){location.hash="";});
document.addEventListener("click",function(event){var link=event.target.closest("a[href^='#']");if(!link)return;
var target=document.getElementById(link.getAttribute("href").slice(1));if(!target)return;event.preventDefault();
var details=target.querySelector("details");if(details)details.open=true;target.scrollIntoView();});
window.addEventListener("hashchange",apply);
document.getElementById("filters").hidden=false;
if(location.hash.indexOf("=")>=0)apply();
else if(location.hash){var t=document.getElementById(location.hash.slice(1));
if(t){var d=t.querySelector("details");if(d)d.open=true;t.scrollIntoView();}}
})();
"""


REPRODUCE = '<p class="lbl">Request, to reproduce (your secrets as their <code>$REVOKE_*</code> variables)</p>'


def e(text: str) -> str:
    return html.escape(text, quote=True)


def render_html(page: Page) -> str:
    """A self-contained page: inline CSS and script, no external assets, every value escaped."""
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>Revocation contract conformance</title>",
        f"<style>{CSS}</style></head><body>",
        *_header(page),
        *_filters(page),
        "<main>",
        *_notes(page),
        *_problems(page),
        *_totals(page),
        *_matrix(page),
        *_deviations(page),
        "</main>",
        f"<script>{SCRIPT % OPEN_PROBLEMS}</script>",
        "</body></html>",
    ]
    return "\n".join(out) + "\n"


def _header(page: Page) -> list[str]:
    info = page.info
    out = [
        "<header><h1>Revocation contract conformance</h1>",
        f'<p class="verdict"><strong>{e(page.verdict())}</strong> Cells: {e(page.headline() or "none")}.</p>',
        '<dl class="meta">',
        f"<dt>Command</dt><dd><code>{e(info.command)}</code></dd>",
    ]
    if info.environment:
        out.append(f"<dt>Environment</dt><dd><code>{e(info.environment)}</code></dd>")
    facts = [
        ("Target", info.target),
        ("Seed", info.seed),
        ("Run", f"{info.generated}, {info.duration}, exit status {info.exitstatus}"),
        ("Versions", info.versions),
        ("Planted bugs", info.bugs),
        ("Baselines", info.baselines),
        ("Strict semantics", info.strict),
    ]
    out += [f"<dt>{title}</dt><dd>{e(value)}</dd>" for title, value in facts if value]
    out.append("</dl></header>")
    return out


def _filters(page: Page) -> list[str]:
    clauses = sorted({entry.clause for entry in page.entries if entry.clause} | _row_clauses(page))
    out = ['<nav class="filters" id="filters" hidden>', "<strong>Filter</strong>"]
    for key, label, values in (
        ("contract", "contract", page.contracts),
        ("verdict", "verdict", list(STATUSES)),
        ("clause", "clause", clauses),
    ):
        options = "".join(f'<option value="{e(value)}">{e(value)}</option>' for value in values)
        out.append(f'<label>{label} <select id="f-{key}"><option value="">all</option>{options}</select></label>')
    out += ['<button type="button" id="f-clear">clear</button>', '<span id="f-state"></span>', "</nav>"]
    return out


def _row_clauses(page: Page) -> set[str]:
    return {
        clause for row in page.matrix.rows.values() for clause in (row.violation_clauses() or [row.clause]) if clause
    }


def _clause_links(page: Page, clause: str) -> str:
    """The clause's statement, then its RFC section and rule documentation, as links."""
    parts = []
    text = page.info.clause_texts.get(clause, "")
    if text:
        parts.append(e(text))
    rfc = rfc_url(clause)
    if rfc:
        parts.append(f'<a href="{e(rfc)}">RFC section</a>')
    doc = docs_url(page.info, clause)
    if doc:
        parts.append(f'<a href="{e(doc)}">rule documentation</a>')
    return " &middot; ".join(parts)


def _clause_code(page: Page, clause: str) -> str:
    """A clause id linked to its rule documentation (else its RFC section), its statement as tooltip."""
    text = page.info.clause_texts.get(clause, "")
    target = docs_url(page.info, clause) or rfc_url(clause)
    code = f'<code class="clause" title="{e(text)}">{e(clause)}</code>'
    return f'<a href="{e(target)}">{code}</a>' if target else code


def _notes(page: Page) -> list[str]:
    if not page.notes:
        # Said, not left out: a reader looking for holes learns there are none.
        return [f'<section id="not-checked"><h2>Not checked</h2><p>{NOTHING_UNCHECKED}</p></section>']
    cells = sum(note.cells() for note in page.notes)
    reasons = len(page.notes)
    heading = f"Not checked ({cells} cell{'s' if cells != 1 else ''}, {reasons} reason{'s' if reasons != 1 else ''})"
    out = [f'<section id="not-checked"><h2>{heading}</h2>']
    out.append('<ul class="notes">')
    out += [_note(note) for note in page.notes[:OPEN_NOTES]]
    out.append("</ul>")
    if len(page.notes) > OPEN_NOTES:
        rest = page.notes[OPEN_NOTES:]
        out.append(f'<details><summary>{len(rest)} more reasons</summary><ul class="notes">')
        out += [_note(note) for note in rest]
        out.append("</ul></details>")
    out.append("</section>")
    return out


def _note(note: Note) -> str:
    modules = sorted({check.partition("::")[0] for check in note.checks})
    count = note.cells()
    what = "throttled" if note.status == "throttled" else "not run"
    return (
        f'<li id="n{note.number}" data-c="{e(" ".join(note.contracts))}" data-v="{note.status}" '
        f'title="{e(", ".join(dict.fromkeys(note.checks)))}"><strong>{e(note.reason)}</strong>: '
        f"{count} check{'s' if count != 1 else ''} {what} on {e(', '.join(note.contracts))} "
        f"({e(', '.join(modules))})</li>"
    )


def _problems(page: Page) -> list[str]:
    if not page.entries:
        return ['<section id="problems"><h2>Problems</h2><p>None: no failure, no warning.</p></section>']
    out = [f'<section id="problems"><h2>Problems ({len(page.entries)}), most severe first</h2>']
    for entry in page.entries:
        out += _entry(page, entry)
    out.append("</section>")
    return out


def _entry(page: Page, entry: Entry) -> list[str]:
    count = len(entry.tests())
    opened = " open" if entry.number <= OPEN_PROBLEMS else ""
    clause = f" {_clause_code(page, entry.clause)}" if entry.clause else ""
    out = [
        f'<article class="problem" id="p{entry.number}" data-c="{e(entry.contract)}" data-v="{entry.status}" '
        f'data-k="{e(entry.clause)}"><details{opened}><summary>'
        f'<span class="tag st-{entry.status}">{e(status_label(entry.status))}</span> '
        f"<strong>{e(entry.contract)}</strong>{clause} {e(entry.title)} "
        f"&middot; {count} test{'s' if count != 1 else ''}</summary>",
        '<div class="body">',
    ]
    if entry.clause:
        links = _clause_links(page, entry.clause)
        if links:
            out.append(f'<p class="rule">{links}</p>')
    first = entry.first
    if first is not None:
        out += _evidence(first)
        out.append('<p class="lbl">Seen by</p><ul class="tests">')
        for finding in entry.findings:
            test = f"<code>{e(short_test(finding.test))}</code>" + _rerun(finding.violation)
            if same_evidence(finding.violation, first):
                out.append(f"<li>{test}</li>")
            else:
                note = f" {e(finding.violation.title)}" if finding.violation.title != first.title else ""
                out.append(f"<li><details><summary>{test}{note}</summary>")
                out += _evidence(finding.violation)
                out.append("</details></li>")
        out.append("</ul>")
    elif entry.cell is not None:
        for detail in entry.cell.details:
            if detail.text:
                out.append(f"<pre>{e(detail.text)}</pre>")
            for command in detail.reproduce:
                out.append(f'{REPRODUCE}<pre class="repro">{e(command)}</pre>')
        tests = entry.tests()
        if tests:
            out.append('<p class="lbl">Seen by</p><ul class="tests">')
            out += [f"<li><code>{e(short_test(test))}</code></li>" for test in tests]
            out.append("</ul>")
    out.append("</div></details></article>")
    return out


def _rerun(violation: Violation) -> str:
    """The command that reruns this one test under the run's seed and options, folded."""
    if not violation.rerun:
        return ""
    return f'<details class="rerun"><summary>rerun</summary><pre class="rerun">{e(violation.rerun)}</pre></details>'


def _evidence(violation: Violation) -> list[str]:
    """Expected, the masked response, the masked request to reproduce it: each once."""
    out = [
        '<dl class="ev">',
        f"<dt>Expected</dt><dd>{e(violation.expected)}</dd>",
        f"<dt>Response</dt><dd>{e(violation.actual)}</dd>",
        "</dl>",
    ]
    if violation.reproduce:
        out.append(f'{REPRODUCE}<pre class="repro">{e(violation.reproduce)}</pre>')
    if violation.sequence:
        out.append(f'<p class="lbl">Request sequence (secrets masked)</p><pre>{e(violation.sequence)}</pre>')
    return out


def _totals(page: Page) -> list[str]:
    shown = [status for status in STATUSES if page.matrix.counts()[status]]
    out = ['<section id="totals"><h2>Per contract</h2><table><thead><tr><th scope="col">contract</th>']
    out += [f'<th scope="col" class="st-{status}">{e(status_label(status))}</th>' for status in shown]
    out.append("</tr></thead><tbody>")
    for contract in page.contracts:
        counts = page.matrix.counts(contract)
        cells = "".join(f'<td class="n">{counts[status]}</td>' for status in shown)
        out.append(f'<tr data-c="{e(contract)}"><th scope="row">{e(contract)}</th>{cells}</tr>')
    out.append("</tbody></table></section>")
    return out


def _matrix(page: Page) -> list[str]:
    contracts = page.contracts
    out = [
        '<section id="matrix"><h2>Contracts &times; checks</h2>',
        '<table><thead><tr><th scope="col">Check</th><th scope="col">Clause</th>',
    ]
    out += [f'<th scope="col" data-c="{e(contract)}">{e(contract)}</th>' for contract in contracts]
    out.append("</tr></thead><tbody>")
    group = None
    for row in page.matrix.ordered_rows():
        module, _, name = row.check.partition("::")
        if module != group:
            group = module
            out.append(f'<tr class="group"><th colspan="{len(contracts) + 2}">{e(module)}</th></tr>')
        out.append(
            f'<tr class="check"><td class="check"><code>{e(name)}</code></td><td class="clause">'
            f"{_clause_column(page, row)}</td>"
        )
        for contract in contracts:
            out.append(_cell(page, row, contract))
        out.append("</tr>")
    out.append('</tbody></table><ul class="legend">')
    for status in STATUSES:
        out.append(f'<li><span class="st-{status}">{e(status_label(status))}</span> {e(STATUS_HELP[status])}</li>')
    out.append("</ul></section>")
    return out


def _clause_column(page: Page, row: Row) -> str:
    """The clauses the row's verdicts cite, each tagged with its contracts; the marker clause for the rest."""
    spans = []
    quiet = [contract for contract in page.contracts if contract in row.cells and not row.cells[contract].clauses]
    for clause in row.violation_clauses():
        citing = [
            contract for contract in page.contracts if contract in row.cells and clause in row.cells[contract].clauses
        ]
        spans.append(f'<span data-c="{e(" ".join(citing))}">{_clause_code(page, clause)}</span>')
    if row.clause and quiet:
        marker = _clause_code(page, row.clause) if row.clause in page.info.clause_texts else e(row.clause)
        spans.append(f'<span data-c="{e(" ".join(quiet))}">{marker}</span>')
    return "".join(spans)


def _cell(page: Page, row: Row, contract: str) -> str:
    cell = row.cells.get(contract)
    if cell is None:
        return f'<td class="st st-none" data-c="{e(contract)}" title="not run">&ndash;</td>'
    if cell.status == "pass":
        # What was checked: the test's own first sentence, else its clause's statement.
        title = row.checked or page.info.clause_texts.get(row.clause, "") or STATUS_HELP["pass"]
        title = f"pass: {title}"
    else:
        title = cell.details[0].summary if cell.details else STATUS_HELP[cell.status]
    label = e(status_label(cell.status))
    anchor = page.links.get((row.check, contract))
    content = f'<a href="#{anchor}">{label}</a>' if anchor else label
    clauses = " ".join(cell.clauses or ([row.clause] if row.clause else []))
    return (
        f'<td class="st st-{cell.status}" data-c="{e(contract)}" data-st="{cell.status}" '
        f'data-clauses="{e(clauses)}" title="{e(title)}">{content}</td>'
    )


def _deviations(page: Page) -> list[str]:
    if not page.deviations:
        return []
    out = ['<section id="deviations"><h2>Known deviations (baseline)</h2>']
    for number, row, contract, cell in page.deviations:
        out.append(
            f'<article id="d{number}" data-c="{e(contract)}" data-v="xfail" data-k="{e(row.clause)}">'
            f"<p>{e(contract)} &middot; <code>{e(row.check)}</code>: "
            + "; ".join(e(detail.summary) for detail in cell.details)
            + "</p></article>"
        )
    out.append("</section>")
    return out
