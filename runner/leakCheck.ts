// Finds secrets in what a task printed, in the forms that slip through the agent's masking:
// raw, line by line, base64 (at any byte alignment), URL-encoded and JSON-escaped. Lines the agent
// consumes to register a secret (task.setsecret, task.setvariable issecret=true) are not output;
// every other command counts twice: as printed and as the agent renders it (unescaped).
// A leak is reported by where the secret came from, its length and a hash prefix, never its value.
import crypto from 'node:crypto';
import { NON_SECRET_AUTH_PARAMETERS } from './agentEnv';
import { isAgentTrue, outputLines, parseLoggingCommand } from './logCommands';
import type { TaskRun } from './taskRunner';

export type LeakForm = 'raw' | 'line' | 'base64' | 'url' | 'json';

/** A value the task must never print; `label` says where it came from and is safe to show. */
export interface KnownSecret {
  label: string;
  value: string;
}

export interface SecretSources {
  secretVariables?: Record<string, string>;
  endpoints?: Record<string, { parameters: Record<string, string> }>;
  secrets?: readonly string[];
}

/** A piece of output to search, and where it is (`stdout line 4 (##vso[task.debug])`). */
export interface ScannedText {
  where: string;
  text: string;
  /** Search only for forms spanning lines (a whole stream, joined). */
  multiLineOnly?: boolean;
}

export interface Leak {
  secret: string;
  form: LeakForm;
  where: string;
  fingerprint: string;
}

/** Shorter values would match ordinary output; a test secret must be at least this long. */
export const MIN_SECRET_LENGTH = 4;

/** Length and sha256 prefix: enough to tell secrets apart, useless to an attacker of a test value. */
export function fingerprint(value: string): string {
  const hash = crypto.createHash('sha256').update(value, 'utf8').digest('hex');
  return `${value.length} chars, sha256 ${hash.slice(0, 8)}`;
}

/** Every secret of a run: secret variables, secret endpoint parameters and the test's own list. */
export function collectSecrets(sources: SecretSources): KnownSecret[] {
  const found: KnownSecret[] = [];
  const add = (label: string, value: string, strict: boolean): void => {
    if (value.length >= MIN_SECRET_LENGTH) found.push({ label, value });
    else if (strict && value.length > 0) {
      throw new Error(
        `${label} is shorter than ${MIN_SECRET_LENGTH} characters: the leak check can't look for it`,
      );
    }
  };
  for (const [name, value] of Object.entries(sources.secretVariables ?? {})) {
    add(`secret variable '${name}'`, value, true);
  }
  for (const [id, endpoint] of Object.entries(sources.endpoints ?? {})) {
    for (const [key, value] of Object.entries(endpoint.parameters)) {
      if (!NON_SECRET_AUTH_PARAMETERS.has(key.toLowerCase())) {
        add(`endpoint ${id} auth parameter '${key}'`, value, false);
      }
    }
  }
  (sources.secrets ?? []).forEach((value, i) => add(`secrets[${i}]`, value, true));
  return found;
}

/** base64 and base64url of `value` as it appears inside a longer encoded text, at each alignment. */
function base64Forms(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const forms: string[] = [];
  for (const shift of [0, 1, 2]) {
    const shifted = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
    const whole = Math.floor((shift + bytes.length) / 3) * 4; // characters of complete 3-byte groups
    const inner = shifted.slice([0, 2, 3][shift], whole); // drop characters mixed with other bytes
    if (inner.length >= 8) forms.push(inner);
    if (shift === 0 && bytes.length >= MIN_SECRET_LENGTH) forms.push(shifted.replace(/=+$/, ''));
  }
  return forms.flatMap((f) => [f, f.replace(/\+/g, '-').replace(/\//g, '_')]);
}

function urlForms(value: string): string[] {
  const component = encodeURIComponent(value);
  const form = new URLSearchParams([['k', value]]).toString().slice(2);
  return [component, component.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()), form];
}

/** `-----BEGIN CERTIFICATE-----` and the like: lines of a secret that say nothing about it. */
const PEM_ARMOR = /^-----(BEGIN|END) [A-Z0-9 ]+-----$/;

/** The strings to search for, strongest first; a form equal to an earlier one is left out. */
export function secretForms(value: string): { form: LeakForm; text: string }[] {
  const forms: { form: LeakForm; text: string }[] = [];
  const add = (form: LeakForm, text: string): void => {
    if (text.length >= MIN_SECRET_LENGTH && !forms.some((f) => f.text === text)) forms.push({ form, text });
  };
  const lines = value
    .split(/\r\n|\r|\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= MIN_SECRET_LENGTH && !PEM_ARMOR.test(l));
  const parts = lines.length > 1 || lines[0] !== value ? [value, ...lines] : [value];
  add('raw', value);
  parts.slice(1).forEach((line) => add('line', line));
  parts.forEach((part) => base64Forms(part).forEach((b) => add('base64', b)));
  parts.forEach((part) => urlForms(part).forEach((u) => add('url', u)));
  parts.forEach((part) => add('json', JSON.stringify(part).slice(1, -1)));
  return forms;
}

/**
 * The task's output as the agent shows it, minus the lines it consumes to register secrets: each
 * line (command lines also as the agent renders them, unescaped), then the whole stream joined,
 * searched only for multi-line values printed as they are.
 */
export function visibleOutput(stream: string, output: string): ScannedText[] {
  const texts: ScannedText[] = [];
  const shown: string[] = [];
  outputLines(output).forEach((line, i) => {
    const cmd = parseLoggingCommand(line);
    if (!cmd) {
      shown.push(line);
      return void texts.push({ where: `${stream} line ${i + 1}`, text: line });
    }
    if (cmd.name === 'task.setsecret') return;
    if (cmd.name === 'task.setvariable' && isAgentTrue(cmd.properties['issecret'])) return;
    const where = `${stream} line ${i + 1} (##vso[${cmd.name}])`;
    for (const text of [line, cmd.data, ...Object.values(cmd.properties)]) texts.push({ where, text });
    shown.push(line, cmd.data);
  });
  return [{ where: `${stream}, across lines`, text: shown.join('\n'), multiLineOnly: true }, ...texts];
}

/** Each secret found in each place, in its strongest form over all the texts of that place. */
export function findLeaks(secrets: readonly KnownSecret[], texts: readonly ScannedText[]): Leak[] {
  const places = new Map<string, ScannedText[]>();
  for (const t of texts) places.set(t.where, [...(places.get(t.where) ?? []), t]);
  const leaks: Leak[] = [];
  for (const secret of secrets) {
    const forms = secretForms(secret.value);
    for (const [where, group] of places) {
      const hit = forms.find((f) =>
        group.some((t) => (!t.multiLineOnly || /[\r\n]/.test(f.text)) && t.text.includes(f.text)),
      );
      if (hit)
        leaks.push({ secret: secret.label, form: hit.form, where, fingerprint: fingerprint(secret.value) });
    }
  }
  return leaks;
}

/** Replaces every form of every secret (for error messages that quote output). */
export function redact(text: string, secrets: readonly KnownSecret[]): string {
  const forms = secrets.flatMap((s) => secretForms(s.value).map((f) => f.text));
  return forms.sort((a, b) => b.length - a.length).reduce((t, f) => t.split(f).join('***'), text);
}

/** runTask's rejection when a secret shows in the output; `run` holds the full result. */
export class LeakError extends Error {
  override readonly name = 'LeakError';
  constructor(
    readonly leaks: readonly Leak[],
    readonly run: TaskRun,
  ) {
    const shown = leaks
      .slice(0, 10)
      .map((l) => `  - ${l.secret} (${l.fingerprint}) as ${l.form} in ${l.where}`);
    if (leaks.length > shown.length) shown.push(`  ... and ${leaks.length - shown.length} more`);
    const debugHint = leaks.some((l) => l.where.includes('task.debug'))
      ? "\nIf the task did not debug-log it itself: task-lib's getInput, getVariable and " +
        'getEndpointAuthorizationParameter write the values they return to task.debug; read endpoint ' +
        'secrets with getEndpointAuthorization(id, true).parameters.'
      : '';
    super(
      `The task printed ${leaks.length} secret occurrence(s); the agent's masking is a last resort, ` +
        `not a licence to print:\n${shown.join('\n')}${debugHint}`,
    );
  }
}
