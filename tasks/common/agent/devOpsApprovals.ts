// The approvals and checks a run passed, from Azure DevOps with the job's access token: the build
// timeline (BuildApi.getBuildTimeline; records of type Checkpoint.* with their state and result),
// then who approved (the Approvals API, `_apis/pipelines/approvals`, whose ids are the
// Checkpoint.Approval records' ids). A refusal (401/403) or no answer leaves the fact unknown and
// says which permission the job's token lacks.
import { BuildApi } from 'azure-devops-node-api/BuildApi';
import { BearerCredentialHandler } from 'azure-devops-node-api/handlers/bearertoken';
import {
  TaskResult,
  TimelineRecordState,
  type TimelineRecord,
} from 'azure-devops-node-api/interfaces/BuildInterfaces';
import { errorMessage } from '../errors';
import type { NetworkOptions } from '../net';
import { UNKNOWN, type CheckFacts, type Known } from '../signatures';
import { devOpsRequestOptions } from './devOpsRequestOptions';

export interface RunLocation {
  readonly collectionUri: string;
  readonly project: string;
  readonly buildId: number;
  readonly token: string;
}

export interface RunChecks {
  readonly checks: Known<readonly CheckFacts[]>;
  readonly warnings: readonly string[];
}

const APPROVAL = 'Checkpoint.Approval';
/** An unreachable service leaves the facts unknown after this long, not after the OS's TCP timeout. */
const SOCKET_TIMEOUT_MS = 30_000;
const statusOf = (err: unknown): number | undefined =>
  (err as { statusCode?: unknown }).statusCode as number | undefined;

function refused(err: unknown, what: string, permission: string): string {
  const status = statusOf(err);
  const why =
    status === 401 || status === 403
      ? `Azure DevOps answered ${status}: the job's access token lacks ${permission}`
      : `no answer (${errorMessage(err)})`;
  return `The promotion record's ${what} are unknown: ${why}.`;
}

interface ApprovalAnswer {
  readonly value?: readonly {
    readonly id?: string;
    readonly steps?: readonly {
      readonly status?: string;
      readonly actualApprover?: { readonly displayName?: string; readonly uniqueName?: string };
      readonly assignedApprover?: { readonly displayName?: string };
    }[];
  }[];
}

const lower = (name: string | undefined): string =>
  name ? name.charAt(0).toLowerCase() + name.slice(1) : UNKNOWN;

function stageOf(record: TimelineRecord, byId: Map<string, TimelineRecord>): string | undefined {
  for (
    let at = record.parentId ? byId.get(record.parentId) : undefined;
    at;
    at = at.parentId ? byId.get(at.parentId) : undefined
  ) {
    if (at.type === 'Stage') return at.name;
  }
  return undefined;
}

export async function readRunChecks(at: RunLocation, network: NetworkOptions): Promise<RunChecks> {
  const api = new BuildApi(
    at.collectionUri,
    [new BearerCredentialHandler(at.token, false)],
    { ...devOpsRequestOptions(network), socketTimeout: SOCKET_TIMEOUT_MS },
    'release-guard-tasks',
  );
  let records: TimelineRecord[];
  try {
    const timeline = await api.getBuildTimeline(at.project, at.buildId);
    if (!timeline) throw Object.assign(new Error(`build ${at.buildId} has no timeline`), { statusCode: 404 });
    records = timeline.records ?? [];
  } catch (err) {
    const warning = refused(err, 'approvals and checks', "'View builds' (scope vso.build) on the project");
    return { checks: UNKNOWN, warnings: [warning] };
  }
  const byId = new Map(records.flatMap((r) => (r.id ? [[r.id, r] as const] : [])));
  const checkpoints = records.filter((r) => r.type?.startsWith('Checkpoint.'));
  const warnings: string[] = [];
  const approvers = new Map<string, readonly string[]>();
  let approversKnown = true;
  const approvalIds = checkpoints.filter((r) => r.type === APPROVAL && r.id).map((r) => r.id as string);
  if (approvalIds.length > 0) {
    const url = `${at.collectionUri}${encodeURIComponent(at.project)}/_apis/pipelines/approvals?approvalIds=${approvalIds.join(',')}&$expand=steps&api-version=7.1`;
    try {
      const answer = await api.rest.get<ApprovalAnswer>(url);
      for (const approval of answer.result?.value ?? []) {
        const who = (approval.steps ?? [])
          .filter((s) => s.status?.toLowerCase() === 'approved')
          .map(
            (s) =>
              s.actualApprover?.uniqueName ??
              s.actualApprover?.displayName ??
              s.assignedApprover?.displayName ??
              UNKNOWN,
          );
        if (approval.id) approvers.set(approval.id, who);
      }
    } catch (err) {
      approversKnown = false;
      warnings.push(
        refused(
          err,
          'approvers',
          "'View builds' (scope vso.build) and read access to the approvals of the project's environments",
        ),
      );
    }
  }
  const checks = checkpoints.map((r): CheckFacts => {
    const stage = stageOf(r, byId);
    const approval = r.type === APPROVAL;
    return {
      kind: approval ? 'approval' : (r.type ?? '').slice('Checkpoint.'.length),
      name: r.name ?? UNKNOWN,
      ...(stage ? { stage } : {}),
      state: r.state === undefined ? UNKNOWN : lower(TimelineRecordState[r.state]),
      result: r.result === undefined || r.result === null ? UNKNOWN : lower(TaskResult[r.result]),
      ...(r.finishTime ? { finishedAt: new Date(r.finishTime).toISOString() } : {}),
      ...(approval ? { approvedBy: approversKnown ? (approvers.get(r.id ?? '') ?? []) : UNKNOWN } : {}),
    };
  });
  return { checks, warnings };
}
