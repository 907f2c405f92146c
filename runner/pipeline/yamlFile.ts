// Reads a YAML file for the pipeline runner; a syntax error names the file, line and column.
import fs from 'node:fs';
import YAML, { LineCounter } from 'yaml';

/** A problem in a file the user wrote: the message names the file and, when known, the line. */
export class PipelineFileError extends Error {
  override readonly name = 'PipelineFileError';
}

export interface YamlFile {
  readonly file: string;
  readonly value: unknown;
  /** The line (1-based) of a node of the parsed document, found by path; 0 when unknown. */
  lineOf(path: readonly (string | number)[]): number;
}

export function readYamlFile(file: string, what: string): YamlFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new PipelineFileError(`Cannot read the ${what} ${file}: ${(err as Error).message}`);
  }
  const lineCounter = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const error = doc.errors[0];
  if (error) {
    const at = lineCounter.linePos(error.pos[0]);
    throw new PipelineFileError(
      `${file}:${at.line}:${at.col}: the ${what} is not valid YAML: ${error.message.split('\n')[0] ?? ''}`,
    );
  }
  return {
    file,
    value: doc.toJS() as unknown,
    lineOf(path) {
      const node = doc.getIn(path, true) as { range?: [number, number, number] } | undefined;
      const offset = node?.range?.[0];
      return offset === undefined ? 0 : lineCounter.linePos(offset).line;
    },
  };
}

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `file:line: ` or `file: ` when the line is unknown. */
export const where = (file: string, line: number): string => (line > 0 ? `${file}:${line}: ` : `${file}: `);
