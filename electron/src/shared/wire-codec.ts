/**
 * JSON with typed arrays, for the browser shim's HTTP transport (Electron's IPC uses structured
 * clone and needs none of this). A typed array becomes `{"$typed": "Float32Array", "b64": ...}`
 * (little-endian bytes, base64). Runs in Node and in browsers.
 */
/** URL prefix of the browser dev API (renderer/dev/dev-api-plugin.ts). */
export const DEV_API_PREFIX = '/__nwave';

const TYPED = { Float32Array, Float64Array, Int16Array, Int32Array, Uint8Array } as const;
type TypedName = keyof typeof TYPED;
type Typed = InstanceType<(typeof TYPED)[TypedName]>;

interface NodeBuffer {
  from(
    data: ArrayBufferLike | string,
    offsetOrEncoding?: number | string,
    length?: number,
  ): { toString(enc: string): string; buffer: ArrayBufferLike; byteOffset: number; byteLength: number };
}
const NodeBuf = (globalThis as { Buffer?: NodeBuffer }).Buffer;

function bytesToBase64(bytes: Uint8Array): string {
  if (NodeBuf) return NodeBuf.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function base64ToBytes(b64: string): Uint8Array {
  if (NodeBuf) {
    const b = NodeBuf.from(b64, 'base64');
    return new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();
  }
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

function typedName(v: unknown): TypedName | null {
  for (const name of Object.keys(TYPED) as TypedName[]) if (v instanceof TYPED[name]) return name;
  return null;
}

/** JSON.stringify that keeps typed arrays. */
export function encodeWire(value: unknown): string {
  return JSON.stringify(value, function (this: unknown, _key, v: unknown) {
    const name = typedName(v);
    if (!name) return v;
    const t = v as Typed;
    return { $typed: name, b64: bytesToBase64(new Uint8Array(t.buffer, t.byteOffset, t.byteLength)) };
  });
}

/** JSON.parse that restores typed arrays written by {@link encodeWire}. */
export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && typeof (v as { $typed?: unknown }).$typed === 'string') {
      const { $typed, b64 } = v as { $typed: string; b64: string };
      const Ctor = TYPED[$typed as TypedName];
      if (!Ctor || typeof b64 !== 'string') return v;
      const bytes = base64ToBytes(b64);
      if (bytes.byteLength % Ctor.BYTES_PER_ELEMENT !== 0)
        throw new Error(`wire: ${$typed} payload of ${bytes.byteLength} bytes is not whole elements`);
      return new Ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / Ctor.BYTES_PER_ELEMENT);
    }
    return v;
  });
}
