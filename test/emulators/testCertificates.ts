// Certificates for the test servers and for service principals, made with openssl at test start.
// One test CA per test process signs the server certificates of every emulator, so a single
// NODE_EXTRA_CA_CERTS file (or one `ca` option) trusts them all. Keys never leave memory except
// inside a temp dir that is removed as soon as openssl is done with it.
import { execFile } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { toolPath } from '../support/tools';

const run = promisify(execFile);

export interface PemPair {
  readonly certPem: string;
  readonly keyPem: string;
}

export interface TestCa extends PemPair {
  /** A server certificate for 127.0.0.1, ::1 and localhost, signed by this CA. */
  readonly localhost: PemPair;
}

/** A service principal's certificate as an AzureRM connection holds it: one PEM, key then certificate. */
export interface ClientCertificate extends PemPair {
  /** Key and certificate in one PEM, the `servicePrincipalCertificate` parameter. */
  readonly combinedPem: string;
  /** base64url SHA-256 of the DER certificate: the `x5t#S256` header msal-node puts on assertions. */
  readonly x5tS256: string;
  /** base64url SHA-1 of the DER certificate: the legacy `x5t` header. */
  readonly x5t: string;
}

/** Runs `body` in a temporary folder removed afterwards (certificates are made as files by openssl). */
export async function withTempDir<T>(body: (dir: string) => Promise<T>): Promise<T> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rg-certs-'));
  try {
    return await body(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the provisioned openssl in `cwd`. */
export async function openssl(args: string[], cwd: string): Promise<void> {
  await run(toolPath('OPENSSL_BIN'), args, { cwd });
}

/** A text file of `dir`. */
export const read = (dir: string, name: string) => fs.readFileSync(path.join(dir, name), 'utf8');

const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

async function issueServerCertificate(ca: PemPair, hosts: readonly string[]): Promise<PemPair> {
  return withTempDir(async (dir) => {
    fs.writeFileSync(path.join(dir, 'ca.pem'), ca.certPem);
    fs.writeFileSync(path.join(dir, 'ca.key'), ca.keyPem, { mode: 0o600 });
    const san = hosts.map((h) => (/^[\d.]+$|:/.test(h) ? `IP:${h}` : `DNS:${h}`)).join(',');
    fs.writeFileSync(
      path.join(dir, 'ext.cnf'),
      `subjectAltName=${san}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`,
    );
    await openssl(
      [
        'req',
        '-new',
        ...EC_KEY,
        '-nodes',
        '-keyout',
        'leaf.key',
        '-out',
        'leaf.csr',
        '-subj',
        `/CN=${hosts[0]}`,
      ],
      dir,
    );
    await openssl(
      [
        'x509',
        '-req',
        '-in',
        'leaf.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-set_serial',
        `0x${crypto.randomBytes(8).toString('hex')}`,
      ].concat(['-days', '2', '-out', 'leaf.pem', '-extfile', 'ext.cnf']),
      dir,
    );
    return { certPem: read(dir, 'leaf.pem'), keyPem: read(dir, 'leaf.key') };
  });
}

async function newCa(commonName: string): Promise<PemPair> {
  return withTempDir(async (dir) => {
    await openssl(
      ['req', '-x509', ...EC_KEY, '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2']
        .concat(['-subj', `/CN=${commonName}`])
        .concat([
          '-addext',
          'basicConstraints=critical,CA:TRUE',
          '-addext',
          'keyUsage=critical,keyCertSign,cRLSign',
        ]),
      dir,
    );
    return { certPem: read(dir, 'ca.pem'), keyPem: read(dir, 'ca.key') };
  });
}

async function createCa(): Promise<TestCa> {
  const ca = await newCa('Release Guard test CA');
  const localhost = await issueServerCertificate(ca, ['127.0.0.1', 'localhost', '::1']);
  return { ...ca, localhost };
}

let shared: Promise<TestCa> | undefined;

/** The test process's CA (created on first use) with its localhost server certificate. */
export function testCa(): Promise<TestCa> {
  shared ??= createCa();
  return shared;
}

/** A server certificate for other host names, signed by the test CA. */
export async function serverCertificate(hosts: readonly string[]): Promise<PemPair> {
  return issueServerCertificate(await testCa(), hosts);
}

/** A server certificate from a CA of its own, one nothing trusts (not the test CA). */
export async function untrustedServerCertificate(hosts: readonly string[]): Promise<PemPair> {
  return issueServerCertificate(await newCa('Untrusted test CA'), hosts);
}

function thumbprint(certPem: string, algorithm: 'sha1' | 'sha256'): string {
  const der = new crypto.X509Certificate(certPem).raw;
  return crypto.createHash(algorithm).update(der).digest('base64url');
}

/**
 * A self-signed RSA certificate for a service principal (msal-node signs client assertions with
 * PS256, so the key must be RSA). Valid for two days.
 */
export async function clientCertificate(commonName: string): Promise<ClientCertificate> {
  const pair = await withTempDir(async (dir) => {
    await openssl(
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        'sp.key',
        '-out',
        'sp.pem',
        '-days',
        '2',
      ].concat(['-subj', `/CN=${commonName}`]),
      dir,
    );
    return { certPem: read(dir, 'sp.pem'), keyPem: read(dir, 'sp.key') };
  });
  return {
    ...pair,
    combinedPem: `${pair.keyPem.trim()}\n${pair.certPem.trim()}\n`,
    x5tS256: thumbprint(pair.certPem, 'sha256'),
    x5t: thumbprint(pair.certPem, 'sha1'),
  };
}
