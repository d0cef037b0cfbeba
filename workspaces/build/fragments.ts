// The project's config fragments and how they stack: entry-min < entry-compat < entry-debug.
import fs from 'node:fs';
import path from 'node:path';
import { NotFound } from '../errors.js';
import { configsDir } from '../host/paths.js';

export interface ConfigChoice {
  /** "entry-min", "entry-compat", "entry-debug", or "file:<basename>" for the user's own .config. */
  name: string;
  /** Fragment files applied, in order, onto `make tinyconfig`. Empty for a user .config. */
  fragments: string[];
  /** The user's complete .config, used instead of tinyconfig + fragments. */
  userConfig: string | null;
}

export const BUILTIN_CONFIGS: Record<string, string[]> = {
  'entry-min': ['entry-min'],
  'entry-compat': ['entry-min', 'entry-compat'],
  'entry-debug': ['entry-min', 'entry-compat', 'entry-debug'],
};

/** Where the fragments are (the checkout or a packaged app): see host/paths.ts. */
export { configsDir };

/** Resolve `--config NAME|FILE`. */
export function resolveConfig(nameOrFile: string | undefined): ConfigChoice {
  const name = nameOrFile ?? 'entry-min';
  const chain = BUILTIN_CONFIGS[name];
  if (chain) {
    return { name, fragments: chain.map((f) => path.join(configsDir(), `${f}.config`)), userConfig: null };
  }
  const file = path.resolve(name);
  if (fs.existsSync(file) && fs.statSync(file).isFile()) {
    return { name: `file:${path.basename(file)}`, fragments: [], userConfig: file };
  }
  throw new NotFound(
    `No config named "${name}" and no such file.`,
    `Use one of ${Object.keys(BUILTIN_CONFIGS).join(', ')}, or the path of a .config file.`,
  );
}
