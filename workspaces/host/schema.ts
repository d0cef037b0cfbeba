// Runtime schemas for host API arguments: every RPC call is checked against one before a service runs.

export interface SchemaIssue {
  path: string;
  message: string;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

/** A schema checks an unknown value and returns it typed, or lists what is wrong. */
export interface Schema<T> {
  readonly description: string;
  check(value: unknown, path: string, issues: SchemaIssue[]): T | undefined;
}

export class SchemaError extends Error {
  constructor(readonly issues: SchemaIssue[]) {
    super(issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; '));
    this.name = 'SchemaError';
  }
}

/** Validate or throw a SchemaError that names every bad field. */
export function parse<T>(schema: Schema<T>, value: unknown): T {
  const issues: SchemaIssue[] = [];
  const out = schema.check(value, '', issues);
  if (issues.length > 0) throw new SchemaError(issues);
  return out as T;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function join(path: string, key: string | number): string {
  return typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key;
}

interface StringOptions {
  minLength?: number;
  maxLength?: number;
  pattern?: RegExp;
}

export function string(opts: StringOptions = {}): Schema<string> {
  return {
    description: 'string',
    check(value, path, issues) {
      if (typeof value !== 'string') {
        issues.push({ path, message: `expected string, got ${describe(value)}` });
        return undefined;
      }
      if (opts.minLength !== undefined && value.length < opts.minLength)
        issues.push({ path, message: `must be at least ${opts.minLength} characters` });
      if (opts.maxLength !== undefined && value.length > opts.maxLength)
        issues.push({ path, message: `must be at most ${opts.maxLength} characters` });
      if (opts.pattern && !opts.pattern.test(value))
        issues.push({ path, message: `must match ${opts.pattern}` });
      if (value.includes('\0')) issues.push({ path, message: 'must not contain NUL bytes' });
      return value;
    },
  };
}

interface IntegerOptions {
  min?: number;
  max?: number;
}

export function integer(opts: IntegerOptions = {}): Schema<number> {
  return {
    description: 'integer',
    check(value, path, issues) {
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) {
        issues.push({ path, message: `expected integer, got ${describe(value)}` });
        return undefined;
      }
      if (opts.min !== undefined && value < opts.min) issues.push({ path, message: `must be >= ${opts.min}` });
      if (opts.max !== undefined && value > opts.max) issues.push({ path, message: `must be <= ${opts.max}` });
      return value;
    },
  };
}

export function boolean(): Schema<boolean> {
  return {
    description: 'boolean',
    check(value, path, issues) {
      if (typeof value !== 'boolean') {
        issues.push({ path, message: `expected boolean, got ${describe(value)}` });
        return undefined;
      }
      return value;
    },
  };
}

export function literal<const L extends string | number | boolean>(...values: L[]): Schema<L> {
  return {
    description: values.map((v) => JSON.stringify(v)).join(' | '),
    check(value, path, issues) {
      if (!values.includes(value as L)) {
        issues.push({ path, message: `expected one of ${values.map((v) => JSON.stringify(v)).join(', ')}` });
        return undefined;
      }
      return value as L;
    },
  };
}

interface ArrayOptions {
  maxItems?: number;
  minItems?: number;
}

export function array<T>(item: Schema<T>, opts: ArrayOptions = {}): Schema<T[]> {
  return {
    description: `${item.description}[]`,
    check(value, path, issues) {
      if (!Array.isArray(value)) {
        issues.push({ path, message: `expected array, got ${describe(value)}` });
        return undefined;
      }
      if (opts.maxItems !== undefined && value.length > opts.maxItems)
        issues.push({ path, message: `must have at most ${opts.maxItems} items` });
      if (opts.minItems !== undefined && value.length < opts.minItems)
        issues.push({ path, message: `must have at least ${opts.minItems} items` });
      return value.map((v, i) => item.check(v, join(path, i), issues)) as T[];
    },
  };
}

/** Marks an object field as optional (may be absent or undefined). */
export interface Optional<T> extends Schema<T | undefined> {
  readonly optional: true;
}

export function optional<T>(inner: Schema<T>): Optional<T> {
  return {
    optional: true,
    description: `${inner.description}?`,
    check(value, path, issues) {
      return value === undefined ? undefined : inner.check(value, path, issues);
    },
  };
}

export function nullable<T>(inner: Schema<T>): Schema<T | null> {
  return {
    description: `${inner.description} | null`,
    check(value, path, issues) {
      return value === null ? null : inner.check(value, path, issues);
    },
  };
}

type Shape = Record<string, Schema<unknown>>;
type OptionalKeys<S extends Shape> = { [K in keyof S]: S[K] extends Optional<unknown> ? K : never }[keyof S];
type RequiredKeys<S extends Shape> = Exclude<keyof S, OptionalKeys<S>>;
type Simplify<T> = { [K in keyof T]: T[K] };
export type ObjectOf<S extends Shape> = Simplify<
  { [K in RequiredKeys<S>]: Infer<S[K]> } & { [K in OptionalKeys<S>]?: Exclude<Infer<S[K]>, undefined> }
>;

/** An object with exactly these fields; unknown fields are refused so typos surface. */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  return {
    description: `{ ${Object.entries(shape)
      .map(([k, s]) => `${k}: ${s.description}`)
      .join(', ')} }`,
    check(value, path, issues) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        issues.push({ path, message: `expected object, got ${describe(value)}` });
        return undefined;
      }
      const input = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const key of Object.keys(input)) {
        if (!Object.prototype.hasOwnProperty.call(shape, key)) issues.push({ path: join(path, key), message: 'unknown field' });
      }
      for (const [key, schema] of Object.entries(shape)) {
        const has = Object.prototype.hasOwnProperty.call(input, key);
        if (!has && !('optional' in schema)) {
          issues.push({ path: join(path, key), message: 'is required' });
          continue;
        }
        const v = schema.check(input[key], join(path, key), issues);
        if (v !== undefined) out[key] = v;
      }
      return out as ObjectOf<S>;
    },
  };
}

/** Free-form JSON value, for payloads a service checks itself. */
export function unknownValue(): Schema<unknown> {
  return { description: 'unknown', check: (value) => value };
}
