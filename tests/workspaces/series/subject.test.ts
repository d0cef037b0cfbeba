// Subject prefixes as lists write them: versions, counters, RFC, RESEND, tree tags, reply prefixes.
import { describe, expect, it } from 'vitest';
import { parseSubject, formatPrefix } from '../../../workspaces/series/subject.js';

const pick = (s: string) => {
  const p = parseSubject(s);
  return { reply: p.isReply, patch: p.isPatch, v: p.version, vt: p.versionText, i: p.index, n: p.total, rfc: p.rfc, resend: p.resend, tree: p.treeTag, title: p.cleaned };
};

describe('patch prefixes', () => {
  const title = 'x86/entry/64: Always run ptregs-using syscalls on the slow path';
  it.each([
    ['[PATCH 07/12] T', { v: 1, vt: null, i: 7, n: 12, rfc: false, tree: null }],
    ['[PATCH v2 07/12] T', { v: 2, vt: 'v2', i: 7, n: 12 }],
    ['[PATCHv3 07/12] T', { v: 3, vt: 'v3', i: 7, n: 12 }],
    ['[PATCH v6,19/24] T', { v: 6, vt: 'v6', i: 19, n: 24 }],
    ['[RFC v2 1/6] T', { v: 2, i: 1, n: 6, rfc: true }],
    ['[RFC 00/30] T', { v: 1, i: 0, n: 30, rfc: true }],
    ['[PATCH 01/12 v2] T', { v: 2, i: 1, n: 12 }],
    ['PATCH 1 of 8 T', { v: 1, i: 1, n: 8 }],
    ['[PATCH 1 of 8] T', { v: 1, i: 1, n: 8 }],
    ['[PATCH v5.1 10/12] T', { v: 5.1, vt: 'v5.1', i: 10, n: 12 }],
    ['[PATCH net-next v2 3/4] T', { v: 2, i: 3, n: 4, tree: 'net-next' }],
    ['[PATCH RESEND] T', { i: 1, n: 1, resend: true }],
    ['[RFC PATCH v3 2/5] T', { v: 3, i: 2, n: 5, rfc: true }],
    ['[PATCH 4.4 012/110] T', { i: 12, n: 110, tree: '4.4' }],
    ['[PATCH] [RESEND] T', { i: 1, n: 1, resend: true }],
    ['[PATCH 6/5] T', { i: 6, n: 6 }],
    ['[PATCH -tip v2 0/3] T', { v: 2, i: 0, n: 3, tree: '-tip' }],
  ])('%s', (subject, want) => {
    const got = pick(subject.replace(/T$/, title));
    expect(got).toMatchObject({ patch: true, reply: false, title, ...want });
  });
});

describe('reply prefixes', () => {
  it.each(['Re: ', 'RE: ', 'AW: ', 'Re: Re: ', 'RE: AW: Re: ', 'Re[2]: ', 'SV: ', 're:', 'Aw: RE: '])('"%s[PATCH v2 3/4] ..." is a reply to patch 3/4', (prefix) => {
    const p = parseSubject(`${prefix}[PATCH v2 3/4] x86/entry: Fix it`);
    expect(p).toMatchObject({ isReply: true, isPatch: true, version: 2, index: 3, total: 4, cleaned: 'x86/entry: Fix it' });
    expect(p.replyDepth).toBe(prefix.match(/:/g)!.length);
  });
  it('marks Fwd: as forwarded, not a reply, in any mix', () => {
    expect(parseSubject('Fwd: Re: [PATCH] x86: foo')).toMatchObject({ forwarded: true, isReply: true, replyDepth: 1, cleaned: 'x86: foo' });
    expect(parseSubject('Fwd: [PATCH] x86: foo')).toMatchObject({ forwarded: true, isReply: false });
  });
});

describe('other subjects', () => {
  it('keeps non-patch tags apart and does not call them patches', () => {
    expect(parseSubject('[tip:x86/asm] x86/entry/64: Fix it')).toMatchObject({ isPatch: false, tags: ['tip:x86/asm'], cleaned: 'x86/entry/64: Fix it' });
    expect(parseSubject('[GIT PULL] x86/entry for v4.5')).toMatchObject({ isPatch: false, tags: ['GIT PULL'] });
    expect(parseSubject('kernel BUG at kernel/auditsc.c:1504!')).toMatchObject({ isPatch: false, index: null, cleaned: 'kernel BUG at kernel/auditsc.c:1504!' });
  });
  it('flattens brackets inside brackets and collapses folded whitespace', () => {
    expect(parseSubject('[PATCH [net] 1/2]  x86:\n  foo')).toMatchObject({ index: 1, total: 2, treeTag: 'net', cleaned: 'x86: foo' });
  });
  it('prints a prefix back', () => {
    expect(formatPrefix(parseSubject('[RFC PATCH v3 02/12] x'))).toBe('[RFC PATCH v3 02/12]');
    expect(formatPrefix(parseSubject('[PATCH] x'))).toBe('[PATCH]');
  });
});
