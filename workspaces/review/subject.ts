// Subjects: the reply subject with exactly one "Re:", and the bare patch title used to find a patch in the next version.

/** Reply and forward prefixes of many mailers: Re, RE, AW (German), SV (Nordic), Antw (Dutch), Fwd, Fw, with "Re[2]:" counts. */
const REPLY_PREFIX = /^\s*(?:re|aw|sv|antw|vs|fwd?|tr)\s*(?:\[\d+\]|\(\d+\))?\s*:\s*/i;

/** The subject with every leading reply/forward prefix removed. */
export function stripReplyPrefixes(subject: string): string {
  let s = subject.replace(/\s+/g, ' ').trim();
  for (let m = REPLY_PREFIX.exec(s); m; m = REPLY_PREFIX.exec(s)) s = s.slice(m[0].length);
  return s;
}

/** "Re: <original>" with exactly one "Re:", whatever mix of Re:/RE:/AW:/Fwd: the original carried. */
export function replySubject(subject: string): string {
  const bare = stripReplyPrefixes(subject);
  return bare ? `Re: ${bare}` : 'Re:';
}

/** The patch title: no reply prefixes, no leading [PATCH v2 03/12]-style tags. */
export function patchTitle(subject: string): string {
  let s = stripReplyPrefixes(subject);
  for (let m = /^\[[^\]]*\]\s*/.exec(s); m; m = /^\[[^\]]*\]\s*/.exec(s)) s = s.slice(m[0].length);
  return s.trim();
}
