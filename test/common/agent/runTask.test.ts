// agent/runTask.ts and agent/summary.ts in a task run: the result a failure ends with, the stack
// only in the debug log, the build summary of a failed run (what failed, what was done, secrets
// masked), a summary the task uploaded itself, and output variables.
import assert from 'node:assert/strict';
import path from 'node:path';
import { disposeTaskRuns } from '../../support/taskRunner';
import { probe } from './agentLayerProbe';

const hasStack = (text: string) => /\n\s+at /.test(text);

describe('agent/runTask and agent/summary: how a run ends and what the build summary shows', function () {
  this.timeout(60_000);
  after(disposeTaskRuns);

  it('uploads a summary section titled as asked (characters an agent refuses in a name left out) from the temp folder', async () => {
    const run = await probe('summary', { text: 'Pinned: charts/app|values?' });
    assert.equal(run.agentResult, 'Succeeded', run.stdout);
    assert.equal(run.summaries.length, 1);
    const [summary] = run.summaries;
    assert.equal(summary?.title, 'Pinned charts app values');
    assert.equal(summary?.content, '# Probe\n\n| a | b |\n');
    assert.equal(path.dirname(path.resolve(run.dirs.sources, summary?.path ?? '')), run.dirs.temp);
    assert.deepEqual(run.variables['probed'], { value: '3', isSecret: false, isOutput: true });
  });

  it("masks the pipeline's secret variables in a summary the task uploads itself, also escaped as a table cell", async () => {
    const variable = 'vault|value-77';
    const run = await probe(
      'summaryQuoting',
      { secretText: `token ${variable} end` },
      { secretVariables: { 'Probe.Secret': variable } },
    );
    assert.equal(run.agentResult, 'Succeeded', run.stdout);
    assert.equal(run.summaries[0]?.content, 'token *** end\n\n| token *** end |\n');
  });

  it('ends a user error with its message alone, and a failed-run summary: what failed, what was done, secrets masked', async () => {
    const secret = 'registry-password-1234';
    const run = await probe('failUser', { secretText: secret, done: 'promoted app|web\ncopied\n2 tags' });
    assert.equal(run.agentResult, 'Failed');
    assert.equal(run.result, 'Failed');
    assert.equal(run.message, `The registry refused ${secret}; check the connection.`);
    assert.ok(!run.debug.some(hasStack), 'a user error left a stack trace in the debug log');
    assert.deepEqual(
      run.summaries.map((s) => s.title),
      ['Agent probe (failed)'],
    );
    assert.equal(
      run.summaries[0]?.content,
      [
        '### Agent probe: failed',
        '',
        'The registry refused ***; check the connection.',
        '',
        'Done before the failure:',
        '',
        '- promoted app\\|web',
        '- copied',
        '- 2 tags',
        '',
      ].join('\n'),
    );
  });

  it('ends a programming error with its message, the stack in the debug log only', async () => {
    const run = await probe('failBug', {}, { debug: true });
    assert.equal(run.agentResult, 'Failed');
    assert.equal(run.message, 'the probe broke on purpose');
    const stack = run.debug.find(hasStack);
    assert.ok(
      stack?.includes('explodeInProbe'),
      `no stack naming the function in the debug log:\n${run.debug.join('\n')}`,
    );
    assert.ok(
      run.issues.every((i) => !hasStack(i.message)),
      'a stack trace reached an issue',
    );
    assert.match(run.summaries[0]?.content ?? '', /Nothing was recorded as done before the failure\./);
  });

  it('keeps the summary the task uploaded itself instead of adding a failed-run summary', async () => {
    const run = await probe('failAfterSummary');
    assert.equal(run.agentResult, 'Failed');
    assert.equal(run.message, 'failed after the summary');
    assert.deepEqual(
      run.summaries.map((s) => [s.title, s.content]),
      [['Own summary', 'what the task reported itself']],
    );
  });

  it('still fails with the original message, and warns, when the failed-run summary cannot be written', async () => {
    const run = await probe('failWithoutTemp');
    assert.equal(run.agentResult, 'Failed');
    assert.equal(run.message, 'failed with no temp folder');
    assert.deepEqual(run.summaries, []);
    const warnings = run.issues.filter((i) => i.type === 'warning').map((i) => i.message);
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0] ?? '', /^The build summary could not be written: ENOENT/);
  });
});
