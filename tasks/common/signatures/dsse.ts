/** DSSE envelopes (cosign `.att` layers): parsing and the pre-authentication encoding signed. */

export interface Envelope {
  readonly payloadType: string;
  readonly payload: Buffer;
  readonly signatures: readonly { readonly keyid?: string; readonly sig: Buffer }[];
}

interface RawEnvelope {
  payloadType?: unknown;
  payload?: unknown;
  signatures?: { keyid?: unknown; sig?: unknown }[];
}

export function parseEnvelope(bytes: Buffer): Envelope | undefined {
  let raw: RawEnvelope;
  try {
    raw = JSON.parse(bytes.toString('utf8')) as RawEnvelope;
  } catch {
    return undefined;
  }
  if (
    typeof raw.payloadType !== 'string' ||
    typeof raw.payload !== 'string' ||
    !Array.isArray(raw.signatures)
  ) {
    return undefined;
  }
  return {
    payloadType: raw.payloadType,
    payload: Buffer.from(raw.payload, 'base64'),
    signatures: raw.signatures.map((s) => ({
      keyid: typeof s.keyid === 'string' ? s.keyid : undefined,
      sig: Buffer.from(typeof s.sig === 'string' ? s.sig : '', 'base64'),
    })),
  };
}

/** `DSSEv1 <len(type)> <type> <len(body)> <body>`: what a DSSE signature signs. */
export function preAuthEncoding(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([
    Buffer.from(`DSSEv1 ${type.length} `, 'utf8'),
    type,
    Buffer.from(` ${payload.length} `, 'utf8'),
    payload,
  ]);
}
