// RPC methods of the guest: boot a step on a terminal channel, run it to a verdict, status, reset,
// power off. Guests end with their terminal, their connection, their workspace or the host.
import type { Host } from '../host.js';
import * as s from '../schema.js';
import { BadRequest } from '../../errors.js';
import { GuestService, type StartOptions } from '../../guest/service.js';

const bootShape = {
  buildDir: s.string({ minLength: 1, maxLength: 4096 }),
  workspace: s.optional(s.string({ minLength: 1, maxLength: 4096 })),
  logDir: s.optional(s.string({ minLength: 1, maxLength: 4096 })),
  selftests: s.optional(s.boolean()),
  only: s.optional(s.array(s.string({ minLength: 1, maxLength: 100, pattern: /^[A-Za-z0-9_.-]+$/ }), { maxItems: 200 })),
  testTimeoutSec: s.optional(s.integer({ min: 1, max: 3600 })),
  accel: s.optional(s.literal('auto', 'kvm', 'tcg')),
  memoryMb: s.optional(s.integer({ min: 64, max: 16384 })),
  cpus: s.optional(s.integer({ min: 1, max: 16 })),
  append: s.optional(s.string({ maxLength: 2000 })),
  tree: s.optional(s.string({ minLength: 1, maxLength: 4096 })),
};

const guestId = { guestId: s.string({ minLength: 1, maxLength: 64 }) };

export function registerGuestMethods(host: Host): void {
  const d = host.dispatcher;
  const guests = new GuestService({
    dataDir: host.dataDir,
    log: (level, message) => host.log[level]('guest', message),
  });
  host.onDispose(() => guests.dispose());
  guests.subscribe({
    state: (id, state, message) => host.emit('guest.state', { guestId: id, state, message }),
    selftest: (id, result, done, planned) => host.emit('guest.selftest', { guestId: id, result, done, planned }),
    finding: (id, finding) => host.emit('guest.finding', { guestId: id, finding }),
    exit: (id, verdict) => host.emit('guest.exit', { guestId: id, verdict }),
  });

  d.register('guest.boot', s.object({ ...bootShape, cols: s.optional(s.integer({ min: 2, max: 1000 })), rows: s.optional(s.integer({ min: 2, max: 1000 })) }), async (params, ctx) => {
    const conn = host.connection(ctx.peer.id);
    if (!conn) throw new BadRequest('This connection has no terminal channel.', 'Reload the workbench and try again.');
    const started = Date.now();
    const guest = await guests.start({
      ...(params as StartOptions),
      signal: ctx.signal,
      onProgress: (message) => ctx.progress({ phase: 'boot', message }),
    });
    // The channel belongs to this connection: if it is gone already, so is the guest.
    if (!host.connection(conn.id)) {
      await guest.stop('connection closed');
      throw new BadRequest('The connection closed while the guest was starting.', 'Boot it again.');
    }
    const title = `guest: ${guest.spec.kernel.buildDir}`;
    const channel = host.channels.open(
      conn.id,
      title,
      guest.consoleSource(),
      (frame) => conn.sendBinary(frame),
      (id, exitCode, signal) => host.emit('terminal.exit', { channel: id, exitCode, signal }),
    );
    guest.channel = channel.id;
    host.log.info('guest', `guest ${guest.id} on channel ${channel.id}, ready in ${Date.now() - started} ms (${guest.spec.accel.reason})`);
    return {
      guestId: guest.id,
      channel: channel.id,
      title,
      kind: guest.spec.kernel.kind,
      accel: guest.spec.accel,
      image: guest.spec.image,
      logs: { console: guest.logs.console, tap: guest.logs.tap },
      command: guest.command,
    };
  });

  d.register('guest.run', s.object({ ...bootShape, timeoutSec: s.optional(s.integer({ min: 10, max: 24 * 3600 })) }), (params, ctx) =>
    guests.run({ ...(params as StartOptions), signal: ctx.signal, onProgress: (message) => ctx.progress({ phase: 'boot', message }) }),
  );

  d.register('guest.status', s.object(guestId), ({ guestId: id }) => guests.status(guests.get(id)));

  d.register('guest.list', s.object({ workspace: s.optional(s.string({ minLength: 1, maxLength: 4096 })) }), ({ workspace }) =>
    Promise.all(guests.list(workspace).map((g) => guests.status(g))),
  );

  d.register('guest.reset', s.object(guestId), async ({ guestId: id }) => ({ reset: await guests.get(id).reset() }));

  d.register('guest.powerOff', s.object(guestId), ({ guestId: id }) => guests.get(id).stop('powered off'));

  d.register('guest.stopAll', s.object({ workspace: s.optional(s.string({ minLength: 1, maxLength: 4096 })) }), async ({ workspace }) => ({
    stopped: await guests.stopAll(workspace, 'workspace closed'),
  }));
}
