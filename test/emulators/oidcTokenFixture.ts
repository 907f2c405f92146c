// Plays the Azure DevOps side of workload identity federation: the distributedtask location data
// azure-devops-node-api resolves routes with (OPTIONS {collection}_apis/distributedtask), and the
// job's OIDC token endpoint (POST {collection}{project}/_apis/distributedtask/hubs/{hub}/plans/
// {plan}/jobs/{job}/oidctoken?serviceConnectionId=..), which checks the job access token and the
// service connection and answers an RS256 JWT: iss = this fixture, sub = sc://org/project/conn,
// aud = api://AzureADTokenExchange.
import crypto from 'node:crypto';
import type http from 'node:http';
import { startHttpsServer, type RequestHandler } from './httpsServer';
import { requestUrl, sendJson } from './httpUtil';
import { nowSeconds, signJwt } from './jwt';

export const OIDC_TOKEN_LOCATION_ID = '69a319f4-28c1-4bfd-93e6-ea0ff5c6f1a2';

export interface OidcServiceConnection {
  readonly id: string;
  readonly name: string;
}

export interface OidcTokenFixtureOptions {
  readonly organization?: string;
  readonly project: { readonly id: string; readonly name: string };
  /** The job access token (SystemVssConnection's AccessToken) every request must carry. */
  readonly accessToken: string;
  readonly serviceConnections: readonly OidcServiceConnection[];
  readonly tokenLifetimeSeconds?: number;
  /**
   * Requests it does not serve go here (e.g. the Azure DevOps emulator's handler), so one
   * collection URI answers both, as Azure DevOps does; without it they get a 404.
   */
  readonly otherRequests?: RequestHandler;
}

export interface OidcTokenRequest {
  readonly serviceConnectionId: string;
  readonly status: number;
}

export interface OidcTokenFixture {
  readonly url: string;
  /** `{url}/{organization}/`, what System.CollectionUri holds. */
  readonly collectionUri: string;
  /** The `iss` of the tokens it issues. */
  readonly issuer: string;
  readonly publicKey: crypto.KeyObject;
  readonly caPem: string;
  readonly caFile: string;
  readonly requests: OidcTokenRequest[];
  /** Every OIDC token issued, so a test can check none of them was printed. */
  readonly issuedTokens: string[];
  /** The subject Entra must federate for a connection: `sc://{org}/{project}/{connection name}`. */
  subjectFor(connectionId: string): string;
  /** Answer the next `count` token requests with `status` (default 500) before issuing again. */
  failNext(count: number, status?: number): void;
  /** Issue tokens that expired `seconds` ago (negative lifetime) until called with undefined. */
  setLifetime(seconds: number | undefined): void;
  stop(): Promise<void>;
}

function adoError(res: http.ServerResponse, status: number, message: string, typeName: string): void {
  sendJson(res, status, {
    $id: '1',
    innerException: null,
    message,
    typeName: `Microsoft.TeamFoundation.DistributedTask.WebApi.${typeName}, Microsoft.TeamFoundation.DistributedTask.WebApi`,
    typeKey: typeName,
    errorCode: 0,
    eventId: 3000,
  });
}

export async function startOidcTokenFixture(options: OidcTokenFixtureOptions): Promise<OidcTokenFixture> {
  const org = options.organization ?? 'fabrikam';
  const orgId = crypto.createHash('sha256').update(org).digest('hex').slice(0, 32);
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const requests: OidcTokenRequest[] = [];
  const issuedTokens: string[] = [];
  let failures = { count: 0, status: 500 };
  let lifetime = options.tokenLifetimeSeconds ?? 600;
  let issuer = '';

  const subjectFor = (connectionId: string) => {
    const conn = options.serviceConnections.find((c) => c.id === connectionId);
    if (!conn) throw new Error(`the OIDC fixture knows no service connection ${connectionId}`);
    return `sc://${org}/${options.project.name}/${conn.name}`;
  };

  const tokenRoute = new RegExp(
    `^/${org}/([^/]+)/_apis/distributedtask/hubs/([^/]+)/plans/([^/]+)/jobs/([^/]+)/oidctoken$`,
  );

  function oidcToken(req: http.IncomingMessage, res: http.ServerResponse, projectId: string) {
    const connectionId = requestUrl(req).searchParams.get('serviceConnectionId') ?? '';
    const answer = (status: number, body: () => void) => {
      requests.push({ serviceConnectionId: connectionId, status });
      body();
    };
    if (req.headers.authorization !== `Bearer ${options.accessToken}`) {
      return answer(401, () =>
        adoError(
          res,
          401,
          "TF400813: The user '' is not authorized to access this resource.",
          'UnauthorizedRequestException',
        ),
      );
    }
    if (failures.count > 0) {
      failures = { ...failures, count: failures.count - 1 };
      const status = failures.status;
      return answer(status, () =>
        adoError(
          res,
          status,
          'The OIDC token service is temporarily unavailable.',
          'ServiceUnavailableException',
        ),
      );
    }
    if (projectId !== options.project.id) {
      return answer(404, () =>
        adoError(res, 404, `Project ${projectId} was not found.`, 'ProjectDoesNotExistException'),
      );
    }
    const conn = options.serviceConnections.find((c) => c.id === connectionId);
    if (!conn) {
      const message = `Service connection ${connectionId} could not be found or the pipeline is not authorized to use it.`;
      return answer(400, () => adoError(res, 400, message, 'InvalidRequestException'));
    }
    const now = nowSeconds();
    const token = signJwt(
      {
        jti: crypto.randomUUID(),
        sub: subjectFor(conn.id),
        aud: 'api://AzureADTokenExchange',
        iss: issuer,
        nbf: Math.min(now, now + lifetime),
        exp: now + lifetime,
        iat: now,
      },
      privateKey,
      { kid: 'oidc-fixture' },
    );
    issuedTokens.push(token);
    answer(200, () => sendJson(res, 200, { oidcToken: token }));
  }

  const server = await startHttpsServer((req, res) => {
    const path = requestUrl(req).pathname;
    if (req.method === 'OPTIONS' && path === `/${org}/_apis/distributedtask`) {
      return sendJson(res, 200, {
        count: 1,
        value: [
          {
            id: OIDC_TOKEN_LOCATION_ID,
            area: 'distributedtask',
            resourceName: 'oidctoken',
            routeTemplate:
              '{scopeIdentifier}/_apis/{area}/hubs/{hubName}/plans/{planId}/jobs/{jobId}/{resource}',
            resourceVersion: 1,
            minVersion: '7.1',
            maxVersion: '7.2',
            releasedVersion: '0.0',
          },
        ],
      });
    }
    const route = tokenRoute.exec(path);
    if (req.method === 'POST' && route) return oidcToken(req, res, route[1] ?? '');
    if (options.otherRequests) return options.otherRequests(req, res);
    adoError(res, 404, `The fixture has no ${req.method} ${path}`, 'NotFoundException');
  });
  issuer = `${server.url}/vstoken/${orgId}`;

  return {
    url: server.url,
    collectionUri: `${server.url}/${org}/`,
    issuer,
    publicKey,
    caPem: server.caPem,
    caFile: server.caFile,
    requests,
    issuedTokens,
    subjectFor,
    failNext: (count, status = 500) => {
      failures = { count, status };
    },
    setLifetime: (seconds) => {
      lifetime = seconds ?? options.tokenLifetimeSeconds ?? 600;
    },
    stop: () => server.stop(),
  };
}
