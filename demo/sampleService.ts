// The sample service repository the demo releases: the delivery microservice of the seeds, with a
// Helm chart (values naming the image by tag), a Kubernetes manifest, a compose file, a Dockerfile,
// an app settings file with Key Vault placeholders and the public part of the release signing key
// (what `az keyvault key download` gives; DeployHelmChart verifies with it), committed with git on
// the release branch `release/delivery/v1.0.2`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export const SERVICE = 'delivery';
export const VERSION = '1.0.2';
export const RELEASE_BRANCH = `release/${SERVICE}/v${VERSION}`;
export const COMMIT_SUBJECT = 'Retry drone scheduler calls on 503';
export const COMMIT_AUTHOR = 'Ana Silva';
/** The tag of an unsigned image in non-production (pushed by hand, outside CI). */
export const HOTFIX_TAG = `v${VERSION}-hotfix`;

const chartYaml = `apiVersion: v2
name: ${SERVICE}
description: Fabrikam Drone Delivery - delivery service
type: application
version: 0.0.0 # set by PublishHelmChart from the release branch
appVersion: "${VERSION}"
`;

const valuesYaml = (nonprod: string) => `replicaCount: 2
# The image CI built; PinImageDigests pins it to the digest that was tested.
image: ${nonprod}/${SERVICE}:v${VERSION}
db:
  password: "" # from Key Vault at deploy time
`;

const deploymentTemplate = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
  labels: { app: {{ .Release.Name }} }
spec:
  replicas: {{ .Values.replicaCount }}
  selector:
    matchLabels: { app: {{ .Release.Name }} }
  template:
    metadata:
      labels: { app: {{ .Release.Name }} }
    spec:
      containers:
        - name: ${SERVICE}
          image: {{ .Values.image | quote }}
          env:
            - name: DB_PASSWORD
              valueFrom: { secretKeyRef: { name: {{ .Release.Name }}-db, key: password } }
`;

const secretTemplate = `apiVersion: v1
kind: Secret
metadata:
  name: {{ .Release.Name }}-db
type: Opaque
data:
  password: {{ .Values.db.password | b64enc | quote }}
`;

const manifest = (nonprod: string) => `# The delivery worker, deployed without Helm.
apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${SERVICE}-worker
spec:
  selector:
    matchLabels: { app: ${SERVICE}-worker }
  template:
    metadata:
      labels: { app: ${SERVICE}-worker }
    spec:
      containers:
        - name: worker
          image: "${nonprod}/${SERVICE}:v${VERSION}"
`;

const compose = (nonprod: string) => `services:
  ${SERVICE}:
    image: ${nonprod}/${SERVICE}:v${VERSION}
    ports: ["8080:8080"]
`;

const dockerfile = (nonprod: string) => `FROM ${nonprod}/base/dotnet-runtime:8.0
COPY app/ /app/
ENTRYPOINT ["dotnet", "/app/Fabrikam.DroneDelivery.DeliveryService.dll"]
`;

const appSettings = `{
  "Database": { "Password": "#{delivery-db-password}#" },
  "Scheduler": { "ApiKey": "#{delivery-scheduler-key}#" }
}
`;

function git(cwd: string, args: string[]): void {
  const r = spawnSync('git', ['-c', 'commit.gpgsign=false', '-c', 'core.hooksPath=/dev/null', ...args], {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: COMMIT_AUTHOR,
      GIT_AUTHOR_EMAIL: 'ana.silva@fabrikam.example',
      GIT_COMMITTER_NAME: COMMIT_AUTHOR,
      GIT_COMMITTER_EMAIL: 'ana.silva@fabrikam.example',
      GIT_AUTHOR_DATE: '2026-12-01T09:00:00Z',
      GIT_COMMITTER_DATE: '2026-12-01T09:00:00Z',
    },
  });
  if (r.error || r.status !== 0) {
    throw new Error(
      `git ${args.join(' ')} failed (git is needed for the sample repository): ${r.error?.message ?? r.stderr}`,
    );
  }
}

/** Writes the repository into `dir` (which must not exist) and commits it on the release branch. */
export function writeSampleService(dir: string, nonprod: string, releaseKeyPem: string): void {
  const files: Record<string, string> = {
    [`charts/${SERVICE}/Chart.yaml`]: chartYaml,
    [`charts/${SERVICE}/values.yaml`]: valuesYaml(nonprod),
    [`charts/${SERVICE}/templates/deployment.yaml`]: deploymentTemplate,
    [`charts/${SERVICE}/templates/secret.yaml`]: secretTemplate,
    [`deploy/${SERVICE}-worker.yaml`]: manifest(nonprod),
    'docker-compose.yml': compose(nonprod),
    Dockerfile: dockerfile(nonprod),
    'config/appsettings.json': appSettings,
    'deploy/release-signing.pub': releaseKeyPem,
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  git(dir, ['init', '-q', '-b', RELEASE_BRANCH]);
  git(dir, ['add', '.']);
  git(dir, ['commit', '-q', '-m', `${COMMIT_SUBJECT}\n\nThe scheduler sheds load with 503s at peak hours.`]);
}
