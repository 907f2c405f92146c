// Pure pieces of the Helm tasks: values lines, change cause, chart version, Helm version check.
import assert from 'node:assert/strict';
import YAML from 'yaml';
import { defaultChangeCause, normalizeChangeCause } from '../../../tasks/common/helm/postRender/changeCause';
import { chooseChartVersion, ociTag, versionFromBranch } from '../../../tasks/common/helm/chartVersion';
import { checkSupportedHelm, parseHelmVersion } from '../../../tasks/common/helm/helmVersion';
import { parseOciLocation } from '../../../tasks/common/helm/ociLocation';
import { isInsecureRegistry as usesPlainHttp } from '../../../tasks/common/registry/endpoints';
import { parseValueLines, valuesTree, valuesYaml } from '../../../tasks/common/helm/valuesFile';

describe('Helm values lines', () => {
  it('keeps one assignment per line: commas, spaces, quotes, # and = stay in the value', () => {
    const text = [
      'db.password=p@ss,word with "quotes" and \'single\' # not a comment = still value',
      '  image.tag=1.2.3',
      '# a comment line',
      '',
      'trailing=space ',
      'empty=',
      'spaced.key =x',
    ].join('\n');
    const parsed = parseValueLines(text);
    assert.deepEqual(
      parsed.map((p) => [p.line, p.key]),
      [
        [1, 'db.password'],
        [2, 'image.tag'],
        [5, 'trailing'],
        [6, 'empty'],
        [7, 'spaced.key'],
      ],
    );
    assert.deepEqual(valuesTree(parsed), {
      db: { password: 'p@ss,word with "quotes" and \'single\' # not a comment = still value' },
      image: { tag: '1.2.3' },
      trailing: 'space ',
      empty: '',
      spaced: { key: 'x' },
    });
  });

  it('types values as --set, --set-string or --set-json', () => {
    const lines =
      'a.b.c=1\na.b.d=true\nannotations.example\\.com/x=y\nflag=FALSE\nport=08080\nl={1,x}\nn=null';
    assert.deepEqual(valuesTree(parseValueLines(lines)), {
      a: { b: { c: 1, d: true } },
      annotations: { 'example.com/x': 'y' },
      flag: false,
      port: '08080',
      l: [1, 'x'],
      n: null,
    });
    assert.deepEqual(valuesTree(parseValueLines(lines, 'string')), {
      a: { b: { c: '1', d: 'true' } },
      annotations: { 'example.com/x': 'y' },
      flag: 'FALSE',
      port: '08080',
      l: ['1', 'x'],
      n: 'null',
    });
    assert.deepEqual(valuesTree(parseValueLines('a={"b":[1,null]}\na.c=\n__proto__.x="y"', 'json')), {
      a: { b: [1, null], c: null },
      ['__proto__']: { x: 'y' },
    });
  });

  it('writes YAML that reads back to the same strings, even YAML 1.1 lookalikes', () => {
    const tricky = [
      'yes',
      'no',
      'on',
      '0755',
      '1:20',
      '~',
      'null',
      '1e3',
      '.inf',
      'a: b',
      '- x',
      '{x}',
      'é ✓',
    ];
    const lines = tricky.map((v, i) => `k${i}=${v.replace(/^\{/, '\\{')}`).join('\n');
    const yaml = valuesYaml(valuesTree(parseValueLines(lines, 'string')));
    const back = YAML.parse(yaml, { version: '1.1' }) as Record<string, unknown>;
    tricky.forEach((v, i) => assert.equal(back[`k${i}`], v, `k${i} from ${yaml}`));
  });

  it('refuses lines without a key or =, and integers a values file would change, without echoing the line', () => {
    const hidden = (e: Error) => /^Line 2 /.test(e.message) && !e.message.includes('s3cr3t');
    assert.throws(() => parseValueLines('a=1\njust-a-s3cr3t-value'), hidden);
    assert.throws(() => parseValueLines('a=1\n=s3cr3t'), hidden);
    assert.throws(() => parseValueLines('a=1\n.x=s3cr3t'), hidden);
    assert.throws(() => parseValueLines('a=1\nbig=9007199254740993'), /too many digits/);
    assert.equal(valuesTree(parseValueLines('big=9007199254740993', 'string')).big, '9007199254740993');
  });
});

describe('Change cause', () => {
  it('is definition, build number, first commit line, short commit and requester', () => {
    assert.equal(
      defaultChangeCause({
        definitionName: 'delivery-ci',
        buildNumber: '20260101.4',
        commitMessage: 'Fix the retry loop\n\nLonger body',
        commit: '9f3c2a1b4d5e6f708192a3b4c5d6e7f801234567',
        requestedFor: 'Ana Silva',
      }),
      'delivery-ci 20260101.4: Fix the retry loop (9f3c2a1) by Ana Silva',
    );
  });

  it('uses whatever the run has', () => {
    assert.equal(defaultChangeCause({ buildNumber: '7', requestedFor: 'Bo' }), '7 by Bo');
    assert.equal(defaultChangeCause({ commit: 'abcdef1234' }), '(abcdef1)');
    assert.equal(defaultChangeCause({ definitionName: 'ci', commitMessage: 'x' }), 'ci: x');
    assert.equal(defaultChangeCause({}), 'Deployed by Azure Pipelines');
  });

  it('is one bounded line', () => {
    assert.equal(normalizeChangeCause('  a\n b\t c '), 'a b c');
    assert.equal(normalizeChangeCause('x'.repeat(600)).length, 512);
  });
});

describe('Chart version', () => {
  it('comes from release/<service>/v1.0.2 branches, refs/heads/ or not', () => {
    assert.deepEqual(versionFromBranch('refs/heads/release/delivery/v1.0.2'), {
      version: '1.0.2',
      service: 'delivery',
    });
    assert.deepEqual(versionFromBranch('release/team/delivery/1.4.0-rc.1'), {
      version: '1.4.0-rc.1',
      service: 'team/delivery',
    });
    assert.deepEqual(versionFromBranch('release/v2.0.0'), { version: '2.0.0' });
    assert.equal(versionFromBranch('refs/heads/main'), undefined);
    assert.equal(versionFromBranch('release/delivery/v1.0'), undefined);
    assert.equal(versionFromBranch('feature/release/delivery/v1.0.0'), undefined);
  });

  it('prefers the input, then the branch, then a SemVer build number; otherwise says how to fix it', () => {
    const branch = 'refs/heads/release/delivery/v1.0.2';
    assert.equal(chooseChartVersion({ explicit: 'v3.1.0', branch, buildNumber: '9.9.9' }).version, '3.1.0');
    assert.deepEqual(chooseChartVersion({ branch, buildNumber: '9.9.9' }), {
      version: '1.0.2',
      service: 'delivery',
      source: 'branch',
    });
    assert.deepEqual(chooseChartVersion({ branch: 'refs/heads/main', buildNumber: '1.2.3+build.5' }), {
      version: '1.2.3+build.5',
      source: 'build number',
    });
    assert.throws(
      () => chooseChartVersion({ branch: 'refs/heads/main', buildNumber: '20260101.1' }),
      /No chart version/,
    );
    assert.throws(() => chooseChartVersion({ explicit: '1.0' }), /not a SemVer 2 version/);
    assert.equal(ociTag('1.2.3+build.5'), '1.2.3_build.5');
  });
});

describe('Helm version and registry location', () => {
  it('accepts 3.8+ and 4.x, refuses older and unknown majors', () => {
    const v = (text: string) => {
      const parsed = parseHelmVersion(text);
      assert.ok(parsed, text);
      return parsed;
    };
    assert.deepEqual(v('v3.17.3+ge4da497'), { major: 3, minor: 17, patch: 3, text: 'v3.17.3' });
    assert.equal(v('Client: v2.17.0+ga690bad').major, 2);
    checkSupportedHelm(v('v3.8.0'), 'helm');
    checkSupportedHelm(v('v4.1.4+g05fa379'), 'helm');
    assert.throws(
      () => checkSupportedHelm(v('v3.7.2'), '/usr/bin/helm'),
      /v3\.7\.2 at \/usr\/bin\/helm is too old.*3\.8/,
    );
    assert.throws(() => checkSupportedHelm(v('Client: v2.17.0'), 'helm'), /too old/);
    assert.throws(() => checkSupportedHelm(v('v5.0.0'), 'helm'), /does not know/);
    assert.equal(parseHelmVersion('no version here'), undefined);
  });

  it('parses oci:// locations and knows which hosts speak plain HTTP', () => {
    assert.deepEqual(parseOciLocation('oci://Fabrikam.azurecr.io/helm/charts/', 'x'), {
      host: 'fabrikam.azurecr.io',
      path: 'helm/charts',
    });
    assert.deepEqual(parseOciLocation('oci://127.0.0.1:5000', 'x'), { host: '127.0.0.1:5000', path: '' });
    assert.throws(
      () => parseOciLocation('https://fabrikam.azurecr.io/helm', "Input 'registry'"),
      /not an OCI registry location/,
    );
    assert.equal(usesPlainHttp('127.0.0.1:5000', []), true);
    assert.equal(usesPlainHttp('localhost:5000', []), true);
    assert.equal(usesPlainHttp('registry.lan:5000', ['registry.lan:5000']), true);
    assert.equal(usesPlainHttp('registry.lan:5000', ['http://registry.lan']), true);
    assert.equal(usesPlainHttp('fabrikam.azurecr.io', ['registry.lan']), false);
  });
});
