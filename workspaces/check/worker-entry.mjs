// Starts the check worker: registers tsx in this thread (workers do not inherit it), then loads it.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
