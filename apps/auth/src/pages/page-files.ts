import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import type { Response } from 'express';
import { DomainError, ErrorCodes } from '@pbx2fa/contracts';

const PUBLIC_DIR = join('apps', 'auth', 'public');
const ASSET_NAME = /^[a-z0-9-]+\.(css|js)$/;

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

/** The dashboard's files: two pages and a fixed list of assets read once, at start. */
@Injectable()
export class PageFiles {
  private readonly logger = new Logger(PageFiles.name);
  private readonly directory = findPublicDirectory();
  private readonly assets: ReadonlySet<string>;

  constructor() {
    if (!this.directory) this.logger.warn(`${PUBLIC_DIR} was not found: the dashboard pages at / and /desk answer 404.`);
    this.assets = new Set(this.directory ? readdirSync(this.directory).filter((name) => ASSET_NAME.test(name)) : []);
  }

  page(response: Response, name: 'index.html' | 'desk.html'): void {
    this.send(response, name);
  }

  asset(response: Response, name: string): void {
    if (!this.assets.has(name)) throw new DomainError(404, ErrorCodes.NotFound, 'There is no such file.');
    this.send(response, name);
  }

  private send(response: Response, name: string): void {
    if (!this.directory) throw new DomainError(404, ErrorCodes.NotFound, 'The dashboard pages are not installed on this server.');
    // Revalidated on every load (ETag), so a new release is picked up without a stale mix of files.
    response.sendFile(name, { root: this.directory, dotfiles: 'deny', headers: { 'Cache-Control': 'no-cache' } }, (error) => {
      // Only when the file vanished after start, or the client went away mid-transfer.
      if (!error || response.headersSent) return;
      this.logger.warn(`could not send ${name}: ${error.message}`);
      response.status(404).json({ statusCode: 404, error: ErrorCodes.NotFound, message: 'There is no such file.' });
    });
  }
}
