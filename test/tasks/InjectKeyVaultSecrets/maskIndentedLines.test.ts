// InjectKeyVaultSecrets@1 masking a multi-line secret whose lines are indented (a kubeconfig, a
// PEM inside YAML): the agent masks line by line, and such lines are often printed without their
// indent, so each line must be registered as it is and trimmed, before the variable is set.
import assert from 'node:assert/strict';
import { disposeTaskRuns } from '../../support/taskRunner';
import { injectRunner, secretVariables } from './injectRun';
import {
  type KeyVaultTestEnvironment,
  startKeyVaultTestEnvironment,
} from '../../support/keyVaultEnvironment';

const KUBECONFIG = [
  'apiVersion: v1',
  'users:',
  '  - name: deployer',
  '    user:',
  '      token: kv-indented-token-7f3a9c',
  '\tclient-key-data: "LS0tLS1CRUdJTi1rZXktZGF0YQ=="  ',
  '      ',
  '   trailing-and-leading-9b2e   ',
  'end',
].join('\r\n');

describe('InjectKeyVaultSecrets@1: indented lines of a multi-line secret are masked trimmed too', function () {
  this.timeout(120_000);
  let env: KeyVaultTestEnvironment;
  let inject: ReturnType<typeof injectRunner>;
  before(async () => {
    env = await startKeyVaultTestEnvironment([{ name: 'kubeconfig', value: KUBECONFIG }]);
    inject = injectRunner(env, () => [KUBECONFIG]);
  });
  after(async () => {
    disposeTaskRuns();
    await env?.stop();
  });

  it('registers every non-blank line as it is and trimmed, before setting the variable', async () => {
    const run = await inject({ secrets: 'kubeconfig' });
    assert.equal(run.result, 'Succeeded', run.message);
    assert.deepEqual(secretVariables(run), { kubeconfig: KUBECONFIG });
    const lines = KUBECONFIG.split('\r\n').filter((l) => l.trim() !== '');
    const indented = lines.filter((l) => l !== l.trim());
    assert.equal(indented.length, 5, 'the fixture has indented lines');
    for (const line of lines) {
      assert.ok(run.secrets.includes(line), `line ${JSON.stringify(line)} registered as it is`);
      assert.ok(run.secrets.includes(line.trim()), `line ${JSON.stringify(line)} registered trimmed`);
    }
    assert.ok(
      !run.secrets.some((s) => s.trim() === ''),
      'no blank line registered (it would mask every space)',
    );
    const out = run.stdout.split('\n');
    const lastRegistration = Math.max(
      ...lines.map((l) => out.findIndex((o) => o.trimEnd() === `##vso[task.setsecret]${l.trim()}`)),
    );
    const setting = out.findIndex((o) => o.startsWith('##vso[task.setvariable variable=kubeconfig;'));
    assert.ok(
      lastRegistration >= 0 && lastRegistration < setting,
      'every trimmed line registered before the variable is set',
    );
  });
});
