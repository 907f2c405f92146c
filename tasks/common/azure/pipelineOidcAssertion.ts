import http from 'node:http';
import https from 'node:https';
import { UserError, errorMessage } from '../errors';
import type { Logger, SecretRegistry } from '../log';
import { describeStatus, readAnswer } from '../net/remoteAnswer';
import { AgentHttpAgents, type NetworkOptions } from './agentNetwork';
import { jwtExpiry } from './jwtClaims';

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

export interface OidcRetryOptions {
  /** Attempts in all, the first included. */
  readonly attempts: number;
  /** Wait before the second attempt; doubles each time. */
  readonly initialDelayMs: number;
}

export const DEFAULT_OIDC_RETRY: OidcRetryOptions = { attempts: 4, initialDelayMs: 500 };

/** The documented version of Oidctoken - Create (azure-devops-node-api 17 negotiates up to 7.2-preview). */
const OIDC_API_VERSION = '7.1-preview.1';

/** An assertion is re-fetched this long before it expires. */
const EXPIRY_MARGIN_MS = 60_000;

export interface PipelineOidcAssertionOptions {
  readonly network: NetworkOptions;
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

/** The `message` of an Azure DevOps error answer (one line, at most 300 characters), if any. */
function serviceMessage(body: Buffer): string | undefined {
  try {
    const message = (JSON.parse(body.toString('utf8')) as { message?: unknown } | null)?.message;
    return typeof message === 'string' && message.trim()
      ? message.replace(/\s+/g, ' ').trim().slice(0, 300)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Client assertions for a workload identity federation connection: an OIDC token of the running
 * job for that service connection, fetched from Azure DevOps on first use (not at construction),
 * reused while valid, fetched again when it is about to expire (a long step outlives it), and
 * retried with exponential backoff on transient failures. Each token is registered as a secret
 * the moment it arrives.
 */
export class PipelineOidcAssertion {
  private cached: { token: string; expiresAt: number } | undefined;
  private agents: AgentHttpAgents | undefined;
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
    this.retry = options.retry ?? DEFAULT_OIDC_RETRY;
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

  /**
   * One `POST .../oidctoken` (the REST call azure-devops-node-api's TaskApi.createOidcToken makes),
   * sent with Node's own HTTP client through the agent's proxy and certificates: the HTTP client
   * under azure-devops-node-api calls the deprecated url.parse(), which Node 24 reports (DEP0169)
   * on every run.
   */
  private async fetchOnce(): Promise<string> {
    const { collectionUri, accessToken, projectId, hubName, planId, jobId } = this.context;
    const base = collectionUri.endsWith('/') ? collectionUri : `${collectionUri}/`;
    const url = new URL(
      `${encodeURIComponent(projectId)}/_apis/distributedtask/hubs/${encodeURIComponent(hubName)}` +
        `/plans/${encodeURIComponent(planId)}/jobs/${encodeURIComponent(jobId)}/oidctoken`,
      base,
    );
    url.searchParams.set('serviceConnectionId', this.connectionId);
    url.searchParams.set('api-version', OIDC_API_VERSION);
    const { status, body, contentType } = await this.post(url, accessToken);
    const source = { service: `Azure DevOps ${url.host}`, operation: 'oidctoken' };
    if (status !== 200) {
      throw Object.assign(new Error(serviceMessage(body) ?? describeStatus(status, body, contentType)), {
        statusCode: status,
      });
    }
    let token: unknown;
    try {
      token = (JSON.parse(body.toString('utf8')) as { oidcToken?: unknown } | null)?.oidcToken;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || !token) {
      throw Object.assign(new Error(`${source.service} answered without an oidcToken`), { statusCode: 404 });
    }
    this.options.secrets.register(token);
    return token;
  }

  private post(url: URL, accessToken: string) {
    this.agents ??= new AgentHttpAgents(this.options.network);
    const agent = this.agents.agentFor(url.href);
    const payload = Buffer.from('{}', 'utf8');
    const send = url.protocol === 'http:' ? http.request : https.request;
    return new Promise<{ status: number; body: Buffer; contentType: string | undefined }>(
      (resolve, reject) => {
        const req = send(
          url,
          {
            method: 'POST',
            headers: {
              authorization: `Bearer ${accessToken}`,
              accept: `application/json;api-version=${OIDC_API_VERSION}`,
              'content-type': 'application/json',
              'content-length': String(payload.length),
              'user-agent': 'release-guard-tasks',
            },
            ...(agent ? { agent } : {}),
            timeout: 60_000,
          },
          (res) => {
            const source = { service: `Azure DevOps ${url.host}`, operation: 'oidctoken' };
            readAnswer(res, source, 1024 * 1024).then(
              (body) =>
                resolve({ status: res.statusCode ?? 0, body, contentType: res.headers['content-type'] }),
              reject,
            );
          },
        );
        req.on('timeout', () => req.destroy(new Error('no answer within 60 s')));
        req.on('error', reject);
        req.end(payload);
      },
    );
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
        const delay = initialDelayMs * 2 ** (attempt - 1);
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
