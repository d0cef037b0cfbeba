// Workspace API: a review's home on disk (its mail, tree review, walk results, annotations, drafts).
import type { MethodSpec } from '../api.js';

export interface WorkspaceSummary {
  id: string;
  title: string;
  dir: string;
  createdAt: string;
  updatedAt: string;
  /** The stored copies of the input mail, on the host; pass them to `series.open`. */
  mailPaths: string[];
  sources: { stored: string; origin: string; bytes: number; kind: 'file' | 'directory' }[];
  /** Names of the metadata sections services have written ("tree", "walk", "review", ...). */
  sections: string[];
}

export interface WorkspaceRemovePlan {
  workspace: string;
  dir: string;
  /** Review branches and their worktrees in the reviewer's repository that go with it. */
  reviews: { tree: string; branch: string; worktree: string; commits: number }[];
  /** Comments and drafts that would be lost. */
  annotations: number;
  drafts: number;
  removed: boolean;
}

export interface WorkspaceMethods {
  /** Make a workspace from mail files on the host, or from pasted text (an archive page). */
  'workspace.create': MethodSpec<{ paths?: string[]; text?: string; name?: string; title?: string }, WorkspaceSummary>;
  'workspace.list': MethodSpec<Record<string, never>, WorkspaceSummary[]>;
  /** Open by id or directory. */
  'workspace.get': MethodSpec<{ workspace: string }, WorkspaceSummary>;
  'workspace.rename': MethodSpec<{ workspace: string; title: string }, WorkspaceSummary>;
  /** Without confirm: what would go. With it: the review worktrees and branches, then the workspace. */
  'workspace.remove': MethodSpec<{ workspace: string; confirm?: boolean }, WorkspaceRemovePlan>;
}
