// Bytes to text for mail: the declared charset first, then UTF-8, then windows-1252, so nothing is ever refused.
import { TextDecoder } from 'node:util';

const decoders = new Map<string, TextDecoder | null>();

/** Charset names mail uses that WHATWG TextDecoder spells differently, or not at all. */
const ALIASES: Record<string, string> = {
  'utf8': 'utf-8',
  'us-ascii': 'utf-8', // ASCII is a subset; mislabelled 8-bit text then still decodes as UTF-8 or falls back
  'ascii': 'utf-8',
  'ansi_x3.4-1968': 'utf-8',
  'latin1': 'iso-8859-1',
  'latin-1': 'iso-8859-1',
  'cp1252': 'windows-1252',
  'x-unknown': 'utf-8',
  'unknown-8bit': 'utf-8',
  'default': 'utf-8',
};

// windows-1252 bytes 0x80-0x9f; the rest is latin-1. Node 20's TextDecoder('windows-1252') drops these bytes.
const CP1252_HIGH = [
  0x20ac, 0x81, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8d, 0x017d, 0x8f,
  0x90, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x9d, 0x017e, 0x0178,
];
const ISO8859_15: Record<number, number> = { 0xa4: 0x20ac, 0xa6: 0x0160, 0xa8: 0x0161, 0xb4: 0x017d, 0xb8: 0x017e, 0xbc: 0x0152, 0xbd: 0x0153, 0xbe: 0x0178 };

/** windows-1252 (and so iso-8859-1 as mail means it): every byte maps to a character. */
export function decodeWindows1252(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) {
    const codes: number[] = [];
    const end = Math.min(bytes.length, i + 8192);
    for (let k = i; k < end; k++) {
      const b = bytes[k];
      codes.push(b >= 0x80 && b <= 0x9f ? CP1252_HIGH[b - 0x80] : b);
    }
    out += String.fromCharCode(...codes);
  }
  return out;
}

function decodeIso885915(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += String.fromCharCode(ISO8859_15[b] ?? b);
  return out;
}

const OWN_DECODERS: Record<string, (b: Uint8Array) => string> = {
  'windows-1252': decodeWindows1252,
  'iso-8859-1': decodeWindows1252,
  'iso8859-1': decodeWindows1252,
  'iso_8859-1': decodeWindows1252,
  'iso-8859-15': decodeIso885915,
  'latin-9': decodeIso885915,
};

function decoderFor(label: string, fatal: boolean): TextDecoder | null {
  const key = `${label}\0${fatal ? 'f' : ''}`;
  if (decoders.has(key)) return decoders.get(key) ?? null;
  let d: TextDecoder | null = null;
  try {
    d = new TextDecoder(label, { fatal, ignoreBOM: true });
  } catch {
    d = null;
  }
  decoders.set(key, d);
  return d;
}

/** Lower-case charset name with aliases applied, or null for none. */
export function normalizeCharset(charset: string | null | undefined): string | null {
  if (!charset) return null;
  const c = charset.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (!c) return null;
  return ALIASES[c] ?? c;
}

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i] > 0x7f) return false;
  return true;
}

export interface DecodedText {
  text: string;
  /** The charset that decoded it. */
  charset: string;
  /** The declared charset was unknown or did not fit the bytes. */
  fellBack: boolean;
}

/**
 * Decode bytes in the declared charset. UTF-8 (declared or assumed) is decoded strictly; bytes that are not
 * valid UTF-8 fall back to windows-1252, which maps every byte (iso-8859-1 is its subset in practice).
 */
export function decodeBytes(bytes: Uint8Array, declared: string | null): DecodedText {
  const cs = normalizeCharset(declared) ?? 'utf-8';
  if (isAscii(bytes)) return { text: latin1(bytes), charset: cs, fellBack: false };
  if (cs !== 'utf-8' && OWN_DECODERS[cs]) return { text: OWN_DECODERS[cs](bytes), charset: cs, fellBack: false };
  if (cs !== 'utf-8') {
    const d = decoderFor(cs, true);
    if (d) {
      try {
        return { text: d.decode(bytes), charset: cs, fellBack: false };
      } catch {
        // declared charset does not fit: try UTF-8, then windows-1252
      }
    }
  }
  const utf8 = decoderFor('utf-8', true) as TextDecoder;
  try {
    return { text: utf8.decode(bytes), charset: 'utf-8', fellBack: cs !== 'utf-8' };
  } catch {
    return { text: decodeWindows1252(bytes), charset: 'windows-1252', fellBack: true };
  }
}

/** Bytes as code points 0-255 (fast path for ASCII and for header scanning). */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, end);
}
