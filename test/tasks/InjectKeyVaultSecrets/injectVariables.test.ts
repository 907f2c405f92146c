// InjectKeyVaultSecrets@1 setting secret variables, run as the agent runs it (System.Debug on,
// every value in the runner's leak check) against the Key Vault and Entra ID emulators: values
// read back through the agent's own parsing of the logging commands, byte for byte.
import assert from 'node:assert/strict';
import type { SeedSecret } from '../../emulators/keyVaultEmulator';
import { disposeTaskRuns } from '../../support/taskRunner';
import { injectRunner, messages, secretVariables } from './injectRun';
import {
  type KeyVaultTestEnvironment,
  MULTI_LINE_VALUE,
  SPECIAL_VALUE,
  largeValue,
  startKeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';

const OLD_VERSION = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa1';
const LARGE = largeValue('large');
const seeds: SeedSecret[] = [
  {
    name: 'db-password',
    value: 'db latest value',
    olderVersions: [{ value: 'db older value', version: OLD_VERSION }],
  },
  { name: 'db-user', value: 'db user name' },
  { name: 'DbPassword', value: 'camel case password' },
  { name: 'api-key', value: 'api key value 123' },
  { name: 'app-1-key', value: 'app one key' },
  { name: 'app-2-key', value: 'app two key' },
  { name: 'special', value: SPECIAL_VALUE },
  { name: 'multi-line', value: MULTI_LINE_VALUE },
  { name: 'large', value: LARGE },
  { name: 'disabled-one', value: 'disabled value', enabled: false },
  { name: 'expired-one', value: 'expired value', expires: new Date(Date.now() - 24 * 3600 * 1000) },
];
const allValues = seeds.flatMap((s) => [s.value, ...(s.olderVersions ?? []).map((o) => o.value)]);
const usable = seeds.filter((s) => s.enabled !== false && !s.expires);

describe('InjectKeyVaultSecrets@1: secret variables', function () {
  this.timeout(120_000);
  let env: KeyVaultTestEnvironment;
  let inject: ReturnType<typeof injectRunner>;
  before(async () => {
    env = await startKeyVaultTestEnvironment(seeds);
    inject = injectRunner(env, () => allValues);
  });
  beforeEach(() => env.vault.resetStats());
  after(async () => {
    disposeTaskRuns();
    await env?.stop();
  });

  it('*: every usable secret as a secret variable, exact; disabled and expired skipped with a warning', async () => {
    const run = await inject({});
    assert.equal(run.result, 'SucceededWithIssues', run.message);
    assert.deepEqual(secretVariables(run), Object.fromEntries(usable.map((s) => [s.name, s.value])));
    assert.equal(secretVariables(run)['large']?.length, 25 * 1024);
    const warning = messages(run, 'warning').find((m) => m.startsWith('Skipped secrets'));
    assert.match(warning ?? '', /'disabled-one' \(disabled\)/);
    assert.match(warning ?? '', /'expired-one' \(expired\)/);
    assert.equal(run.variables['secretCount']?.value, String(usable.length));
    assert.equal(run.variables['secretCount']?.isOutput, true);
    assert.equal(env.vault.stats.gets, usable.length, 'disabled and expired secrets were not fetched');
    assert.match(
      run.summaries[0]?.content ?? '',
      /\| `db-password` \| `[0-9a-f]{32}` \| `db-password` \| 0 \|/,
    );
  });

  it('registers each value, and each line of a multi-line one, before setting it', async () => {
    const run = await inject({ secrets: 'special\nmulti-line' });
    assert.equal(run.result, 'Succeeded', run.message);
    assert.deepEqual(secretVariables(run), { special: SPECIAL_VALUE, 'multi-line': MULTI_LINE_VALUE });
    for (const line of MULTI_LINE_VALUE.split(/\r?\n/).filter((l) => l.trim())) {
      assert.ok(run.secrets.includes(line), `line ${JSON.stringify(line.slice(0, 6))}... registered`);
    }
    assert.ok(run.secrets.includes(MULTI_LINE_VALUE) && run.secrets.includes(SPECIAL_VALUE));
    const lines = run.stdout.split('\n');
    const firstRegistration = lines.findIndex((l) => l.startsWith('##vso[task.setsecret]second "line"'));
    const setting = lines.findIndex((l) => l.startsWith('##vso[task.setvariable variable=multi-line;'));
    assert.ok(
      firstRegistration >= 0 && firstRegistration < setting,
      'lines registered before the variable is set',
    );
    assert.equal(
      run.variables['SYSTEM_UNSAFEALLOWMULTILINESECRET']?.value,
      'true',
      'the agent is told to accept it',
    );
    assert.equal(env.vault.stats.listPages, 0, 'names given: no listing');
  });

  it('a multi-line value the pipeline forbids (SYSTEM_UNSAFEALLOWMULTILINESECRET=false) fails before anything is set', async () => {
    const run = await inject(
      { secrets: 'api-key\nmulti-line' },
      { variables: { SYSTEM_UNSAFEALLOWMULTILINESECRET: 'false' } },
    );
    assert.equal(run.result, 'Failed');
    assert.deepEqual(
      run.summaries.map((s) => s.title),
      ['Inject Key Vault secrets (failed)'],
    );
    assert.match(run.summaries[0]?.content ?? '', /'multi-line' has a multi-line value/);
    assert.match(
      run.message ?? '',
      /'multi-line' has a multi-line value, and the pipeline sets SYSTEM_UNSAFEALLOWMULTILINESECRET to false/,
    );
    assert.deepEqual(secretVariables(run), {});
  });

  it('patterns select case-insensitively; a pattern matching nothing is a warning', async () => {
    const run = await inject({ secrets: 'app-?-key\ndb-*\nnothing-*' });
    assert.equal(run.result, 'SucceededWithIssues', run.message);
    assert.deepEqual(Object.keys(secretVariables(run)).sort(), [
      'app-1-key',
      'app-2-key',
      'db-password',
      'db-user',
    ]);
    assert.ok(messages(run, 'warning').includes("No secret of the vault matches 'nothing-*'."));
  });

  it('versions and renames, fetched without listing', async () => {
    const run = await inject({
      secrets: `db-password/${OLD_VERSION} => OLD_DB_PASSWORD\ndb-password\napi-key => API_TOKEN`,
    });
    assert.equal(run.result, 'Succeeded', run.message);
    assert.deepEqual(secretVariables(run), {
      OLD_DB_PASSWORD: 'db older value',
      'db-password': 'db latest value',
      API_TOKEN: 'api key value 123',
    });
    assert.equal(env.vault.stats.listPages, 0);
    assert.match(
      run.summaries[0]?.content ?? '',
      new RegExp(`\\| \`db-password\` \\| \`${OLD_VERSION}\` \\| \`OLD_DB_PASSWORD\``),
    );
  });

  it('upperSnake with a prefix, also as output variables', async () => {
    const run = await inject({
      secrets: 'db-user\napi-key\nmulti-line',
      variableNames: 'upperSnake',
      variablePrefix: 'KV_',
      outputVariables: 'true',
    });
    assert.equal(run.result, 'Succeeded', run.message);
    assert.deepEqual(secretVariables(run), {
      KV_DB_USER: 'db user name',
      KV_API_KEY: 'api key value 123',
      KV_MULTI_LINE: MULTI_LINE_VALUE,
    });
    assert.ok(['KV_DB_USER', 'KV_API_KEY', 'KV_MULTI_LINE'].every((n) => run.variables[n]?.isOutput));
  });

  it('names differing only in case fail before any request, naming both', async () => {
    const run = await inject({ secrets: 'db-password\nDB-PASSWORD' });
    assert.equal(run.result, 'Failed');
    assert.match(run.message ?? '', /Secrets 'db-password' and 'DB-PASSWORD' differ only in case/);
    assert.equal(env.vault.stats.requests, 0);
    assert.deepEqual(secretVariables(run), {});
  });

  it('two secrets mapping to one variable fail, naming both; nothing is set', async () => {
    const run = await inject({ secrets: 'db-*\nDbPassword', variableNames: 'upperSnake' });
    assert.equal(run.result, 'Failed');
    assert.match(
      run.message ?? '',
      /Secrets 'DbPassword' and 'db-password' \(from 'db-\*'\) both map to the variable 'DB_PASSWORD'/,
    );
    assert.deepEqual(secretVariables(run), {});
  });

  it('missing secrets: fail names them and sets nothing; warn sets the others', async () => {
    const failed = await inject({ secrets: 'api-key\nno-such-secret' });
    assert.equal(failed.result, 'Failed');
    assert.match(failed.message ?? '', /The vault has no secret 'no-such-secret'/);
    assert.deepEqual(secretVariables(failed), {});
    const warned = await inject({ secrets: 'api-key\nno-such-secret', missingSecrets: 'warn' });
    assert.equal(warned.result, 'SucceededWithIssues', warned.message);
    assert.deepEqual(secretVariables(warned), { 'api-key': 'api key value 123' });
    assert.match(
      messages(warned, 'warning').join('\n'),
      /The vault has no secret 'no-such-secret'\. Skipped/,
    );
  });

  it('disabled and expired secrets named explicitly: skipped with a warning, or an error naming them', async () => {
    const skipped = await inject({ secrets: 'api-key\ndisabled-one\nexpired-one' });
    assert.equal(skipped.result, 'SucceededWithIssues', skipped.message);
    assert.deepEqual(secretVariables(skipped), { 'api-key': 'api key value 123' });
    const failed = await inject({
      secrets: 'api-key\ndisabled-one\nexpired-one',
      skipDisabledAndExpired: 'false',
    });
    assert.equal(failed.result, 'Failed');
    assert.match(failed.message ?? '', /'disabled-one' \(disabled\)/);
    assert.match(failed.message ?? '', /'expired-one' \(expired\)/);
    assert.deepEqual(secretVariables(failed), {});
    const listed = await inject({ skipDisabledAndExpired: 'false' });
    assert.equal(listed.result, 'Failed');
    assert.match(listed.message ?? '', /'disabled-one' \(disabled\), 'expired-one' \(expired\)/);
  });

  it('warns that the challenge resource is not verified for a vault outside the Key Vault domain', async () => {
    const run = await inject({ secrets: 'api-key' });
    assert.equal(run.result, 'Succeeded', run.message);
    assert.ok(
      messages(run, 'warning').some((m) =>
        m.includes("the resource named by the vault's sign-in challenge is not verified"),
      ),
    );
  });
});
