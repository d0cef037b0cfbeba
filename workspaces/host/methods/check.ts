// RPC methods of the check domain: run the emulator scenario suite on a build directory.
import type { Host } from '../host.js';
import * as s from '../schema.js';
import { CheckService } from '../../check/service.js';

export function registerCheckMethods(host: Host): void {
  const d = host.dispatcher;
  const service = new CheckService();

  d.register(
    'check.run',
    s.object({
      buildDir: s.string({ minLength: 1, maxLength: 4096 }),
      scenarios: s.optional(s.array(s.string({ minLength: 1, maxLength: 100, pattern: /^[a-z0-9-]+$/ }), { maxItems: 200 })),
    }),
    async ({ buildDir, scenarios }, ctx) => {
      const report = await service.check(buildDir, scenarios, {
        signal: ctx.signal,
        onProgress: (p) => ctx.progress({ phase: p.phase, message: p.message, done: p.done, total: p.total }),
      });
      host.log.info('check', `${report.kernel} (${report.config}) in ${report.buildDir}: ${report.pass} pass, ${report.fail} fail, ${report.error} error in ${report.seconds.toFixed(1)} s`);
      return report;
    },
  );

  d.register('check.scenarios', s.object({}), () => ({ scenarios: service.scenarios() }));
}
