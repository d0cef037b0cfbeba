// Long host calls (apply, build, walk, boot) shown in the status bar with progress and a cancel button.
import type { ProgressEvent } from '../../../workspaces/host/api.js';
import { h, replace } from '../dom.js';

export interface RunningTask {
  title: string;
  controller: AbortController;
  last: ProgressEvent | null;
}

export class TaskBar {
  readonly el = h('span.task-bar', { 'aria-live': 'polite', 'data-testid': 'tasks' });
  private readonly tasks = new Set<RunningTask>();

  /** Start tracking a task; the returned handle feeds progress and ends it. */
  start(title: string): { signal: AbortSignal; progress: (p: ProgressEvent) => void; cancel: () => void; done: () => void } {
    const task: RunningTask = { title, controller: new AbortController(), last: null };
    this.tasks.add(task);
    this.render();
    return {
      signal: task.controller.signal,
      progress: (p) => {
        task.last = p;
        this.render();
      },
      cancel: () => task.controller.abort(),
      done: () => {
        this.tasks.delete(task);
        this.render();
      },
    };
  }

  cancelAll(): void {
    for (const t of this.tasks) t.controller.abort();
  }

  get busy(): boolean {
    return this.tasks.size > 0;
  }

  private render(): void {
    replace(
      this.el,
      ...[...this.tasks].map((t) => {
        const p = t.last;
        const pct = p?.total ? ` ${Math.min(100, Math.round(((p.done ?? 0) / p.total) * 100))}%` : '';
        const eta = p?.etaMs ? ` · ~${Math.ceil(p.etaMs / 1000)} s left` : '';
        return h(
          'span.task',
          null,
          h('span.spinner', { 'aria-hidden': 'true' }),
          `${t.title}${pct}${p ? ` · ${p.message}` : ''}${eta}`,
          h('button.task-cancel', { type: 'button', onclick: () => t.controller.abort(), title: 'Cancel' }, 'Cancel'),
        );
      }),
    );
  }
}
