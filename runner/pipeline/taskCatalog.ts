// The extension's tasks as the pipeline names them (`PromoteImage@1`), found in the packaged .vsix,
// and the checks the agent makes before a step runs: the task and version exist, every input is
// declared, every connection input names a connection that exists.
import { nearestName } from '../agentEnv';
import { shippedTasks, type TaskDefinition } from '../vsix';
import type { Connections } from './connections';
import { PipelineFileError } from './yamlFile';
import type { TaskStep } from './pipelineFile';

export interface ResolvedTask {
  readonly dir: string;
  readonly def: TaskDefinition;
}

type Input = NonNullable<TaskDefinition['inputs']>[number];

export class TaskCatalog {
  constructor(private readonly tasks: readonly ResolvedTask[] = shippedTasks()) {}

  /** `Name@major` of every task, for messages. */
  names(): string[] {
    return this.tasks.map((t) => `${t.def.name}@${t.def.version?.Major ?? '?'}`).sort();
  }

  find(step: TaskStep): ResolvedTask {
    const same = this.tasks.filter((t) => t.def.name.toLowerCase() === step.task.toLowerCase());
    const found = same.find((t) => t.def.version?.Major === step.major);
    if (found) return found;
    if (same.length > 0) {
      const versions = same.map((t) => `${t.def.name}@${t.def.version?.Major ?? '?'}`).join(', ');
      throw new PipelineFileError(
        `${step.at}: ${step.task}@${step.major} has no such major version; the extension has ${versions}`,
      );
    }
    const near = nearestName(
      step.task,
      this.tasks.map((t) => t.def.name),
    );
    throw new PipelineFileError(
      `${step.at}: unknown task '${step.task}@${step.major}'` +
        (near ? ` (did you mean ${near}?)` : '') +
        `; this extension's tasks are ${this.names().join(', ')}`,
    );
  }
}

function declaredInput(def: TaskDefinition, given: string): Input | undefined {
  const lower = given.toLowerCase();
  return (def.inputs ?? []).find((i) =>
    [i.name, ...(i.aliases ?? [])].some((n) => n.toLowerCase() === lower),
  );
}

export interface PreparedInputs {
  /** Inputs with connection names replaced by connection ids, as the agent passes them. */
  readonly inputs: Record<string, string>;
  /** The connections the step references, by id. */
  readonly connectionIds: readonly string[];
}

/** Checks a step's inputs against its task.json and maps connection names to ids. */
export function prepareInputs(
  step: TaskStep,
  task: ResolvedTask,
  connections: Connections,
  connectionsFile?: string,
): PreparedInputs {
  const inputs: Record<string, string> = {};
  const ids: string[] = [];
  const names = (task.def.inputs ?? []).map((i) => i.name);
  for (const [name, value] of Object.entries(step.inputs)) {
    const input = declaredInput(task.def, name);
    if (!input) {
      const near = nearestName(name, names);
      throw new PipelineFileError(
        `${step.at}: input '${name}' is not declared by ${task.def.name}@${step.major}` +
          (near ? `; did you mean '${near}'?` : '') +
          ` (inputs: ${names.join(', ')})`,
      );
    }
    if (!input.type.toLowerCase().startsWith('connectedservice:') || value.trim() === '') {
      inputs[name] = value;
      continue;
    }
    const mapped = value.split(',').map((raw) => {
      const wanted = raw.trim();
      const connection = connections.byName.get(wanted);
      if (!connection) {
        const defined = [...connections.byName.keys()];
        const where = connectionsFile ?? 'no --connections file';
        throw new PipelineFileError(
          `${step.at}: input '${name}' names service connection '${wanted}', which is not defined (${where}` +
            (defined.length ? `: ${defined.join(', ')}` : '') +
            '); describe it in the file given with --connections',
        );
      }
      ids.push(connection.id);
      return connection.id;
    });
    inputs[name] = mapped.join(',');
  }
  return { inputs, connectionIds: ids };
}
