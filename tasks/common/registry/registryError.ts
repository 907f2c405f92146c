import { UserError, errorMessage } from '../errors';
import { describeStatus, type AnswerSource } from '../net/remoteAnswer';

/**
 * The right an operation needs on a repository: `push` includes pull; `metadata_read` and
 * `metadata_write` are ACR's rights on tag and manifest attributes (its lock API).
 */
export type RepositoryRight = 'pull' | 'push' | 'metadata_read' | 'metadata_write';

/** Where a registry request failed: names used in every message. */
export interface RegistryOperation {
  readonly registry: string;
  readonly repository?: string;
  /** What was being done, e.g. 'push manifest', 'mount blob', 'read manifest'. */
  readonly operation: string;
  /** The right the operation needs on the repository. */
  readonly access: RepositoryRight;
  /** The tag, digest or blob the request was about, for the message. */
  readonly subject?: string;
}

export interface RegistryErrorDetails extends RegistryOperation {
  readonly status?: number;
  /** The first error code of the registry's JSON body (e.g. MANIFEST_UNKNOWN, DENIED). */
  readonly code?: string;
  /** Every error code of the registry's JSON body, in its order. */
  readonly codes?: readonly string[];
}

/** A registry said no, or could not be reached. The message says what to check. */
export class RegistryError extends UserError {
  constructor(
    message: string,
    readonly details: RegistryErrorDetails,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

interface RegistryErrorBody {
  errors?: { code?: unknown; message?: unknown; detail?: unknown }[];
}

/** `CODE: message` pairs of a registry's JSON error body (OCI distribution spec). */
export function parseErrorBody(body: Buffer | undefined): { code: string; message: string }[] {
  if (!body || body.length === 0) return [];
  try {
    const parsed = JSON.parse(body.toString('utf8')) as RegistryErrorBody;
    return (parsed.errors ?? []).map((e) => ({
      code: typeof e.code === 'string' ? e.code : 'UNKNOWN',
      message: typeof e.message === 'string' ? e.message : '',
    }));
  } catch {
    return [];
  }
}

/** Only the naming fields, so a call's body or headers never travel with an error. */
function operationOf(op: RegistryOperation): RegistryOperation {
  return {
    registry: op.registry,
    ...(op.repository ? { repository: op.repository } : {}),
    operation: op.operation,
    access: op.access,
    ...(op.subject ? { subject: op.subject } : {}),
  };
}

function where(op: RegistryOperation): string {
  const target = op.repository ? `${op.registry}/${op.repository}` : op.registry;
  return `${op.operation}${op.subject ? ` ${op.subject}` : ''} (${target})`;
}

/** ACR's answer to a write or delete of locked content (HTTP 405). */
export const DISALLOWED = 'REGISTRY_DISALLOWED_OPERATION';

function hint(
  op: RegistryOperation,
  status: number,
  retries: number,
  insufficientScope: boolean,
  codes: readonly string[],
): string {
  const repo = op.repository ? `repository ${op.repository}` : 'the repository';
  if (status === 401 && insufficientScope) {
    return `The credentials used for ${op.registry} were accepted but lack ${op.access} rights on ${repo}: grant them or use another connection.`;
  }
  if (status === 401) {
    return (
      `The registry ${op.registry} did not accept the credentials (or none were found): check the ` +
      `service connection, Azure subscription or docker login used for ${op.registry}.`
    );
  }
  if (status === 403) {
    return `The credentials used for ${op.registry} lack ${op.access} rights on ${repo}: grant them or use another connection.`;
  }
  if (status === 404) {
    if (op.operation.includes('manifest'))
      return `The image or tag does not exist in ${repo} on ${op.registry}.`;
    if (op.operation.includes('blob')) return `The blob does not exist in ${repo} on ${op.registry}.`;
    return `Not found on ${op.registry}: check the registry host and ${repo}.`;
  }
  if (status === 429) {
    return `The registry throttled the requests (still HTTP 429 after ${retries} retries): retry later or lower the concurrency.`;
  }
  if (status === 405 && codes.includes(DISALLOWED)) {
    return (
      `Azure Container Registry refuses writes and deletes to a locked tag, manifest or repository ` +
      `(writeEnabled or deleteEnabled false): promote to a new tag, or have an administrator unlock ` +
      `it (az acr repository update --write-enabled true).`
    );
  }
  if (status >= 500) {
    return `The registry failed (still HTTP ${status} after ${retries} retries): check its health and retry.`;
  }
  return '';
}

/** The error for a registry answer that is not the expected one. */
export function responseError(
  op: RegistryOperation,
  status: number,
  body: Buffer | undefined,
  retries: number,
  insufficientScope = false,
): RegistryError {
  const errors = parseErrorBody(body);
  const first = errors[0];
  const said = errors.map((e) => (e.message ? `${e.code}: ${e.message}` : e.code)).join('; ');
  const answered = errors.length > 0 || !body ? `HTTP ${status}` : describeStatus(status, body);
  const message = [
    `Registry request failed: ${where(op)} answered ${answered}${said ? ` (${said})` : ''}.`,
    hint(
      op,
      status,
      retries,
      insufficientScope,
      errors.map((e) => e.code),
    ),
  ]
    .filter((part) => part !== '')
    .join(' ');
  return new RegistryError(message, {
    ...operationOf(op),
    status,
    ...(first ? { code: first.code, codes: errors.map((e) => e.code) } : {}),
  });
}

/** The error for a registry that could not be reached at all. */
/** Node's codes for a server certificate the client does not accept (OpenSSL verify results and the name check). */
const CERTIFICATE_CODES: ReadonlySet<string> = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_SIGNATURE_FAILURE',
  'CERT_REVOKED',
  'INVALID_CA',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

export function networkError(op: RegistryOperation, err: unknown, retries: number): RegistryError {
  const code = (err as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' ? `${code}: ${errorMessage(err)}` : errorMessage(err);
  if (typeof code === 'string' && CERTIFICATE_CODES.has(code)) {
    return new RegistryError(
      `Registry request failed: ${where(op)}: the TLS certificate of ${op.registry} is not accepted (${reason}). ` +
        `If the registry's certificate comes from a private CA, give the agent that CA (the Agent.CAInfo ` +
        `setting, or NODE_EXTRA_CA_CERTS); to skip the certificate check for this registry, list it in ` +
        `insecureRegistries.`,
      operationOf(op),
      { cause: err },
    );
  }
  return new RegistryError(
    `Registry request failed: ${where(op)} could not reach ${op.registry} (${reason}) after ${retries} retries. ` +
      `Check the host name and port, the network, the agent's proxy settings and certificates.`,
    operationOf(op),
    { cause: err },
  );
}

/**
 * Where a registry answer came from, for reading it (remoteAnswer): an unusable body fails with
 * a RegistryError naming the registry, the operation and the image.
 */
export function answerSource(op: RegistryOperation, service = `Registry ${op.registry}`): AnswerSource {
  return {
    service,
    operation: where(op),
    check:
      `Check that ${op.registry} is a container registry (OCI distribution API) and that no proxy or ` +
      `firewall between the agent and it replaces or cuts its answers; retry if the network was interrupted.`,
    fail: (message, cause) =>
      new RegistryError(message, operationOf(op), cause === undefined ? undefined : { cause }),
  };
}
