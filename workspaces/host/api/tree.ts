// Tree API: applying a series to the reviewer's kernel tree (filled in by the apply issue).
export interface TreeMethods {}
