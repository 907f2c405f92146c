// Just enough of Kubernetes' protobuf encoding for Helm's release storage: the `k8s\0` envelope
// around a runtime.Unknown, and the Secret and ConfigMap messages with their ObjectMeta. Field
// numbers are those of k8s.io/api/core/v1/generated.proto and apimachinery's meta/v1 and runtime.
// Unknown fields are skipped; managedFields are not decoded.

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

type JsonObject = Record<string, unknown>;

interface Field {
  readonly field: number;
  readonly wireType: number;
  /** Varints as bigint; length-delimited fields as bytes; fixed-width fields as raw bytes. */
  readonly value: bigint | Buffer;
}

function readVarint(buf: Buffer, offset: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = offset; i < buf.length; i++) {
    const byte = buf[i] ?? 0;
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, i + 1];
    shift += 7n;
    if (shift > 63n) throw new Error('protobuf: varint too long');
  }
  throw new Error('protobuf: truncated varint');
}

/** The top-level fields of one protobuf message, in wire order. */
export function decodeFields(buf: Buffer): Field[] {
  const fields: Field[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const [tag, afterTag] = readVarint(buf, offset);
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    offset = afterTag;
    if (wireType === 0) {
      const [value, next] = readVarint(buf, offset);
      fields.push({ field, wireType, value });
      offset = next;
    } else if (wireType === 2) {
      const [length, next] = readVarint(buf, offset);
      const end = next + Number(length);
      if (end > buf.length) throw new Error(`protobuf: field ${field} overruns the message`);
      fields.push({ field, wireType, value: buf.subarray(next, end) });
      offset = end;
    } else if (wireType === 1 || wireType === 5) {
      const size = wireType === 1 ? 8 : 4;
      fields.push({ field, wireType, value: buf.subarray(offset, offset + size) });
      offset += size;
    } else {
      throw new Error(`protobuf: unsupported wire type ${wireType}`);
    }
  }
  return fields;
}

const bytesOf = (f: Field): Buffer => (Buffer.isBuffer(f.value) ? f.value : Buffer.alloc(0));
const stringOf = (f: Field): string => bytesOf(f).toString('utf8');
const numberOf = (f: Field): number => (typeof f.value === 'bigint' ? Number(BigInt.asIntN(64, f.value)) : 0);

function decodeMapEntry(f: Field): [string, Buffer] {
  let key = '';
  let value: Buffer = Buffer.alloc(0);
  for (const e of decodeFields(bytesOf(f))) {
    if (e.field === 1) key = stringOf(e);
    if (e.field === 2) value = bytesOf(e);
  }
  return [key, value];
}

function decodeTime(buf: Buffer): string {
  let seconds = 0;
  for (const f of decodeFields(buf)) if (f.field === 1) seconds = numberOf(f);
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function decodeOwnerReference(buf: Buffer): JsonObject {
  const names: Record<number, string> = { 1: 'kind', 3: 'name', 4: 'uid', 5: 'apiVersion' };
  const ref: JsonObject = {};
  for (const f of decodeFields(buf)) {
    const name = names[f.field];
    if (name) ref[name] = stringOf(f);
    if (f.field === 6) ref['controller'] = f.value !== 0n;
    if (f.field === 7) ref['blockOwnerDeletion'] = f.value !== 0n;
  }
  return ref;
}

const META_STRINGS: Record<number, string> = {
  1: 'name',
  2: 'generateName',
  3: 'namespace',
  5: 'uid',
  6: 'resourceVersion',
};

function decodeObjectMeta(buf: Buffer): JsonObject {
  const meta: JsonObject = {};
  const labels: Record<string, string> = {};
  const annotations: Record<string, string> = {};
  const owners: JsonObject[] = [];
  const finalizers: string[] = [];
  for (const f of decodeFields(buf)) {
    const stringName = META_STRINGS[f.field];
    if (stringName) meta[stringName] = stringOf(f);
    else if (f.field === 7) meta['generation'] = numberOf(f);
    else if (f.field === 8) meta['creationTimestamp'] = decodeTime(bytesOf(f));
    else if (f.field === 11 || f.field === 12) {
      const [key, value] = decodeMapEntry(f);
      (f.field === 11 ? labels : annotations)[key] = value.toString('utf8');
    } else if (f.field === 13) owners.push(decodeOwnerReference(bytesOf(f)));
    else if (f.field === 14) finalizers.push(stringOf(f));
  }
  if (Object.keys(labels).length > 0) meta['labels'] = labels;
  if (Object.keys(annotations).length > 0) meta['annotations'] = annotations;
  if (owners.length > 0) meta['ownerReferences'] = owners;
  if (finalizers.length > 0) meta['finalizers'] = finalizers;
  return meta;
}

/** Map fields per kind: field number -> [JSON name, values are bytes (base64 in JSON)]. */
const KINDS: Record<string, { maps: Record<number, [string, boolean]>; type?: number; immutable: number }> = {
  Secret: { maps: { 2: ['data', true], 4: ['stringData', false] }, type: 3, immutable: 5 },
  ConfigMap: { maps: { 2: ['data', false], 3: ['binaryData', true] }, immutable: 4 },
};

export function isProtobufKind(kind: string): boolean {
  return kind in KINDS;
}

/** Decodes a Secret or ConfigMap message into its JSON form. */
export function decodeObject(apiVersion: string, kind: string, raw: Buffer): JsonObject {
  const schema = KINDS[kind];
  if (!schema) throw new Error(`protobuf: ${kind} is not supported by the emulator`);
  const obj: JsonObject = { apiVersion, kind, metadata: {} };
  for (const f of decodeFields(raw)) {
    const map = schema.maps[f.field];
    if (f.field === 1) obj['metadata'] = decodeObjectMeta(bytesOf(f));
    else if (map) {
      const [name, binary] = map;
      const [key, value] = decodeMapEntry(f);
      const target = (obj[name] ??= {}) as Record<string, string>;
      target[key] = binary ? value.toString('base64') : value.toString('utf8');
    } else if (f.field === schema.type) obj['type'] = stringOf(f);
    else if (f.field === schema.immutable) obj['immutable'] = f.value !== 0n;
  }
  return obj;
}

/** Unwraps `k8s\0` + runtime.Unknown and decodes the object it carries. */
export function decodeEnvelope(body: Buffer): JsonObject {
  if (body.length < MAGIC.length || !body.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new Error('protobuf: body does not start with the k8s\\0 magic');
  }
  let apiVersion = '';
  let kind = '';
  let raw: Buffer = Buffer.alloc(0);
  for (const f of decodeFields(body.subarray(MAGIC.length))) {
    if (f.field === 1) {
      for (const t of decodeFields(bytesOf(f))) {
        if (t.field === 1) apiVersion = stringOf(t);
        if (t.field === 2) kind = stringOf(t);
      }
    } else if (f.field === 2) raw = bytesOf(f);
    else if (f.field === 3 && stringOf(f) !== '') {
      throw new Error(`protobuf: content encoding ${stringOf(f)} is not supported`);
    }
  }
  return decodeObject(apiVersion, kind, raw);
}

// ---- encoding (responses to protobuf-only clients, and tests) ----

function varint(value: bigint | number): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    bytes.push(v === 0n ? byte : byte | 0x80);
  } while (v !== 0n);
  return Buffer.from(bytes);
}

const tag = (field: number, wireType: number) => varint((field << 3) | wireType);

function lengthField(field: number, value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([tag(field, 2), varint(bytes.length), bytes]);
}

const varintField = (field: number, value: bigint | number | boolean) =>
  Buffer.concat([tag(field, 0), varint(typeof value === 'boolean' ? (value ? 1 : 0) : value)]);

function mapFields(field: number, map: unknown, binary: boolean): Buffer[] {
  if (!map || typeof map !== 'object') return [];
  return Object.entries(map as Record<string, string>)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) =>
      lengthField(
        field,
        Buffer.concat([lengthField(1, k), lengthField(2, binary ? Buffer.from(v, 'base64') : v)]),
      ),
    );
}

function encodeObjectMeta(meta: JsonObject): Buffer {
  const parts: Buffer[] = [];
  for (const [num, name] of Object.entries(META_STRINGS)) {
    const v = meta[name];
    if (typeof v === 'string') parts.push(lengthField(Number(num), v));
  }
  if (typeof meta['generation'] === 'number') parts.push(varintField(7, meta['generation']));
  if (typeof meta['creationTimestamp'] === 'string') {
    const seconds = Math.floor(Date.parse(meta['creationTimestamp']) / 1000);
    parts.push(lengthField(8, varintField(1, seconds)));
  }
  parts.push(...mapFields(11, meta['labels'], false), ...mapFields(12, meta['annotations'], false));
  return Buffer.concat(parts);
}

/** Encodes a Secret or ConfigMap (JSON form) as its protobuf message. */
export function encodeObject(obj: JsonObject): Buffer {
  const kind = String(obj['kind']);
  const schema = KINDS[kind];
  if (!schema) throw new Error(`protobuf: ${kind} is not supported by the emulator`);
  const parts = [lengthField(1, encodeObjectMeta((obj['metadata'] ?? {}) as JsonObject))];
  for (const [num, [name, binary]] of Object.entries(schema.maps)) {
    parts.push(...mapFields(Number(num), obj[name], binary));
  }
  if (schema.type && typeof obj['type'] === 'string') parts.push(lengthField(schema.type, obj['type']));
  if (typeof obj['immutable'] === 'boolean') parts.push(varintField(schema.immutable, obj['immutable']));
  return Buffer.concat(parts);
}

/** `k8s\0` + runtime.Unknown{typeMeta, raw} around the object's protobuf message. */
export function encodeEnvelope(obj: JsonObject): Buffer {
  const typeMeta = Buffer.concat([
    lengthField(1, String(obj['apiVersion'])),
    lengthField(2, String(obj['kind'])),
  ]);
  return Buffer.concat([MAGIC, lengthField(1, typeMeta), lengthField(2, encodeObject(obj))]);
}
