// The `values` lines reach the chart as written (backslashes and a leading brace escaped as for --set), through the private values file, with
// real Helm 3 and Helm 4 (`helm template` reads the file the way `helm upgrade` does).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import YAML from 'yaml';
import { probeHelm } from '../../../tasks/common/helm/findHelm';
import { HelmRunner } from '../../../tasks/common/helm/helmRunner';
import { parseValueLines, writeValuesFile } from '../../../tasks/common/helm/valuesFile';
import { silentLogger } from '../../../tasks/common/log';
import { toolPath } from '../../support/tools';
import { HELMS, fixtureChart, makeTempDir, removeTempDirs } from '../../support/helmUnderTest';

const LITERALS: Record<string, string> = {
  commas: 'a,b,,c',
  spaces: '  leading and trailing  ',
  quotes: `it's "quoted" \\"escaped\\"`,
  yaml11: 'yes',
  octal: '0755',
  sexagesimal: '1:20',
  tilde: '~',
  hash: 'value # not a comment',
  equals: 'k=v=w',
  braces: '{{ .Release.Name }} [x] {y}', // the leading brace escaped below
  unicode: 'Grüße ✓ 日本',
  backslash: 'C:\\path\\n', // each backslash doubled below, as --set reads \\ as one
};

describe('Values lines rendered by real Helm', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  for (const helm of HELMS) {
    it(`${helm.name}: every value arrives literally, nested by its dotted key`, async () => {
      const runner = new HelmRunner({
        helm: await probeHelm(toolPath(helm.tool)),
        logger: silentLogger,
        tempRoot: makeTempDir('values'),
      });
      try {
        const lines = [
          ...Object.entries(LITERALS).map(
            ([k, v]) => `config.${k}=${v.replace(/\\/g, '\\\\').replace(/^\{/, '\\{')}`,
          ),
          'config.nested.deeper\\.dotted=x',
          'config.enabled=true',
        ].join('\n');
        const file = runner.privatePath('values.yaml');
        const keys = writeValuesFile(file, parseValueLines(lines));
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        assert.ok(keys.includes('config.commas') && keys.includes('config.nested.deeper\\.dotted'));
        const out = await runner.mustRun([
          'template',
          'r1',
          fixtureChart('workloads'),
          '-f',
          file,
          '--show-only',
          'templates/configmap.yaml',
        ]);
        const configMap = YAML.parse(out.stdout) as { data: { CONFIG_JSON: string } };
        assert.deepEqual(JSON.parse(configMap.data.CONFIG_JSON), {
          ...LITERALS,
          nested: { 'deeper.dotted': 'x' },
          enabled: true,
        });
      } finally {
        runner.dispose();
      }
    });
  }
});
