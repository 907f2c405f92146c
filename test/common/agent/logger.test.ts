// agent/logger.ts in a task run: info as plain lines, warn as a warning issue, debug as a debug
// message, and a group closed even when its body fails.
import assert from 'node:assert/strict';
import { disposeTaskRuns } from '../../support/taskRunner';
import { probe } from './agentLayerProbe';

describe('agent/logger: the agent logger speaks logging commands', function () {
  this.timeout(60_000);
  after(disposeTaskRuns);

  it('prints info line by line, warn as a warning, debug as a debug message, and closes a failed group', async () => {
    const run = await probe('log', {}, { debug: true });
    assert.equal(run.agentResult, 'Failed');
    assert.equal(run.message, 'thrown inside the group');
    const lines = run.stdout.split(/\r?\n/);
    const first = lines.indexOf('first line');
    assert.ok(first >= 0 && lines[first + 1] === 'second line', run.stdout);
    assert.deepEqual(
      run.issues.filter((i) => i.type === 'warning').map((i) => i.message),
      ['a warning'],
    );
    assert.ok(run.debug.includes('a debug line'), run.debug.join('\n'));
    assert.deepEqual(run.groups, ['Probe group']);
    const open = lines.indexOf('##[group]Probe group');
    const inside = lines.indexOf('inside the group');
    const close = lines.indexOf('##[endgroup]');
    const failed = lines.findIndex(
      (l) => l.startsWith('##vso[task.issue') && l.includes('thrown inside the group'),
    );
    assert.ok(
      open < inside && inside < close && close < failed,
      `group not closed before the failure:\n${run.stdout}`,
    );
    // The log viewer does not nest groups: a group inside one is a title line, and the outer group
    // holds everything up to its one end.
    const nested = lines.indexOf('Nested group');
    const after = lines.indexOf('after the nested group');
    assert.ok(inside < nested && nested < after && after < close, run.stdout);
    assert.equal(lines.filter((l) => l === '##[endgroup]').length, 1, run.stdout);
  });

  it('sends debug messages as task.debug commands, never as plain output, with System.Debug off', async () => {
    const run = await probe('log', {}, { debug: false });
    assert.ok(
      !run.stdout.split(/\r?\n/).includes('a debug line'),
      'a debug message was printed as plain output',
    );
    assert.ok(run.debug.includes('a debug line'), 'the debug message was not sent as ##vso[task.debug]');
  });
});
