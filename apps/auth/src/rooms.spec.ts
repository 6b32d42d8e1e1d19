import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * The feature folders of apps/auth are rooms: one imports common/, config and lower rooms, never
 * one that depends on it (README, "Rooms"). Read from the import lines themselves, so a new one
 * that runs back up the tree fails here.
 */
const root = __dirname;

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [path] : [];
  });
}

/** The folder directly under src/ that holds `path`, or the file itself for the root's files. */
const roomOf = (path: string) => relative(root, path).split(sep)[0].replace(/\.ts$/, '');

/** Room → rooms it imports, each with the import lines that make the edge. */
function importGraph(): Map<string, Map<string, string[]>> {
  const graph = new Map<string, Map<string, string[]>>();
  for (const file of sourceFiles(root)) {
    for (const [, specifier] of readFileSync(file, 'utf8').matchAll(/(?:from|import) '(\.{1,2}\/[^']+)'/g)) {
      const from = roomOf(file);
      const to = roomOf(resolve(dirname(file), specifier));
      if (from === to) continue;
      const edges = graph.get(from) ?? new Map<string, string[]>();
      edges.set(to, [...(edges.get(to) ?? []), `${relative(root, file)} → ${specifier}`]);
      graph.set(from, edges);
    }
  }
  return graph;
}

function reaches(graph: Map<string, Map<string, string[]>>, from: string, to: string): boolean {
  const seen = new Set([from]);
  const queue = [from];
  for (let room = queue.shift(); room !== undefined; room = queue.shift()) {
    if (room === to) return true;
    for (const next of graph.get(room)?.keys() ?? []) {
      if (seen.has(next)) continue;
      seen.add(next);
      queue.push(next);
    }
  }
  return false;
}

describe('the rooms of apps/auth', () => {
  const graph = importGraph();

  it('has no import that runs back up: no two rooms depend on each other, directly or through others', () => {
    const backUp = [...graph].flatMap(([from, edges]) =>
      [...edges].filter(([to]) => reaches(graph, to, from)).flatMap(([, lines]) => lines),
    );
    expect(backUp).toEqual([]);
  });

  it('lets no room import the gateway, or the root files other than config', () => {
    const composition = [
      'gateway',
      'app.module',
      'main',
      'openapi',
      'retention',
      'entities',
      'migrations',
      'reseal.cli',
    ];
    const upward = [...graph]
      .filter(([from]) => !['app.module', 'main', 'reseal.cli', 'retention', 'migrations', 'entities'].includes(from))
      .flatMap(([from, edges]) =>
        [...edges].filter(([to]) => composition.includes(to) && to !== from).flatMap(([, lines]) => lines),
      );
    expect(upward).toEqual([]);
  });
});
