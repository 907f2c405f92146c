// The files a task works on, found with the agent's glob matching (task-lib findMatch) and held
// to the workspace boundary (files/workspaceBoundary.ts) before anything is read or written.
import fs from 'node:fs';
import path from 'node:path';
import * as tl from 'azure-pipelines-task-lib/task';
import { UserError } from '../errors';
import type { Logger } from '../log';
import { type AllowedFolder, confineFiles } from '../files';

/** System.DefaultWorkingDirectory (the sources folder), where tasks without a working directory input work. */
export function defaultWorkingDirectory(): string {
  return tl.getVariable('System.DefaultWorkingDirectory') || process.cwd();
}

/** The working directory as the one folder files matched by patterns may lie in. */
export function workingFolder(workingDirectory: string): AllowedFolder {
  return { name: 'the working directory', path: workingDirectory };
}

/**
 * The folders a lock file may lie in: the working directory and the job's own workspace
 * (Pipeline.Workspace: sources, artifact staging, downloaded pipeline artifacts), where a lock file
 * from another stage is downloaded and where PinImageDigests writes it by default.
 */
export function lockFileFolders(workingDirectory: string): AllowedFolder[] {
  const workspace = tl.getVariable('Pipeline.Workspace') || tl.getVariable('Agent.BuildDirectory');
  const folders = [workingFolder(workingDirectory)];
  if (workspace) folders.push({ name: 'the pipeline workspace', path: workspace });
  return folders;
}

/** Links followed (and then checked); a dangling link is listed, not a failure of the whole search. */
const FIND_OPTIONS: tl.FindOptions = {
  allowBrokenSymbolicLinks: true,
  followSpecifiedSymbolicLink: true,
  followSymbolicLinks: true,
};

/** findMatch, its failures (minimatch refuses a pattern over 64 KiB) told as the input's. */
function matchPatterns(workingDirectory: string, patterns: readonly string[], input: string): string[] {
  try {
    return tl.findMatch(workingDirectory, [...patterns], FIND_OPTIONS);
  } catch (err) {
    throw new UserError(
      `Input '${input}': its patterns could not be matched under ${workingDirectory} (${(err as Error).message}); ` +
        'give one glob pattern per line.',
    );
  }
}

/**
 * The files the patterns match under the working directory (files only, each once, sorted). Every
 * match, a link or a folder the glob walked through included, must lie inside the working
 * directory once links are resolved, or the task fails naming `input` and where each leads.
 */
function findWorkspaceFiles(workingDirectory: string, patterns: readonly string[], input: string): string[] {
  const found = matchPatterns(workingDirectory, patterns, input);
  const matched = [...new Set(found.map((f) => path.resolve(f)))];
  confineFiles(matched, [workingFolder(workingDirectory)], input);
  return matched.filter((f) => fs.statSync(f, { throwIfNoEntry: false })?.isFile() === true).sort();
}

/** When an input's patterns match no file: the task fails, or warns (through `logger`) and goes on. */
export type NoMatch = { readonly ifNone: 'fail' } | { readonly ifNone: 'warn'; readonly logger: Logger };

/**
 * The one file matcher of the tasks: the files `input`'s patterns match under the working directory
 * (findWorkspaceFiles: inside it, files only, each once, sorted). No patterns, no files; patterns
 * that match nothing fail the task or warn, as `noMatch` says, naming the input and the folder.
 */
export function matchInputFiles(
  workingDirectory: string,
  patterns: readonly string[],
  input: string,
  noMatch: NoMatch,
): string[] {
  if (patterns.length === 0) return [];
  const files = findWorkspaceFiles(workingDirectory, patterns, input);
  if (files.length > 0) return files;
  const message =
    `No file matches '${input}' (${patterns.map((p) => `'${p}'`).join(', ')}) under ${workingDirectory}. ` +
    `Check the '${input}' input (globs are relative to the working directory).`;
  if (noMatch.ifNone === 'fail') throw new UserError(message);
  noMatch.logger.warn(message);
  return [];
}

/** A glob character or extglob group, as findMatch (minimatch) reads them. */
const GLOB = /[*?[\]{}]|[+@!](?=\()/;

/** The absolute paths the patterns name literally (no glob, no `!` exclusion). */
export function literalPaths(workingDirectory: string, patterns: readonly string[]): Set<string> {
  return new Set(
    patterns.filter((p) => !p.startsWith('!') && !GLOB.test(p)).map((p) => path.resolve(workingDirectory, p)),
  );
}
