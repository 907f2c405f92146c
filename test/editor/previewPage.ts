// A static HTML page showing a task as the classic editor lays it out: the instance name (filled
// live from the inputs), groups in order (folded where isExpanded is false), inputs in order with
// their labels, required marks, controls by type (pick lists, check boxes, editable pickers filled
// from the data source bindings, one list per value of the input a binding depends on), help text,
// and visibleRules evaluated live as values change. Rules are parsed here with the project's parser
// (test/support/taskJsonRules.ts); the page only evaluates them, and lists in `window.previewErrors`
// a rule that did not parse or names an input the page does not have.
import { parseVisibleRule } from '../support/taskJsonRules';
import type { Offer } from './dataSourceBindings';
import type { TaskInput, TaskJson } from './editorEnvironment';

/** Offers of a bound input: one list, or one list per value of the input it depends on. */
export type PreviewOffers = Record<string, { dependsOn?: string; lists: Record<string, Offer[]> }>;

const escape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

/** The editor's help markdown subset: `code`, [text](url), line breaks. */
const helpHtml = (md: string) =>
  escape(md)
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/\[([^\]]+)\]\((https?:[^)\s]+)\)/g, '<a href="$2">$1</a>')
    .replace(/\n/g, '<br>');

function ruleAttribute(rule: string | undefined): string {
  if (rule === undefined) return '';
  let parsed: unknown;
  try {
    parsed = parseVisibleRule(rule);
  } catch (err) {
    parsed = { error: (err as Error).message };
  }
  return ` data-rule="${escape(JSON.stringify({ text: rule, ...(parsed as object) }))}"`;
}

function control(input: TaskInput, offers: PreviewOffers): string {
  const id = `in-${input.name}`;
  const value = input.defaultValue ?? '';
  const common = `id="${id}" name="${escape(input.name)}"`;
  const bound = offers[input.name];
  if (bound) {
    const lists = escape(JSON.stringify(bound));
    return `<input ${common} class="picker" list="${id}-list" value="${escape(value)}" data-offers="${lists}" autocomplete="off"><datalist id="${id}-list"></datalist><select class="picked" aria-label="${escape(input.label)} values"></select>`;
  }
  switch (input.type) {
    case 'boolean':
      return `<input type="checkbox" ${common}${value === 'true' ? ' checked' : ''}>`;
    case 'pickList':
    case 'radio': {
      const options = Object.entries(input.options ?? {})
        .map(
          ([k, v]) => `<option value="${escape(k)}"${k === value ? ' selected' : ''}>${escape(v)}</option>`,
        )
        .join('');
      return `<select ${common}>${options}</select>`;
    }
    case 'multiLine':
      return `<textarea ${common} rows="2">${escape(value)}</textarea>`;
    default:
      if (input.type.startsWith('connectedService:')) {
        const kind = input.type.slice('connectedService:'.length);
        return `<select ${common}><option value=""></option><option value="${kind}-connection">${escape(
          kind === 'AzureRM' ? 'Fabrikam production (Azure Resource Manager)' : `Fabrikam ${kind}`,
        )}</option></select><button type="button" class="manage">Manage</button>`;
      }
      return `<input type="text" ${common} value="${escape(value)}"${input.type === 'filePath' ? ' class="path"' : ''}>`;
  }
}

function inputHtml(input: TaskInput, offers: PreviewOffers): string {
  const required = input.required === true || String(input.required) === 'true';
  return `<div class="input" data-input="${escape(input.name)}" data-type="${escape(input.type)}"${ruleAttribute(
    input.visibleRule,
  )}>
  <label for="in-${escape(input.name)}">${escape(input.label)}${required ? ' <span class="req">*</span>' : ''}</label>
  <div class="control">${control(input, offers)}</div>
  ${input.helpMarkDown ? `<div class="help">${helpHtml(input.helpMarkDown)}</div>` : ''}
</div>`;
}

export function renderPreview(task: TaskJson, offers: PreviewOffers): string {
  const groups = task.groups ?? [];
  const ungrouped = task.inputs.filter((i) => !i.groupName || !groups.some((g) => g.name === i.groupName));
  const sections = [
    ungrouped.map((i) => inputHtml(i, offers)).join('\n'),
    ...groups.map(
      (
        g,
      ) => `<details class="group" data-group="${escape(g.name)}"${g.isExpanded === false ? '' : ' open'}${ruleAttribute(
        g.visibleRule,
      )}>
<summary>${escape(g.displayName)}</summary>
${task.inputs
  .filter((i) => i.groupName === g.name)
  .map((i) => inputHtml(i, offers))
  .join('\n')}
</details>`,
    ),
  ];
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<title>${escape(task.friendlyName)} - classic editor preview</title>
<style>${STYLE}</style></head>
<body>
<main class="task" data-instance-name-format="${escape(task.instanceNameFormat)}">
<header>
  <h1>${escape(task.friendlyName)} <span class="version">${task.version.Major}.*</span></h1>
  <p class="description">${helpHtml(task.description)}${task.helpUrl ? ` <a class="help-url" href="${escape(task.helpUrl)}">Learn more</a>` : ''}</p>
</header>
<div class="input"><label for="displayName">Display name <span class="req">*</span></label>
  <div class="control"><input type="text" id="displayName" readonly></div></div>
${sections.join('\n')}
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}

const STYLE = `
body { font: 14px "Segoe UI", system-ui, sans-serif; margin: 0; background: #f8f8f8; color: #201f1e; }
main { max-width: 760px; margin: 0 auto; padding: 16px 24px; background: #fff; min-height: 100vh; }
h1 { font-size: 20px; font-weight: 600; margin: 4px 0; } .version { color: #605e5c; font-size: 14px; font-weight: 400; }
.description { color: #605e5c; margin: 0 0 16px; }
details.group { border-top: 1px solid #e1dfdd; padding: 8px 0; }
summary { font-weight: 600; cursor: pointer; padding: 4px 0; }
.input { margin: 10px 0; } label { display: block; font-weight: 600; margin-bottom: 4px; } .req { color: #a4262c; }
.control { display: flex; gap: 6px; }
.control input[type=text], .control select, .control textarea, .picker { flex: 1; padding: 5px 8px; border: 1px solid #8a8886; border-radius: 2px; font: inherit; }
.control input[type=checkbox] { width: 18px; height: 18px; }
select.picked { flex: 0 0 34%; }
.help { color: #605e5c; font-size: 12px; margin-top: 3px; } code { background: #f3f2f1; padding: 0 3px; }
button.manage { border: 1px solid #8a8886; background: #fff; border-radius: 2px; }
[hidden] { display: none !important; }
`;

// Runs in the page: reads values, evaluates each parsed rule, fills pickers, names the task.
const SCRIPT = `
(() => {
  const errors = [];
  window.previewErrors = errors;
  const inputs = new Map([...document.querySelectorAll('[data-input]')].map((el) => [el.dataset.input, el]));
  const valueOf = (name) => {
    const c = document.getElementById('in-' + name);
    if (!c) return '';
    return c.type === 'checkbox' ? String(c.checked) : c.value;
  };
  const rules = [...document.querySelectorAll('[data-rule]')].map((el) => {
    const rule = JSON.parse(el.dataset.rule);
    const where = el.dataset.input ? 'input ' + el.dataset.input : 'group ' + el.dataset.group;
    if (rule.error) errors.push(where + ': ' + rule.error);
    for (const p of rule.predicates || [])
      if (!inputs.has(p.input)) errors.push(where + ': visibleRule "' + rule.text + '" names unknown input "' + p.input + '"');
    return { el, rule };
  });
  const test = ({ input, operator, value }) => {
    const v = valueOf(input);
    const a = v.toLowerCase(), b = value.toLowerCase();
    switch (operator) {
      case '=': case '==': return a === b;
      case '!=': return a !== b;
      case '<': return Number(v) < Number(value);
      case '>': return Number(v) > Number(value);
      case '<=': return Number(v) <= Number(value);
      case '>=': return Number(v) >= Number(value);
      case 'Contains': return a.includes(b);
      case 'NotContains': return !a.includes(b);
      case 'StartsWith': return a.startsWith(b);
      case 'NotStartsWith': return !a.startsWith(b);
      case 'EndsWith': return a.endsWith(b);
      case 'NotEndsWith': return !a.endsWith(b);
    }
    return false;
  };
  const fillPickers = () => {
    for (const c of document.querySelectorAll('input.picker')) {
      const { dependsOn, lists } = JSON.parse(c.dataset.offers);
      const offers = lists[dependsOn ? valueOf(dependsOn) : ''] || [];
      const key = JSON.stringify(offers);
      if (c.dataset.shown === key) continue;
      c.dataset.shown = key;
      const list = document.getElementById(c.id + '-list');
      const select = c.parentElement.querySelector('select.picked');
      list.replaceChildren(...offers.map((o) => Object.assign(document.createElement('option'), { value: o.value, label: o.displayValue })));
      select.replaceChildren(
        Object.assign(document.createElement('option'), { value: '', textContent: offers.length ? 'Select...' : '(no values)' }),
        ...offers.map((o) => Object.assign(document.createElement('option'), { value: o.value, textContent: o.displayValue })),
      );
      if (c.value && !offers.some((o) => o.value === c.value) && dependsOn) c.value = '';
    }
    for (const c of document.querySelectorAll('input.picker')) {
      const select = c.parentElement.querySelector('select.picked');
      select.value = [...select.options].some((o) => o.value === c.value) ? c.value : '';
    }
  };
  const update = () => {
    fillPickers();
    for (const { el, rule } of rules) {
      if (rule.error) continue;
      const results = rule.predicates.map(test);
      el.hidden = !(rule.join === '||' ? results.some(Boolean) : results.every(Boolean));
    }
    const format = document.querySelector('main').dataset.instanceNameFormat;
    const name = format.replace(/\\$\\(([^)]+)\\)/g, (_, n) => valueOf(n));
    document.querySelector('main').dataset.displayName = name;
    document.getElementById('displayName').value = name;
  };
  const onEdit = (e) => {
    // Choosing from a picker's list types the value into the picker (input fires before change).
    if (e.target.matches('select.picked') && e.target.value) {
      e.target.parentElement.querySelector('input.picker').value = e.target.value;
    }
    update();
  };
  document.addEventListener('change', onEdit);
  document.addEventListener('input', onEdit);
  update();
})();
`;

/** Offers for a page: bindings whose URL depends on another bound input get a list per value of it. */
export function dependencyOf(endpointUrl: string | undefined): string | undefined {
  return /\$\(([A-Za-z0-9_]+)\)/.exec(endpointUrl ?? '')?.[1];
}
