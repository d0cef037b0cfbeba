// RPC methods of the host itself: info, log, native dialogs, shell terminals.
import fs from 'node:fs';
import path from 'node:path';
import type { Host } from '../host.js';
import * as s from '../schema.js';
import { BadRequest, NotFound } from '../../errors.js';
import { PtySource } from '../pty.js';

const size = { cols: s.optional(s.integer({ min: 2, max: 1000 })), rows: s.optional(s.integer({ min: 2, max: 1000 })) };

export function registerSystemMethods(host: Host): void {
  const d = host.dispatcher;

  d.register('host.info', s.object({}), () => host.info());

  d.register('host.log', s.object({ since: s.optional(s.integer({ min: 0 })) }), ({ since }) => host.log.since(since));

  d.register(
    'host.pickFiles',
    s.object({ title: s.optional(s.string({ maxLength: 200 })), directory: s.optional(s.boolean()) }),
    async (params) => {
      if (!host.options.pickFiles) {
        throw new BadRequest(
          'There is no native file dialog in web mode.',
          'Upload the file with the Open button, or type its path on this machine.',
        );
      }
      return host.options.pickFiles(params);
    },
  );

  d.register('terminal.openShell', s.object({ cwd: s.optional(s.string({ maxLength: 4096 })), ...size }), (params, ctx) => {
    const cwd = path.resolve(params.cwd ?? host.dataDir);
    if (!fs.existsSync(cwd) || !fs.statSync(cwd).isDirectory()) {
      throw new NotFound(`No directory at ${cwd}.`, 'Open the shell in an existing directory, such as the worktree of a review.');
    }
    const shell = process.env.SHELL && fs.existsSync(process.env.SHELL) ? process.env.SHELL : '/bin/sh';
    const conn = host.connection(ctx.peer.id);
    if (!conn) throw new BadRequest('This connection has no terminal channel.', 'Reload the workbench and try again.');
    const source = new PtySource(shell, [], { cwd, cols: params.cols, rows: params.rows });
    const title = `shell: ${cwd}`;
    const channel = host.channels.open(
      conn.id,
      title,
      source,
      (frame) => conn.sendBinary(frame),
      (id, exitCode, signal) => host.emit('terminal.exit', { channel: id, exitCode, signal }),
    );
    host.log.info('terminal', `opened ${title} (pid ${source.pid}) on channel ${channel.id}`);
    return { channel: channel.id, title };
  });

  d.register('terminal.close', s.object({ channel: s.integer({ min: 1 }) }), ({ channel }, ctx) => ({
    closed: host.channels.close(channel, ctx.peer.id),
  }));
}
