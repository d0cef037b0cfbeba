#!/usr/bin/env node
// The entrybench CLI: runs the TypeScript sources through tsx, so the CLI and the tree never disagree.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../workspaces/host/cli.ts');
const code = await runCli(process.argv.slice(2));
process.exitCode = code;
