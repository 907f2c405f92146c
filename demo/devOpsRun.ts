// The pipeline run as the emulated Azure DevOps shows it to the job's access token: the build
// timeline (stages, the production stage's checkpoint with its approval and a check) and the
// Approvals API's answer naming the release manager. The demo adds it once the approval gate was
// answered, so the promotion record carries the answer the demo was given.
import type { BuildSpec } from '../test/emulators/azureDevOpsEmulator';

export const BUILD_ID = '1207';
export const APPROVER = { name: 'Bruno Costa', uniqueName: 'bruno.costa@fabrikam.example' };
const APPROVAL_ID = 'b1e2c3d4-5f60-4718-9a2b-3c4d5e6f7a80';

/** The run after the production approval was answered (`approved` or rejected). */
export function demoRun(approved: boolean, finishedAt: Date): BuildSpec {
  const finishTime = finishedAt.toISOString();
  return {
    id: Number(BUILD_ID),
    records: [
      { id: 's-ci', type: 'Stage', name: 'CI', state: 'completed', result: 'succeeded' },
      { id: 's-staging', type: 'Stage', name: 'Staging', state: 'completed', result: 'succeeded' },
      { id: 's-prod', type: 'Stage', name: 'Production', state: 'inProgress' },
      {
        id: 'cp-prod',
        parentId: 's-prod',
        type: 'Checkpoint',
        name: 'Checkpoint',
        state: 'completed',
        result: approved ? 'succeeded' : 'failed',
      },
      {
        id: APPROVAL_ID,
        parentId: 'cp-prod',
        type: 'Checkpoint.Approval',
        name: 'Release manager approval',
        state: 'completed',
        result: approved ? 'succeeded' : 'failed',
        finishTime,
      },
      {
        id: 'chk-branch',
        parentId: 'cp-prod',
        type: 'Checkpoint.TaskCheck',
        name: 'Branch control (release/*)',
        state: 'completed',
        result: 'succeeded',
        finishTime,
      },
      { id: 'j-release', parentId: 's-prod', type: 'Job', name: 'Release', state: 'inProgress' },
    ],
    approvals: [
      {
        id: APPROVAL_ID,
        status: approved ? 'approved' : 'rejected',
        steps: [
          {
            approver: APPROVER.name,
            uniqueName: APPROVER.uniqueName,
            status: approved ? 'approved' : 'rejected',
          },
        ],
      },
    ],
  };
}
