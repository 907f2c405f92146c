// `npm run demo` end to end: the release flow with the packaged tasks against the real registries
// and the emulators, the closing table (one digest from CI to production, a no-op second
// promotion), the verified release (CI's Key Vault signature accepted by key id, the promotion
// record attached and verifying with the promotion key, approvals recorded, the tag locked, the
// unsigned hotfix refused), nothing printed that is secret, nothing left running or on disk; then the HTML
// report in a real headless Chromium (Debian's chromium driven by playwright-core): a folded log
// group opens on a click, and a screenshot is taken.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { runDemo, type DemoResult } from '../../demo/run';
import { runningRegistries } from '../emulators/registry';
import { findLeaks, type KnownSecret } from '../support/leakCheck';
import { repoRoot, toolPath } from '../support/tools';

const demoDirs = () => new Set(fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('rg-demo-')));
const SCREENSHOT = path.join(repoRoot(), 'out', 'test-artifacts', 'demo-report.png');

describe('npm run demo: the release flow, locally', function () {
  this.timeout(180_000);
  const lines: string[] = [];
  let result: DemoResult;
  let report: string;
  let reportDir: string;
  let before_: Set<string>;
  let registriesBefore: Set<number>;

  before(async () => {
    before_ = demoDirs();
    registriesBefore = new Set(runningRegistries().map((r) => r.pid));
    reportDir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-report-test-'));
    report = path.join(reportDir, 'report.html');
    result = await runDemo({
      approve: () => Promise.resolve(true),
      reportFile: report,
      write: (l = '') => lines.push(l),
    });
  });
  after(() => fs.rmSync(reportDir, { recursive: true, force: true }));

  it('releases: every step succeeded (the unsigned hotfix refused, continueOnError), one digest at every stage', () => {
    assert.equal(result.outcome, 'released', lines.slice(-40).join('\n'));
    const facts = result.facts;
    assert.ok(facts);
    assert.equal(facts.digests.length, 8);
    const pushed = facts.digests[0]?.digest ?? '';
    assert.match(pushed, /^sha256:[0-9a-f]{64}$/);
    for (const d of facts.digests) assert.equal(d.digest, pushed, `${d.stage}: ${d.where}`);
    const steps = result.stages.flatMap((s) => s.steps);
    assert.deepEqual(
      steps.map((s) => `${s.task} ${s.result}`),
      [
        'PinImageDigests@1 Succeeded',
        'PublishHelmChart@1 Succeeded',
        'InjectKeyVaultSecrets@1 Succeeded',
        'DeployHelmChart@1 Succeeded',
        'download Succeeded',
        'PromoteImage@1 Succeeded',
        'DeployHelmChart@1 Succeeded',
        'PromoteImage@1 Succeeded',
        'PromoteImage@1 SucceededWithIssues',
      ],
    );
  });

  it('signs in CI with the Key Vault key and says the cosign step is played; production accepts that key by id', () => {
    const v = result.verified;
    assert.ok(v, lines.slice(-40).join('\n'));
    assert.match(v.ciSigner, /^https:\/\/127\.0\.0\.1:\d+\/keys\/release-signing\/[0-9a-f]{32}$/);
    assert.equal(v.accepted.signer.split(' (')[0], `key ${v.ciSigner}`);
    assert.match(v.accepted.attestations, /https:\/\/slsa\.dev\/provenance\/v1/);
    const text = lines.join('\n');
    assert.match(text, /cosign sign --yes --key azurekms:\/\/127\.0\.0\.1:\d+\/release-signing/);
    assert.match(text, /the demo plays it: no cosign binary here/);
    assert.match(text, /Emulated: ACR lock API/);
    assert.match(text, /Emulated: Azure DevOps .*timeline and approvals/);
  });

  it('attaches a promotion record that verifies with the promotion key and records the approver', () => {
    const record = result.verified?.record;
    assert.ok(record, 'a record on the promoted digest');
    assert.match(record.digest, /^sha256:[0-9a-f]{64}$/);
    assert.equal(record.verifies, true, record.verifyError);
    assert.match(record.run, /^delivery-cd #20261201\.3, stage Production$/);
    const approvals = record.approvals;
    if (typeof approvals === 'string') assert.fail(`approvals recorded, not '${approvals}'`);
    const approval = approvals.find((a) => a.kind === 'approval');
    assert.deepEqual(approval?.approvedBy, ['bruno.costa@fabrikam.example']);
    assert.equal(approval?.result, 'succeeded');
  });

  it('locks the production tag; the re-run accepts the locked tag holding the same digest; the unsigned hotfix writes nothing', () => {
    const v = result.verified;
    assert.ok(v);
    assert.equal(v.lockedTags.length, 1);
    assert.match(v.lockedTags[0] ?? '', /\/prod\/delivery:v1\.0\.2$/);
    assert.deepEqual(v.tagLock, { writeEnabled: false, deleteEnabled: false });
    // The re-run succeeded (steps above) after the lock: no lock error, nothing moved.
    assert.match(lines.find((l) => l.startsWith('Second promotion')) ?? '', /\(0 bytes\), 0 blobs copied/);
    assert.equal(v.hotfix.result, 'SucceededWithIssues');
    assert.match(
      v.hotfix.message,
      /delivery:v1\.0\.2-hotfix@sha256:[0-9a-f]{64} is not signed under the trust policy/,
    );
    assert.equal(v.hotfix.written, false);
  });

  it('prints the closing table: bytes moved, a no-op second promotion, chart, revisions, change cause, masked secrets', () => {
    const text = lines.join('\n');
    const row = (what: string) => {
      const line = lines.find((l) => l.startsWith(what));
      assert.ok(line, `no '${what}' row in:\n${text}`);
      return line;
    };
    const moved = /\((\d+) bytes\), (\d+) blobs copied/.exec(row('Layer bytes moved to production'));
    assert.ok(
      moved && Number(moved[1]) > 2 * 1024 * 1024 && Number(moved[2]) > 0,
      'layers were copied to production',
    );
    assert.match(row('Second promotion'), /\(0 bytes\), 0 blobs copied/);
    assert.match(row('Registry requests'), /non-production [1-9]\d*, production [1-9]\d*/);
    assert.match(row('Chart'), /oci:\/\/127\.0\.0\.1:\d+\/helm\/delivery:1\.0\.2 \(sha256:[0-9a-f]{64}\)/);
    assert.match(row('Helm revisions'), /staging 1, production 1/);
    assert.match(
      row('Change cause'),
      /revision 1: delivery-cd 20261201\.3: Retry drone scheduler calls on 503 \([0-9a-f]{7}\) by Ana Silva/,
    );
    assert.match(row('Secrets injected'), /DELIVERY_DB_PASSWORD=\*\*\*, DELIVERY_SCHEDULER_KEY=\*\*\*/);
    assert.match(text, /Emulated: Entra ID/);
    assert.match(text, /Emulated: Kubernetes API server/);
    assert.match(text, /Real: +production registry/);
  });

  it('never shows a secret, in the output or the report', () => {
    const secrets: KnownSecret[] = result.secrets.map((value, i) => ({ label: `demo secret ${i}`, value }));
    const html = fs.readFileSync(report, 'utf8');
    const leaks = findLeaks(secrets, [
      ...lines.map((text, i) => ({ where: `output line ${i + 1}`, text })),
      { where: 'report', text: html },
    ]);
    assert.deepEqual(leaks, []);
    assert.ok(html.includes('***'), 'the report shows masked values');
  });

  it('stops everything it started and leaves no folder behind', () => {
    assert.deepEqual(
      runningRegistries().filter((r) => !registriesBefore.has(r.pid)),
      [],
    );
    const left = [...demoDirs()].filter((d) => !before_.has(d));
    assert.deepEqual(left, []);
  });

  it('writes a report a browser opens: a folded log group expands on a click', async () => {
    const browser = await chromium.launch({
      executablePath: toolPath('CHROMIUM_BIN'),
      args: ['--no-sandbox'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      await page.goto(pathToFileURL(report).href);
      assert.equal(await page.title(), 'Release Guard demo: delivery v1.0.2');
      assert.equal(await page.locator('section.step').count(), 9);
      const group = page.locator('details.group').first();
      const firstLine = group.locator('.line').first();
      assert.equal(await group.getAttribute('open'), null, 'groups start folded');
      assert.equal(await firstLine.isVisible(), false);
      await group.locator('summary').first().click();
      assert.equal(await group.getAttribute('open'), '');
      assert.equal(await firstLine.isVisible(), true);
      await group.scrollIntoViewIfNeeded();
      fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      const png = await page.screenshot({ path: SCREENSHOT });
      assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
      assert.ok(png.length > 10_000, 'the screenshot shows a rendered page');
    } finally {
      await browser.close();
    }
  });
});

describe('npm run demo: Ctrl-C', function () {
  this.timeout(120_000);

  it('stops the registries and emulators and removes its folder', async () => {
    const before = demoDirs();
    const child = spawn(process.execPath, [path.join(repoRoot(), 'out', 'demo', 'main.js'), '--approve'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env },
    });
    let output = '';
    const children = new Set<number>();
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => {
        output += d.toString();
        if (output.includes('=== Stage: Staging')) resolve();
      });
      child.on('exit', () => reject(new Error(`the demo ended before staging:\n${output}`)));
    });
    for (const pid of fs.readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] === String(child.pid))
          children.add(Number(pid));
      } catch {
        // gone
      }
    }
    assert.ok(children.size >= 2, 'the demo runs the two registries as child processes');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    assert.equal(code, 130, output);
    assert.match(output, /SIGINT: stopping everything/);
    // A process killed as the demo exits may stay a moment until it is reaped (or show as a
    // zombie): wait a little for it; a child the demo left running would still be there.
    const running = (pid: number) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] !== 'Z';
      } catch {
        return false;
      }
    };
    let alive = [...children].filter(running);
    for (let waited = 0; alive.length > 0 && waited < 3000; waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      alive = alive.filter(running);
    }
    assert.deepEqual(alive, [], 'no child process outlives the demo');
    assert.deepEqual(
      [...demoDirs()].filter((d) => !before.has(d)),
      [],
    );
  });
});
