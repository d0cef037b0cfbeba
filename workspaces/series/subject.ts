// Subject lines of patch mail: reply prefixes, [PATCH ...] prefixes (version, counter, RFC, RESEND, tree tag).
import type { SubjectInfo } from './types.js';

const REPLY = /^(re|aw|fwd?|sv|antw|wg|tr|vs|odp|res|r)(?:\[\d+\]|\(\d+\))?\s*:\s*/i;
const HG_COUNTER = /^\[?\s*PATCH\s+(\d{1,4})\s+of\s+(\d{1,4})\s*\]?\s*:?\s*/i;

interface PrefixTokens {
  patch: boolean;
  rfc: boolean;
  resend: boolean;
  version: string | null;
  index: number | null;
  total: number | null;
  tree: string[];
  tokens: string[];
}

function readTokens(content: string): PrefixTokens {
  // "PATCHv3" and "RFCv2" are "PATCH v3", "RFC v2"; "v6,19/24" is "v6 19/24"
  const spaced = content.replace(/\b(patch|rfc|rft|resend)(v\d)/gi, '$1 $2');
  const tokens = spaced.split(/[\s,;]+/).filter(Boolean);
  const out: PrefixTokens = { patch: false, rfc: false, resend: false, version: null, index: null, total: null, tree: [], tokens };
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    let m: RegExpExecArray | null;
    if (/^patch(es)?$/i.test(t)) out.patch = true;
    else if (/^(rfc|rft)$/i.test(t)) {
      out.rfc = out.rfc || /^rfc$/i.test(t);
      out.patch = true;
    } else if (/^(resend|repost)$/i.test(t)) out.resend = true;
    else if ((m = /^v(\d{1,3}(?:\.\d{1,3})?)$/i.exec(t))) out.version = m[1];
    else if ((m = /^(\d{1,4})\/(\d{1,4})$/.exec(t))) {
      out.index = Number(m[1]);
      out.total = Number(m[2]);
    } else if ((m = /^(\d{1,4})\/(\d{1,4})v(\d{1,3})$/i.exec(t))) {
      out.index = Number(m[1]);
      out.total = Number(m[2]);
      out.version = m[3];
    } else if (/^\d{1,4}$/.test(t) && /^of$/i.test(tokens[i + 1] ?? '') && /^\d{1,4}$/.test(tokens[i + 2] ?? '')) {
      out.index = Number(t);
      out.total = Number(tokens[i + 2]);
      i += 2;
    } else out.tree.push(t);
  }
  return out;
}

/** Bracket groups inside bracket groups ("[PATCH [net] 1/2]") are flattened first, as b4 does. */
function flattenBrackets(s: string): string {
  let prev = '';
  let out = s;
  for (let n = 0; n < 10 && prev !== out; n++) {
    prev = out;
    out = out.replace(/\[([^\]]*)\[([^[\]]*)\]/g, '[$1$2').replace(/\[([^\]]*)\]([^[\]]*)\]/g, '[$1$2]');
  }
  return out;
}

/** Parse a subject. Never throws; anything unrecognised stays in `cleaned` or `tags`. */
export function parseSubject(raw: string): SubjectInfo {
  let s = raw.replace(/\s+/g, ' ').trim();
  const info: SubjectInfo = {
    raw,
    cleaned: '',
    replyDepth: 0,
    isReply: false,
    forwarded: false,
    isPatch: false,
    rfc: false,
    resend: false,
    version: 1,
    versionText: null,
    index: null,
    total: null,
    counterInferred: true,
    treeTag: null,
    prefixes: [],
    tags: [],
  };
  const tree: string[] = [];
  let guard = 0;
  while (s && guard++ < 50) {
    let m: RegExpExecArray | null;
    if ((m = REPLY.exec(s))) {
      // "R:" only counts before a bracket or another prefix, so "R: ..." in prose-like subjects is rare to misread
      if (m[1].toLowerCase() === 'r' && !/^\s*(\[|re|aw|fwd?)/i.test(s.slice(m[0].length))) break;
      if (/^fwd?$/i.test(m[1])) info.forwarded = true;
      else {
        info.replyDepth++;
        info.isReply = true;
      }
      s = s.slice(m[0].length);
      continue;
    }
    if ((m = HG_COUNTER.exec(s))) {
      info.isPatch = true;
      info.index = Number(m[1]);
      info.total = Number(m[2]);
      info.counterInferred = false;
      info.prefixes.push('PATCH', `${m[1]} of ${m[2]}`);
      s = s.slice(m[0].length);
      continue;
    }
    if (s.startsWith('[')) {
      const flat = flattenBrackets(s);
      const close = flat.indexOf(']');
      if (close < 0) break;
      const content = flat.slice(1, close).trim();
      const rest = flat.slice(close + 1).trimStart();
      const tok = readTokens(content);
      const patchLike = tok.patch || tok.index !== null;
      if (patchLike) {
        info.isPatch = true;
        info.rfc = info.rfc || tok.rfc;
        info.resend = info.resend || tok.resend;
        if (tok.version !== null) {
          info.versionText = `v${tok.version}`;
          info.version = Number(tok.version);
        }
        if (tok.index !== null) {
          info.index = tok.index;
          info.total = tok.total;
          info.counterInferred = false;
        }
        tree.push(...tok.tree);
        info.prefixes.push(...tok.tokens);
      } else if (info.isPatch && (tok.rfc || tok.resend || tok.version !== null) && tok.tree.length === 0) {
        // "[PATCH] [RESEND]" or "[PATCH][v2]": more of the same prefix
        info.rfc = info.rfc || tok.rfc;
        info.resend = info.resend || tok.resend;
        if (tok.version !== null) {
          info.versionText = `v${tok.version}`;
          info.version = Number(tok.version);
        }
        info.prefixes.push(...tok.tokens);
      } else {
        info.tags.push(content);
      }
      s = rest;
      continue;
    }
    break;
  }
  if (info.isPatch && info.index === null) {
    info.index = 1;
    info.total = 1;
  }
  if (info.index !== null && info.total !== null && info.index > info.total) info.total = info.index; // [PATCH 6/5]
  info.treeTag = tree.length ? tree.join(' ') : null;
  info.cleaned = s.trim();
  return info;
}

/** "[PATCH v2 03/12]" style prefix for display. */
export function formatPrefix(info: Pick<SubjectInfo, 'rfc' | 'resend' | 'versionText' | 'index' | 'total' | 'treeTag'>): string {
  const words = [info.rfc ? 'RFC PATCH' : 'PATCH'];
  if (info.resend) words.push('RESEND');
  if (info.treeTag) words.push(info.treeTag);
  if (info.versionText && info.versionText !== 'v1') words.push(info.versionText);
  if (info.total !== null && info.total > 1 && info.index !== null) {
    words.push(`${String(info.index).padStart(String(info.total).length, '0')}/${info.total}`);
  }
  return `[${words.join(' ')}]`;
}
