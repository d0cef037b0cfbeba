// Series API: opening mail and the assembled series. The mail/series issue owns and extends this file.
import type { MethodSpec } from '../api.js';

/** A problem found while reading mail: what and where. Loading goes on past it. */
export interface MailDiagnostic {
  severity: 'error' | 'warning';
  /** File (and message offset or index) it concerns. */
  where: string;
  message: string;
}

export interface SeriesPartSummary {
  index: number;
  subject: string;
  author: string;
  messageId: string | null;
  damaged: boolean;
  replies: number;
  trailers: { name: string; value: string }[];
}

export interface SeriesSummary {
  title: string;
  version: number;
  rfc: boolean;
  total: number;
  cover: { subject: string } | null;
  missing: number[];
  parts: SeriesPartSummary[];
}

export interface OpenSeriesResult {
  messages: number;
  duplicates: number;
  threads: number;
  series: SeriesSummary[];
  diagnostics: MailDiagnostic[];
}

export interface SeriesMethods {
  /** Read mail files (paths on the host machine) and assemble the series in them. */
  'series.open': MethodSpec<{ paths: string[] }, OpenSeriesResult>;
}

export interface SeriesEvents {}
