import { spawn } from 'node:child_process';

export interface ProcessResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ProcessOptions {
  readonly env?: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Written to the child's stdin, then stdin is closed (passwords go this way, never in argv). */
  readonly stdin?: string | Buffer;
  /** Each complete output line as it arrives (stdout and stderr). */
  readonly onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Kills the child after this long; the result then has code null. */
  readonly timeoutMs?: number;
}

/** Splits a stream into lines for onLine, keeping everything for the result. */
function lineSplitter(stream: 'stdout' | 'stderr', onLine: ProcessOptions['onLine']) {
  let pending = '';
  return {
    push(text: string): void {
      if (!onLine) return;
      pending += text;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? '';
      for (const line of lines) onLine(line, stream);
    },
    end(): void {
      if (onLine && pending !== '') onLine(pending, stream);
      pending = '';
    },
  };
}

/** Runs an executable without a shell; resolves with its exit code and output, rejects if it can't start. */
export function runProcess(
  file: string,
  args: readonly string[],
  options: ProcessOptions = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
      windowsHide: true,
    });
    let stdout = '';
    let stderr = '';
    const out = lineSplitter('stdout', options.onLine);
    const err = lineSplitter('stderr', options.onLine);
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      out.push(chunk);
    });
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
      err.push(chunk);
    });
    const timer =
      options.timeoutMs !== undefined
        ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
        : undefined;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      if (timer) clearTimeout(timer);
      out.end();
      err.end();
      resolve({ code, stdout, stderr });
    });
    // A child that exits before reading stdin makes the write fail with EPIPE: its exit code tells why.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');
  });
}
