// The agent-faithful task runner (test/support/taskRunner.ts): the environment protocol reaches
// task-lib's APIs, every logging command comes back with its exact value, secrets in any form fail
// the run, a hanging task is killed with its children, and the shipped .vsix bundle runs.
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { PROBE, ProbeReceived } from '../fixtures/tasks/ProtocolProbeV1/probeValues';
import { AGENT_VERSION, EnvName, Var } from '../support/agentEnv';
import { LeakError, LeakForm, collectSecrets, findLeaks, secretForms } from '../support/leakCheck';
import { outputLines, parseTaskOutput } from '../support/logCommands';
import { TaskRun, TaskTimeoutError, disposeTaskRuns, runTask } from '../support/taskRunner';
import { shippedTaskDir, unpackedVsixDir } from '../support/vsix';

const CONNECTION = 'c0ffee00-1234-4abc-8def-0123456789ab';
const PASSWORD = 'registry-p@ss;word]%AZP25';
const PROBE_SECRET = 'probe secret ; ] 100%';
const SENTINEL = 'RG_RUNNER_TEST_SENTINEL';
const sha256 = (value: string) => crypto.createHash('sha256').update(value, 'utf8').digest('hex');

function received(run: { stdout: string }): ProbeReceived {
  const line = outputLines(run.stdout).find((l) => l.startsWith(PROBE.receivedMarker));
  assert.ok(line, 'the probe printed no PROBE_RECEIVED line');
  return JSON.parse(line.slice(PROBE.receivedMarker.length)) as ProbeReceived;
}

/** True when the process has exited (gone, or a zombie waiting to be reaped). Linux /proc. */
function processGone(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

after(disposeTaskRuns);

describe('task runner: the agent protocol, through ProtocolProbeV1', () => {
  let run: TaskRun;
  before(async () => {
    process.env[SENTINEL] = 'must not reach the task';
    try {
      run = await runTask({
        task: { testOnly: 'ProtocolProbeV1' },
        inputs: {
          text: '  a ; ] 100% $(probe.public.value) é  ',
          flag: 'True',
          pick: 'beta', // the alias of `choice`
          lines: 'one\ntwo ; ]',
          file: 'charts/values.yaml',
          registryConnection: CONNECTION,
        },
        endpoints: {
          [CONNECTION]: {
            url: 'https://registry.example.test/v2/',
            scheme: 'UsernamePassword',
            parameters: { username: 'probe-user', password: PASSWORD },
            data: { registrytype: 'Others' },
          },
        },
        variables: { [PROBE.publicVariableName]: 'public;value', [Var.BuildBuildNumber]: '1.2.3-probe' },
        secretVariables: { [PROBE.secretVariableName]: PROBE_SECRET },
        // The probe's own secrets: allowed only in the lines the agent consumes to register them.
        secrets: [PROBE.secretVariable.value, PROBE.registeredSecret],
      });
    } finally {
      delete process.env[SENTINEL];
    }
  });

  it('reads the result and message of task.complete, escaped characters included', () => {
    assert.equal(run.exitCode, 0);
    assert.equal(run.result, 'SucceededWithIssues');
    assert.equal(run.agentResult, 'SucceededWithIssues');
    assert.equal(run.message, PROBE.completeMessage);
    assert.deepEqual(run.commandErrors, []);
  });

  it('reads plain, secret and output variables and registered secrets', () => {
    const { plainVariable: plain, secretVariable: secret, outputVariable: output } = PROBE;
    assert.deepEqual(run.variables, {
      [plain.name]: { value: plain.value, isSecret: false, isOutput: false },
      [secret.name]: { value: secret.value, isSecret: true, isOutput: false },
      [output.name]: { value: output.value, isSecret: false, isOutput: true },
    });
    assert.deepEqual(run.secrets, [PROBE.registeredSecret]);
    assert.ok(run.stdout.includes('##vso[task.setsecret]'), 'the leak check saw a registered secret');
  });

  it('reads issues with source path, line, column and code (and the warning of setResult)', () => {
    const { error, warning } = PROBE;
    assert.deepEqual(run.issues, [
      { type: 'error', ...error },
      { type: 'warning', ...warning },
      { type: 'warning', message: PROBE.completeMessage },
    ]);
  });

  it('reads summaries (with their content), artifacts, groups and debug lines', () => {
    const summary = path.join(run.dirs.temp, PROBE.summary.fileName);
    const titled = path.join(run.dirs.temp, PROBE.titledSummary.fileName);
    assert.deepEqual(run.summaries, [
      { title: PROBE.summary.fileName, path: summary, content: PROBE.summary.content },
      { title: PROBE.titledSummary.title, path: titled, content: PROBE.titledSummary.content },
    ]);
    assert.deepEqual(run.attachments, [
      { type: 'Distributedtask.Core.Summary', name: PROBE.titledSummary.title, path: titled },
    ]);
    const artifact = path.join(run.dirs.artifactStaging, 'probe', PROBE.artifact.fileName);
    assert.deepEqual(run.artifacts, [
      { artifactName: PROBE.artifact.name, containerFolder: PROBE.artifact.containerFolder, path: artifact },
    ]);
    assert.deepEqual(run.groups, PROBE.groups);
    assert.ok(run.debug.includes(PROBE.debugMessage), 'task.debug message');
    assert.ok(run.debug.includes(PROBE.rawDebugLine), '##[debug] line');
  });

  it('hands inputs over like the agent: trimmed, macros expanded, aliases, rooted file paths', () => {
    assert.deepEqual(received(run).inputs, {
      text: 'a ; ] 100% public;value é',
      flag: true,
      choice: 'beta',
      lines: ['one', 'two ; ]'],
      file: path.join(run.dirs.sources, 'charts', 'values.yaml'),
      fileSupplied: true,
      connection: CONNECTION,
    });
  });

  it('hands the referenced service connection over (URL, scheme, parameters, data)', () => {
    assert.deepEqual(received(run).endpoint, {
      url: 'https://registry.example.test/v2/',
      scheme: 'UsernamePassword',
      username: 'probe-user',
      parameterNames: ['password', 'username'],
      passwordSha256: sha256(PASSWORD),
      registryType: 'Others',
    });
  });

  it('hands variables over: defaults inside the run folder, overrides, secret variables', () => {
    const got = received(run);
    assert.deepEqual(got.variables, {
      buildNumber: '1.2.3-probe',
      publicValue: 'public;value',
      tempDirectory: run.dirs.temp,
      defaultWorkingDirectory: run.dirs.sources,
      hostType: 'build',
      agentVersion: AGENT_VERSION,
      secretSha256: sha256(PROBE_SECRET),
    });
    assert.ok(run.dirs.temp.startsWith(run.tempDir) && fs.existsSync(run.dirs.temp));
    assert.equal(fs.realpathSync(got.cwd), fs.realpathSync(run.dirs.sources));
  });

  it('builds the environment from scratch; task-lib removes inputs, auth and secrets from it', () => {
    const names = received(run).envNames;
    assert.ok(!names.includes(SENTINEL), 'a variable of the test process reached the task');
    const removed = names.filter((n) => /^(INPUT_|SECRET_|ENDPOINT_AUTH_)/.test(n));
    assert.deepEqual(removed, []);
    for (const name of [
      EnvName.endpointUrl(CONNECTION),
      EnvName.endpointDataParameter(CONNECTION, 'registrytype'),
      EnvName.variable(Var.BuildBuildNumber),
      EnvName.tfBuild,
    ]) {
      assert.ok(names.includes(name), `${name} is missing`);
    }
  });
});

describe('task runner: defaults and mistakes in a test', () => {
  it('applies task.json defaults, passes the sources folder for an empty filePath, sets System.Debug', async () => {
    const run = await runTask({ task: { testOnly: 'ProtocolProbeV1' }, debug: true });
    const got = received(run);
    assert.equal(got.inputs.choice, 'alpha');
    assert.equal(got.inputs.flag, false);
    assert.equal(got.inputs.file, run.dirs.sources);
    assert.equal(got.inputs.fileSupplied, false);
    assert.equal(got.endpoint, undefined);
    assert.equal(got.variables.systemDebug, 'true');
    run.dispose();
    assert.ok(!fs.existsSync(run.tempDir), 'dispose() removes the run folder');
  });

  it('rejects an input the task does not declare', async () => {
    await assert.rejects(
      runTask({ task: { testOnly: 'ProtocolProbeV1' }, inputs: { nosuchInput: 'x' } }),
      /input 'nosuchInput' is not declared/,
    );
  });

  it('rejects a connection no input references (the agent would not pass it)', async () => {
    const endpoints = { [CONNECTION]: { scheme: 'None', parameters: {} } };
    await assert.rejects(
      runTask({ task: { testOnly: 'ProtocolProbeV1' }, endpoints }),
      /not referenced by a connectedService input/,
    );
  });
});

describe('task runner: leak check', () => {
  // A multi-line secret whose lines, base64, URL and JSON forms all differ from each other.
  const SECRET = 'first-line "q" &x=y+z\nsecond-line-\\-%41';
  const leaky = (leakAs: string, leakTo = 'stdout') =>
    runTask({
      task: { testOnly: 'LeakyTaskV1' },
      inputs: { leakAs, leakTo },
      secretVariables: { leakMe: SECRET },
    });

  const rejectsWith = async (promise: Promise<TaskRun>, expected: RegExp) => {
    await assert.rejects(promise, (err: unknown) => {
      assert.ok(err instanceof LeakError, `expected a LeakError, got ${String(err)}`);
      assert.match(err.message, expected);
      for (const { text } of secretForms(SECRET))
        assert.ok(!err.message.includes(text), 'message shows the secret');
      assert.ok(err.leaks.every((l) => l.secret === "secret variable 'leakMe'"));
      return true;
    });
  };

  for (const form of ['raw', 'line', 'base64', 'url', 'json'] satisfies LeakForm[]) {
    it(`rejects a secret printed as ${form}, naming the form`, async () => {
      await rejectsWith(leaky(form), new RegExp(`as ${form} in stdout`));
    });
  }

  it('names only the line when one line of a multi-line secret is printed', async () => {
    await assert.rejects(leaky('line'), (err: LeakError) => !/as (raw|base64|url|json)/.test(err.message));
  });

  it('finds secrets on stderr and inside escaped task.debug commands', async () => {
    await rejectsWith(leaky('raw', 'stderr'), /as raw in stderr, across lines/);
    await rejectsWith(leaky('raw', 'debug'), /as raw in stdout line \d+ \(##vso\[task\.debug\]\)/);
  });

  it('lets a run that prints nothing secret pass', async () => {
    const run = await leaky('none');
    assert.equal(run.result, 'Succeeded');
    assert.match(run.stdout, new RegExp(`a secret of ${SECRET.length} characters`));
  });

  it("catches task-lib's own echo of a secret variable read with tl.getVariable", async () => {
    await assert.rejects(
      runTask({
        task: { testOnly: 'ProtocolProbeV1' },
        inputs: { readSecretWith: 'getVariable' },
        secretVariables: { [PROBE.secretVariableName]: PROBE_SECRET },
      }),
      (err: unknown) => {
        assert.ok(err instanceof LeakError);
        assert.match(
          err.message,
          /secret variable 'probe.secret' .* as raw in stdout line \d+ \(##vso\[task\.debug\]\)/,
        );
        assert.equal(received(err.run).variables.secretSha256, sha256(PROBE_SECRET), 'getVariable got it');
        return true;
      },
    );
  });

  it('finds base64 of a secret inside a longer encoded text, at every byte alignment', () => {
    const secrets = [{ label: 'password', value: 'hunter2-correct-horse' }];
    for (const prefix of ['', 'u:', 'us:', 'user:']) {
      const text = Buffer.from(`${prefix}hunter2-correct-horse@registry`).toString('base64');
      assert.deepEqual(
        findLeaks(secrets, [{ where: prefix || 'aligned', text }]).map((l) => l.form),
        ['base64'],
        prefix,
      );
    }
    assert.deepEqual(
      findLeaks(secrets, [{ where: 'other', text: Buffer.from('unrelated').toString('base64') }]),
      [],
    );
  });

  it('treats endpoint passwords as secrets but not user names, and refuses too-short test secrets', () => {
    const endpoints = { [CONNECTION]: { parameters: { username: 'someone', password: PASSWORD } } };
    assert.deepEqual(
      collectSecrets({ endpoints }).map((s) => s.label),
      [`endpoint ${CONNECTION} auth parameter 'password'`],
    );
    assert.throws(() => collectSecrets({ secrets: ['abc'] }), /shorter than 4/);
  });
});

describe('task runner: logging command parser', () => {
  it('merges task.complete results the way the agent does (the worse one wins)', () => {
    const out = parseTaskOutput(
      '##vso[task.complete result=Failed;]first\n##vso[task.complete result=Succeeded;]second\n',
      '',
    );
    assert.equal(out.result, 'Failed');
    assert.equal(out.message, 'first');
  });

  it('refuses attachments a Windows agent refuses: no name, or a name with a file-name-invalid character', () => {
    const out = parseTaskOutput(
      [
        '##vso[task.addattachment type=Distributedtask.Core.Summary;name=Deploy: failed;]/tmp/a.md',
        '##vso[task.addattachment type=Distributedtask.Core.Summary;]/tmp/b.md',
        '##vso[task.addattachment type=Distributedtask.Core.Summary;name=Deploy (failed);]/tmp/c.md',
      ].join('\n'),
      '',
    );
    assert.equal(out.commandErrors.length, 2, out.commandErrors.join('\n'));
    assert.deepEqual(out.summarySections, [{ title: 'Deploy (failed)', path: '/tmp/c.md' }]);
  });
});

describe('task runner: timeout', () => {
  it('kills a task that does not finish, with its child processes, and says so', async () => {
    const started = Date.now();
    const timeoutMs = 4000;
    let childPid = 0;
    await assert.rejects(
      runTask({ task: { testOnly: 'ProtocolProbeV1' }, inputs: { hang: 'true' }, timeoutMs }),
      (err: unknown) => {
        assert.ok(err instanceof TaskTimeoutError, `expected a TaskTimeoutError, got ${String(err)}`);
        assert.match(err.message, /ProtocolProbe did not finish within 4000 ms/);
        const marker = outputLines(err.stdout).find((l) => l.startsWith(PROBE.childPidMarker));
        assert.ok(marker, 'the probe never started its child');
        childPid = Number(marker.slice(PROBE.childPidMarker.length));
        return true;
      },
    );
    assert.ok(Date.now() - started >= timeoutMs);
    // SIGKILL is delivered asynchronously: on a loaded machine the child may take a moment to die.
    for (let waited = 0; !processGone(childPid) && waited < 5000; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(processGone(childPid), `child process ${childPid} survived the timeout`);
  });
});

describe('task runner: the shipped PromoteImageV1 from the .vsix', () => {
  it('runs from the unpacked .vsix and fails naming the empty sourceImage input', async () => {
    assert.ok(shippedTaskDir('PromoteImageV1').startsWith(unpackedVsixDir()));
    const run = await runTask({
      task: { shipped: 'PromoteImageV1' },
      inputs: { sourceImage: '   ', targetImage: 'registry.example.test/app:1.0.0' },
    });
    assert.equal(run.result, 'Failed');
    assert.equal(run.agentResult, 'Failed');
    assert.match(run.message ?? '', /'sourceImage'/);
    assert.ok(run.issues.some((i) => i.type === 'error' && i.message === run.message));
  });
});
