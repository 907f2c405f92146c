// Trust-policy files are read like every file a task reads: a relative path is taken from the
// task's working directory, and a path or symbolic link leading outside it fails naming the input.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { UserError } from '../../../tasks/common/errors';
import {
  readSignatureGateInputs,
  type PolicyInputReader,
  type SignatureGate,
} from '../../../tasks/common/signatures';
import { cosignKeyPair } from './cosignArtifacts';

function reader(values: Record<string, string>): PolicyInputReader {
  return {
    optional: (name) => values[name],
    lines: (name) => (values[name] ?? '').split('\n').filter((l) => l.trim() !== ''),
    choice: <T extends string>(name: string, _allowed: readonly T[], defaultValue: T): T =>
      (values[name] as T | undefined) ?? defaultValue,
  };
}

/** The gate as a task reads it (no key reference here, so never pending). */
const readSignatureGate = (read: PolicyInputReader, workingDirectory: string) =>
  readSignatureGateInputs(read, workingDirectory) as SignatureGate | undefined;

const outsideError = (input: string) => (e: unknown) =>
  e instanceof UserError &&
  e.message.startsWith(`Input '${input}' names 1 path(s) leading outside the working directory`);

describe('signatures: trust-policy files stay inside the working directory', () => {
  const key = cosignKeyPair();
  let base: string;
  let wd: string;
  let outside: string;
  const keyless = {
    verifySignatures: 'cosignKeyless',
    certificateIdentity: 'https://dev.azure.com/contoso/shop/_build?definitionId=7',
    certificateOidcIssuer: 'https://vstoken.dev.azure.com/2f1c6e5a-0000-4000-8000-000000000001',
  };

  before(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-policy-files-'));
    wd = path.join(base, 'work');
    outside = path.join(base, 'elsewhere');
    for (const dir of [path.join(wd, 'keys'), outside]) fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(wd, 'keys', 'cosign.pub'), key.publicPem);
    fs.writeFileSync(path.join(outside, 'cosign.pub'), key.publicPem);
    fs.writeFileSync(path.join(wd, 'trusted_root.json'), '{}');
    fs.writeFileSync(path.join(outside, 'trusted_root.json'), '{}');
    fs.symlinkSync(path.join(outside, 'cosign.pub'), path.join(wd, 'keys', 'link.pub'));
  });
  after(() => fs.rmSync(base, { recursive: true, force: true }));

  it('takes a relative key file from the working directory, not the process directory', () => {
    const values = { verifySignatures: 'cosignKey', cosignPublicKey: 'keys/cosign.pub' };
    const gate = readSignatureGate(reader(values), wd);
    assert.equal(gate?.mode, 'cosignKey');
    assert.notEqual(process.cwd(), wd);
    assert.throws(
      () => readSignatureGate(reader(values), outside),
      /neither PEM text .* nor a readable file/,
    );
  });

  it('refuses a key file outside the working directory, by path or through a symbolic link', () => {
    for (const file of [path.join(outside, 'cosign.pub'), '../elsewhere/cosign.pub', 'keys/link.pub']) {
      assert.throws(
        () => readSignatureGate(reader({ verifySignatures: 'cosignKey', cosignPublicKey: file }), wd),
        outsideError('cosignPublicKey'),
        file,
      );
    }
    assert.throws(
      () =>
        readSignatureGate(reader({ verifySignatures: 'cosignKey', cosignPublicKey: 'keys/link.pub' }), wd),
      (e: unknown) => e instanceof Error && e.message.includes(`-> ${fs.realpathSync(outside)}/cosign.pub`),
    );
  });

  it('resolves trustedRootFile inside the working directory and refuses one outside', () => {
    const gate = readSignatureGate(reader({ ...keyless, trustedRootFile: 'trusted_root.json' }), wd);
    assert.equal(
      gate?.trust.policy.keyless?.trustedRootFile,
      path.join(fs.realpathSync(wd), 'trusted_root.json'),
    );
    assert.throws(
      () =>
        readSignatureGate(
          reader({ ...keyless, trustedRootFile: path.join(outside, 'trusted_root.json') }),
          wd,
        ),
      outsideError('trustedRootFile'),
    );
  });

  it('refuses notationCertificates outside the working directory', () => {
    assert.throws(
      () =>
        readSignatureGate(
          reader({ verifySignatures: 'notation', notationCertificates: '../elsewhere/cosign.pub' }),
          wd,
        ),
      outsideError('notationCertificates'),
    );
  });
});
