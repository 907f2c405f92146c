// One local pipeline run for the command line: read the files, play the steps, print each step as
// it ends and a closing table, and write the HTML report when asked.
import fs from 'node:fs';
import path from 'node:path';
import { htmlReportFor, printStep, resultsTable } from '../report/stepOutput';
import { NO_CONNECTIONS, readConnectionsFile } from './connections';
import { gitVariables } from './gitVariables';
import { readPipelineFile } from './pipelineFile';
import { createJob, runSteps } from './pipelineRun';

export interface CliOptions {
  readonly pipeline: string;
  readonly connections?: string;
  readonly sources: string;
  readonly report?: string;
  readonly variables: Record<string, string>;
  readonly secretVariables: Record<string, string>;
  readonly debug: boolean;
}

/** Environment the agent's own process would pass on to tasks (CA, proxy, managed identity). */
const PASSED_ON = [
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
  'https_proxy',
  'http_proxy',
  'no_proxy',
  'DOCKER_CONFIG',
  'IDENTITY_ENDPOINT',
  'IDENTITY_HEADER',
  'MSI_ENDPOINT',
  'MSI_SECRET',
];

export async function runPipelineFile(
  options: CliOptions,
  workDir: string,
  write: (line?: string) => void,
): Promise<{ failed: boolean }> {
  const steps = readPipelineFile(options.pipeline);
  const connections = options.connections ? readConnectionsFile(options.connections) : NO_CONNECTIONS;
  if (!fs.existsSync(options.sources)) throw new Error(`--sources ${options.sources} does not exist`);
  const job = createJob(workDir, options.sources);
  Object.assign(job.secretVariables, options.secretVariables);
  const env: Record<string, string> = {};
  for (const name of PASSED_ON) if (process.env[name]) env[name] = process.env[name];
  const started = new Date();
  let index = 0;
  const results = await runSteps({
    steps,
    job,
    connections,
    ...(options.connections ? { connectionsFile: options.connections } : {}),
    variables: { ...gitVariables(options.sources), ...options.variables },
    env,
    debug: options.debug,
    onStep: (result) => printStep(result, ++index, steps.length, write),
  });
  write();
  resultsTable(results).forEach((l) => write(l));
  if (options.report) {
    const file = path.resolve(options.report);
    fs.writeFileSync(
      file,
      htmlReportFor(`Local run of ${path.basename(options.pipeline)}`, started, [
        { title: 'Steps', steps: results },
      ]),
    );
    write(`\nReport: ${file}`);
  }
  return { failed: job.failed };
}
