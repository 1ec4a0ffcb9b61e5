/**
 * JSON over loopback HTTP for the e2e tests, standing in for Electron's structured clone: byte
 * arrays travel as {"$b64": "..."}. Used by the test server (Node) and the page shim (browser),
 * so it touches neither Buffer nor DOM-only APIs.
 */
const B64 = '$b64';

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(b64: string): Uint8Array {
  const s = atob(b64);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Uint8Array ? { [B64]: toBase64(v) } : v));
}

export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      const keys = Object.keys(o);
      if (keys.length === 1 && keys[0] === B64 && typeof o[B64] === 'string') return fromBase64(o[B64] as string);
    }
    return v;
  });
}
