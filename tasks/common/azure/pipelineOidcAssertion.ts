import { UserError, errorMessage } from '../errors';
import type { Logger, SecretRegistry } from '../log';
import { OIDC_RETRY, doublingDelay, type NetworkOptions, type OidcRetryOptions } from '../net';
import { jwtExpiry } from './jwtClaims';

export type { OidcRetryOptions } from '../net';

/** What a job knows about itself to ask Azure DevOps for an OIDC token (System.* variables). */
export interface PipelineOidcContext {
  /** System.CollectionUri, e.g. `https://dev.azure.com/fabrikam/`. */
  readonly collectionUri: string;
  /** System.TeamProjectId. */
  readonly projectId: string;
  /** System.HostType: `build` or `release`. */
  readonly hubName: string;
  readonly planId: string;
  readonly jobId: string;
  /** SystemVssConnection's AccessToken (System.AccessToken). */
  readonly accessToken: string;
}

/**
 * Asks Azure DevOps once for the job's OIDC token for a service connection (undefined: answered
 * without one). The agent layer's azure-devops-node-api call (agent/devOpsOidcToken.ts).
 */
export type OidcTokenRequest = (
  context: PipelineOidcContext,
  connectionId: string,
  network: NetworkOptions,
) => Promise<string | undefined>;

/** An assertion is re-fetched this long before it expires. */
const EXPIRY_MARGIN_MS = 60_000;

export interface PipelineOidcAssertionOptions {
  readonly network: NetworkOptions;
  readonly requestToken: OidcTokenRequest;
  readonly secrets: SecretRegistry;
  readonly logger: Logger;
  readonly retry?: OidcRetryOptions;
  /** For tests: what the clock says and how to wait. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const statusOf = (err: unknown): number | undefined => {
  const status = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof status === 'number' ? status : undefined;
};

/** Network failures, throttling and server errors are worth another try; 4xx answers are not. */
const isTransient = (status: number | undefined) =>
  status === undefined || status === 408 || status === 429 || status >= 500;

/**
 * Client assertions for a workload identity federation connection: an OIDC token of the running
 * job for that service connection, fetched from Azure DevOps on first use (not at construction),
 * reused while valid, fetched again when it is about to expire (a long step outlives it), and
 * retried with exponential backoff on transient failures. Each token is registered as a secret
 * the moment it arrives.
 */
export class PipelineOidcAssertion {
  private cached: { token: string; expiresAt: number } | undefined;
  /** Why the last fetch failed; the credential reports it instead of MSAL's rewording. */
  lastFailure: UserError | undefined;
  private readonly retry: OidcRetryOptions;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly context: PipelineOidcContext,
    private readonly connectionId: string,
    private readonly connectionLabel: string,
    private readonly options: PipelineOidcAssertionOptions,
  ) {
    this.retry = options.retry ?? OIDC_RETRY;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** The `getAssertion` callback of ClientAssertionCredential. */
  readonly getAssertion = async (): Promise<string> => {
    if (this.cached && this.cached.expiresAt - EXPIRY_MARGIN_MS > this.now()) return this.cached.token;
    try {
      const token = await this.fetchWithRetries();
      this.lastFailure = undefined;
      const expiry = jwtExpiry(token);
      this.cached = { token, expiresAt: expiry ?? this.now() + 5 * 60_000 };
      return token;
    } catch (err) {
      this.lastFailure = err instanceof UserError ? err : new UserError(errorMessage(err), { cause: err });
      throw this.lastFailure;
    }
  };

  private async fetchOnce(): Promise<string> {
    const token = await this.options.requestToken(this.context, this.connectionId, this.options.network);
    if (!token) {
      throw Object.assign(new Error('Azure DevOps answered without an oidcToken (404 or empty body)'), {
        statusCode: 404,
      });
    }
    this.options.secrets.register(token);
    return token;
  }

  private async fetchWithRetries(): Promise<string> {
    const { attempts, initialDelayMs } = this.retry;
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.fetchOnce();
      } catch (err) {
        const status = statusOf(err);
        const what = `${status !== undefined ? `HTTP ${status}: ` : ''}${errorMessage(err)}`;
        if (!isTransient(status) || attempt >= attempts) throw this.failure(what, status, attempt);
        const delay = doublingDelay(attempt, initialDelayMs);
        this.options.logger.info(
          `Getting an OIDC token for ${this.connectionLabel} failed (attempt ${attempt} of ${attempts}: ${what}); retrying in ${delay} ms.`,
        );
        await this.sleep(delay);
      }
    }
  }

  private failure(what: string, status: number | undefined, attempts: number): UserError {
    const hint =
      status === 401 || status === 403
        ? "The job's access token (SystemVssConnection) was refused: check that the job is allowed to use the OAuth token."
        : status !== undefined && status < 500
          ? 'Check that this pipeline is authorized to use the service connection and that it uses workload identity federation.'
          : 'Azure DevOps kept failing; re-run the job, and check the agent can reach Azure DevOps (proxy settings).';
    return new UserError(
      `${this.connectionLabel}: could not get an OIDC token for workload identity federation from ` +
        `${this.context.collectionUri} after ${attempts} attempt${attempts === 1 ? '' : 's'} (${what}). ${hint}`,
    );
  }
}
