// `npm audit --omit=dev`: the production dependencies (what the bundles ship) must have no high or
// critical advisory, except those listed in audit-exceptions.json, each with the reason it cannot be
// fixed. Returns 'passed', 'failed', or 'skipped' when the registry's audit service gave no report
// (it is then counted as a skipped check, never as a pass).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { root } from './lib.mjs';

const BLOCKING = new Set(['high', 'critical']);
export const exceptionsFile = path.join(root, 'audit-exceptions.json');

/** The exception list: [{ advisory: 'GHSA-...', package, reason }]; throws on an entry without a reason. */
export function readExceptions(file = exceptionsFile) {
  if (!fs.existsSync(file)) return [];
  const { exceptions } = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (!Array.isArray(exceptions)) throw new Error(`${file}: expected {"exceptions": [...]}`);
  exceptions.forEach((e, i) => {
    if (typeof e?.advisory !== 'string' || typeof e?.reason !== 'string' || e.reason.trim() === '') {
      throw new Error(`${file}: exceptions[${i}] needs "advisory" (GHSA id or advisory URL) and a "reason"`);
    }
  });
  return exceptions;
}

/** The high and critical advisories of an `npm audit --json` report that no exception covers. */
export function blockingAdvisories(report, exceptions) {
  const excepted = (adv) =>
    exceptions.some((e) => adv.url === e.advisory || adv.url.endsWith(`/${e.advisory}`));
  const found = new Map();
  for (const vuln of Object.values(report.vulnerabilities ?? {})) {
    for (const via of vuln.via ?? []) {
      // A string names another vulnerable package: its own advisories are listed under it.
      if (typeof via !== 'object' || !BLOCKING.has(via.severity)) continue;
      const adv = {
        package: via.name,
        severity: via.severity,
        title: via.title,
        url: String(via.url ?? via.source),
      };
      if (!excepted(adv)) found.set(adv.url, adv);
    }
  }
  return [...found.values()];
}

export function audit() {
  const exceptions = readExceptions();
  const r = spawnSync('npm', ['audit', '--omit=dev', '--json'], { cwd: root, encoding: 'utf8' });
  let report;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    report = {};
  }
  if (report.auditReportVersion === undefined || report.vulnerabilities === undefined) {
    const why = report.message ?? report.error?.summary ?? (r.stderr.trim() || `npm exited ${r.status}`);
    console.log(
      `  npm audit gave no report (${why}): the registry's audit service could not be reached from here.\n` +
        '  The production dependencies were NOT checked; this check counts as skipped. Run `npm audit --omit=dev`\n' +
        '  where the audit service answers.',
    );
    return 'skipped';
  }
  const counts = report.metadata?.vulnerabilities ?? {};
  console.log(
    `  production dependencies: ${report.metadata?.dependencies?.prod ?? '?'}; advisories: ` +
      ['critical', 'high', 'moderate', 'low'].map((s) => `${counts[s] ?? 0} ${s}`).join(', ') +
      `; ${exceptions.length} excepted in ${path.basename(exceptionsFile)}`,
  );
  const blocking = blockingAdvisories(report, exceptions);
  for (const a of blocking) {
    console.error(`  ${a.severity}: ${a.package}: ${a.title} (${a.url})`);
  }
  if (blocking.length > 0) {
    console.error(
      `  Upgrade or override (package.json "overrides") the packages above, or list an advisory that cannot be fixed in ${path.basename(exceptionsFile)} with its reason.`,
    );
    return 'failed';
  }
  return 'passed';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const verdict = audit();
  console.log(verdict);
  process.exitCode = verdict === 'failed' ? 1 : 0;
}
