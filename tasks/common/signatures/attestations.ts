import { describeMatcher, type Matcher, matches, type RequiredAttestation } from './policy';
import type { VerifiedStatement } from './verdict';

/** An accepted attestation: a verified statement about the digest and who signed it. */
export interface FoundAttestation extends VerifiedStatement {
  readonly signer: string;
  readonly where: string;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** The builder id of SLSA provenance v1 (`runDetails.builder.id`) or v0.2 (`builder.id`). */
export function slsaBuilderId(predicate: unknown): string | undefined {
  const p = obj(predicate);
  return str(obj(obj(p.runDetails).builder).id) ?? str(obj(p.builder).id);
}

/** `git+https://host/org/repo@refs/heads/main` -> `https://host/org/repo`. */
const repositoryOf = (uri: string): string =>
  uri.replace(/^git\+/, '').replace(/^([a-z+]+:\/\/[^/]*\/[^@]*)@.*$/, '$1');

/**
 * Source repositories SLSA provenance names: v0.2 `invocation.configSource.uri`, v1
 * `buildDefinition.externalParameters` (`workflow.repository`, `source`, `repository`) and the
 * git `resolvedDependencies`. A constraint holds when any of them matches.
 */
export function slsaSourceRepositories(predicate: unknown): string[] {
  const p = obj(predicate);
  const definition = obj(p.buildDefinition);
  const external = obj(definition.externalParameters);
  const dependencies = Array.isArray(definition.resolvedDependencies) ? definition.resolvedDependencies : [];
  const uris = [
    str(obj(obj(p.invocation).configSource).uri),
    str(obj(external.workflow).repository),
    str(external.source),
    str(external.repository),
    ...dependencies.map((d) => str(obj(d).uri)).filter((u) => u?.startsWith('git+')),
  ];
  return [...new Set(uris.filter((u): u is string => u !== undefined).map(repositoryOf))];
}

function unmet(name: string, m: Matcher | undefined, values: readonly string[]): string | undefined {
  if (!m || values.some((v) => matches(m, v))) return undefined;
  return `${name} ${values.length ? values.join(', ') : '(none)'} does not match ${describeMatcher(m)}`;
}

/** Why no found attestation satisfies `required`, or undefined when one does. */
export function unmetRequirement(
  required: RequiredAttestation,
  found: readonly FoundAttestation[],
): string | undefined {
  const ofType = found.filter((f) => f.predicateType === required.predicateType);
  if (ofType.length === 0) return `no verified attestation of predicate type ${required.predicateType}`;
  const reasons: string[] = [];
  for (const f of ofType) {
    const why =
      unmet(
        'builder id',
        required.builderId,
        [slsaBuilderId(f.predicate)].filter((v): v is string => !!v),
      ) ?? unmet('source repository', required.sourceRepository, slsaSourceRepositories(f.predicate));
    if (!why) return undefined;
    reasons.push(`${f.where}: ${why}`);
  }
  return `${required.predicateType}: ${reasons.join('; ')}`;
}
