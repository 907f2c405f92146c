/** Signs what the task attaches (the promotion record): a key held elsewhere (Key Vault, a test key). */
export interface PayloadSigner {
  /** Names the key (e.g. the Key Vault key id with version); becomes the DSSE keyid. */
  readonly keyId: string;
  /** The public key, PEM SPKI, so the record can be verified and the summary can name it. */
  publicKeyPem(): Promise<string>;
  /** Signs data (the DSSE pre-authentication encoding) with SHA-256; returns a DER signature. */
  sign(data: Buffer): Promise<Buffer>;
}
