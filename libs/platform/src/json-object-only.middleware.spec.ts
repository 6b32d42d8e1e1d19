import { findForbiddenContent } from './json-object-only.middleware';

describe('findForbiddenContent', () => {
  it('accepts plain objects of text, numbers and nested objects', () => {
    expect(findForbiddenContent({ name: 'Acme', limit: 5, nested: { list: ['a', 'b'] } })).toBeNull();
  });

  it('refuses a NUL character in a value, however deep', () => {
    expect(findForbiddenContent({ a: { b: ['ok', 'bad\u0000'] } })).toMatch(/NUL/);
  });

  it('refuses a NUL character in a key', () => {
    expect(findForbiddenContent({ ['k\u0000']: 1 })).toMatch(/NUL/);
  });

  it('refuses prototype-polluting keys', () => {
    expect(findForbiddenContent(JSON.parse('{"__proto__": {"admin": true}}'))).toMatch(/__proto__/);
    expect(findForbiddenContent({ constructor: { prototype: {} } })).toMatch(/constructor/);
  });

  it('refuses absurd nesting', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 50; i++) deep = { deep };
    expect(findForbiddenContent(deep)).toMatch(/nested too deeply/);
  });
});
