import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findPublicDirectory } from './page-files';

const ROOT = resolve(__dirname, '..', '..', '..', '..');
const PUBLIC = join(ROOT, 'apps', 'auth', 'public');

describe('findPublicDirectory', () => {
  it('finds the pages from the sources (tests) and from the build output (npm start, the image)', () => {
    expect(findPublicDirectory(__dirname)).toBe(PUBLIC);
    expect(findPublicDirectory(join(ROOT, 'dist', 'apps', 'auth', 'src', 'pages'))).toBe(PUBLIC);
  });

  it('answers null where there are no pages, so the gateway still starts and says so', () => {
    expect(findPublicDirectory(mkdtempSync(join(tmpdir(), 'pbx2fa-no-pages-')))).toBeNull();
  });
});
