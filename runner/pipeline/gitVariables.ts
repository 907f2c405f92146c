// The build variables the agent derives from the checked-out commit (branch, commit, its subject,
// who made it), read from the sources folder when it is a git repository.
import { spawnSync } from 'node:child_process';
import { Var } from '../agentEnv';

function git(cwd: string, args: string[]): string | undefined {
  const r = spawnSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return r.status === 0 ? r.stdout.trim() : undefined;
}

export function gitVariables(sourcesDir: string): Record<string, string> {
  const sha = git(sourcesDir, ['rev-parse', 'HEAD']);
  if (!sha) return {};
  const branch = git(sourcesDir, ['symbolic-ref', '--short', '-q', 'HEAD']) ?? '';
  const vars: Record<string, string> = {
    [Var.BuildSourceVersion]: sha,
    'Build.SourceVersionMessage': git(sourcesDir, ['log', '-1', '--format=%B']) ?? '',
    'Build.RequestedFor': git(sourcesDir, ['log', '-1', '--format=%an']) ?? '',
  };
  if (branch) {
    vars[Var.BuildSourceBranch] = `refs/heads/${branch}`;
    vars[Var.BuildSourceBranchName] = branch.split('/').pop() ?? branch;
  }
  return vars;
}
