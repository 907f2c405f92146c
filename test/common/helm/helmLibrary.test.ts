// Library pieces of the Helm tasks without a cluster: finding Helm, extra arguments, kubeconfigs,
// the annotation on edge-case manifests, and the content digest of chart archives.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import YAML from 'yaml';
import { annotateWorkloads } from '../../../tasks/common/helm/postRender/annotateWorkloads';
import { checkExtraArguments, helmDuration, splitArguments } from '../../../tasks/common/helm/arguments';
import { chartContentDigest } from '../../../tasks/common/helm/chartArchive';
import { locateHelm, probeHelm } from '../../../tasks/common/helm/findHelm';
import { helmProxyEnvironment } from '../../../tasks/common/helm/proxyEnvironment';
import {
  kubeconfigSecrets,
  parseKubeconfig,
  replaceKubeloginUsers,
  serviceAccountKubeconfig,
  skipTlsVerify,
} from '../../../tasks/common/kubernetes/kubeconfig';
import { makeTempDir, removeTempDirs } from '../../support/helmUnderTest';

/** A fake helm printing `version` (a shell script), in its own folder. */
function fakeHelm(version: string): string {
  const dir = makeTempDir('fake-helm');
  const file = path.join(dir, 'helm');
  fs.writeFileSync(file, `#!/bin/sh\necho '${version}'\n`, { mode: 0o755 });
  return file;
}

/** A tar.gz with the given files, each entry's mtime set to `mtime` (seconds). */
function tgz(files: Record<string, string>, mtime: number): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100);
    header.write(`${Buffer.byteLength(text).toString(8).padStart(11, '0')}\0`, 124);
    header.write(`${mtime.toString(8).padStart(11, '0')}\0`, 136);
    header.write('        ', 148);
    header.write('0', 156);
    header.write('ustar\0' + '00', 257);
    let sum = 0;
    for (const b of header) sum += b;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    const body = Buffer.alloc(Math.ceil(Buffer.byteLength(text) / 512) * 512);
    body.write(text, 'utf8');
    blocks.push(header, body);
  }
  return zlib.gzipSync(Buffer.concat([...blocks, Buffer.alloc(1024)]));
}

describe('Helm library', () => {
  after(removeTempDirs);

  it('finds helm by file, by folder or on PATH, and refuses versions it does not support', async () => {
    const helm3 = fakeHelm('v3.17.3+ge4da497');
    assert.equal(locateHelm(helm3), helm3);
    assert.equal(locateHelm(path.dirname(helm3)), helm3);
    assert.equal(locateHelm(undefined, { PATH: path.dirname(helm3) }), helm3);
    assert.throws(() => locateHelm(undefined, { PATH: makeTempDir('empty') }), /Helm was not found on PATH/);
    assert.throws(() => locateHelm(path.join(makeTempDir('none'), 'helm')), /not an executable file/);
    assert.equal((await probeHelm(helm3)).version.text, 'v3.17.3');
    await assert.rejects(probeHelm(fakeHelm('v3.7.2+g663a896')), /Helm v3\.7\.2 at .* is too old/);
    await assert.rejects(probeHelm(fakeHelm('Client: v2.17.0+ga690bad')), /too old/);
    await assert.rejects(probeHelm(fakeHelm('kubectl 1.31')), /did not print a Helm version/);
  });

  it('splits extra arguments like a shell and refuses the flags the task owns', () => {
    assert.deepEqual(splitArguments(`--set "a=b c" --labels='x=y z' --debug  a\\ b ""`), [
      '--set',
      'a=b c',
      '--labels=x=y z',
      '--debug',
      'a b',
      '',
    ]);
    assert.throws(() => splitArguments('--set "a=b'), /unclosed " quote/);
    assert.throws(() => checkExtraArguments(['--kubeconfig=/x']), /choose the cluster with 'connectionType'/);
    assert.throws(() => checkExtraArguments(['--description', 'x']), /changeCause/);
    assert.deepEqual(checkExtraArguments(['--dependency-update']), ['--dependency-update']);
    assert.equal(helmDuration('300'), '300s');
    assert.equal(helmDuration('1h30m'), '1h30m');
    assert.throws(() => helmDuration('5 minutes'), /not a duration/);
  });

  it("hands the agent's proxy to Helm through the environment", () => {
    assert.deepEqual(helmProxyEnvironment(undefined), {});
    const env = helmProxyEnvironment({
      url: 'http://proxy.corp:8080',
      username: 'build agent',
      password: 'p@ss:w/rd',
      bypass: ['^registry\\.corp$', '.*\\.internal\\..*'],
    });
    assert.equal(env['HTTPS_PROXY'], 'http://build%20agent:p%40ss%3Aw%2Frd@proxy.corp:8080');
    assert.equal(env['HTTP_PROXY'], env['HTTPS_PROXY']);
    assert.equal(env['NO_PROXY'], 'localhost,127.0.0.1,::1,registry.corp');
  });

  it('builds service-account kubeconfigs from base64 or PEM certificates and finds every credential', () => {
    const pem = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';
    const token = 'eyJhbGciOi.service-account.token';
    const fromPem = serviceAccountKubeconfig({
      server: 'https://k8s:6443',
      apiTokenBase64: Buffer.from(token).toString('base64'),
      certificate: pem,
      namespace: 'apps',
    });
    const fromB64 = serviceAccountKubeconfig({
      server: 'https://k8s:6443',
      apiTokenBase64: Buffer.from(token).toString('base64'),
      certificate: Buffer.from(pem).toString('base64'),
    });
    assert.equal(fromPem.token, token);
    const caOf = (c: Record<string, unknown>) =>
      YAML.stringify(c).match(/certificate-authority-data: (\S+)/)?.[1];
    assert.equal(caOf(fromPem.config), Buffer.from(pem).toString('base64'));
    assert.equal(caOf(fromB64.config), caOf(fromPem.config));
    assert.deepEqual(kubeconfigSecrets(fromPem.config), [token]);
    const insecure = YAML.stringify(skipTlsVerify(fromPem.config));
    assert.match(insecure, /insecure-skip-tls-verify: true/);
    assert.doesNotMatch(insecure, /certificate-authority-data/);

    const key = Buffer.from('-----BEGIN EC PRIVATE KEY-----\nkey\n-----END EC PRIVATE KEY-----\n').toString(
      'base64',
    );
    const config = parseKubeconfig(
      YAML.stringify({
        clusters: [{ name: 'c', cluster: { server: 'https://x' } }],
        users: [
          { name: 'a', user: { 'client-certificate-data': 'Y2VydA==', 'client-key-data': key } },
          {
            name: 'b',
            user: { 'auth-provider': { config: { 'access-token': 'at-123', 'client-id': 'public' } } },
          },
          {
            name: 'c',
            user: { exec: { command: 'kubelogin', env: [{ name: 'AZURE_CLIENT_SECRET', value: 'cs-456' }] } },
          },
        ],
      }),
      'test',
    );
    assert.deepEqual(
      kubeconfigSecrets(config).sort(),
      [key, Buffer.from(key, 'base64').toString(), 'at-123', 'cs-456'].sort(),
    );
    assert.equal(replaceKubeloginUsers(config, 'entra-token'), 1);
    assert.match(YAML.stringify(config), /token: entra-token/);
    assert.throws(() => parseKubeconfig('kind: Config\n', 'x'), /lists no clusters/);
  });

  it('annotates workloads in Lists, leaves other kinds and unparsable documents alone', () => {
    const cause = 'why';
    const text = [
      '# leading comment',
      'apiVersion: v1',
      'kind: List',
      'items:',
      '  - apiVersion: apps/v1',
      '    kind: Deployment',
      '    metadata: { name: in-list }',
      '---',
      'apiVersion: example.com/v1',
      'kind: Deployment',
      'metadata:',
      '  name: custom-resource',
      '---',
      'apiVersion: batch/v1',
      'kind: Job',
      'metadata:',
      '  name: job',
      '---',
      'apiVersion: apps/v1',
      'kind: StatefulSet',
      'metadata: {name: dup, name: dup}',
      '',
    ].join('\n');
    const result = annotateWorkloads(text, cause);
    assert.deepEqual(result.annotated, ['Deployment/in-list']);
    assert.equal(result.unparsed, 1);
    const docs = result.text.split(/^---$/m);
    assert.equal(docs[1], text.split(/^---$/m)[1]);
    assert.equal(docs[2], text.split(/^---$/m)[2]);
    assert.equal(docs[3], text.split(/^---$/m)[3]);
    assert.match(docs[0] ?? '', /# leading comment/);
    assert.equal(annotateWorkloads('', cause).text, '');
  });

  it('gives two archives of the same files the same content digest, whatever their timestamps', () => {
    const files = { 'shop/Chart.yaml': 'name: shop\n', 'shop/templates/a.yaml': 'kind: ConfigMap\n' };
    const early = tgz(files, 1_700_000_000);
    const late = tgz(files, 1_800_000_000);
    assert.notDeepEqual(early, late);
    assert.equal(chartContentDigest(early, 'a'), chartContentDigest(late, 'b'));
    const changed = tgz({ ...files, 'shop/templates/a.yaml': 'kind: Secret\n' }, 1_700_000_000);
    assert.notEqual(chartContentDigest(changed, 'c'), chartContentDigest(early, 'a'));
    assert.throws(
      () => chartContentDigest(Buffer.from('not gzip'), 'the chart'),
      /the chart is not a gzipped chart archive/,
    );
  });
});
