import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { UserError } from '../../errors';
import type { Logger } from '../../log';
import { annotateWorkloads } from './annotateWorkloads';
import type { HelmRunner } from '../helmRunner';
import { runProcess } from '../processRunner';
import { startPostRenderRelay, type PostRenderRelay } from './postRenderRelay';

/** The Helm 4 plugin name of the change-cause post-renderer. */
export const PLUGIN_NAME = 'release-guard-change-cause';

/** A post-renderer the user asked for: an executable and its arguments. It runs before ours. */
export interface UserPostRenderer {
  readonly path: string;
  readonly args: readonly string[];
}

export interface PostRendererOptions {
  readonly changeCause: string;
  readonly user?: UserPostRenderer;
  readonly logger: Logger;
  /** The node that runs the relay script; default the task's own (process.execPath). */
  readonly node?: string;
  /** Sees each render: what Helm (or the user's post-renderer) gave, and what goes back to Helm. */
  readonly onRender?: (input: string, output: string) => void;
}

export interface ChangeCausePostRenderer {
  /** Flags that make Helm use it. */
  readonly args: readonly string[];
  /** `Deployment/web`... annotated during the last render. */
  readonly annotated: readonly string[];
  readonly relay: PostRenderRelay;
  close(): Promise<void>;
}

async function runUserPostRenderer(user: UserPostRenderer, manifests: Buffer): Promise<Buffer> {
  const result = await runProcess(user.path, user.args, { stdin: manifests });
  if (result.code !== 0) {
    throw new UserError(
      `The post-renderer ${user.path} failed (exit code ${result.code ?? 'killed'}): ${result.stderr.trim().slice(-2000)}`,
    );
  }
  return Buffer.from(result.stdout, 'utf8');
}

/** Helm 4: a `postrenderer/v1` plugin in the runner's private HELM_PLUGINS folder. */
function writeHelm4Plugin(runner: HelmRunner, node: string, script: string): void {
  const dir = path.join(runner.pluginsDir, PLUGIN_NAME);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const plugin = {
    apiVersion: 'v1',
    type: 'postrenderer/v1',
    name: PLUGIN_NAME,
    version: '1.0.0',
    runtime: 'subprocess',
    runtimeConfig: { platformCommand: [{ command: node, args: [script] }] },
  };
  fs.writeFileSync(path.join(dir, 'plugin.yaml'), YAML.stringify(plugin), { mode: 0o600 });
}

/**
 * Installs the change-cause post-renderer for the runner's Helm: Helm 3 runs node with the relay
 * script (`--post-renderer <node> --post-renderer-args <script>`), Helm 4 runs it as a
 * `postrenderer/v1` plugin. Each render goes through the user's post-renderer first (if any), then
 * gets the annotation.
 */
export async function installPostRenderer(
  runner: HelmRunner,
  options: PostRendererOptions,
): Promise<ChangeCausePostRenderer> {
  const node = options.node ?? process.execPath;
  let annotated: readonly string[] = [];
  const dir = runner.privatePath('post-renderer');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const relay = await startPostRenderRelay(path.join(dir, 'post-render.js'), async (manifests) => {
    const input = options.user ? await runUserPostRenderer(options.user, manifests) : manifests;
    const text = input.toString('utf8');
    const result = annotateWorkloads(text, options.changeCause);
    annotated = result.annotated;
    options.onRender?.(text, result.text);
    if (result.unparsed > 0) {
      options.logger.warn(
        `${result.unparsed} rendered document(s) are not valid YAML; they were left unchanged.`,
      );
    }
    return Buffer.from(result.text, 'utf8');
  });
  let args: string[];
  if (runner.major >= 4) {
    writeHelm4Plugin(runner, node, relay.scriptPath);
    args = ['--post-renderer', PLUGIN_NAME];
  } else {
    args = ['--post-renderer', node, '--post-renderer-args', relay.scriptPath];
  }
  return {
    args,
    get annotated() {
      return annotated;
    },
    relay,
    close: () => relay.close(),
  };
}
