// Entry of the worker-thread test: registers tsx in this thread (workers do not inherit it), then runs
// the emulator there.
import { register } from 'tsx/esm/api';

register();
await import('./worker-run.ts');
