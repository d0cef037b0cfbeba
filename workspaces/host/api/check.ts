// Check API: emulator scenarios on one step's build (filled in by the harness issue).
export interface CheckMethods {}
