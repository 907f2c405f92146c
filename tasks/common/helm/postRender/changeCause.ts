/** What a pipeline run knows about itself, from the agent's Build.* variables (any may be missing). */
export interface RunFacts {
  readonly definitionName?: string;
  readonly buildNumber?: string;
  /** Build.SourceVersionMessage: the commit message (the agent gives the first line, or more). */
  readonly commitMessage?: string;
  readonly commit?: string;
  readonly requestedFor?: string;
}

/** Kubernetes allows 256 KiB of annotations; a change cause is meant to be one readable line. */
export const MAX_CHANGE_CAUSE = 512;
const MAX_MESSAGE = 200;

const clean = (text: string | undefined): string => (text ?? '').replace(/\s+/g, ' ').trim();

/**
 * `<definition> <build number>: <first line of the commit message> (<short commit>) by <requested for>`,
 * with whatever of those the run has.
 */
export function defaultChangeCause(facts: RunFacts): string {
  const head = [clean(facts.definitionName), clean(facts.buildNumber)].filter(Boolean).join(' ');
  let message = clean((facts.commitMessage ?? '').split(/\r?\n/)[0]);
  if (message.length > MAX_MESSAGE) message = `${message.slice(0, MAX_MESSAGE - 3)}...`;
  const commit = clean(facts.commit).slice(0, 7);
  const body = [message, commit ? `(${commit})` : ''].filter(Boolean).join(' ');
  const who = clean(facts.requestedFor);
  let cause = [head, body].filter(Boolean).join(': ');
  if (who) cause = cause ? `${cause} by ${who}` : `by ${who}`;
  return cause || 'Deployed by Azure Pipelines';
}

/** One line, bounded: what goes into the annotation and `--description`. */
export function normalizeChangeCause(text: string): string {
  const line = clean(text);
  return line.length > MAX_CHANGE_CAUSE ? `${line.slice(0, MAX_CHANGE_CAUSE - 3)}...` : line;
}
