import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';

const PUBLIC_DIR = join('apps', 'auth', 'public');
const ASSET_NAME = /^[a-z0-9-]+\.(css|js)$/;
const PAGES = ['index.html', 'desk.html'] as const;
export type PageName = (typeof PAGES)[number];
/**
 * A line `<!-- include sign-in.part.html -->` in a page (or a part) stands for that file: what
 * both pages share is written once. With `prefix=enroll-`, every `{prefix}` in the part becomes
 * `enroll-`, so one part can appear twice on a page with ids of its own.
 */
const INCLUDE = /^[ \t]*<!-- include ([a-z0-9-]+\.part\.html)(?: prefix=([a-z0-9-]+))? -->$/gm;
const MAX_INCLUDE_DEPTH = 3;

/**
 * @simplewebauthn/browser's ES module build (`esm/`, whose imports are all relative), served as
 * it is under /assets/simplewebauthn/: the pages import it with no bundler and no inline script.
 */
export function findWebauthnBrowserDirectory(): string | null {
  try {
    const directory = join(dirname(require.resolve('@simplewebauthn/browser')), '..', 'esm');
    return existsSync(join(directory, 'index.js')) ? directory : null;
  } catch {
    return null;
  }
}

/** Every .js file under `directory`, as paths relative to it with forward slashes. */
export function scriptsUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.js'))
    .map((entry) => relative(directory, join(entry.parentPath, entry.name)).split(sep).join('/'));
}

/** A page with its includes put in. */
export function assemblePage(directory: string, name: string, prefix = '', depth = 0): string {
  if (depth > MAX_INCLUDE_DEPTH) throw new Error(`${name}: includes nested deeper than ${MAX_INCLUDE_DEPTH}`);
  return readFileSync(join(directory, name), 'utf8')
    .replaceAll('{prefix}', prefix)
    .replace(INCLUDE, (_line, part: string, partPrefix: string | undefined) =>
      assemblePage(directory, part, partPrefix ?? '', depth + 1).replace(/\n$/, ''),
    );
}

/**
 * The directory of the static pages, found by walking up from this file to the repository root,
 * so the same code works from `apps/` (tests), `dist/apps/` (`npm start`) and the Docker image.
 */
export function findPublicDirectory(from: string = __dirname): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, PUBLIC_DIR);
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

/** The dashboard's files: two pages (assembled) and a fixed list of assets, read once, at start. */
@Injectable()
export class PageFiles {
  private readonly logger = new Logger(PageFiles.name);
  private readonly directory = findPublicDirectory();
  private readonly assets: ReadonlySet<string>;
  private readonly pages = new Map<PageName, string>();
  private readonly webauthnDirectory = findWebauthnBrowserDirectory();
  private readonly webauthnScripts: ReadonlySet<string> = new Set(
    this.webauthnDirectory ? scriptsUnder(this.webauthnDirectory) : [],
  );

  constructor() {
    if (!this.directory)
      this.logger.warn(`${PUBLIC_DIR} was not found: the dashboard pages at / and /desk answer 404.`);
    this.assets = new Set(this.directory ? readdirSync(this.directory).filter((name) => ASSET_NAME.test(name)) : []);
    for (const name of this.directory ? PAGES : []) this.pages.set(name, assemblePage(this.directory as string, name));
  }

  page(response: Response, name: PageName): void {
    const html = this.pages.get(name);
    if (html === undefined)
      throw new DomainError(404, ErrorCodes.NotFound, 'The dashboard pages are not installed on this server.');
    // Revalidated on every load (Express's ETag answers 304 when unchanged).
    response.set('Cache-Control', 'no-cache').type('html').send(html);
  }

  asset(response: Response, name: string): void {
    if (!this.assets.has(name)) throw new DomainError(404, ErrorCodes.NotFound, 'There is no such file.');
    this.send(response, name);
  }

  /** A file of @simplewebauthn/browser's ES module build, by its path under esm/ (only those found at start). */
  webauthnScript(response: Response, path: string): void {
    if (!this.webauthnDirectory || !this.webauthnScripts.has(path))
      throw new DomainError(404, ErrorCodes.NotFound, 'There is no such file.');
    this.send(response, path, this.webauthnDirectory);
  }

  private send(response: Response, name: string, root = this.directory): void {
    if (!root) throw new DomainError(404, ErrorCodes.NotFound, 'The dashboard pages are not installed on this server.');
    // Revalidated on every load (ETag), so a new release is picked up without a stale mix of files.
    response.sendFile(name, { root, dotfiles: 'deny', headers: { 'Cache-Control': 'no-cache' } }, (error) => {
      // Only when the file vanished after start, or the client went away mid-transfer.
      if (!error || response.headersSent) return;
      this.logger.warn(`could not send ${name}: ${error.message}`);
      response.status(404).json({ statusCode: 404, error: ErrorCodes.NotFound, message: 'There is no such file.' });
    });
  }
}
