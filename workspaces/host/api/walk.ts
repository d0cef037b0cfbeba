// Walk API: build, walk and bisect a series (filled in by the walk issue).
export interface WalkMethods {}
export interface WalkEvents {}
