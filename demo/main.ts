// `npm run demo` (after scripts/demo.mjs built and packed the extension): plays the release flow
// locally. Options: --approve (answer the approval gate), --kubeconfig FILE (a real cluster),
// --report FILE.html (default dist/demo-report.html), --verbose (every step's log).
// Ctrl-C or a failure stops everything it started and removes its temp folder.
import path from 'node:path';
import readline from 'node:readline/promises';
import { repoRoot } from '../runner/tools';
import { runDemo } from './run';

const USAGE = `Usage: npm run demo -- [--approve] [--kubeconfig FILE] [--report FILE.html] [--verbose]`;

interface Args {
  approve: boolean;
  kubeconfig?: string;
  report: string;
  verbose: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    approve: false,
    report: path.join(repoRoot(), 'dist', 'demo-report.html'),
    verbose: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value\n${USAGE}`);
      return v;
    };
    if (arg === '--approve') args.approve = true;
    else if (arg === '--verbose') args.verbose = true;
    else if (arg === '--kubeconfig') args.kubeconfig = value();
    else if (arg === '--report') args.report = path.resolve(value());
    else throw new Error(`unknown argument ${arg}\n${USAGE}`);
  }
  return args;
}

async function ask(): Promise<boolean> {
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question('  Approve the release of delivery v1.0.2 to production? [y/N] ');
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const write = (line = '') => {
    if (stopping === undefined) process.stdout.write(`${line}\n`);
  };
  let stopping: Promise<void> | undefined;
  let stopAll: (() => Promise<void>) | undefined;
  const onSignal = (signal: NodeJS.Signals) => {
    write(`\n${signal}: stopping everything the demo started ...`);
    stopping ??= (stopAll?.() ?? Promise.resolve()).finally(() =>
      process.exit(signal === 'SIGINT' ? 130 : 143),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('SIGHUP', onSignal);
  // Output piped into a reader that went away (`| head`): stop as on a signal, not mid-run.
  process.stdout.on('error', () => {
    stopping ??= (stopAll?.() ?? Promise.resolve()).finally(() => process.exit(1));
  });
  const result = await runDemo({
    ...(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {}),
    reportFile: args.report,
    verbose: args.verbose,
    write,
    onStarted: (stop) => (stopAll = stop),
    approve: async () => {
      if (args.approve) return true;
      if (process.stdin.isTTY) return ask();
      write('  No terminal to ask and no --approve: not approved.');
      return false;
    },
  });
  return result.outcome === 'released' ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`demo failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
