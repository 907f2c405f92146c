// InjectKeyVaultSecrets@1 filling placeholders in files, and its pre-job stage, run as the agent
// runs it. Files are read back with real parsers and compared with the vault's values.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { SeedSecret } from '../../emulators/keyVaultEmulator';
import { disposeTaskRuns } from '../../support/taskRunner';
import { injectRunner, messages, secretVariables } from './injectRun';
import {
  type KeyVaultTestEnvironment,
  MULTI_LINE_VALUE,
  SPECIAL_VALUE,
  startKeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';

const seeds: SeedSecret[] = [
  { name: 'db-password', value: 'p@ss;word]%41&<x>' },
  { name: 'api-key', value: 'api key value 123' },
  { name: 'special', value: SPECIAL_VALUE },
  { name: 'multi-line', value: MULTI_LINE_VALUE },
];
const value = (name: string) => seeds.find((s) => s.name === name)?.value ?? '';

const xmlText = (s: string) =>
  s.replace(/&(#\d+|amp|lt|gt|quot|apos);/g, (_m, ref: string) =>
    ref.startsWith('#')
      ? String.fromCodePoint(Number(ref.slice(1)))
      : (({ amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" } as Record<string, string>)[ref] ?? ''),
  );

describe('InjectKeyVaultSecrets@1: placeholders in files and the pre-job stage', function () {
  this.timeout(120_000);
  let env: KeyVaultTestEnvironment;
  let inject: ReturnType<typeof injectRunner>;
  const dirs: string[] = [];
  before(async () => {
    env = await startKeyVaultTestEnvironment(seeds);
    inject = injectRunner(env, () => seeds.map((s) => s.value));
  });
  beforeEach(() => env.vault.resetStats());
  after(async () => {
    disposeTaskRuns();
    dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true }));
    await env?.stop();
  });

  /** A working directory holding these files (path -> content), as the agent's sources folder. */
  function workspace(files: Record<string, string>, modes: Record<string, number> = {}): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-kv-ws-'));
    dirs.push(dir);
    for (const [name, content] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), content);
      if (modes[name] !== undefined) fs.chmodSync(path.join(dir, name), modes[name]);
    }
    return dir;
  }
  const read = (dir: string, name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
  const variables = (dir: string) => ({ 'System.DefaultWorkingDirectory': dir });

  it('auto: JSON, YAML, XML and plain files each read back exactly; mode and line endings kept', async () => {
    const dir = workspace(
      {
        'config/appsettings.json':
          '{"Db": "Server=x;Password=#{db-password}#;", "Special": "#{special}#", "Multi": "#{multi-line}#"}\n',
        'deploy/values.yaml':
          'db:\r\n  password: #{db-password}#\r\nspecial: "#{special}#"\r\nmulti: #{multi-line}#\r\n',
        'web.config':
          '<configuration><add key="S" value="#{special}#"/><add key="M">#{multi-line}#</add></configuration>',
        'tls/cert.txt': '-----BEGIN-----\n#{multi-line}#-----END-----\n',
        'untouched.txt': 'nothing to replace\n',
      },
      { 'config/appsettings.json': 0o640 },
    );
    const run = await inject(
      { secrets: '*', setVariables: 'false', targetFiles: '**/*.json\n**/*.yaml\n**/*.config\n**/*.txt' },
      { variables: variables(dir) },
    );
    assert.equal(run.result, 'Succeeded', run.message);
    assert.deepEqual(secretVariables(run), {});
    assert.equal(run.variables['filesChanged']?.value, '4');
    assert.deepEqual(JSON.parse(read(dir, 'config/appsettings.json')), {
      Db: `Server=x;Password=${value('db-password')};`,
      Special: SPECIAL_VALUE,
      Multi: MULTI_LINE_VALUE,
    });
    const yamlText = read(dir, 'deploy/values.yaml');
    assert.deepEqual(parseYaml(yamlText), {
      db: { password: value('db-password') },
      special: SPECIAL_VALUE,
      multi: MULTI_LINE_VALUE,
    });
    assert.equal(yamlText.split('\r\n').length, 5, 'CRLF kept, no bare LF added');
    const config = read(dir, 'web.config');
    assert.equal(xmlText(/value="([^"]*)"/.exec(config)?.[1] ?? ''), SPECIAL_VALUE);
    assert.equal(xmlText(/<add key="M">([^<]*)<\/add>/.exec(config)?.[1] ?? ''), MULTI_LINE_VALUE);
    assert.equal(read(dir, 'tls/cert.txt'), `-----BEGIN-----\n${MULTI_LINE_VALUE}-----END-----\n`);
    assert.equal(fs.statSync(path.join(dir, 'config/appsettings.json')).mode & 0o777, 0o640);
    assert.deepEqual(
      fs.readdirSync(path.join(dir, 'config')),
      ['appsettings.json'],
      'no temporary file left',
    );
    const encoded = JSON.stringify(SPECIAL_VALUE).slice(1, -1);
    assert.ok(run.secrets.includes(encoded), 'the JSON-escaped form was registered');
  });

  it('base64: the UTF-8 bytes of the value, encoded', async () => {
    const dir = workspace({ 'secret.env': 'TOKEN=#{special}#\n' });
    const run = await inject(
      { secrets: 'special', setVariables: 'false', targetFiles: '*.env', encoding: 'base64' },
      { variables: variables(dir) },
    );
    assert.equal(run.result, 'Succeeded', run.message);
    const written = /^TOKEN=(.*)\n$/.exec(read(dir, 'secret.env'))?.[1] ?? '';
    assert.equal(Buffer.from(written, 'base64').toString('utf8'), SPECIAL_VALUE);
  });

  const unresolvedFiles = () =>
    workspace({ 'good.json': '{"k": "#{api-key}#"}', 'bad.txt': 'a=#{api-key}#\nb=#{no-such-secret}#\n' });

  it('unresolved placeholders, fail: nothing is written and each is named with its line', async () => {
    const dir = unresolvedFiles();
    const run = await inject(
      { secrets: 'api-key', targetFiles: '*', setVariables: 'false' },
      { variables: variables(dir) },
    );
    assert.equal(run.result, 'Failed');
    assert.match(
      run.message ?? '',
      /1 placeholder\(s\) name no selected secret, so no file was changed:\n {2}.*bad\.txt:2: #\{no-such-secret\}#/,
    );
    assert.equal(read(dir, 'good.json'), '{"k": "#{api-key}#"}');
    assert.equal(read(dir, 'bad.txt'), 'a=#{api-key}#\nb=#{no-such-secret}#\n');
  });

  it('unresolved placeholders, warn and keep: the rest is replaced, the placeholder left', async () => {
    for (const policy of ['warn', 'keep'] as const) {
      const dir = unresolvedFiles();
      const run = await inject(
        { secrets: 'api-key', targetFiles: '*', setVariables: 'false', unresolvedTokens: policy },
        { variables: variables(dir) },
      );
      assert.equal(run.result, policy === 'warn' ? 'SucceededWithIssues' : 'Succeeded', run.message);
      assert.equal(read(dir, 'bad.txt'), `a=${value('api-key')}\nb=#{no-such-secret}#\n`);
      assert.deepEqual(JSON.parse(read(dir, 'good.json')), { k: value('api-key') });
      const warned = messages(run, 'warning').some((m) => m.includes('#{no-such-secret}#'));
      assert.equal(warned, policy === 'warn');
    }
  });

  it('pre-job stage: runs there when runAsPreJob is true, and the step skips', async () => {
    const pre = await inject(
      { secrets: 'api-key\nmulti-line', runAsPreJob: 'true' },
      { stage: 'prejobexecution' },
    );
    assert.equal(pre.result, 'Succeeded', pre.message);
    assert.deepEqual(secretVariables(pre), { 'api-key': value('api-key'), 'multi-line': MULTI_LINE_VALUE });
    assert.match(pre.summaries[0]?.content ?? '', /\(pre-job stage\)/);
    env.vault.resetStats();
    const step = await inject({ secrets: 'api-key', runAsPreJob: 'true' }, { stage: 'execution' });
    assert.equal(step.result, 'Skipped');
    assert.match(step.message ?? '', /it ran in the pre-job stage/);
    assert.deepEqual([secretVariables(step), env.vault.stats.requests], [{}, 0]);
  });

  it('pre-job stage: skips when runAsPreJob is false, and refuses targetFiles (no sources yet)', async () => {
    const pre = await inject({ secrets: 'api-key' }, { stage: 'prejobexecution' });
    assert.equal(pre.result, 'Skipped');
    assert.equal(env.vault.stats.requests, 0);
    const files = await inject(
      { secrets: 'api-key', runAsPreJob: 'true', targetFiles: '*.json' },
      { stage: 'prejobexecution' },
    );
    assert.equal(files.result, 'Failed');
    assert.match(files.message ?? '', /targetFiles cannot be used with runAsPreJob/);
  });
});
