// The extension's publisher, id and repository URL live in ONE place, vss-extension.json
// (`publisher`, `id`, `repository.uri`). Everything else that names them is derived here:
// the manifest's `links`, each task.json `helpUrl` (its README anchor kept), package.json's
// `repository`/`homepage`/`bugs`, and the link definitions between `<!-- listing-links -->` and
// `<!-- /listing-links -->` in README.md and overview.md. `npm run links` rewrites them; the listing
// test fails while any is out of date.
import fs from 'node:fs';
import path from 'node:path';
import * as prettier from 'prettier';
import { root } from './lib.mjs';

/** The one source: what a publisher sets in vss-extension.json before the first upload. */
export function readSource(dir = root) {
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'vss-extension.json'), 'utf8'));
  const repository = String(manifest.repository?.uri ?? '').replace(/\/+$/, '');
  if (!/^https:\/\/[^\s/]+\/\S+$/.test(repository))
    throw new Error(`vss-extension.json: repository.uri '${repository}' must be an https URL`);
  return { publisher: manifest.publisher, id: manifest.id, repository };
}

/** Every URL derived from the source. */
export function deriveLinks({ publisher, id, repository }) {
  return {
    repository,
    readme: `${repository}/blob/main/README.md`,
    getstarted: `${repository}#readme`,
    issues: `${repository}/issues`,
    license: `${repository}/blob/main/LICENSE`,
    changelog: `${repository}/blob/main/CHANGELOG.md`,
    marketplace: `https://marketplace.visualstudio.com/items?itemName=${publisher}.${id}`,
  };
}

const BLOCK = /(<!-- listing-links[^>]*-->\n)[\s\S]*?(<!-- \/listing-links -->)/;

function markdownBlock(links) {
  return [
    `[repository]: ${links.repository}`,
    `[issues]: ${links.issues}`,
    `[licence]: ${links.license}`,
    `[changelog]: ${links.changelog}`,
    `[marketplace]: ${links.marketplace}`,
  ].join('\n');
}

async function formatted(file, text) {
  const options = (await prettier.resolveConfig(file)) ?? {};
  return prettier.format(text, { ...options, filepath: file });
}

/** Each derived file as it is and as it should be: [{ file, before, after }]. */
export async function regenerate(dir = root) {
  const source = readSource(dir);
  const links = deriveLinks(source);
  const results = [];
  const update = async (file, change) => {
    const before = fs.readFileSync(file, 'utf8');
    results.push({ file, before, after: await formatted(file, change(before)) });
  };

  await update(path.join(dir, 'vss-extension.json'), (text) => {
    const manifest = JSON.parse(text);
    manifest.links = {
      getstarted: { uri: links.getstarted },
      support: { uri: links.issues },
      issues: { uri: links.issues },
      license: { uri: links.license },
      repository: { uri: links.repository },
    };
    manifest.repository = { type: 'git', uri: links.repository };
    return JSON.stringify(manifest, null, 2);
  });
  await update(path.join(dir, 'package.json'), (text) => {
    const pkg = JSON.parse(text);
    pkg.repository = { type: 'git', url: `git+${links.repository}.git` };
    pkg.homepage = links.getstarted;
    pkg.bugs = { url: links.issues };
    return JSON.stringify(pkg, null, 2);
  });
  const tasksDir = path.join(dir, 'tasks');
  for (const folder of fs.readdirSync(tasksDir).sort()) {
    const file = path.join(tasksDir, folder, 'task.json');
    if (!fs.existsSync(file)) continue;
    await update(file, (text) =>
      text.replace(
        /("helpUrl": ")[^"#]*(#[^"]*)?"/,
        (_m, key, anchor) => `${key}${links.readme}${anchor ?? ''}"`,
      ),
    );
  }
  for (const name of ['README.md', 'overview.md']) {
    const file = path.join(dir, name);
    await update(file, (text) => {
      if (!BLOCK.test(text)) throw new Error(`${name}: no <!-- listing-links --> block`);
      return text.replace(BLOCK, (_m, open, close) => `${open}\n${markdownBlock(links)}\n\n${close}`);
    });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const changed = (await regenerate()).filter((r) => r.after !== r.before);
  for (const r of changed) fs.writeFileSync(r.file, r.after);
  console.log(
    changed.length === 0
      ? 'Links are up to date with vss-extension.json'
      : `Links rewritten from vss-extension.json: ${changed.map((r) => path.relative(root, r.file)).join(', ')}`,
  );
}
