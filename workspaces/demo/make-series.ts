// Regenerates workspaces/demo/series.mbox from series/*.patch and series-spec.ts, or checks it.
//
//   node bin/run-ts.mjs workspaces/demo/make-series.ts            write series.mbox
//   node bin/run-ts.mjs workspaces/demo/make-series.ts --check    fail if series.mbox is stale
//   node bin/run-ts.mjs workspaces/demo/make-series.ts --checkout DIR
//                                            leave the base + patch commits in DIR, to edit them
//   node bin/run-ts.mjs workspaces/demo/make-series.ts --export DIR
//                                            write DIR's commits back to series/*.patch
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { errorMessage, ReviewError } from '../errors.js';
import { DEMO_SERIES_MBOX } from './paths.js';
import { buildDemoSeries, exportPatches } from './series.js';

function usage(): never {
  console.error('usage: make-series.ts [--check | --out FILE | --checkout DIR | --export DIR]');
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  const [flag, arg] = argv;
  if (flag === '--export') {
    if (!arg) usage();
    const files = await exportPatches(path.resolve(arg));
    console.log(`Wrote ${files.length} patch files; now run make-series.ts to regenerate series.mbox.`);
    return 0;
  }

  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'demo-series-'));
  try {
    const built = await buildDemoSeries({ workDir: scratch });
    if (flag === '--checkout') {
      if (!arg) usage();
      const target = path.resolve(arg);
      if (fs.existsSync(target)) throw new ReviewError(`${target} exists.`, 'Give a directory that does not exist yet.');
      fs.renameSync(built.repo, target);
      console.log(`${target}: base ${built.baseCommit.slice(0, 12)} and ${built.commits.length} patch commits. Edit (git rebase -i), then --export.`);
      return 0;
    }
    if (flag === '--check') {
      const current = fs.existsSync(DEMO_SERIES_MBOX) ? fs.readFileSync(DEMO_SERIES_MBOX, 'utf8') : '';
      if (current !== built.mbox) {
        console.error(`${DEMO_SERIES_MBOX} is stale: regenerate it with node bin/run-ts.mjs workspaces/demo/make-series.ts`);
        return 1;
      }
      console.log(`${DEMO_SERIES_MBOX} is up to date (${built.messages.length} messages, base ${built.baseCommit.slice(0, 12)}).`);
      return 0;
    }
    if (flag !== undefined && flag !== '--out') usage();
    const out = flag === '--out' ? path.resolve(arg ?? usage()) : DEMO_SERIES_MBOX;
    fs.writeFileSync(out, built.mbox);
    console.log(`Wrote ${out}: ${built.messages.length} messages (cover letter, ${built.commits.length} patches, replies), base ${built.baseCommit.slice(0, 12)}.`);
    return 0;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(errorMessage(err));
    if (err instanceof ReviewError) console.error(err.hint);
    process.exit(1);
  },
);
