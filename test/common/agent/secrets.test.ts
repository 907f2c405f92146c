// agent/secrets.ts in a task run: what the agent is told to mask (task.setsecret), once per value,
// a multi-line value line by line, raw and trimmed; and every secret the task knows.
import assert from 'node:assert/strict';
import { disposeTaskRuns } from '../../support/taskRunner';
import { knownOf, probe, sha256 } from './agentLayerProbe';

describe('agent/secrets: registering secrets with the agent', function () {
  this.timeout(60_000);
  after(disposeTaskRuns);

  it('registers a one-line secret once, however often the task registers it, and nothing for empty values', async () => {
    const secret = 'p@ss;word]%with spaces ';
    const run = await probe('registerSecrets', { secretText: secret });
    assert.equal(run.agentResult, 'Succeeded', run.stdout);
    assert.deepEqual(run.secrets, [secret.trim()]);
  });

  it('registers each non-blank line of a multi-line secret, as it is and trimmed (task-lib refuses line breaks)', async () => {
    const secret = 'apiVersion: v1\n  token: abc-def-ghi\r\n\n   \nclient-key: |\n    MIIEvQIBADANBg';
    const run = await probe('registerSecrets', { secretText: secret });
    assert.equal(run.agentResult, 'Succeeded', run.stdout);
    assert.deepEqual(run.secrets, [
      'apiVersion: v1',
      '  token: abc-def-ghi',
      'token: abc-def-ghi',
      'client-key: |',
      '    MIIEvQIBADANBg',
      'MIIEvQIBADANBg',
    ]);
  });

  it("knows the pipeline's secret variables and what it registered, without reading them through the debug log", async () => {
    const secret = 'registered-secret-value';
    const variable = 'a secret variable value';
    const run = await probe(
      'registerSecrets',
      { secretText: secret },
      {
        secretVariables: { 'Probe.Secret': variable },
        variables: { 'Probe.Public': 'public value' },
        debug: true,
      },
    );
    assert.equal(run.agentResult, 'Succeeded', run.stdout);
    assert.deepEqual(knownOf(run), [sha256(secret), sha256(variable)].sort());
  });
});
