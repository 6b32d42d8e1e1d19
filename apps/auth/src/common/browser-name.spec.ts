import { describeBrowser, deviceLabel } from './browser-name';

const CHROME_ON_WINDOWS =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

describe('describeBrowser', () => {
  it.each([
    [CHROME_ON_WINDOWS, 'Chrome on Windows'],
    [
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
      'Safari on macOS',
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
      'Safari on iOS',
    ],
    ['Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0', 'Firefox on Linux'],
    [
      'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      'Chrome on Android',
    ],
    [`${CHROME_ON_WINDOWS} Edg/131.0.0.0`, 'Edge on Windows'],
    ['curl/8.5.0', 'curl/8.5.0'],
    [null, 'unknown'],
    ['line\r\nbreak', 'line  break'],
  ])('describes %s as %s', (userAgent, expected) => {
    expect(describeBrowser(userAgent)).toBe(expected);
  });

  it('shortens an unknown one', () => {
    expect(describeBrowser('x'.repeat(500))).toHaveLength(121);
  });
});

describe('deviceLabel', () => {
  it.each([
    [CHROME_ON_WINDOWS, 'Chrome on Windows'],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
      'Chrome on Linux',
    ],
    ['Mozilla/5.0 (Linux; Android 14) SomeBrowser/1.0', 'A browser on Android'],
    ['curl/8.5.0', 'Unknown browser'],
    [null, 'Unknown browser'],
  ])('labels %s as %s', (userAgent, expected) => {
    expect(deviceLabel(userAgent)).toBe(expected);
  });

  it('never shows a long unknown User-Agent', () => {
    expect(deviceLabel('x'.repeat(500))).toBe('Unknown browser');
  });
});
