import { UserError } from '../errors';
import { findKubernetesImages } from './findKubernetesImages';
import { isPinFailure, parseYamlSource } from './yamlSource';

/** An image named in a Kubernetes manifest: the reference as written and where it appears. */
export interface ManifestImage {
  readonly reference: string;
  /** `CronJob/backup spec.jobTemplate.spec.template.spec.initContainers[0].image`. */
  readonly where: string;
}

/**
 * Every image of a manifest stream (e.g. what Helm rendered), found by the same walk that pins
 * Kubernetes files: containers, initContainers and ephemeralContainers of every workload kind,
 * CronJob templates, and any `image:` string of a custom resource. `name` names the stream in
 * messages. A value that cannot be read as an image fails: a check must not pass by skipping it.
 */
export function findManifestImages(name: string, text: string): ManifestImage[] {
  const source = parseYamlSource(name, text);
  if (isPinFailure(source)) throw new UserError(`${name}, line ${source.line}: ${source.message}.`);
  const findings = findKubernetesImages(source);
  const failure = findings.failures[0];
  if (failure) throw new UserError(`${name}, line ${failure.line}: ${failure.message}.`);
  return [
    ...findings.occurrences.map((o) => ({ reference: o.reference, where: o.where })),
    // Rendered text still holding `${VAR}` is checked as written (and is not pinned).
    ...findings.unresolvable.map((u) => ({ reference: u.text, where: u.reason })),
  ];
}
