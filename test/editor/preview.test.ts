// The classic-editor preview pages (test/editor/previewPage.ts) in a real headless Chromium (Debian's
// chromium through playwright-core): every visibleRule parses and names an input of the task, every
// input becomes visible under some combination of the values its rules look at, rules follow the
// values as a user changes them, pickers offer what the bindings resolve from the ARM emulator,
// the display name stays one line with several images, and the listing's screenshots are taken
// (images/screenshots/<Task>.png).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { ArmEmulator } from '../emulators/armEmulator';
import { readPngHeader } from '../support/png';
import { parseVisibleRule } from '../support/taskJsonRules';
import { repoRoot, toolPath } from '../support/tools';
import { shippedTasks, startEditorArm, type TaskJson } from './editorEnvironment';
import { writePreviewSite } from './previewSite';

const SCREENSHOTS = path.join(repoRoot(), 'images', 'screenshots');

/** Every combination of the values the task's rules compare (pick list options, true/false, the rules' own values). */
function combinations(task: TaskJson): Record<string, string>[] {
  const rules = [...(task.groups ?? []), ...task.inputs].flatMap((x) =>
    x.visibleRule ? parseVisibleRule(x.visibleRule).predicates : [],
  );
  const candidates = new Map<string, Set<string>>();
  for (const { input, value } of rules) {
    const target = task.inputs.find((i) => i.name === input);
    const values = candidates.get(input) ?? new Set<string>();
    if (target?.type === 'boolean') ['true', 'false'].forEach((v) => values.add(v));
    else if (target?.options) Object.keys(target.options).forEach((v) => values.add(v));
    else values.add(value).add('');
    candidates.set(input, values);
  }
  let combos: Record<string, string>[] = [{}];
  for (const [input, values] of candidates)
    combos = combos.flatMap((c) => [...values].map((v) => ({ ...c, [input]: v })));
  assert.ok(combos.length <= 512, `${task.name}: ${combos.length} combinations`);
  return combos;
}

// Page-side code as text: the project compiles without the DOM library.
async function setValues(page: Page, values: Record<string, string>): Promise<void> {
  await page.evaluate(`(() => {
    for (const [name, value] of Object.entries(${JSON.stringify(values)})) {
      const c = document.getElementById('in-' + name);
      if (!c) continue;
      if (c.type === 'checkbox') c.checked = value === 'true';
      else c.value = value;
    }
    document.body.dispatchEvent(new Event('change', { bubbles: true }));
  })()`);
}

const visibleInputs = async (page: Page) =>
  page.evaluate<string[]>(
    `[...document.querySelectorAll('[data-input]')].filter((el) => !el.closest('[hidden]')).map((el) => el.dataset.input)`,
  );

describe('classic-editor preview in headless Chromium', function () {
  this.timeout(180_000);
  let arm: ArmEmulator;
  let browser: Browser;
  let dir: string;
  let pages: Awaited<ReturnType<typeof writePreviewSite>>;
  const open = async (folder: string) => {
    const entry = pages.find((p) => p.folder === folder);
    assert.ok(entry, folder);
    const page = await browser.newPage({ viewport: { width: 900, height: 900 } });
    await page.goto(pathToFileURL(entry.file).href);
    return page;
  };

  before(async () => {
    arm = await startEditorArm();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-editor-preview-'));
    pages = await writePreviewSite(dir, arm);
    browser = await chromium.launch({ executablePath: toolPath('CHROMIUM_BIN'), args: ['--no-sandbox'] });
  });
  after(async () => {
    await browser?.close();
    await arm?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const { folder, task } of shippedTasks()) {
    it(`${folder}: every visibleRule parses and names an input the page shows`, async () => {
      const page = await open(folder);
      assert.deepEqual(await page.evaluate<string[]>('window.previewErrors'), []);
      const declared = [...(task.groups ?? []), ...task.inputs].filter((x) => x.visibleRule).length;
      assert.equal(await page.locator('[data-rule]').count(), declared);
      assert.deepEqual(
        await page.evaluate<string[]>(
          `[...document.querySelectorAll('[data-input]')].map((el) => el.dataset.input)`,
        ),
        task.inputs.map((i) => i.name),
        'inputs in task.json order',
      );
      await page.close();
    });

    it(`${folder}: every input becomes visible under some combination of values`, async () => {
      const page = await open(folder);
      const seen = new Set<string>();
      for (const combo of combinations(task)) {
        await setValues(page, combo);
        for (const name of await visibleInputs(page)) seen.add(name);
      }
      assert.deepEqual(
        task.inputs.map((i) => i.name).filter((n) => !seen.has(n)),
        [],
        'inputs no combination of values shows',
      );
      await page.close();
    });

    it(`${folder}: the display name stays one line with two images or files per multi-line input`, async () => {
      const page = await open(folder);
      const multiLine = Object.fromEntries(
        task.inputs
          .filter((i) => i.type === 'multiLine')
          .map((i) => [i.name, `first-${i.name}\nsecond-${i.name}`]),
      );
      await setValues(page, multiLine);
      const name = (await page.locator('main').getAttribute('data-display-name')) ?? '';
      assert.ok(name.trim().length > 0);
      assert.doesNotMatch(name, /\n/, `display name "${name}"`);
      await page.close();
    });
  }

  it('DeployHelmChart: choosing AKS shows the pickers, a resource group fills the cluster list, as a user clicks', async () => {
    const page = await open('DeployHelmChartV1');
    const cluster = page.locator('[data-input="kubernetesCluster"]');
    assert.equal(await cluster.isVisible(), false);
    await page.selectOption('#in-connectionType', 'azureResourceManager');
    assert.equal(await cluster.isVisible(), true);
    assert.equal(await page.locator('[data-input="kubernetesServiceConnection"]').isVisible(), false);
    const groups = page.locator('[data-input="azureResourceGroup"] select.picked option');
    assert.deepEqual(await groups.allTextContents(), ['Select...', 'rg-shop', 'rg-edge']);
    await page.locator('[data-input="azureResourceGroup"] select.picked').selectOption('rg-edge');
    assert.equal(await page.inputValue('#in-azureResourceGroup'), 'rg-edge');
    assert.deepEqual(await cluster.locator('select.picked option').allTextContents(), [
      'Select...',
      'aks-edge',
    ]);
    await page.locator('[data-input="azureResourceGroup"] select.picked').selectOption('rg-shop');
    assert.deepEqual(await cluster.locator('select.picked option').allTextContents(), [
      'Select...',
      'aks-shop',
      'aks-shop-canary',
    ]);
    await page.selectOption('#in-action', 'uninstall');
    assert.equal(await page.locator('details[data-group="chart"]').isVisible(), false);
    assert.equal(await page.locator('main').getAttribute('data-display-name'), 'Helm uninstall ');
    await page.fill('#in-releaseName', 'delivery');
    assert.equal(await page.locator('main').getAttribute('data-display-name'), 'Helm uninstall delivery');
    await page.close();
  });

  /** A state of each page worth showing in the listing. */
  const SHOWCASE: Record<string, Record<string, string>> = {
    DeployHelmChartV1: {
      connectionType: 'azureResourceManager',
      azureSubscription: 'AzureRM-connection',
      azureResourceGroup: 'rg-shop',
      kubernetesCluster: 'aks-shop',
      releaseName: 'delivery',
      namespace: 'production',
      chart: 'oci://fabrikam.azurecr.io/helm/delivery',
      chartVersion: '1.0.2',
    },
    InjectKeyVaultSecretsV1: {
      azureSubscription: 'AzureRM-connection',
      keyVaultName: 'kv-shop',
      secrets: 'delivery-*',
    },
    PinImageDigestsV1: { files: 'charts/**/values.yaml\ndeploy/*.yaml', action: 'lock' },
    PromoteImageV1: {
      sourceImage: 'fabrikamnonprod.azurecr.io/delivery:v1.0.2',
      targetImage: 'prod/delivery:v1.0.2',
      azureSubscription: 'AzureRM-connection',
      targetRegistry: 'fabrikam.azurecr.io',
    },
    PublishHelmChartV1: {
      chartPath: 'charts/delivery',
      registry: 'oci://fabrikam.azurecr.io',
      azureSubscription: 'AzureRM-connection',
    },
  };

  it('takes the listing screenshots: one per task, in images/screenshots/', async () => {
    fs.mkdirSync(SCREENSHOTS, { recursive: true });
    for (const { folder } of pages) {
      const page = await open(folder);
      await setValues(page, SHOWCASE[folder] ?? {});
      const file = path.join(SCREENSHOTS, `${folder}.png`);
      await page.locator('main').screenshot({ path: file });
      const { width, height } = readPngHeader(fs.readFileSync(file));
      assert.ok(width >= 600 && height >= 400, `${file}: ${width}x${height}`);
      await page.close();
    }
  });
});
