// Review API: annotations and reply drafts (filled in by the review issue).
export interface ReviewMethods {}
