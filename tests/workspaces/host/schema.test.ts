import { describe, expect, it } from 'vitest';
import * as s from '../../../workspaces/host/schema.js';

describe('schema validation', () => {
  const open = s.object({
    paths: s.array(s.string({ minLength: 1 }), { minItems: 1 }),
    version: s.optional(s.integer({ min: 1 })),
    mode: s.optional(s.literal('apply', 'walk')),
    base: s.nullable(s.string()),
  });

  it('accepts a well-formed value and returns it typed', () => {
    const v = s.parse(open, { paths: ['a.mbox'], version: 2, base: null });
    expect(v).toEqual({ paths: ['a.mbox'], version: 2, base: null });
  });

  it('names every wrong field with its path', () => {
    try {
      s.parse(open, { paths: ['', 3], version: 0, mode: 'bisect', extra: true });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(s.SchemaError);
      const issues = (err as s.SchemaError).issues.map((i) => `${i.path}: ${i.message}`);
      expect(issues).toContain('paths[0]: must be at least 1 characters');
      expect(issues).toContain('paths[1]: expected string, got number');
      expect(issues).toContain('version: must be >= 1');
      expect(issues).toContain('mode: expected one of "apply", "walk"');
      expect(issues).toContain('extra: unknown field');
      expect(issues).toContain('base: is required');
    }
  });

  it('refuses non-objects, arrays for objects, NUL bytes and unsafe integers', () => {
    expect(() => s.parse(open, null)).toThrow('expected object, got null');
    expect(() => s.parse(open, [])).toThrow('expected object, got array');
    expect(() => s.parse(s.string(), 'a\0b')).toThrow('NUL');
    expect(() => s.parse(s.integer(), 2 ** 60)).toThrow('expected integer');
    expect(() => s.parse(s.integer(), 1.5)).toThrow('expected integer');
    expect(() => s.parse(s.boolean(), 'true')).toThrow('expected boolean, got string');
  });

  it('enforces string patterns and array bounds', () => {
    const rev = s.string({ pattern: /^[0-9a-f]{7,40}$/ });
    expect(s.parse(rev, 'deadbeef')).toBe('deadbeef');
    expect(() => s.parse(rev, 'HEAD; rm -rf /')).toThrow('must match');
    expect(() => s.parse(s.array(s.integer(), { maxItems: 2 }), [1, 2, 3])).toThrow('at most 2 items');
  });

  it('does not treat an absent optional field as present', () => {
    const v = s.parse(open, { paths: ['x'], base: 'v6.12' });
    expect('version' in v).toBe(false);
  });
});
