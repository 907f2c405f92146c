// The steps of a YAML pipeline the runner plays: a `steps:` list (or a list, or one step) of
// `task: Name@1` steps with `name`, `displayName`, `inputs`, `condition`, `env`,
// `continueOnError`, `timeoutInMinutes`, and `download: current` steps that bring an artifact
// published by an earlier step into the pipeline workspace, as the agent's download step does.
import { PipelineFileError, isRecord, readYamlFile, where, type YamlFile } from './yamlFile';

/** The conditions a step may carry (Azure Pipelines expressions without arguments). */
export const CONDITIONS = {
  'succeeded()': 'succeeded',
  'always()': 'always',
  'failed()': 'failed',
  'succeededOrFailed()': 'succeededOrFailed',
  true: 'always',
  false: 'never',
} as const;

export type Condition = (typeof CONDITIONS)[keyof typeof CONDITIONS];

interface StepBase {
  readonly displayName?: string;
  readonly condition: Condition;
  /** Where the step is written, for messages: `pipeline.yml:12`. */
  readonly at: string;
}

export interface TaskStep extends StepBase {
  readonly kind: 'task';
  readonly task: string;
  readonly major: number;
  readonly name?: string;
  readonly inputs: Readonly<Record<string, string>>;
  readonly env: Readonly<Record<string, string>>;
  readonly continueOnError: boolean;
  readonly timeoutInMinutes?: number;
}

export interface DownloadStep extends StepBase {
  readonly kind: 'download';
  readonly artifact: string;
}

export type PipelineStep = TaskStep | DownloadStep;

const TASK_KEYS = [
  'task',
  'name',
  'displayName',
  'inputs',
  'condition',
  'env',
  'continueOnError',
  'timeoutInMinutes',
];
const DOWNLOAD_KEYS = ['download', 'artifact', 'displayName', 'condition'];
const STEP_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

function stringMap(
  yaml: YamlFile,
  path: (string | number)[],
  value: unknown,
  what: string,
): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isRecord(value)) {
    throw new PipelineFileError(
      `${where(yaml.file, yaml.lineOf(path))}${what} must be a mapping of names to values`,
    );
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value)) {
    if (isRecord(v) || Array.isArray(v)) {
      throw new PipelineFileError(
        `${where(yaml.file, yaml.lineOf([...path, k]))}${what} '${k}' must be a string (use a | block for several lines)`,
      );
    }
    out[k] = scalar(v);
  }
  return out;
}

function condition(yaml: YamlFile, path: (string | number)[], value: unknown): Condition {
  if (value === undefined) return 'succeeded';
  const text = scalar(value).trim();
  const found = (CONDITIONS as Record<string, Condition>)[text];
  if (found) return found;
  throw new PipelineFileError(
    `${where(yaml.file, yaml.lineOf([...path, 'condition']))}condition '${text}' is not supported; ` +
      `use one of ${Object.keys(CONDITIONS).join(', ')}`,
  );
}

function checkKeys(
  yaml: YamlFile,
  path: (string | number)[],
  step: Record<string, unknown>,
  allowed: string[],
): void {
  for (const key of Object.keys(step)) {
    if (!allowed.includes(key)) {
      throw new PipelineFileError(
        `${where(yaml.file, yaml.lineOf([...path, key]))}'${key}' is not supported in a step here (${allowed.join(', ')})`,
      );
    }
  }
}

function parseStep(yaml: YamlFile, path: (string | number)[], step: unknown): PipelineStep {
  const at = where(yaml.file, yaml.lineOf(path)).replace(/: $/, '');
  if (!isRecord(step))
    throw new PipelineFileError(`${at}: a step must be a mapping with 'task:' or 'download:'`);
  const displayName = step['displayName'] === undefined ? undefined : scalar(step['displayName']);
  const base = {
    at,
    condition: condition(yaml, path, step['condition']),
    ...(displayName ? { displayName } : {}),
  };
  if ('download' in step) {
    checkKeys(yaml, path, step, DOWNLOAD_KEYS);
    if (scalar(step['download']) !== 'current') {
      throw new PipelineFileError(`${at}: only 'download: current' (artifacts of this run) is supported`);
    }
    const artifact = scalar(step['artifact']).trim();
    if (!artifact) throw new PipelineFileError(`${at}: 'download: current' needs 'artifact: <name>'`);
    return { kind: 'download', artifact, ...base };
  }
  if (!('task' in step)) {
    const keys = Object.keys(step).join(', ');
    throw new PipelineFileError(
      `${at}: a step needs 'task: Name@1' (this one has ${keys}); script steps are not run here`,
    );
  }
  checkKeys(yaml, path, step, TASK_KEYS);
  const ref = /^\s*([A-Za-z][\w-]*)@(\d+)\s*$/.exec(scalar(step['task']));
  if (!ref?.[1] || !ref[2]) {
    throw new PipelineFileError(
      `${at}: task '${scalar(step['task'])}' must be written Name@major, e.g. PromoteImage@1`,
    );
  }
  const name = step['name'] === undefined ? undefined : scalar(step['name']);
  if (name !== undefined && !STEP_NAME.test(name)) {
    throw new PipelineFileError(
      `${at}: step name '${name}' must be letters, digits and _ (not starting with a digit)`,
    );
  }
  const timeout = step['timeoutInMinutes'];
  if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0)) {
    throw new PipelineFileError(`${at}: timeoutInMinutes must be a positive number`);
  }
  const continueOnError = step['continueOnError'];
  if (continueOnError !== undefined && typeof continueOnError !== 'boolean') {
    throw new PipelineFileError(`${at}: continueOnError must be true or false`);
  }
  return {
    kind: 'task',
    task: ref[1],
    major: Number(ref[2]),
    ...(name !== undefined ? { name } : {}),
    inputs: stringMap(yaml, [...path, 'inputs'], step['inputs'], 'input'),
    env: stringMap(yaml, [...path, 'env'], step['env'], 'env'),
    continueOnError: continueOnError === true,
    ...(typeof timeout === 'number' ? { timeoutInMinutes: timeout } : {}),
    ...base,
  };
}

/** The steps of a pipeline file; throws a PipelineFileError naming the file and line. */
export function readPipelineFile(file: string): PipelineStep[] {
  const yaml = readYamlFile(file, 'pipeline');
  const value = yaml.value;
  let steps: unknown[];
  let path: (string | number)[];
  if (Array.isArray(value)) [steps, path] = [value, []];
  else if (isRecord(value) && Array.isArray(value['steps'])) [steps, path] = [value['steps'], ['steps']];
  else if (isRecord(value) && ('task' in value || 'download' in value)) return [parseStep(yaml, [], value)];
  else if (isRecord(value) && ('stages' in value || 'jobs' in value)) {
    throw new PipelineFileError(
      `${file}: stages and jobs are not run here; give the steps of one job (steps:)`,
    );
  } else throw new PipelineFileError(`${file}: expected a 'steps:' list, a list of steps or one step`);
  if (steps.length === 0) throw new PipelineFileError(`${file}: the pipeline has no steps`);
  const parsed = steps.map((s, i) => parseStep(yaml, [...path, i], s));
  const names = new Set<string>();
  for (const step of parsed) {
    if (step.kind !== 'task' || step.name === undefined) continue;
    if (names.has(step.name.toLowerCase()))
      throw new PipelineFileError(`${step.at}: step name '${step.name}' is used twice`);
    names.add(step.name.toLowerCase());
  }
  return parsed;
}
