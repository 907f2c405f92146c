// Plays the Azure DevOps REST API a pipeline job reads its own run from: the build area's location
// data azure-devops-node-api resolves routes with (OPTIONS {collection}_apis/build), the build
// timeline (GET {collection}{project}/_apis/build/builds/{id}/timeline, records with string states
// and results as the service sends them) and the Approvals API (GET {collection}{project}/_apis/
// pipelines/approvals?approvalIds=..&$expand=steps). Every call needs `Authorization: Bearer
// <token>` of a known token (else 401, TF400813); a token without the permission a call needs
// answers 403, as Azure DevOps does for a job token whose scope lacks it.
import type http from 'node:http';
import { startHttpsServer, type RequestHandler } from './httpsServer';
import { requestUrl, sendJson } from './httpUtil';

export const BUILD_TIMELINE_LOCATION_ID = '8baac422-4c6e-4de5-8532-db96d92acffa';

/** What a token may read. */
export interface TokenGrant {
  readonly timeline: boolean;
  readonly approvals: boolean;
}

/** A timeline record as the REST API answers it (state/result as strings). */
export interface TimelineRecordSpec {
  readonly id: string;
  readonly parentId?: string;
  readonly type: string;
  readonly name: string;
  readonly state: 'pending' | 'inProgress' | 'completed';
  readonly result?: 'succeeded' | 'succeededWithIssues' | 'failed' | 'canceled' | 'skipped' | 'abandoned';
  readonly finishTime?: string;
}

export interface ApprovalSpec {
  /** The Checkpoint.Approval record's id. */
  readonly id: string;
  readonly status: 'approved' | 'rejected' | 'pending';
  readonly steps: readonly {
    readonly approver: string;
    readonly uniqueName: string;
    readonly status: string;
  }[];
}

export interface BuildSpec {
  readonly id: number;
  readonly records: readonly TimelineRecordSpec[];
  readonly approvals: readonly ApprovalSpec[];
}

export interface AzureDevOpsEmulatorOptions {
  readonly organization?: string;
  readonly project: string;
  readonly tokens: Readonly<Record<string, TokenGrant>>;
  readonly builds: readonly BuildSpec[];
}

export interface AdoRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
}

export interface AzureDevOpsEmulator {
  /** `{url}/{organization}/`, what System.CollectionUri holds. */
  readonly collectionUri: string;
  readonly caFile: string;
  readonly caPem: string;
  readonly requests: AdoRequest[];
  stop(): Promise<void>;
}

function adoError(res: http.ServerResponse, status: number, message: string, typeKey: string): void {
  sendJson(res, status, {
    $id: '1',
    innerException: null,
    message,
    typeName: `Microsoft.TeamFoundation.Framework.Server.${typeKey}, Microsoft.TeamFoundation.Framework.Server`,
    typeKey,
    errorCode: 0,
    eventId: 3000,
  });
}

/** The API as a request handler (for a server that also serves other routes) and its request log. */
export interface AzureDevOpsApi {
  readonly handler: RequestHandler;
  readonly requests: AdoRequest[];
}

export function azureDevOpsApi(options: AzureDevOpsEmulatorOptions): AzureDevOpsApi {
  const org = options.organization ?? 'fabrikam';
  const requests: AdoRequest[] = [];
  const project = encodeURIComponent(options.project).toLowerCase();
  const timelineRoute = new RegExp(`^/${org}/([^/]+)/_apis/build/builds/(\\d+)/timeline/?$`, 'i');
  const approvalsRoute = new RegExp(`^/${org}/([^/]+)/_apis/pipelines/approvals/?$`, 'i');

  const handler: RequestHandler = (req, res) => {
    const url = requestUrl(req);
    const path = url.pathname;
    const answer = (status: number, send: () => void) => {
      requests.push({ method: req.method ?? '', path: `${path}${url.search}`, status });
      send();
    };
    if (req.method === 'OPTIONS' && path.toLowerCase() === `/${org}/_apis/build`) {
      return answer(200, () =>
        sendJson(res, 200, {
          count: 1,
          value: [
            {
              id: BUILD_TIMELINE_LOCATION_ID,
              area: 'build',
              resourceName: 'Timeline',
              routeTemplate: '{project}/_apis/{area}/builds/{buildId}/{resource}/{timelineId}',
              resourceVersion: 2,
              minVersion: '2.0',
              maxVersion: '7.2',
              releasedVersion: '7.1',
            },
          ],
        }),
      );
    }
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const grant = bearer === undefined ? undefined : options.tokens[bearer];
    if (!grant) {
      return answer(401, () =>
        adoError(
          res,
          401,
          "TF400813: The user '' is not authorized to access this resource.",
          'UnauthorizedRequestException',
        ),
      );
    }
    const timeline = timelineRoute.exec(path);
    const approvals = approvalsRoute.exec(path);
    const inProject = (timeline?.[1] ?? approvals?.[1] ?? '').toLowerCase() === project;
    if (req.method === 'GET' && timeline && inProject) {
      if (!grant.timeline) {
        return answer(403, () =>
          adoError(
            res,
            403,
            'TF215106: Access denied. The token needs View builds permission for the project.',
            'AccessCheckException',
          ),
        );
      }
      const build = options.builds.find((b) => b.id === Number(timeline[2]));
      if (!build)
        return answer(404, () =>
          adoError(
            res,
            404,
            `The requested build ${timeline[2]} could not be found.`,
            'BuildNotFoundException',
          ),
        );
      return answer(200, () =>
        sendJson(res, 200, {
          records: build.records.map((r, order) => ({
            ...r,
            order,
            attempt: 1,
            previousAttempts: [],
            issues: [],
          })),
          lastChangedBy: '00000000-0000-0000-0000-000000000000',
          lastChangedOn: '2026-12-05T08:00:00.000Z',
          id: '3e4f5a6b-7c8d-4e9f-8a0b-1c2d3e4f5a6b',
          changeId: build.records.length,
          url: `https://${req.headers.host ?? '127.0.0.1'}${path}`,
        }),
      );
    }
    if (req.method === 'GET' && approvals && inProject) {
      if (!grant.approvals) {
        return answer(403, () =>
          adoError(
            res,
            403,
            'Access denied: the token cannot read approvals of this project.',
            'AccessCheckException',
          ),
        );
      }
      const ids = (url.searchParams.get('approvalIds') ?? '').split(',').filter((id) => id !== '');
      const expandSteps = url.searchParams.get('$expand') === 'steps';
      const found = options.builds
        .flatMap((b) => b.approvals)
        .filter((a) => ids.includes(a.id))
        .map((a) => ({
          id: a.id,
          status: a.status,
          minRequiredApprovers: 1,
          instructions: '',
          blockedApprovers: [],
          createdOn: '2026-12-05T07:50:00.000Z',
          lastModifiedOn: '2026-12-05T07:55:00.000Z',
          ...(expandSteps
            ? {
                steps: a.steps.map((s) => ({
                  assignedApprover: { displayName: s.approver, uniqueName: s.uniqueName },
                  actualApprover:
                    s.status === 'pending'
                      ? undefined
                      : { displayName: s.approver, uniqueName: s.uniqueName },
                  status: s.status,
                  comment: '',
                  initiatedOn: '2026-12-05T07:50:00.000Z',
                })),
              }
            : {}),
        }));
      return answer(200, () => sendJson(res, 200, { count: found.length, value: found }));
    }
    answer(404, () => adoError(res, 404, `The emulator has no ${req.method} ${path}`, 'NotFoundException'));
  };
  return { handler, requests };
}

export async function startAzureDevOpsEmulator(
  options: AzureDevOpsEmulatorOptions,
): Promise<AzureDevOpsEmulator> {
  const { handler, requests } = azureDevOpsApi(options);
  const server = await startHttpsServer(handler);
  return {
    collectionUri: `${server.url}/${options.organization ?? 'fabrikam'}/`,
    caFile: server.caFile,
    caPem: server.caPem,
    requests,
    stop: () => server.stop(),
  };
}
