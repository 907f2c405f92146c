// `npm run screenshots`: the listing's screenshots of a real run, taken in headless Chromium
// (Debian's chromium through playwright-core): the demo's HTML report (images/screenshots/demo-report.png)
// and the build summary PromoteImage writes in production (images/screenshots/build-summary.png).
// It builds, packs and plays the demo first (about 30 s). The classic-editor screenshots
// (images/screenshots/<Task>V1.png) are taken by test/editor/preview.test.ts.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from './build.mjs';
import { root, step } from './lib.mjs';
import { pack } from './package.mjs';
import { provision } from './provision.mjs';

const SCREENSHOTS = path.join(root, 'images', 'screenshots');

async function main() {
  const tools = provision({ browser: true, node24: false });
  await build();
  pack({ dev: false });
  step('Demo run for the listing screenshots');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-listing-shots-'));
  try {
    const report = path.join(dir, 'report.html');
    const demo = spawnSync(
      process.execPath,
      [path.join(root, 'out', 'demo', 'main.js'), '--approve', '--report', report],
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    if (demo.status !== 0 || !fs.existsSync(report)) throw new Error(`the demo failed (exit ${demo.status})`);
    step('Screenshots in headless Chromium');
    const browser = await chromium.launch({ executablePath: tools.CHROMIUM_BIN, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
      await page.goto(pathToFileURL(report).href);
      fs.mkdirSync(SCREENSHOTS, { recursive: true });
      const reportPng = path.join(SCREENSHOTS, 'demo-report.png');
      await page.screenshot({ path: reportPng });
      // The summary's table is wider than the report's column: give it the room it takes.
      await page.setViewportSize({ width: 1800, height: 800 });
      await page.addStyleTag({ content: 'body{max-width:none} .summary{display:inline-block}' });
      const promote = page.locator('section.step', { hasText: 'PromoteImage' }).first();
      const summaryPng = path.join(SCREENSHOTS, 'build-summary.png');
      await promote.locator('.summary').screenshot({ path: summaryPng });
      for (const file of [reportPng, summaryPng]) console.log(`  ${path.relative(root, file)}`);
    } finally {
      await browser.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err.message);
  process.exitCode = 1;
});
