import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assemblePage, findPublicDirectory } from './page-files';

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

describe('assemblePage', () => {
  it('puts the shared sign-in form into both pages, once each, with no include left', () => {
    const signIn = (html: string) => html.slice(html.indexOf('<section id="sign-in"'), html.indexOf('</section>', html.indexOf('<section id="sign-in"')));
    const [dashboard, desk] = ['index.html', 'desk.html'].map((name) => assemblePage(PUBLIC, name));
    for (const page of [dashboard, desk]) {
      expect(page).not.toContain('<!-- include');
      expect(page.match(/id="password-form"/g)).toHaveLength(1);
      expect(page.match(/id="verify-form"/g)).toHaveLength(1);
    }
    expect(signIn(desk)).toBe(signIn(dashboard));
    expect(signIn(dashboard)).toContain('<label for="username">Username</label>');
  });
});
