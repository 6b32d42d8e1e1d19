/**
 * An ILIKE pattern that finds `text` anywhere, its `%`, `_` and `\` taken literally (PostgreSQL's
 * default escape character is the backslash), so a search for "50%" finds "50%", not everything.
 */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}
