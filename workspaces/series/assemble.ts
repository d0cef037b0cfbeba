// Series from threaded messages: group patches by thread and version, find covers and missing parts,
// fill partial rerolls, attach replies and their trailers, and link the versions of one series.
import type { Address, MailMessage, MailThread } from '../mail/types.js';
import type { CollectedTrailer, ReplyRef, Series, SeriesCover, SeriesPart, SubjectInfo } from './types.js';
import { parseSubject } from './subject.js';
import { splitPatch, commitTrailers, damageReasons } from './patch.js';
import { diffstatOf, patchIdOf } from './diff.js';
import { replyTrailers, trailerKey, trailerMatchesSender } from './trailers.js';
import { walkNodes } from '../mail/thread.js';
import { parseAddress } from '../mail/headers.js';
import { parseMailDate } from '../mail/headers.js';
import { textHasDiff } from '../mail/mime.js';

/** What grouping needs to know about a message: enough to run on a header-only index too. */
export interface SeriesHead {
  subject: SubjectInfo;
  fromEmail: string;
  date: number | null;
  /** Whether the body holds a diff; null when unknown (header-only index). */
  hasDiff: boolean | null;
}

/** One version of one series, before the bodies are looked at. */
export interface SeriesGroup {
  thread: number;
  version: number;
  versionText: string | null;
  total: number;
  cover: number | null;
  /** index → message */
  parts: Map<number, number>;
  /** index → version the part was sent as, for parts filled in from an older version */
  filledFrom: Map<number, number>;
  partialReroll: boolean;
  /** Messages that were superseded by a later copy with the same index (RESEND), for diagnostics. */
  superseded: number[];
  family: number;
  latest: boolean;
  versions: number[];
}

/** Parent message of each message (null for roots and children of placeholders). */
export function parentsOf(threads: MailThread[], count: number): (number | null)[] {
  const parent: (number | null)[] = new Array(count).fill(null);
  for (const t of threads) {
    walkNodes(t.root, (n, _d, p) => {
      if (n.message !== null) parent[n.message] = p && p.message !== null ? p.message : null;
    });
  }
  return parent;
}

function ancestors(i: number, parent: (number | null)[], limit = 1000): number[] {
  const out: number[] = [];
  let p = parent[i];
  while (p !== null && p !== undefined && out.length < limit) {
    out.push(p);
    p = parent[p];
  }
  return out;
}

/** Is this message a member (part or cover) of a series? */
function isMember(h: SeriesHead): boolean {
  const s = h.subject;
  if (!s.isPatch || s.isReply || s.forwarded || s.index === null) return false;
  if (s.index === 0) return true;
  // "[PATCH] subject" without a counter and without a diff is talk, not a patch
  if (s.counterInferred && h.hasDiff === false) return false;
  return true;
}

/** Group series members by thread and version; merge unthreaded ones; fill partial rerolls; link versions. */
export function groupSeries(heads: SeriesHead[], threadOf: number[], parent: (number | null)[]): SeriesGroup[] {
  const members: number[] = [];
  for (let i = 0; i < heads.length; i++) if (isMember(heads[i])) members.push(i);
  const memberSet = new Set(members);

  // a patch without a version takes the one of its cover letter (or of patch 1 it answers)
  const versionOf = new Map<number, { v: number; text: string | null }>();
  for (const i of members) {
    const s = heads[i].subject;
    let v = { v: s.version, text: s.versionText };
    if (s.versionText === null) {
      for (const a of ancestors(i, parent, 3)) {
        const as = heads[a].subject;
        if (memberSet.has(a) && as.versionText !== null && (as.index === 0 || as.index === 1) && as.total === s.total) {
          v = { v: as.version, text: as.versionText };
          break;
        }
      }
    }
    versionOf.set(i, v);
  }

  const byKey = new Map<string, number[]>();
  for (const i of members) {
    const s = heads[i].subject;
    const key = `${threadOf[i]}|${versionOf.get(i)!.v}|${s.total}`;
    const list = byKey.get(key) ?? [];
    list.push(i);
    byKey.set(key, list);
  }
  let lists = [...byKey.values()];

  // unthreaded patches (format-patch without --thread): each is its own thread root; join by sender and prefix
  const loose = (l: number[]) => l.every((i) => parent[i] === null);
  const merged: number[][] = [];
  const looseKey = (i: number) => {
    const s = heads[i].subject;
    return `${heads[i].fromEmail.toLowerCase()}|${versionOf.get(i)!.v}|${s.total}|${s.treeTag ?? ''}|${s.rfc}`;
  };
  const byLoose = new Map<string, number[][]>();
  for (const l of lists) {
    if (!loose(l) || (heads[l[0]].subject.total ?? 1) <= 1) {
      merged.push(l);
      continue;
    }
    const k = looseKey(l[0]);
    const bucket = byLoose.get(k) ?? [];
    const indices = (x: number[]) => new Set(x.map((i) => heads[i].subject.index));
    const target = bucket.find((b) => {
      const have = indices(b);
      return l.every((i) => !have.has(heads[i].subject.index));
    });
    if (target) target.push(...l);
    else {
      bucket.push([...l]);
      byLoose.set(k, bucket);
    }
  }
  for (const b of byLoose.values()) merged.push(...b);
  lists = merged;

  const groups: SeriesGroup[] = lists.map((l) => {
    const first = l[0];
    const v = versionOf.get(first)!;
    const total = Math.max(...l.map((i) => heads[i].subject.total ?? 1));
    const parts = new Map<number, number>();
    const superseded: number[] = [];
    let cover: number | null = null;
    const newer = (a: number, b: number) => (heads[a].date ?? 0) >= (heads[b].date ?? 0);
    for (const i of l) {
      const idx = heads[i].subject.index!;
      if (idx === 0) {
        if (cover === null || newer(i, cover)) {
          if (cover !== null) superseded.push(cover);
          cover = i;
        } else superseded.push(i);
        continue;
      }
      const have = parts.get(idx);
      if (have === undefined) parts.set(idx, i);
      else if (newer(i, have)) {
        superseded.push(have);
        parts.set(idx, i);
      } else superseded.push(i);
    }
    if (cover === null) {
      // a cover letter without "0/N": the non-patch message the parts answer, if it is not a reply
      const firstPart = [...parts.values()][0];
      const p = firstPart === undefined ? null : parent[firstPart];
      if (p !== null && p !== undefined && !memberSet.has(p)) {
        const ps = heads[p].subject;
        if (!ps.isReply && heads[p].hasDiff !== true && [...parts.values()].every((x) => parent[x] === p)) cover = p;
      }
    }
    return {
      thread: threadOf[first], version: v.v, versionText: v.text, total, cover, parts, filledFrom: new Map(),
      partialReroll: false, superseded, family: -1, latest: false, versions: [],
    };
  });

  // partial rerolls: parts of vN sent as replies to the same parts of an older version in the same thread
  for (const g of groups) {
    if (g.parts.size >= g.total) continue;
    const older = groups
      .filter((o) => o !== g && o.thread === g.thread && o.version < g.version && o.total === g.total && o.parts.size > 0)
      .sort((a, b) => b.version - a.version)[0];
    if (!older) continue;
    const olderMembers = new Set<number>([...older.parts.values(), ...(older.cover !== null ? [older.cover] : [])]);
    const sane = [...g.parts.entries()].every(([idx, m]) => {
      const up = ancestors(m, parent);
      return up.some((a) => olderMembers.has(a) && (heads[a].subject.index === idx || heads[a].subject.index === 0));
    });
    if (!sane) continue;
    for (const [idx, m] of older.parts) {
      if (!g.parts.has(idx)) {
        g.parts.set(idx, m);
        g.filledFrom.set(idx, older.version);
      }
    }
    if (g.cover === null) g.cover = older.cover;
    g.partialReroll = true;
  }

  // families: versions of one series. Same thread, or same sender with the same title or most part subjects.
  const familyOf = groups.map((_, k) => k);
  const find = (k: number): number => (familyOf[k] === k ? k : (familyOf[k] = find(familyOf[k])));
  const unite = (a: number, b: number) => {
    familyOf[find(a)] = find(b);
  };
  const titles = groups.map((g) => {
    const m = g.cover ?? g.parts.get(1) ?? [...g.parts.values()][0];
    return m === undefined ? '' : heads[m].subject.cleaned.toLowerCase();
  });
  const senders = groups.map((g) => {
    const m = g.cover ?? [...g.parts.values()][0];
    return m === undefined ? '' : heads[m].fromEmail.toLowerCase();
  });
  const subjects = groups.map((g) => [...new Set([...g.parts.values()].map((m) => heads[m].subject.cleaned.toLowerCase()))]);
  // the same version twice in different threads is a resend or another series, not another version
  const mayUnite = (a: number, b: number) => groups[a].thread === groups[b].thread || groups[a].version !== groups[b].version || titles[a] === titles[b];
  const byThread = new Map<number, number>();
  const byTitle = new Map<string, number>();
  const bySubject = new Map<string, number[]>();
  for (let k = 0; k < groups.length; k++) {
    const th = byThread.get(groups[k].thread);
    if (th === undefined) byThread.set(groups[k].thread, k);
    else unite(k, th);
    if (senders[k] && titles[k]) {
      const key = `${senders[k]}\0${titles[k]}`;
      const other = byTitle.get(key);
      if (other === undefined) byTitle.set(key, k);
      else unite(k, other);
    }
    // most part subjects in common with an earlier group of the same sender
    const common = new Map<number, number>();
    for (const subj of subjects[k]) {
      const key = `${senders[k]}\0${subj}`;
      const list = bySubject.get(key) ?? [];
      for (const o of list) common.set(o, (common.get(o) ?? 0) + 1);
      list.push(k);
      bySubject.set(key, list);
    }
    for (const [o, n] of common) {
      if (n * 2 >= Math.min(subjects[k].length, subjects[o].length) && mayUnite(k, o)) unite(k, o);
    }
  }
  const families = new Map<number, SeriesGroup[]>();
  groups.forEach((g, k) => {
    g.family = find(k);
    const list = families.get(g.family) ?? [];
    list.push(g);
    families.set(g.family, list);
  });
  for (const list of families.values()) {
    const versions = [...new Set(list.map((g) => g.version))].sort((a, b) => a - b);
    const top = Math.max(...versions);
    const newestAt = (g: SeriesGroup) => Math.max(...[...g.parts.values()].map((m) => heads[m].date ?? 0), 0);
    const best = list.filter((g) => g.version === top).sort((a, b) => newestAt(b) - newestAt(a))[0];
    for (const g of list) {
      g.versions = versions;
      g.latest = g === best;
    }
  }
  return groups;
}

export interface AssembleInput {
  messages: MailMessage[];
  threads: MailThread[];
  threadOf: number[];
}

/** Subject info and diff presence of every message, for groupSeries. */
export function headsOf(messages: MailMessage[]): SeriesHead[] {
  return messages.map((m) => ({
    subject: parseSubject(m.subject),
    fromEmail: m.from?.email || m.from?.name || '',
    date: m.date?.getTime() ?? null,
    hasDiff: textHasDiff(m.body) || /\S[ \t]+diff --git a\//.test(m.body),
  }));
}

/** Full series from loaded messages. */
export function assembleSeries(input: AssembleInput): Series[] {
  const { messages, threads, threadOf } = input;
  const heads = headsOf(messages);
  const parent = parentsOf(threads, messages.length);
  const groups = groupSeries(heads, threadOf, parent);
  const memberSet = new Set<number>();
  for (const g of groups) {
    for (const m of g.parts.values()) memberSet.add(m);
    if (g.cover !== null) memberSet.add(g.cover);
  }

  // children lists in thread order, for reply walks
  const children = new Map<number, number[]>();
  const orderPos = new Map<number, number>();
  for (const t of threads) {
    t.order.forEach((m, k) => orderPos.set(m, k));
    walkNodes(t.root, (n) => {
      if (n.message === null) return;
      children.set(
        n.message,
        n.children.filter((c) => c.message !== null).map((c) => c.message as number),
      );
      // children of a placeholder child are not replies to this message
    });
  }
  const repliesOf = (root: number): ReplyRef[] => {
    const out: ReplyRef[] = [];
    const stack: [number, number, number][] = (children.get(root) ?? []).map((c) => [c, 1, root] as [number, number, number]).reverse();
    while (stack.length) {
      const [m, depth, par] = stack.pop()!;
      if (memberSet.has(m)) continue; // a patch (of this or another version) is not a reply
      const msg = messages[m];
      out.push({ message: m, messageId: msg.messageId, from: msg.from, subject: msg.subject, date: msg.date, depth, parent: par });
      const kids = children.get(m) ?? [];
      for (let k = kids.length - 1; k >= 0; k--) stack.push([kids[k], depth + 1, m]);
    }
    return out;
  };

  const trailersFrom = (replies: ReplyRef[], source: 'reply' | 'cover'): CollectedTrailer[] => {
    const out: CollectedTrailer[] = [];
    for (const r of replies) {
      const msg = messages[r.message];
      for (const t of replyTrailers(msg.body, { namesSuffice: msg.synthetic })) {
        out.push({
          name: t.name, value: t.value, from: msg.messageId, message: r.message, source,
          senderMatches: trailerMatchesSender(t, msg.from), inCommit: false, carriedFromVersion: null,
        });
      }
    }
    return out;
  };

  const partOf = (m: number, index: number, version: number): SeriesPart => {
    const msg = messages[m];
    const split = splitPatch(msg.body);
    const inFrom = split.inBodyHeaders.find((h) => h.name === 'From');
    const inDate = split.inBodyHeaders.find((h) => h.name === 'Date');
    const inSubject = split.inBodyHeaders.find((h) => h.name === 'Subject');
    const author: Address = (inFrom ? parseAddress(inFrom.value) : null) ?? msg.from ?? { name: '', email: '' };
    const lineless = msg.body.length > 300 && !msg.body.trimEnd().includes('\n');
    const subj = parseSubject(inSubject?.value ?? msg.subject);
    return {
      index,
      message: m,
      messageId: msg.messageId,
      subject: { raw: msg.subject, cleaned: subj.cleaned },
      author,
      date: (inDate ? parseMailDate(inDate.value) : null) ?? msg.date,
      version,
      commitMessage: split.commitMessage,
      commitTrailers: commitTrailers(split.commitMessage),
      notes: split.notes,
      diffText: split.diffText,
      diff: split.diff,
      diffstat: diffstatOf(split.diff),
      reportedDiffstat: split.reportedDiffstat,
      damaged: damageReasons({ split, synthetic: msg.synthetic, lineless, body: msg.body }),
      patchId: patchIdOf(split.diff),
      replies: repliesOf(m),
      trailers: [],
    };
  };

  const series: Series[] = groups.map((g) => {
    const indices = [...g.parts.keys()].sort((a, b) => a - b);
    const parts = indices.map((idx) => partOf(g.parts.get(idx)!, idx, g.filledFrom.get(idx) ?? g.version));
    let cover: SeriesCover | null = null;
    if (g.cover !== null) {
      const cm = messages[g.cover];
      cover = {
        message: g.cover,
        messageId: cm.messageId,
        subject: { raw: cm.subject, cleaned: heads[g.cover].subject.cleaned },
        author: cm.from,
        date: cm.date,
        body: cm.body,
        replies: repliesOf(g.cover),
      };
    }
    const coverTrailers = cover ? trailersFrom(cover.replies, 'cover') : [];
    for (const p of parts) {
      const seen = new Set<string>();
      const commitKeys = new Set(p.commitTrailers.map((t) => trailerKey(t.name, t.value)));
      for (const t of [...trailersFrom(p.replies, 'reply'), ...coverTrailers]) {
        const k = trailerKey(t.name, t.value);
        if (seen.has(k)) continue;
        seen.add(k);
        t.inCommit = commitKeys.has(k);
        p.trailers.push(t);
      }
    }
    const firstMember = g.cover ?? g.parts.get(indices[0]) ?? 0;
    const titleMsg = g.cover ?? g.parts.get(1) ?? g.parts.get(indices[0]);
    const titleSubject = titleMsg !== undefined ? heads[titleMsg].subject : heads[firstMember].subject;
    const coverSplit = cover ? splitPatch(cover.body) : null;
    const baseCommit = coverSplit?.baseCommit ?? [...parts].reverse().map((p) => splitPatch(messages[p.message].body).baseCommit).find((b) => b) ?? null;
    const prereq = coverSplit?.prerequisitePatchIds.length
      ? coverSplit.prerequisitePatchIds
      : ([...parts].reverse().map((p) => splitPatch(messages[p.message].body).prerequisitePatchIds).find((l) => l.length) ?? []);
    const changeId = coverSplit?.changeId ?? parts.map((p) => splitPatch(messages[p.message].body).changeId).find((c) => c) ?? null;
    const memberSubjects = [g.cover, ...g.parts.values()].filter((x): x is number => x !== null).map((x) => heads[x].subject);
    const all = new Set<number>();
    if (cover) {
      all.add(cover.message);
      for (const r of cover.replies) all.add(r.message);
    }
    for (const p of parts) {
      all.add(p.message);
      for (const r of p.replies) all.add(r.message);
    }
    const missing: number[] = [];
    for (let k = 1; k <= g.total; k++) if (!g.parts.has(k)) missing.push(k);
    const rootNode = threads[g.thread]?.root;
    const rootId = rootNode?.messageId ?? (rootNode?.message !== null && rootNode?.message !== undefined ? messages[rootNode.message].messageId : null);
    return {
      key: `${rootId ?? titleSubject.cleaned}#${g.versionText ?? 'v1'}`,
      title: titleSubject.cleaned,
      version: g.version,
      versionText: g.versionText,
      rfc: memberSubjects.some((s) => s.rfc),
      resend: memberSubjects.some((s) => s.resend),
      total: g.total,
      treeTag: memberSubjects.find((s) => s.treeTag)?.treeTag ?? null,
      latest: g.latest,
      versions: g.versions,
      otherVersions: [],
      cover,
      missing,
      baseCommit,
      prerequisitePatchIds: prereq,
      changeId,
      partialReroll: g.partialReroll,
      parts,
      thread: g.thread,
      messages: [...all].sort((a, b) => (threadOf[a] - threadOf[b]) || (orderPos.get(a) ?? 0) - (orderPos.get(b) ?? 0)),
    };
  });

  // unique keys, then links between the versions of a family
  const used = new Map<string, number>();
  for (const s of series) {
    const n = used.get(s.key) ?? 0;
    used.set(s.key, n + 1);
    if (n > 0) s.key = `${s.key}~${n + 1}`;
  }
  groups.forEach((g, k) => {
    series[k].otherVersions = groups
      .map((o, j) => ({ o, j }))
      .filter(({ o, j }) => j !== k && o.family === g.family)
      .sort((a, b) => a.o.version - b.o.version)
      .map(({ j }) => series[j].key);
  });

  // trailers given to an identical patch of an older version carry over (same patch id), as b4 does
  groups.forEach((g, k) => {
    const olderParts = groups
      .map((o, j) => ({ o, j }))
      .filter(({ o }) => o.family === g.family && o.version < g.version)
      .flatMap(({ j }) => series[j].parts.map((p) => ({ p, version: series[j].version })));
    for (const p of series[k].parts) {
      if (!p.patchId || p.version !== g.version) continue;
      const keys = new Set(p.trailers.map((t) => trailerKey(t.name, t.value)));
      for (const { p: old, version } of olderParts) {
        if (old.patchId !== p.patchId) continue;
        for (const t of old.trailers) {
          const key = trailerKey(t.name, t.value);
          // only what reviewers said to that patch: a series-wide ack was for the old series as a whole
          if (keys.has(key) || t.carriedFromVersion !== null || t.source === 'cover') continue;
          keys.add(key);
          p.trailers.push({ ...t, carriedFromVersion: version, inCommit: p.commitTrailers.some((c) => trailerKey(c.name, c.value) === key) });
        }
      }
    }
  });

  return sortBySent(series, (s) => [s.cover?.message ?? null, ...s.parts.map((p) => p.message)], (m) => messages[m].date?.getTime() ?? null);
}

/** Series in the order they were sent: by the earliest date of their cover and parts, then as found. */
export function sortBySent<S>(list: S[], members: (s: S) => (number | null)[], dateOf: (m: number) => number | null): S[] {
  const at = (s: S) => Math.min(...members(s).map((m) => (m === null ? Number.MAX_SAFE_INTEGER : (dateOf(m) ?? Number.MAX_SAFE_INTEGER))));
  return list
    .map((s, k) => ({ s, k, at: at(s) }))
    .sort((a, b) => a.at - b.at || a.k - b.k)
    .map((o) => o.s);
}
