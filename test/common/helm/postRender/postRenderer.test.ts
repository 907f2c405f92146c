// The change-cause post-renderer with real Helm 3 (executable) and Helm 4 (postrenderer/v1 plugin):
// `helm template` renders the fixture chart with and without it, and the two outputs are compared.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import YAML from 'yaml';
import { CHANGE_CAUSE_ANNOTATION } from '../../../../tasks/common/helm/postRender/annotateWorkloads';
import { probeHelm } from '../../../../tasks/common/helm/findHelm';
import { HelmRunner } from '../../../../tasks/common/helm/helmRunner';
import {
  installPostRenderer,
  type ChangeCausePostRenderer,
} from '../../../../tasks/common/helm/postRender/postRenderer';
import { silentLogger } from '../../../../tasks/common/log';
import { toolPath } from '../../../support/tools';
import { HELMS, fixtureChart, makeTempDir, removeTempDirs } from '../../../support/helmUnderTest';

const CAUSE = 'delivery-ci 20260101.4: Fix "retry", loop: #42 (9f3c2a1) by Ana Silva';

type K8sObject = {
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> | null };
  spec?: { template?: { metadata?: { annotations?: Record<string, string> } } };
};

/** The documents of a rendered stream, keyed `Kind/name`, with their exact text. */
function documents(stream: string): Map<string, { text: string; object: K8sObject }> {
  const docs = new Map<string, { text: string; object: K8sObject }>();
  for (const doc of YAML.parseAllDocuments(stream)) {
    assert.deepEqual(doc.errors, [], `invalid YAML (duplicate keys?) in:\n${stream}`);
    const object = doc.toJS() as K8sObject | null;
    if (!object) continue;
    docs.set(`${object.kind}/${object.metadata.name}`, {
      text: stream.slice(doc.range[0], doc.range[2]),
      object,
    });
  }
  return docs;
}

/** The object without the change cause (and without an annotations map left empty). */
function withoutCause(object: K8sObject): K8sObject {
  const copy = structuredClone(object);
  const annotations = { ...(copy.metadata.annotations ?? {}) };
  delete annotations[CHANGE_CAUSE_ANNOTATION];
  if (Object.keys(annotations).length > 0) copy.metadata.annotations = annotations;
  else delete copy.metadata.annotations;
  return copy;
}

describe('Change-cause post-renderer with real Helm', function () {
  this.timeout(60_000);
  after(removeTempDirs);

  for (const helm of HELMS) {
    describe(helm.name, () => {
      let runner: HelmRunner;
      let renderer: ChangeCausePostRenderer | undefined;

      beforeEach(async () => {
        const binary = await probeHelm(toolPath(helm.tool));
        runner = new HelmRunner({ helm: binary, logger: silentLogger, tempRoot: makeTempDir('runner') });
      });
      afterEach(async () => {
        await renderer?.close();
        renderer = undefined;
        runner.dispose();
      });

      const template = async (extra: readonly string[] = []): Promise<string> => {
        const result = await runner.mustRun(['template', 'r1', fixtureChart('workloads'), ...extra]);
        return result.stdout;
      };

      it('annotates every Deployment, StatefulSet and DaemonSet and changes nothing else', async () => {
        const plain = documents(await template());
        const renders: { input: string; output: string }[] = [];
        renderer = await installPostRenderer(runner, {
          changeCause: CAUSE,
          logger: silentLogger,
          onRender: (input, output) => renders.push({ input, output }),
        });
        const rendered = documents(await template(renderer.args));
        assert.equal(renders.length, 1);
        const workloads = ['Deployment/r1-web', 'StatefulSet/r1-db', 'DaemonSet/r1-agent'];
        assert.deepEqual([...renderer.annotated].sort(), [...workloads].sort());

        // What the post-renderer hands back: workloads gain the annotation, every other document is byte-identical.
        const input = documents(renders[0]?.input ?? '');
        const output = documents(renders[0]?.output ?? '');
        assert.deepEqual([...output.keys()].sort(), [...input.keys()].sort());
        for (const [key, { text, object }] of output) {
          const given = input.get(key);
          assert.ok(given, key);
          if (workloads.includes(key)) {
            assert.equal(object.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION], CAUSE, key);
            assert.equal(
              object.spec?.template?.metadata?.annotations,
              undefined,
              `${key}: pod template touched`,
            );
            assert.deepEqual(
              withoutCause(object),
              withoutCause(given.object),
              `${key} changed beyond the annotation`,
            );
          } else {
            assert.equal(text, given.text, `${key} is not byte-identical`);
          }
        }
        if (helm.major === 4) {
          // Helm 4 puts its own annotation in first: merged with it, never a second annotations key.
          assert.ok(renders[0]?.input.includes('postrenderer.helm.sh/postrender-filename'));
          assert.ok(
            output.get('Deployment/r1-web')?.object.metadata.annotations?.[
              'postrenderer.helm.sh/postrender-filename'
            ],
          );
        }

        // What Helm prints in the end: the same objects as without the post-renderer, plus the annotation.
        assert.deepEqual([...rendered.keys()].sort(), [...plain.keys()].sort());
        for (const [key, { object }] of rendered) {
          const before = plain.get(key);
          assert.ok(before, key);
          if (workloads.includes(key))
            assert.equal(object.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION], CAUSE, key);
          assert.deepEqual(
            withoutCause(object),
            withoutCause(before.object),
            `${key} differs from plain helm template`,
          );
        }
        assert.equal(rendered.get('Deployment/r1-web')?.object.metadata.annotations?.['team'], 'payments');
        assert.ok(![...rendered.values()].some((d) => d.text.includes('postrenderer.helm.sh')));
      });

      it("runs the user's post-renderer first, with its arguments, then annotates what it produced", async () => {
        renderer = await installPostRenderer(runner, {
          changeCause: CAUSE,
          logger: silentLogger,
          user: { path: fixtureChart('post-renderers/add-canary.js'), args: ['team-x'] },
        });
        const rendered = documents(await template(renderer.args));
        for (const [key, { object }] of rendered) {
          if (key !== 'Deployment/canary') assert.equal(object.metadata.namespace, 'team-x', key);
        }
        assert.equal(
          rendered.get('Deployment/canary')?.object.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION],
          CAUSE,
        );
        assert.ok(renderer.annotated.includes('Deployment/canary'));
      });

      it("fails the render with the user's post-renderer's own message", async () => {
        const failing = `${makeTempDir('failing')}/fail.sh`;
        fs.writeFileSync(failing, '#!/bin/sh\necho "kustomize: no kustomization.yaml" >&2\nexit 3\n', {
          mode: 0o755,
        });
        renderer = await installPostRenderer(runner, {
          changeCause: CAUSE,
          logger: silentLogger,
          user: { path: failing, args: [] },
        });
        const result = await runner.run(['template', 'r1', fixtureChart('workloads'), ...renderer.args]);
        assert.notEqual(result.code, 0);
        assert.equal(renderer.relay.failures.length, 1);
        assert.match(renderer.relay.failures[0] ?? '', /exit code 3.*kustomize: no kustomization\.yaml/s);
      });
    });
  }
});
