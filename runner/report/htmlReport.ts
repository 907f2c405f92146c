// One self-contained HTML page of a run, to open in a browser: the stages, each step's log with
// its groups folded (as the agent's log viewer shows them), warnings and errors marked, secrets
// already masked, its build summary rendered and the variables it set. No script, no external
// resource; every text from a task is escaped.
import type { LogLine } from '../pipeline/agentLog';
import type { StepResult } from '../pipeline/pipelineRun';
import { parseMarkdown, type Block, type Inline } from './markdown';

export interface ReportStage {
  readonly title: string;
  /** Said above the steps (an approval, what is emulated). */
  readonly notes?: readonly string[];
  readonly steps: readonly StepResult[];
}

export interface ReportTable {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly string[])[];
}

export interface RunReport {
  readonly title: string;
  readonly subtitle?: string;
  readonly notes?: readonly string[];
  readonly stages: readonly ReportStage[];
  readonly tables?: readonly ReportTable[];
}

export const escapeHtml = (text: string): string =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

function inline(content: readonly Inline[]): string {
  return content
    .map((c) => {
      if (c.kind === 'break') return '<br>';
      if (c.kind === 'code') return `<code>${escapeHtml(c.text)}</code>`;
      if (c.kind === 'bold') return `<strong>${escapeHtml(c.text)}</strong>`;
      return escapeHtml(c.text);
    })
    .join('');
}

function block(b: Block): string {
  switch (b.kind) {
    case 'heading': {
      const level = Math.min(6, b.level + 2);
      return `<h${level}>${inline(b.content)}</h${level}>`;
    }
    case 'paragraph':
      return `<p>${inline(b.content)}</p>`;
    case 'list':
      return `<ul>${b.items.map((i) => `<li>${inline(i)}</li>`).join('')}</ul>`;
    case 'code':
      return `<pre>${escapeHtml(b.text)}</pre>`;
    case 'table': {
      const th = b.header.map((h, c) => `<th class="${b.align[c] ?? 'left'}">${inline(h)}</th>`).join('');
      const rows = b.rows
        .map(
          (r) =>
            `<tr>${r.map((cell, c) => `<td class="${b.align[c] ?? 'left'}">${inline(cell)}</td>`).join('')}</tr>`,
        )
        .join('');
      return `<table><thead><tr>${th}</tr></thead><tbody>${rows}</tbody></table>`;
    }
  }
}

export function markdownToHtml(markdown: string): string {
  return parseMarkdown(markdown).map(block).join('\n');
}

const LINE_CLASS: Record<string, string> = {
  warning: 'warning',
  error: 'error',
  stderr: 'error',
  debug: 'debug',
  section: 'section',
  command: 'command',
};

const LINE_PREFIX: Record<string, string> = { warning: 'Warning: ', error: 'Error: ', debug: '[debug] ' };

/** Log lines with each `##[group]` as a folded <details>. */
function logHtml(lines: readonly LogLine[]): string {
  const out: string[] = [];
  let open = 0;
  for (const line of lines) {
    if (line.kind === 'group') {
      out.push(`<details class="group"><summary>${escapeHtml(line.text)}</summary>`);
      open++;
    } else if (line.kind === 'endgroup') {
      if (open > 0) {
        out.push('</details>');
        open--;
      }
    } else {
      const cls = LINE_CLASS[line.kind] ?? 'text';
      out.push(
        `<div class="line ${cls}">${escapeHtml((LINE_PREFIX[line.kind] ?? '') + line.text) || '&nbsp;'}</div>`,
      );
    }
  }
  out.push('</details>'.repeat(open));
  return out.join('\n');
}

const resultClass = (result: string) => result.replace(/[^A-Za-z]/g, '').toLowerCase();

function stepHtml(step: StepResult, index: string): string {
  const vars = step.variables.length
    ? `<h4>Variables set</h4><table class="vars"><thead><tr><th>Name</th><th>Value</th><th></th></tr></thead><tbody>${step.variables
        .map(
          (v) =>
            `<tr><td><code>${escapeHtml(v.name)}</code></td><td><code>${escapeHtml(v.shown)}</code></td><td>${v.isSecret ? 'secret' : v.isOutput ? 'output' : ''}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  const summary = step.summaries.length
    ? `<div class="summary"><h4>Build summary</h4>${step.summaries.map(markdownToHtml).join('\n')}</div>`
    : '';
  const message = step.message
    ? `<p class="message ${resultClass(step.result)}">${escapeHtml(step.message)}</p>`
    : '';
  const log = step.log.length
    ? `<details class="log" open><summary>Log (${step.log.length} lines)</summary>${logHtml(step.log)}</details>`
    : '';
  return `<section class="step ${resultClass(step.result)}" id="step-${index}">
<h3><span class="badge ${resultClass(step.result)}">${escapeHtml(step.result)}</span> ${escapeHtml(step.title)} <small>${escapeHtml(step.task)}${step.name ? ` (name: ${escapeHtml(step.name)})` : ''}, ${(step.durationMs / 1000).toFixed(1)} s</small></h3>
${message}${log}${summary}${vars}
</section>`;
}

function tableHtml(t: ReportTable): string {
  const th = t.header.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const rows = t.rows.map((r) => `<tr>${r.map((c) => `<td>${escapeHtml(c)}</td>`).join('')}</tr>`).join('');
  return `<h2>${escapeHtml(t.title)}</h2><table class="closing"><thead><tr>${th}</tr></thead><tbody>${rows}</tbody></table>`;
}

const STYLE = `
body{font:14px/1.45 system-ui,sans-serif;margin:24px auto;max-width:1200px;color:#1b1b1b;padding:0 16px}
h1{font-size:22px;margin-bottom:4px} h2{font-size:18px;margin-top:28px;border-bottom:1px solid #ddd}
h3{font-size:15px;margin:0 0 8px} h3 small{font-weight:normal;color:#666}
.step{border:1px solid #ddd;border-left:4px solid #2e7d32;border-radius:4px;padding:10px 14px;margin:12px 0}
.step.failed{border-left-color:#c62828}.step.skipped{border-left-color:#999}.step.succeededwithissues{border-left-color:#ef6c00}
.badge{font-size:12px;padding:1px 6px;border-radius:3px;color:#fff;background:#2e7d32}
.badge.failed{background:#c62828}.badge.skipped{background:#999}.badge.succeededwithissues{background:#ef6c00}
details.log{background:#1e1e1e;color:#ddd;font:12px/1.4 ui-monospace,monospace;padding:6px 10px;border-radius:4px;margin:6px 0}
details.log>summary{color:#aaa;cursor:pointer}
details.group{margin-left:2px}details.group>summary{cursor:pointer;color:#9cdcfe}
details.group[open]>summary{color:#fff}
details.group>.line,details.group>details{margin-left:16px}
.line{white-space:pre-wrap;word-break:break-all}.line.warning{color:#ffcc00}.line.error{color:#ff6b6b}.line.debug{color:#8a8a8a}
.line.section{color:#b5cea8}.line.command{color:#4fc1ff}
table{border-collapse:collapse;margin:6px 0}th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
td.right,th.right{text-align:right}th{background:#f4f4f4}code{font:12px ui-monospace,monospace;background:#f4f4f4;padding:0 3px}
.summary{border-top:1px dashed #ccc;margin-top:8px}.notes{color:#444}.message.failed{color:#c62828;font-weight:bold}
`;

export function renderHtmlReport(report: RunReport): string {
  const notes = (list: readonly string[] | undefined) =>
    list?.length ? `<ul class="notes">${list.map((n) => `<li>${escapeHtml(n)}</li>`).join('')}</ul>` : '';
  const stages = report.stages
    .map(
      (s, i) =>
        `<h2>${escapeHtml(s.title)}</h2>${notes(s.notes)}${s.steps.map((st, j) => stepHtml(st, `${i + 1}-${j + 1}`)).join('\n')}`,
    )
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(report.title)}</title><style>${STYLE}</style></head>
<body><h1>${escapeHtml(report.title)}</h1>${report.subtitle ? `<p>${escapeHtml(report.subtitle)}</p>` : ''}${notes(report.notes)}
${(report.tables ?? []).map(tableHtml).join('\n')}
${stages}
</body></html>
`;
}
