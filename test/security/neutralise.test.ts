// Data is never a command: the neutraliser on its own, then every logger call of a real task bundle
// fed every payload, and the runner's enforcement of task.json restrictions.
import assert from 'node:assert/strict';
import { printableLine, printableLines, printableText } from '../../tasks/common/agent/neutralise';
import { PAYLOADS, PWNED, assertOnlyOwnCommands, printedMarker } from '../support/hostileData';
import { parseLoggingCommand } from '../support/logCommands';
import { RestrictionError, disposeTaskRuns, runTask } from '../support/taskRunner';

describe('neutralise: data printed by the tasks never forms a logging command', () => {
  it('breaks ##vso[ anywhere in a line and keeps the rest readable', () => {
    assert.deepEqual(printableLines('file deploy/##vso[task.setvariable variable=X]1.yaml pinned'), [
      'file deploy/##vso [task.setvariable variable=X]1.yaml pinned',
    ]);
    assert.equal(
      parseLoggingCommand(printableLine('a ##vso[task.complete result=Succeeded;]done')),
      undefined,
    );
  });

  it('breaks ##[ format prefixes', () => {
    assert.deepEqual(printableLines('##[error]fake'), ['## [error]fake']);
    assert.deepEqual(printableLines('  ##[group]x'), ['  ## [group]x']);
  });

  it('cuts at CR, LF and CRLF, so a line break cannot start a command line', () => {
    assert.deepEqual(printableLines('a\r##vso[x.y]1\n##[error]2\r\n##vso[a.b]3'), [
      'a',
      '##vso [x.y]1',
      '## [error]2',
      '##vso [a.b]3',
    ]);
    assert.equal(printableText('a\n##vso[x.y]b'), 'a\n##vso [x.y]b');
    assert.equal(printableLine('title\n##[error]x\n'), 'title | ## [error]x');
  });

  it('breaks prefixes hidden by characters a culture-sensitive IndexOf ignores, in any case', () => {
    for (const hidden of [
      '#\u200b#vso[',
      '##\u00advso[',
      '##vso\u2060[',
      '#-#VSO[',
      "#'#vso[",
      '#\u0000#vSo[',
      '#\ufeff#[',
    ]) {
      const [line = ''] = printableLines(`${hidden}task.setvariable variable=X]1`);
      const loose = line.replace(/[\p{Cc}\p{Cf}'-]/gu, '').toLowerCase();
      assert.ok(
        !loose.includes('##vso[') && !loose.includes('##['),
        `${JSON.stringify(hidden)} -> ${JSON.stringify(line)}`,
      );
    }
  });

  it('leaves text without a prefix as it is', () => {
    const plain = 'pinned 3 image(s) in charts/#1/values.yaml [##] #vso ##v[';
    assert.deepEqual(printableLines(plain), [plain]);
  });
});

describe('agent logger in a task bundle: every payload, every way of printing', function () {
  this.timeout(120_000);
  after(disposeTaskRuns);

  for (const via of ['info', 'warn', 'debug', 'group', 'fail'] as const) {
    it(`prints ${PAYLOADS.length} payloads through ${via} and the agent sees only the task's own commands`, async () => {
      for (const payload of PAYLOADS) {
        const run = await runTask({
          task: { testOnly: 'HostileEchoV1' },
          inputs: { textBase64: Buffer.from(payload, 'utf8').toString('base64'), via },
        });
        assert.equal(
          run.agentResult,
          via === 'fail' ? 'Failed' : 'Succeeded',
          `${JSON.stringify(payload)}: ${run.stdout}`,
        );
        assert.ok(printedMarker(run), `${JSON.stringify(payload)} never reached the log through ${via}`);
        assertOnlyOwnCommands(run, { variables: ['echoed'] });
      }
    });
  }
});

describe('task runner: restrictions.settableVariables as the agent enforces them', function () {
  this.timeout(60_000);
  after(disposeTaskRuns);

  it('refuses a variable outside the allowed list and fails the test run', async () => {
    await assert.rejects(
      runTask({ task: { testOnly: 'HostileEchoV1' }, inputs: { textBase64: 'eA==', alsoSet: PWNED } }),
      (err: unknown) => {
        assert.ok(err instanceof RestrictionError);
        assert.deepEqual(err.refused, [`task.setvariable ${PWNED}`]);
        assert.equal(err.run.variables[PWNED], undefined, 'the agent ignores a refused variable');
        return true;
      },
    );
  });

  it('accepts the allowed output, matched without regard to case', async () => {
    const run = await runTask({
      task: { testOnly: 'HostileEchoV1' },
      inputs: { textBase64: 'eA==', alsoSet: 'ECHOED' },
    });
    assert.equal(run.variables['echoed']?.value, '1');
  });
});
