// agent/inputs.ts in a task run: typed values from the INPUT_* variables the agent sets, and every
// bad value failing the task with a message that names the input and what it accepts.
import assert from 'node:assert/strict';
import path from 'node:path';
import { disposeTaskRuns } from '../../support/taskRunner';
import { probe, readOf, sha256 } from './agentLayerProbe';

describe('agent/inputs: typed task inputs', function () {
  this.timeout(60_000);
  after(disposeTaskRuns);

  it('reads each kind of input: trimmed text, booleans and choices in any case, whole numbers, lines', async () => {
    const run = await probe('readInputs', {
      text: '  hello world  ',
      flag: 'TRUE',
      choice: 'SECOND',
      count: '32',
      file: 'charts/values.yaml',
      list: 'one\n\n  # a comment\n  two  \r\nthree',
      port: '8443',
    });
    assert.equal(run.agentResult, 'Succeeded', run.stdout);
    const read = readOf(run);
    assert.equal(read.text, 'hello world');
    assert.equal(read.flag, true);
    assert.equal(read.choice, 'second');
    assert.equal(read.count, 32);
    assert.equal(read.file, path.join(run.dirs.sources, 'charts/values.yaml'));
    assert.deepEqual(read.list, ['one', 'two', 'three']);
    assert.equal(read.port, 8443);
  });

  it('gives the defaults for empty inputs, and no file for the sources folder the agent passes', async () => {
    const run = await probe('readInputs', { text: 'x', flag: '', choice: ' ', count: '', file: '' });
    assert.equal(run.agentResult, 'Succeeded', run.stdout);
    const read = readOf(run);
    assert.equal(read.flag, false);
    assert.equal(read.choice, 'first');
    assert.equal(read.count, 4);
    assert.equal(read.file, null);
    assert.deepEqual(read.list, []);
    assert.equal(read.port, null);
  });

  it("accepts another task's spelling of a choice and maps it to the declared value", async () => {
    const read = readOf(await probe('readInputs', { text: 'x', choice: 'number ONE' }));
    assert.equal(read.choice, 'first');
  });

  const bad: { name: string; inputs: Record<string, string>; message: string }[] = [
    {
      name: 'an empty required input',
      inputs: { text: '  ' },
      message: "Input 'text' is required but was empty.",
    },
    {
      name: 'a boolean that is not true or false',
      inputs: { text: 'x', flag: 'yes' },
      message: "Input 'flag' must be true or false, got 'yes'.",
    },
    {
      name: 'a choice outside the allowed values',
      inputs: { text: 'x', choice: 'third' },
      message: "Input 'choice' must be one of first, second; got 'third'.",
    },
    {
      name: 'a number above the range',
      inputs: { text: 'x', count: '33' },
      message: "Input 'count' must be a whole number from 1 to 32; got '33'.",
    },
    {
      name: 'a number that is not whole',
      inputs: { text: 'x', count: '2.5' },
      message: "Input 'count' must be a whole number from 1 to 32; got '2.5'.",
    },
    {
      name: 'a value its parser refuses',
      inputs: { text: 'x', port: '70000' },
      message: "Input 'port': '70000' is not a port number from 1 to 65535.",
    },
  ];
  for (const c of bad) {
    it(`fails the task on ${c.name}, naming the input and what it accepts`, async () => {
      const run = await probe('readInputs', c.inputs);
      assert.equal(run.agentResult, 'Failed');
      assert.equal(run.message, c.message);
      assert.ok(!run.stdout.includes('    at '), `a stack trace reached the log:\n${run.stdout}`);
    });
  }

  it('reads a silent input without the name=value debug echo task-lib writes for other inputs', async () => {
    const values = 'password: hunter2-but-longer\nreplicas: 3';
    const run = await probe('readInputs', { text: 'visible-text', values }, { debug: true });
    assert.equal(run.agentResult, 'Succeeded', run.stdout);
    assert.equal(readOf(run).valuesSha256, sha256(values), 'the silent input was not read as given');
    assert.ok(
      run.debug.some((line) => line.includes('text=visible-text')),
      'task-lib no longer echoes inputs: this test proves nothing',
    );
    assert.ok(!run.stdout.includes('hunter2-but-longer'), 'the silent input reached the log');
  });

  it('takes a connection the agent handed the job, and fails naming the input for one it did not', async () => {
    const id = 'c0ffee00-aaaa-4bbb-8ccc-0123456789ab';
    const endpoints = {
      [id]: {
        url: 'https://registry.example.test',
        scheme: 'UsernamePassword',
        parameters: { username: 'u' },
      },
    };
    const ok = await probe('readConnection', { connection: id }, { endpoints });
    assert.equal(ok.agentResult, 'Succeeded', ok.stdout);
    assert.ok(ok.stdout.split('\n').includes(`connection ${id}`));

    const other = 'deadbeef-aaaa-4bbb-8ccc-0123456789ab';
    const missing = await probe('readConnection', { connection: other });
    assert.equal(missing.agentResult, 'Failed');
    assert.match(
      missing.message ?? '',
      new RegExp(
        `^Input 'connection' names service connection '${other}', which is not available to this job`,
      ),
    );

    const empty = await probe('readConnection');
    assert.equal(empty.message, "Input 'connection' is required but was empty.");
  });
});
