// Where the bundled demo lives: the kernel tree, its review series and the sources of that series.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The checkout's copy, for the demo's own tools and tests. The app finds the demo it ships through
// host/paths.ts demoDir() (a packaged app keeps it in resources/) and passes that directory in.
const here = path.dirname(fileURLToPath(import.meta.url));

/** workspaces/demo itself. */
export const DEMO_DIR = here;

/** The demo kernel's source tree (build it out of tree: `make O=DIR tinyconfig && make O=DIR`). */
export const DEMO_TREE_DIR = path.join(here, 'tree');

/** The review series against that tree: cover letter, patches and replies, one mbox. */
export const DEMO_SERIES_MBOX = path.join(here, 'series.mbox');

/** One file per patch (commit message, then the diff) from which series.mbox is generated. */
export const DEMO_PATCHES_DIR = path.join(here, 'series');
