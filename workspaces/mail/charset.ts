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
    const w = decoderFor('windows-1252', false) as TextDecoder;
    return { text: w.decode(bytes), charset: 'windows-1252', fellBack: true };
  }
}

/** Bytes as code points 0-255 (fast path for ASCII and for header scanning). */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1', start, end);
}

/** Text in a charset to bytes; only UTF-8 and latin-1-compatible charsets can be encoded back. */
export function encodeText(text: string, charset: string | null): Uint8Array {
  const cs = normalizeCharset(charset) ?? 'utf-8';
  if (cs === 'iso-8859-1' || cs === 'windows-1252') {
    // TextEncoder only writes UTF-8; latin-1 text round-trips through Buffer's latin1 for code points < 256
    if (![...text].some((ch) => ch.codePointAt(0)! > 0xff)) return Buffer.from(text, 'latin1');
  }
  return Buffer.from(text, 'utf8');
}
