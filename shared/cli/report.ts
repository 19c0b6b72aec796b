// `report`: one self-contained HTML page about a routing config and a set of event files:
// the routing tree as an inline SVG picture, a grid of events by targets saying where each
// event goes and why, each normalized alert on demand, and what each target would send.
// No network: inline CSS, SVG and a few lines of script, under a CSP that allows nothing else.
import { redact } from '../log';
import type { Alert } from '../model/alert';
import { RouterError } from '../model/errors';
import { intakeAlert } from '../normalize';
import { formatMatchers } from '../route/matcher';
import { describeHoldReason } from '../route/suppress';
import type { Route, RouterConfig } from '../route/types';
import { planAlert } from '../runtime/pipeline';
import { readEventFile } from './events';
import type { PayloadKind } from './message-text';
import { targetRenderer, type Preview } from './template-render';

/** What happens to one alert at one target. */
export interface Cell {
  /** The target's name in router.yaml. */
  target: string;
  /** `held`: held back by a mute window, a silence or a time interval. */
  state: 'sent' | 'held' | 'skipped' | 'none';
  /** Why, in words: the routes that take it, the silence or interval, the status filter. */
  why: string;
}

interface RowPlace {
  file: string;
  /** Position in a batch file (0 for a single event). */
  index: number;
}

/** One event: its alert and where it goes, or why it was refused. */
export type ReportRow =
  | (RowPlace & {
      alert: Alert;
      error?: undefined;
      routes: string[];
      /** One per target, in router.yaml's order. */
      cells: Cell[];
      previews: Preview[];
    })
  | (RowPlace & { alert?: undefined; error: string; routes: []; cells: []; previews: [] });

export interface ReportData {
  config: RouterConfig;
  rows: ReportRow[];
  generatedAt: string;
}

/** Silences and time intervals are judged at `at` (now by default). */
export async function buildReport(files: string[], config: RouterConfig, at: Date = new Date()): Promise<ReportData> {
  const renderers: { name: string; render: (alert: Alert) => Preview }[] = [];
  for (const name of Object.keys(config.targets)) renderers.push({ name, render: await targetRenderer(config, name) });
  const rows: ReportRow[] = [];
  for (const file of files) {
    const value = await readEventFile(file);
    const events = Array.isArray(value) ? value : [value];
    events.forEach((raw, index) => {
      let alert: Alert;
      try {
        alert = intakeAlert(raw);
      } catch (error) {
        if (!(error instanceof RouterError)) throw error;
        rows.push({ file, index, error: error.message, routes: [], cells: [], previews: [] });
        return;
      }
      const plan = planAlert(alert, config, at);
      const cells: Cell[] = [];
      const previews: Preview[] = [];
      for (const { name, render } of renderers) {
        if (!plan.targets.includes(name)) {
          cells.push({ target: name, state: 'none', why: 'no route that takes this alert names it' });
          continue;
        }
        const by = plan.routes.filter((route) => route.targets.includes(name)).map((route) => route.path);
        const preview = render(plan.alert);
        const held = plan.held.find((h) => h.target === name);
        if (held) {
          cells.push({ target: name, state: 'held', why: held.reasons.map(describeHoldReason).join('; ') });
        } else if (preview.skip) {
          cells.push({ target: name, state: 'skipped', why: preview.skip });
        } else {
          cells.push({ target: name, state: 'sent', why: `by ${by.join(', ')}` });
          previews.push(preview);
        }
      }
      rows.push({ file, index, alert: plan.alert, routes: plan.routes.map((route) => route.path), cells, previews });
    });
  }
  return { config, rows, generatedAt: at.toISOString() };
}

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

// ---- the routing tree as SVG: left to right, one column per depth, one line per leaf ----

const NODE_W = 300;
const NODE_H = 58;
const GAP_X = 60;
const GAP_Y = 16;

interface Placed {
  route: Route;
  x: number;
  y: number;
  children: Placed[];
}

function place(route: Route, depth: number, next: { row: number }): Placed {
  const children = route.routes.map((child) => place(child, depth + 1, next));
  const first = children[0];
  const last = children.at(-1);
  const y = first && last ? (first.y + last.y) / 2 : next.row++ * (NODE_H + GAP_Y);
  return { route, x: depth * (NODE_W + GAP_X), y, children };
}

function cut(text: string, max: number): string {
  const chars = Array.from(text);
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : text;
}

export function treeSvg(root: Route, counts: Map<string, number>): string {
  const placed = place(root, 0, { row: 0 });
  const nodes: Placed[] = [];
  const walk = (node: Placed) => {
    nodes.push(node);
    node.children.forEach(walk);
  };
  walk(placed);
  const width = Math.max(...nodes.map((n) => n.x)) + NODE_W + 2;
  const height = Math.max(...nodes.map((n) => n.y)) + NODE_H + 2;
  const parts: string[] = [];
  for (const node of nodes) {
    for (const child of node.children) {
      const [x1, y1, x2, y2] = [node.x + NODE_W, node.y + NODE_H / 2, child.x, child.y + NODE_H / 2];
      const mid = (x1 + x2) / 2;
      parts.push(`<path class="edge" d="M${x1} ${y1} C${mid} ${y1} ${mid} ${y2} ${x2} ${y2}"/>`);
    }
  }
  for (const node of nodes) {
    const route = node.route;
    const matchers = route.path === 'route' ? 'root: every alert' : route.matchers.length ? formatMatchers(route.matchers) : '{} every alert that gets here';
    const flags = [
      route.continue ? 'continue' : '',
      route.muted === 'deliver' ? 'delivers when muted' : '',
      route.muteTimeIntervals.length ? `muted in ${route.muteTimeIntervals.join(', ')}` : '',
      route.activeTimeIntervals.length ? `active in ${route.activeTimeIntervals.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join(' · ');
    const count = counts.get(route.path) ?? 0;
    const title = `${route.path}\n${matchers}\ntargets: ${route.targets.join(', ') || 'none'}${flags ? `\n${flags}` : ''}\n${count} event(s) end here`;
    parts.push(
      `<g class="node${count ? ' hit' : ''}" data-route="${escapeHtml(route.path)}" transform="translate(${node.x + 1},${node.y + 1})" tabindex="0">` +
        `<title>${escapeHtml(title)}</title>` +
        `<rect width="${NODE_W}" height="${NODE_H}" rx="8"/>` +
        `<text x="10" y="20" class="m">${escapeHtml(cut(matchers, 40))}</text>` +
        `<text x="10" y="38" class="t">→ ${escapeHtml(cut(route.targets.join(', ') || 'no targets', 36))}</text>` +
        `<text x="10" y="52" class="f">${escapeHtml(cut([route.path, flags].filter(Boolean).join(' · '), 44))}</text>` +
        `<text x="${NODE_W - 10}" y="20" class="c" text-anchor="end">${count}</text>` +
        `</g>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="routing tree">${parts.join('')}</svg>`;
}

// ---- the page ----

const KIND_LABEL: Record<PayloadKind, string> = { chat: 'chat', ticket: 'ticket', webhook: 'webhook', cloud: 'cloud', local: 'local' };
const SYMBOL: Record<Cell['state'], string> = { sent: '●', held: '◐', skipped: '○', none: '' };

const CSS = `
:root{--fg:#1d2330;--muted:#6b7385;--line:#d9dde5;--bg:#f6f7f9;--sent:#1f8a4c;--mute:#b7791f;--skip:#8a94a6;--accent:#2f5bd3}
*{box-sizing:border-box}body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans CJK SC",sans-serif;color:var(--fg);background:var(--bg)}
header{padding:18px 28px;background:#fff;border-bottom:1px solid var(--line)}h1{margin:0 0 4px;font-size:20px}h2{font-size:16px;margin:0 0 10px}
.sub{color:var(--muted)}main{padding:18px 28px;display:grid;gap:18px}section{background:#fff;border:1px solid var(--line);border-radius:10px;padding:16px;overflow-x:auto}
.tree{overflow:auto}.tree svg{display:block}.edge{fill:none;stroke:#9aa3b5;stroke-width:1.5}
.node rect{fill:#fff;stroke:#9aa3b5;stroke-width:1.2}.node.hit rect{fill:#eef3ff;stroke:var(--accent)}.node{cursor:pointer}.node.sel rect{stroke:#d33;stroke-width:2.5}
.node text{font-size:12px;fill:var(--fg)}.node .m{font-family:ui-monospace,Menlo,Consolas,monospace}.node .t{fill:var(--sent);font-weight:600}.node .f{fill:var(--muted);font-size:11px}.node .c{fill:var(--accent);font-weight:700}
.legend{display:flex;gap:16px;flex-wrap:wrap;color:var(--muted);margin:6px 0 10px}.legend b{font-weight:700}
table{border-collapse:collapse;width:100%}th,td{border-bottom:1px solid var(--line);padding:6px 8px;text-align:left;vertical-align:top}
th{position:sticky;top:0;background:#fff;font-size:12px;color:var(--muted);font-weight:600}th.t{text-align:center;white-space:nowrap}
td.cell{text-align:center;font-size:18px;width:1%}td.cell.r{font-size:14px;color:var(--accent);background:#f8f9fc}th.r{background:#f8f9fc;font-family:ui-monospace,Menlo,Consolas,monospace;font-weight:500}td.sent{color:var(--sent)}td.held{color:var(--mute)}td.skipped{color:var(--skip)}
td.file{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;word-break:break-all;min-width:200px;max-width:280px}td.alert{max-width:420px}td.details{min-width:380px;max-width:600px}
tr.refused td{background:#fff4f4}tr.dim{opacity:.25}.sev{display:inline-block;padding:0 6px;border-radius:4px;font-size:12px;background:#eef0f4}
.sev.critical{background:#fde2e1;color:#a11}.sev.error{background:#fde9d9;color:#a4500d}.sev.warning{background:#fdf3d1;color:#7a5b00}.sev.info{background:#e1effd;color:#1b4f8a}
details{margin:4px 0}summary{cursor:pointer;color:var(--accent)}pre{margin:6px 0;padding:8px 10px;background:#f3f4f7;border-radius:6px;white-space:pre-wrap;word-break:break-word;font:12px/1.4 ui-monospace,Menlo,Consolas,monospace;max-height:420px;overflow:auto}
.msg{border-left:3px solid var(--accent);padding-left:8px;margin:6px 0}.msg .k{font-size:11px;color:var(--muted);text-transform:uppercase;letter-spacing:.04em}
input[type=search]{padding:6px 10px;border:1px solid var(--line);border-radius:6px;min-width:280px;font:inherit}
`;

// Clicking a route node keeps the rows of events that node delivers; the filter box matches
// file names and alert names.
const SCRIPT = `
(function(){
  var rows=[].slice.call(document.querySelectorAll('tbody tr'));
  var nodes=[].slice.call(document.querySelectorAll('.node'));
  var box=document.getElementById('filter');var selected=null;
  function apply(){var q=(box.value||'').toLowerCase();rows.forEach(function(r){
    var byRoute=!selected||(r.getAttribute('data-routes')||'').split(' ').indexOf(selected)>=0;
    var byText=!q||r.getAttribute('data-text').indexOf(q)>=0;r.classList.toggle('dim',!(byRoute&&byText));});
    document.getElementById('shown').textContent=rows.filter(function(r){return !r.classList.contains('dim');}).length;}
  nodes.forEach(function(n){function pick(){var p=n.getAttribute('data-route');selected=selected===p?null:p;
    nodes.forEach(function(m){m.classList.toggle('sel',m.getAttribute('data-route')===selected);});apply();}
    n.addEventListener('click',pick);n.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();pick();}});});
  box.addEventListener('input',apply);apply();
})();
`;

function previewHtml(preview: Preview): string {
  const raw = JSON.stringify(preview.payload, null, 2);
  const body = preview.kind === 'chat' || preview.kind === 'ticket' ? preview.text : raw;
  return (
    `<div class="msg"><div class="k">${escapeHtml(preview.target)} · ${escapeHtml(preview.type)} · ${KIND_LABEL[preview.kind]}</div>` +
    `<pre>${escapeHtml(body)}</pre>` +
    (body === raw ? '' : `<details><summary>raw body</summary><pre>${escapeHtml(raw)}</pre></details>`) +
    `</div>`
  );
}

export function reportHtml(data: ReportData): string {
  const { config, rows } = data;
  const targets = Object.values(config.targets);
  const counts = new Map<string, number>();
  for (const row of rows) for (const path of row.routes) counts.set(path, (counts.get(path) ?? 0) + 1);
  const files = new Set(rows.map((row) => row.file)).size;
  const refused = rows.filter((row) => row.error).length;

  const routes: Route[] = [];
  const collect = (route: Route) => {
    routes.push(route);
    route.routes.forEach(collect);
  };
  collect(config.route);
  const routeLabel = (route: Route) => (route.path === 'route' ? 'root' : route.path.replace(/^route\./, '').replace(/\.routes/g, ''));
  const routeHead = routes
    .map((route) => `<th class="t r" title="${escapeHtml(`${route.path} ${formatMatchers(route.matchers)}`)}">${escapeHtml(routeLabel(route))}</th>`)
    .join('');
  const head = `<tr><th>event file</th><th>alert</th>${routeHead}${targets.map((t) => `<th class="t" title="${escapeHtml(t.type)}">${escapeHtml(t.name)}<br><span class="sub">${escapeHtml(t.type)}</span></th>`).join('')}<th>details</th></tr>`;
  const body = rows
    .map((row) => {
      const label = `${row.file}${row.index ? ` [${row.index}]` : ''}`;
      const text = `${row.file} ${row.alert?.name ?? ''}`.toLowerCase();
      if (row.alert === undefined) {
        return (
          `<tr class="refused" data-file="${escapeHtml(row.file)}" data-routes="" data-text="${escapeHtml(text)}"><td class="file">${escapeHtml(label)}</td>` +
          `<td colspan="${routes.length + targets.length + 2}"><b>refused</b>: ${escapeHtml(row.error)}</td></tr>`
        );
      }
      const alert = row.alert;
      const routeCells = routes
        .map((route) => {
          const delivers = row.routes.includes(route.path);
          return `<td class="cell r${delivers ? ' sent' : ''}" title="${escapeHtml(`${route.path}: ${delivers ? 'delivers this alert' : 'does not deliver it'}`)}">${delivers ? '◆' : ''}</td>`;
        })
        .join('');
      const cells = row.cells
        .map((cell) => `<td class="cell ${cell.state}" title="${escapeHtml(`${cell.target}: ${cell.state}${cell.state === 'none' ? '' : ` — ${cell.why}`}`)}">${SYMBOL[cell.state]}</td>`)
        .join('');
      const reasons = row.cells
        .filter((cell) => cell.state === 'held' || cell.state === 'skipped')
        .map((cell) => `<div class="sub">${escapeHtml(cell.target)} ${cell.state === 'held' ? 'held back' : 'skipped'}: ${escapeHtml(cell.why)}</div>`)
        .join('');
      return (
        `<tr data-file="${escapeHtml(row.file)}" data-routes="${escapeHtml(row.routes.join(' '))}" data-text="${escapeHtml(text)}">` +
        `<td class="file">${escapeHtml(label)}</td>` +
        `<td class="alert"><b>${escapeHtml(alert.name)}</b><br><span class="sev ${alert.severity}">${escapeHtml(alert.severity)}</span> ${escapeHtml(alert.status)}${reasons}</td>` +
        routeCells +
        cells +
        `<td class="details"><details><summary>alert</summary><pre>${escapeHtml(JSON.stringify(alert, null, 2))}</pre></details>` +
        (row.previews.length ? `<details><summary>messages (${row.previews.length})</summary>${row.previews.map(previewHtml).join('')}</details>` : '') +
        `</td></tr>`
      );
    })
    .join('\n');

  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>alert-router report: ${escapeHtml(config.file)}</title>
<style>${CSS}</style></head>
<body>
<header><h1>Routing report</h1><div class="sub">config <b>${escapeHtml(config.file)}</b> · ${rows.length} event(s) from ${files} file(s)${refused ? `, ${refused} refused` : ''} · ${targets.length} target(s) · silences and time intervals as of ${escapeHtml(data.generatedAt)}</div></header>
<main>
<section class="tree"><h2>Routing tree</h2><div class="sub">Each box is a route: its matchers, its targets, and how many of these events it delivers. Click one to keep only those events.</div>
${treeSvg(config.route, counts)}</section>
<section><h2>Where each event goes</h2>
<div class="legend"><span><b style="color:var(--accent)">◆</b> the route that delivers it</span><span><b style="color:var(--sent)">●</b> sent</span><span><b style="color:var(--mute)">◐</b> held back (mute window, silence, time interval)</span><span><b style="color:var(--skip)">○</b> routed but skipped (status filter or mapping)</span><span>blank: not routed there</span>
<input type="search" id="filter" placeholder="filter by file or alert name" aria-label="filter"> <span><span id="shown">${rows.length}</span> shown</span></div>
<table><thead>${head}</thead><tbody>
${body}
</tbody></table></section>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
  return redact(html);
}
