import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { assemblePage, findPublicDirectory, findWebauthnBrowserDirectory, scriptsUnder } from './page-files';

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
    const signIn = (html: string) =>
      html.slice(
        html.indexOf('<section id="sign-in"'),
        html.indexOf('</section>', html.indexOf('<section id="sign-in"')),
      );
    const [dashboard, desk] = ['index.html', 'desk.html'].map((name) => assemblePage(PUBLIC, name));
    for (const page of [dashboard, desk]) {
      expect(page).not.toContain('<!-- include');
      expect(page.match(/id="password-form"/g)).toHaveLength(1);
      expect(page.match(/id="verify-form"/g)).toHaveLength(1);
    }
    expect(signIn(desk)).toBe(signIn(dashboard));
    expect(signIn(dashboard)).toContain('<label for="username">Username</label>');
  });

  it('puts the set-up of Google Authenticator in twice where a page needs it, each with ids of its own', () => {
    const [dashboard, desk] = ['index.html', 'desk.html'].map((name) => assemblePage(PUBLIC, name));
    for (const page of [dashboard, desk]) {
      expect(page).not.toContain('{prefix}');
      expect(page.match(/id="enroll-activate-form"/g)).toHaveLength(1);
      const ids = [...page.matchAll(/ id="([^"]+)"/g)].map((match) => match[1]);
      expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
    }
    // The Profile page keeps the ids it always had; the desk has no Profile.
    expect(dashboard.match(/id="activate-form"/g)).toHaveLength(1);
    expect(desk).not.toContain('id="activate-form"');
  });
});

describe('the @simplewebauthn/browser module the pages import', () => {
  it('is found in node_modules with its entry and the files it imports, relative paths only', () => {
    const directory = findWebauthnBrowserDirectory();
    expect(directory).not.toBeNull();
    const scripts = scriptsUnder(directory as string);
    expect(scripts).toEqual(
      expect.arrayContaining(['index.js', 'methods/startRegistration.js', 'methods/startAuthentication.js']),
    );
    expect(scripts.every((path) => !path.startsWith('/') && !path.includes('..') && !path.includes('\\'))).toBe(true);
  });

  it('puts Add a Passkey on Profile and in the set-up a sign-in may require, each with ids of its own', () => {
    const [dashboard, desk] = ['index.html', 'desk.html'].map((name) => assemblePage(PUBLIC, name));
    expect(dashboard.match(/id="add-passkey-form"/g)).toHaveLength(1);
    for (const page of [dashboard, desk]) {
      expect(page.match(/id="enroll-add-passkey-form"/g)).toHaveLength(1);
      expect(page).toContain('>Use a Passkey</button>');
    }
  });
});
