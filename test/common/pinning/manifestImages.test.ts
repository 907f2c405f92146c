// findManifestImages: the images of a rendered manifest stream (what verifyImages checks), found by
// the Kubernetes finder pinning uses, with where each one appears.
import assert from 'node:assert/strict';
import { UserError } from '../../../tasks/common/errors';
import { findManifestImages } from '../../../tasks/common/pinning';

const RENDERED = `---
# Source: shop/templates/cronjob.yaml
apiVersion: batch/v1
kind: CronJob
metadata:
  name: backup
spec:
  jobTemplate:
    spec:
      template:
        spec:
          initContainers:
            - name: prepare
              image: "reg.example/init:2@sha256:${'a'.repeat(64)}"
          containers:
            - name: backup
              image: reg.example/app:1
---
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  ephemeralContainers:
    - name: shell
      image: busybox
  containers:
    - name: main
      image: reg.example/app:1
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: notes
data:
  image: not-an-image-to-check
`;

describe('findManifestImages: images of a rendered manifest', function () {
  it('finds initContainers of CronJob templates and ephemeralContainers, each with its object and path', function () {
    assert.deepEqual(findManifestImages('rendered', RENDERED), [
      {
        reference: `reg.example/init:2@sha256:${'a'.repeat(64)}`,
        where: 'CronJob/backup spec.jobTemplate.spec.template.spec.initContainers[0].image',
      },
      {
        reference: 'reg.example/app:1',
        where: 'CronJob/backup spec.jobTemplate.spec.template.spec.containers[0].image',
      },
      { reference: 'busybox', where: 'Pod/debug spec.ephemeralContainers[0].image' },
      { reference: 'reg.example/app:1', where: 'Pod/debug spec.containers[0].image' },
    ]);
  });

  it('fails on an image it cannot read rather than passing it unchecked', function () {
    const blockScalar =
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec:\n  containers:\n    - name: c\n      image: |\n        reg.example/app:1\n';
    assert.throws(
      () => findManifestImages('rendered', blockScalar),
      (err: unknown) => err instanceof UserError && /rendered, line 8: .*block scalar/.test(err.message),
    );
  });
});
