import fs from 'node:fs';
import { UserError } from '../errors';
import { policyFile } from './policyFiles';
import { SLSA_PROVENANCE_V02, SLSA_PROVENANCE_V1 } from './mediaTypes';
import type { Matcher, RequiredAttestation, TrustedKey, TrustPolicy } from './policy';
import { prepareTrust, type PreparedTrust } from './trust';

/**
 * The trust-policy inputs PromoteImage@1 and PinImageDigests@1 (verify) share, turned into a
 * prepared trust policy. The task's inputs.ts hands in its input reader: this module never talks
 * to the agent. A cosign key named by reference (`azurekms://...`, a Key Vault key) is read by the
 * task through its Azure connection: the gate then waits for it (PendingSignatureGate).
 */

export const VERIFY_SIGNATURES = ['none', 'cosignKey', 'cosignKeyless', 'notation'] as const;
export type VerifySignatures = (typeof VERIFY_SIGNATURES)[number];

/** What the task's input reader offers (tasks/common/agent `inputs`). */
export interface PolicyInputReader {
  optional(name: string): string | undefined;
  lines(name: string): string[];
  choice<T extends string>(name: string, allowed: readonly T[], defaultValue: T): T;
}

/** The gate's settings: undefined when `verifySignatures` is `none`. */
export interface SignatureGate {
  readonly mode: Exclude<VerifySignatures, 'none'>;
  readonly trust: PreparedTrust;
}

/**
 * `cosignKey` with the key named by reference (cosign's `azurekms://<vault>/<key>[/<version>]`):
 * the task reads the key where it lives and completes the gate with it, before any image is read.
 */
export interface PendingSignatureGate {
  readonly mode: 'cosignKey';
  /** The reference as given in `cosignPublicKey`. */
  readonly keyReference: string;
  /** The gate with the key read (named by its key id). */
  complete(key: TrustedKey): SignatureGate;
}

/** The key reference scheme `cosignPublicKey` and `signingKey` accept besides PEM and files (cosign's). */
export const KEY_REFERENCE_SCHEME = 'azurekms://';

/** Whether an input names a Key Vault key (`azurekms://...`) rather than PEM text or a file. */
export const isKeyReference = (text: string): boolean =>
  text.trim().toLowerCase().startsWith(KEY_REFERENCE_SCHEME);

const SLSA_TYPES = [SLSA_PROVENANCE_V1, SLSA_PROVENANCE_V02];

/**
 * Text given inline (it holds `-----BEGIN`) or the path of a file holding it, inside the working
 * directory (policyFiles).
 */
function pemOrFile(
  read: PolicyInputReader,
  name: string,
  workingDirectory: string,
): { text: string; from: string } | undefined {
  const value = read.optional(name);
  if (value === undefined) return undefined;
  if (value.includes('-----BEGIN')) return { text: value, from: name };
  const file = policyFile(value, name, workingDirectory);
  try {
    return { text: fs.readFileSync(file, 'utf8'), from: value };
  } catch (err) {
    throw new UserError(
      `Input '${name}': '${value}' is neither PEM text (-----BEGIN ...) nor a readable file (${(err as Error).message}).`,
    );
  }
}

function required<T>(value: T | undefined, name: string, mode: string, what: string): T {
  if (value === undefined) {
    throw new UserError(`Input '${name}' is required when 'verifySignatures' is ${mode}: ${what}.`);
  }
  return value;
}

/** Exactly one of an exact input and its `RegExp` twin. */
function matcher(read: PolicyInputReader, exact: string, what: string): Matcher {
  const regexName = `${exact}RegExp`;
  const text = read.optional(exact);
  const regex = read.optional(regexName);
  if (text !== undefined && regex !== undefined) {
    throw new UserError(`Inputs '${exact}' and '${regexName}' both constrain ${what}; give one of them.`);
  }
  if (text !== undefined) return { exact: text };
  if (regex !== undefined) return { regex };
  throw new UserError(
    `Input '${exact}' (exact) or '${regexName}' (regular expression, anchored) is required when 'verifySignatures' is cosignKeyless: ${what}.`,
  );
}

/** A file input's real path (inside the working directory), which must exist. */
function existingFile(read: PolicyInputReader, name: string, workingDirectory: string): string | undefined {
  const value = read.optional(name);
  if (value === undefined) return undefined;
  const file = policyFile(value, name, workingDirectory);
  if (!fs.existsSync(file)) {
    throw new UserError(`Input '${name}': the file ${value} does not exist (looked for ${file}).`);
  }
  return file;
}

function requiredAttestations(read: PolicyInputReader): RequiredAttestation[] {
  const types = read.lines('requireAttestations');
  const builderId = read.optional('slsaBuilderId');
  const sourceRepository = read.optional('slsaSourceRepository');
  const slsa = types.filter((t) => SLSA_TYPES.includes(t));
  for (const [name, value] of [
    ['slsaBuilderId', builderId],
    ['slsaSourceRepository', sourceRepository],
  ] as const) {
    if (value !== undefined && slsa.length === 0) {
      throw new UserError(
        `Input '${name}' constrains SLSA provenance: list ${SLSA_TYPES.join(' or ')} in 'requireAttestations'.`,
      );
    }
  }
  return types.map((predicateType) => ({
    predicateType,
    ...(SLSA_TYPES.includes(predicateType)
      ? {
          ...(builderId !== undefined ? { builderId: { exact: builderId } } : {}),
          ...(sourceRepository !== undefined ? { sourceRepository: { exact: sourceRepository } } : {}),
        }
      : {}),
  }));
}

function policyFor(
  read: PolicyInputReader,
  mode: Exclude<VerifySignatures, 'none'>,
  workingDirectory: string,
  referencedKey?: TrustedKey,
): TrustPolicy {
  const attestations = requiredAttestations(read);
  const base = attestations.length ? { requiredAttestations: attestations } : {};
  const rootFile = existingFile(read, 'trustedRootFile', workingDirectory);
  switch (mode) {
    case 'cosignKey': {
      const key =
        referencedKey ??
        ((k) => ({ name: k.from, pem: k.text }))(
          required(
            pemOrFile(read, 'cosignPublicKey', workingDirectory),
            'cosignPublicKey',
            mode,
            'the PEM public key',
          ),
        );
      return {
        ...base,
        cosignKeys: [key],
        ...(rootFile !== undefined ? { keyedTrustedRootFile: rootFile } : {}),
      };
    }
    case 'cosignKeyless': {
      const identity = matcher(read, 'certificateIdentity', "the signer's certificate identity");
      const issuer = matcher(read, 'certificateOidcIssuer', "the certificate's OIDC issuer");
      const trustedRootFile = required(rootFile, 'trustedRootFile', mode, 'the Sigstore trusted_root.json');
      return { ...base, keyless: { trustedRootFile, identities: [{ identity, issuer }] } };
    }
    case 'notation': {
      const certificates = required(
        pemOrFile(read, 'notationCertificates', workingDirectory),
        'notationCertificates',
        mode,
        'the trusted certificates (PEM)',
      );
      const subject = read.optional('notationSubject');
      return {
        ...base,
        notation: { trustedCertificates: certificates.text, ...(subject ? { subject } : {}) },
      };
    }
  }
}

/**
 * Reads and validates the trust-policy inputs; keys and certificates are loaded here, once, from
 * files inside `workingDirectory` (relative paths taken from it). A `cosignPublicKey` given by
 * reference (`azurekms://...`) gives a PendingSignatureGate, which the task completes with the
 * key once read (every other input is validated now).
 */
export function readSignatureGateInputs(
  read: PolicyInputReader,
  workingDirectory: string,
): SignatureGate | PendingSignatureGate | undefined {
  const mode = read.choice('verifySignatures', VERIFY_SIGNATURES, 'none');
  const reference = mode === 'cosignKey' ? read.optional('cosignPublicKey') : undefined;
  if (mode !== 'cosignKey' || reference === undefined || !isKeyReference(reference)) {
    return readSignatureGate(read, workingDirectory);
  }
  const input = `Input 'verifySignatures' (${mode})`;
  // Every other input is read and checked now: a wrong one fails before the vault is asked.
  const policy = policyFor(read, mode, workingDirectory, { name: reference, pem: '' });
  return {
    mode,
    keyReference: reference.trim(),
    complete: (key) => ({ mode, trust: prepareTrust({ ...policy, cosignKeys: [key] }, input) }),
  };
}

/** The gate of a policy whose inputs hold every key (no key reference). */
function readSignatureGate(read: PolicyInputReader, workingDirectory: string): SignatureGate | undefined {
  const mode = read.choice('verifySignatures', VERIFY_SIGNATURES, 'none');
  if (mode === 'none') {
    if (read.lines('requireAttestations').length > 0) {
      throw new UserError(
        `Input 'requireAttestations' needs a trust policy: set 'verifySignatures' to one of ${VERIFY_SIGNATURES.filter((m) => m !== 'none').join(', ')}.`,
      );
    }
    return undefined;
  }
  return {
    mode,
    trust: prepareTrust(policyFor(read, mode, workingDirectory), `Input 'verifySignatures' (${mode})`),
  };
}
