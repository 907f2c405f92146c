// `npm run task -- <pipeline.yml>` (bin: release-guard-task): runs the steps of a YAML pipeline
// with the extension's packaged tasks, exactly as the agent would (the runner the tests use),
// prints the log as the agent shows it, each step's result, variables and summary, and exits
// non-zero when a step failed. `--report FILE.html` writes the run as an HTML page.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runPipelineFile, type CliOptions } from './pipeline/cliRun';
import { PipelineFileError } from './pipeline/yamlFile';

export const USAGE = `Usage: npm run task -- <pipeline.yml> [options]
       npx release-guard-task <pipeline.yml> [options]

Runs the steps of <pipeline.yml> (a steps: list, a list of steps or one step) with the tasks of
the packaged extension (dist/*.vsix), as the Azure Pipelines agent runs them.

Options:
  --connections FILE   service connections by the names the pipeline uses (see README)
  --var NAME=VALUE     a pipeline variable (repeatable), e.g. --var Build.SourceBranch=refs/heads/main
  --secret NAME        a secret variable whose value is read from the environment variable NAME
                       (never from the command line); --secret NAME=ENV_VAR reads ENV_VAR
  --sources DIR        the checked-out sources (System.DefaultWorkingDirectory); default: .
  --report FILE.html   also write the run as an HTML report
  --debug              System.Debug=true: show the tasks' debug lines
  --help`;

export class UsageError extends Error {}

export function parseArgs(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  const vars: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  let pipeline: string | undefined;
  let connections: string | undefined;
  let sources = '.';
  let report: string | undefined;
  let debug = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === '--connections') connections = value();
    else if (arg === '--sources') sources = value();
    else if (arg === '--report') report = value();
    else if (arg === '--debug') debug = true;
    else if (arg === '--var') {
      const v = value();
      const eq = v.indexOf('=');
      if (eq <= 0) throw new UsageError(`--var ${v}: expected NAME=VALUE`);
      vars[v.slice(0, eq)] = v.slice(eq + 1);
    } else if (arg === '--secret') {
      const v = value();
      const [name, from = name] = v.split('=', 2) as [string, string?];
      const secret = env[from];
      if (!secret) throw new UsageError(`--secret ${name}: environment variable ${from} is not set`);
      secrets[name] = secret;
    } else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (pipeline === undefined) pipeline = arg;
    else throw new UsageError(`one pipeline file only (got ${pipeline} and ${arg})`);
  }
  if (pipeline === undefined) throw new UsageError('no pipeline file given');
  return {
    pipeline,
    ...(connections !== undefined ? { connections } : {}),
    sources: path.resolve(sources),
    ...(report !== undefined ? { report } : {}),
    variables: vars,
    secretVariables: secrets,
    debug,
  };
}

export async function main(argv: readonly string[]): Promise<number> {
  const write = (line = '') => process.stdout.write(`${line}\n`);
  if (argv.includes('--help') || argv.includes('-h')) {
    write(USAGE);
    return 0;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-run-'));
  const cleanup = () => fs.rmSync(work, { recursive: true, force: true });
  process.on('exit', cleanup);
  process.once('SIGINT', () => process.exit(130)); // exit handlers end the task's processes
  process.once('SIGTERM', () => process.exit(143));
  try {
    const options = parseArgs(argv);
    const { failed } = await runPipelineFile(options, work, write);
    return failed ? 1 : 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof PipelineFileError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  } finally {
    cleanup();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
