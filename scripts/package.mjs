// Stages the extension (manifest, overview, images, bundled tasks) in build/extension[-dev] and
// packs it with tfx-cli into dist/. `--dev` makes a private variant with its own extension id and
// task GUIDs (uuidv5 of publisher.extensionId.taskName), installable beside the public one.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { bin, root, run, step } from './lib.mjs';

/** RFC 4122 version 5 UUID (SHA-1 of namespace + name). */
export function uuidv5(name, namespace) {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const hash = crypto.createHash('sha1').update(ns).update(name, 'utf8').digest();
  hash[6] = (hash[6] & 0x0f) | 0x50;
  hash[8] = (hash[8] & 0x3f) | 0x80;
  const h = hash.subarray(0, 16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The URL namespace of RFC 4122, as used by the community's dev-extension scripts. */
const NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';

/** Gallery flags follow the version: `Preview` below 1.0, never set by hand. Public when public. */
export function galleryFlags(manifest) {
  const flags = (manifest.galleryFlags ?? []).filter((f) => f !== 'Preview' && f !== 'Public');
  if (Number(manifest.version.split('.')[0]) < 1) flags.push('Preview');
  if (manifest.public) flags.push('Public');
  return flags;
}

const readJson = (file) => JSON.parse(fs.readFileSync(file, 'utf8'));
const writeJson = (file, value) => fs.writeFileSync(file, JSON.stringify(value, null, 2) + '\n');

/**
 * A dev build number (`--dev-build N`, e.g. the pipeline's Build.BuildId) becomes the patch of the
 * dev variant's extension and task versions, so each publish from main is newer to the Marketplace
 * and to agents (which keep a task's code until its version changes).
 */
export function devBuildNumber(argv) {
  const i = argv.indexOf('--dev-build');
  if (i < 0) return undefined;
  const n = argv[i + 1];
  if (!/^[1-9]\d{0,8}$/.test(n ?? ''))
    throw new Error(`--dev-build: '${n ?? ''}' is not a positive build number`);
  return Number(n);
}

export function stage({ dev, devBuild }) {
  const manifest = readJson(path.join(root, 'vss-extension.json'));
  const stageDir = path.join(root, 'build', dev ? 'extension-dev' : 'extension');
  fs.rmSync(stageDir, { recursive: true, force: true });
  fs.mkdirSync(stageDir, { recursive: true });
  if (dev) {
    manifest.id = `${manifest.id}-dev`;
    manifest.name = `${manifest.name} (dev)`;
    manifest.public = false;
    if (devBuild !== undefined) manifest.version = manifest.version.replace(/\d+$/, String(devBuild));
  }
  manifest.galleryFlags = galleryFlags(manifest);
  for (const item of ['overview.md', 'images', 'LICENSE', 'CHANGELOG.md']) {
    const src = path.join(root, item);
    if (fs.existsSync(src)) fs.cpSync(src, path.join(stageDir, item), { recursive: true });
  }
  for (const contribution of manifest.contributions) {
    const taskName = contribution.properties.name;
    const built = path.join(root, 'build', taskName);
    if (!fs.existsSync(path.join(built, 'index.js'))) {
      throw new Error(`${taskName}: no bundle at ${built}; run the build first`);
    }
    const target = path.join(stageDir, taskName);
    fs.cpSync(built, target, { recursive: true });
    if (dev) {
      const taskJson = readJson(path.join(target, 'task.json'));
      taskJson.id = uuidv5(`${manifest.publisher}.${manifest.id}.${taskJson.name}`, NAMESPACE);
      taskJson.friendlyName = `${taskJson.friendlyName} (dev)`.slice(0, 40);
      if (devBuild !== undefined) taskJson.version.Patch = devBuild;
      writeJson(path.join(target, 'task.json'), taskJson);
    }
  }
  writeJson(path.join(stageDir, 'vss-extension.json'), manifest);
  return { stageDir, manifest };
}

export function pack({ dev, devBuild }) {
  step(`Package the extension${dev ? ' (dev variant)' : ''}`);
  const { stageDir, manifest } = stage({ dev, devBuild });
  const outDir = path.join(root, 'dist');
  fs.mkdirSync(outDir, { recursive: true });
  const vsix = path.join(outDir, `${manifest.publisher}.${manifest.id}-${manifest.version}.vsix`);
  fs.rmSync(vsix, { force: true });
  const ok = run(
    bin('tfx'),
    [
      'extension',
      'create',
      '--root',
      stageDir,
      '--manifest-globs',
      'vss-extension.json',
      '--output-path',
      vsix,
      '--no-prompt',
    ],
    {
      env: { ...process.env, TFX_TRACE: '' },
    },
  );
  if (!ok || !fs.existsSync(vsix)) throw new Error('tfx extension create failed');
  console.log(`  ${path.relative(root, vsix)} (${(fs.statSync(vsix).size / 1024).toFixed(0)} KiB)`);
  return vsix;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    const dev = process.argv.includes('--dev');
    const devBuild = devBuildNumber(process.argv);
    if (devBuild !== undefined && !dev) throw new Error('--dev-build applies to the dev variant: add --dev');
    pack({ dev, devBuild });
  } catch (err) {
    console.error(err.message);
    process.exit(1);
  }
}
