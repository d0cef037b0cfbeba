// One open review: its workspace, the mail as the host assembled it, the series version being read, the
// current patch, and what the host knows about it (apply, walk, annotations). Panes read it and listen.
import type {
  AnnotationList,
  ApplyResult,
  MessageDetail,
  OpenSeriesResult,
  PatchDetail,
  ResolvedAnnotation,
  SeriesPartSummary,
  SeriesSummary,
  WalkReport,
  WalkStep,
  WorkspaceSummary,
} from '../../workspaces/host/api.js';
import type { HostClient } from './host-client.js';

export type SessionEvent = 'series' | 'position' | 'annotations' | 'apply' | 'walk' | 'search';

/** A place in the series: 0 is the cover letter, 1..N the patches (missing ones too). */
export interface Position {
  index: number;
  part: SeriesPartSummary | null;
  missing: boolean;
}

export class Session {
  seriesIndex = 0;
  position = 0;
  apply: ApplyResult | null = null;
  walk: WalkReport | null = null;
  /** Steps reported by a walk that is still running. */
  walkLive: WalkStep[] = [];
  walkRunning = false;
  annotations: AnnotationList | null = null;
  /** Patch indices that match the current search, or null when there is none. */
  searchHits: Set<number> | null = null;
  searchTerm = '';
  private readonly messages = new Map<number, Promise<MessageDetail>>();
  private readonly patches = new Map<string, Promise<PatchDetail>>();
  private readonly listeners = new Map<SessionEvent, Set<() => void>>();

  constructor(
    readonly client: HostClient,
    readonly workspace: WorkspaceSummary,
    readonly load: OpenSeriesResult,
  ) {
    this.seriesIndex = defaultSeries(load);
  }

  get series(): SeriesSummary {
    return this.load.series[this.seriesIndex];
  }

  /** The versions of the current series, oldest first (their indices in load.series). */
  versions(): number[] {
    const s = this.series;
    const keys = new Set([s.key, ...s.otherVersions]);
    return this.load.series
      .map((x, i) => ({ x, i }))
      .filter(({ x }) => keys.has(x.key))
      .sort((a, b) => a.x.version - b.x.version)
      .map(({ i }) => i);
  }

  positions(): Position[] {
    const s = this.series;
    const out: Position[] = [];
    if (s.cover) out.push({ index: 0, part: null, missing: false });
    const last = Math.max(s.total, ...s.parts.map((p) => p.index));
    for (let i = 1; i <= last; i++) {
      const part = s.parts.find((p) => p.index === i) ?? null;
      out.push({ index: i, part, missing: part === null });
    }
    return out;
  }

  current(): Position {
    return this.positions().find((p) => p.index === this.position) ?? { index: this.position, part: null, missing: true };
  }

  on(event: SessionEvent, fn: () => void): () => void {
    const set = this.listeners.get(event) ?? new Set();
    set.add(fn);
    this.listeners.set(event, set);
    return () => set.delete(fn);
  }

  emit(event: SessionEvent): void {
    for (const fn of this.listeners.get(event) ?? []) fn();
  }

  selectSeries(index: number): void {
    if (index === this.seriesIndex || !this.load.series[index]) return;
    this.seriesIndex = index;
    // Stay on the same patch in the other version: that is what a reviewer compares.
    const positions = this.positions();
    const same = positions.find((p) => p.index === this.position && !p.missing);
    this.position = same?.index ?? positions.find((p) => !p.missing && p.index > 0)?.index ?? positions[0]?.index ?? 0;
    this.walk = null;
    this.walkLive = [];
    this.emit('series');
    this.emit('position');
    void this.refreshAnnotations();
  }

  go(index: number): void {
    if (!this.positions().some((p) => p.index === index)) return;
    if (index === this.position) return;
    this.position = index;
    this.emit('position');
  }

  step(delta: number): void {
    const list = this.positions();
    const at = list.findIndex((p) => p.index === this.position);
    const next = list[Math.max(0, Math.min(list.length - 1, at + delta))];
    if (next) this.go(next.index);
  }

  message(index: number): Promise<MessageDetail> {
    let p = this.messages.get(index);
    if (!p) {
      p = this.client.call('series.message', { loadId: this.load.loadId, message: index });
      p.catch(() => this.messages.delete(index));
      this.messages.set(index, p);
    }
    return p;
  }

  patch(index: number, series = this.series): Promise<PatchDetail> {
    const key = `${series.key}#${index}`;
    let p = this.patches.get(key);
    if (!p) {
      p = this.client.call('series.patch', { loadId: this.load.loadId, series: series.key, index });
      p.catch(() => this.patches.delete(key));
      this.patches.set(key, p);
    }
    return p;
  }

  async refreshAnnotations(): Promise<void> {
    this.annotations = await this.client.call('review.annotations.list', { workspace: this.workspace.id, version: this.series.version });
    this.emit('annotations');
  }

  /** Comments placed on one position (0: the cover letter), in the current version. */
  annotationsAt(index: number): ResolvedAnnotation[] {
    const list = this.annotations?.annotations ?? [];
    return list.filter((a) => {
      const loc = a.location;
      if (!loc) return index === outdatedPatch(a);
      if (loc.kind === 'cover') return index === 0;
      if (loc.kind === 'diff' || loc.kind === 'message') return loc.patch === index;
      return false;
    });
  }

  /** The step of the apply that this patch became, if applied. */
  applyStep(index: number) {
    return this.apply?.steps.find((s) => s.index === index) ?? null;
  }

  walkStep(index: number): WalkStep | null {
    return this.walk?.steps.find((s) => s.index === index) ?? this.walkLive.find((s) => s.index === index) ?? null;
  }
}

/** An outdated comment has no location; show it on the patch it was written on. */
function outdatedPatch(a: ResolvedAnnotation): number | null {
  const an = a.annotation.anchor;
  if (an.kind === 'diff' || an.kind === 'message') return an.patch.index;
  if (an.kind === 'cover') return 0;
  return null;
}

/** The series to read first: the latest version of the series with the most patches. */
export function defaultSeries(load: OpenSeriesResult): number {
  let best = 0;
  load.series.forEach((s, i) => {
    const b = load.series[best];
    const score = (x: SeriesSummary) => (x.latest ? 1e6 : 0) + x.parts.length;
    if (score(s) > score(b)) best = i;
  });
  return best;
}
