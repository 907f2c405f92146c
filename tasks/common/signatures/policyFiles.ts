// Trust-policy files (`cosignPublicKey` and `notationCertificates` given as files,
// `trustedRootFile`) follow the project's rule for files a task reads: a relative path is taken
// from the task's working directory, and the file must lie inside it once symbolic links are
// resolved (files/workspaceBoundary), so a repository cannot point the gate at a key or a trusted
// root elsewhere on the agent.
import path from 'node:path';
import { confineFiles } from '../files';

/** Where the trust-policy file `value` of input `input` really lies; fails naming the input if outside. */
export function policyFile(value: string, input: string, workingDirectory: string): string {
  const absolute = path.resolve(workingDirectory, value);
  const [real] = confineFiles([absolute], [{ name: 'the working directory', path: workingDirectory }], input);
  return real ?? absolute;
}
