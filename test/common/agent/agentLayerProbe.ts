// Runs the test-only AgentLayerProbeV1 task (test/fixtures/tasks/AgentLayerProbeV1) as the agent
// does: inputs as INPUT_* variables, connections as ENDPOINT_*, the logging commands parsed back.
import crypto from 'node:crypto';
import { PROBE_MARKERS, type ProbeRead } from '../../fixtures/tasks/AgentLayerProbeV1/probeMarkers';
import { runTask, type TaskRun, type TaskRunOptions } from '../../support/taskRunner';

export const sha256 = (value: string) => crypto.createHash('sha256').update(value, 'utf8').digest('hex');

/** One probe run of `scenario`, with more inputs and runner options. */
export function probe(
  scenario: string,
  inputs: Record<string, string> = {},
  options: Omit<TaskRunOptions, 'task' | 'inputs'> = {},
): Promise<TaskRun> {
  return runTask({ task: { testOnly: 'AgentLayerProbeV1' }, inputs: { scenario, ...inputs }, ...options });
}

/** The JSON the probe printed after `marker`; fails when it printed none. */
export function printed<T>(run: TaskRun, marker: string): T {
  const line = run.stdout.split(/\r?\n/).find((l) => l.startsWith(marker));
  if (line === undefined) throw new Error(`the probe printed no '${marker.trim()}' line:\n${run.stdout}`);
  return JSON.parse(line.slice(marker.length)) as T;
}

export const readOf = (run: TaskRun) => printed<ProbeRead>(run, PROBE_MARKERS.read);
export const knownOf = (run: TaskRun) => printed<string[]>(run, PROBE_MARKERS.known);
