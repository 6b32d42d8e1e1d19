/**
 * A browser as a person names it ("Chrome on Windows"), from its User-Agent: for security mail
 * and for the label of a remembered device. Never trusted for anything but the words shown.
 */

const BROWSERS: [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\bOPR\/|\bOpera\b/, 'Opera'],
  [/\bFirefox\/|\bFxiOS\//, 'Firefox'],
  [/\bChrom(e|ium)\/|\bCriOS\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];
// Order matters: an iPhone says "like Mac OS X", Android says "Linux".
const SYSTEMS: [RegExp, string][] = [
  [/\bWindows\b/, 'Windows'],
  [/\biPhone|\biPad|\biPod/, 'iOS'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bLinux\b/, 'Linux'],
];
const UNRECOGNISED_SHOWN = 120;

const recognised = (userAgent: string) => ({
  browser: BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1],
  system: SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1],
});

/** "Chrome on Windows" for the browsers people use; anything else as sent (shortened), or "unknown". */
export function describeBrowser(userAgent: string | null): string {
  if (!userAgent?.trim()) return 'unknown';
  const { browser, system } = recognised(userAgent);
  if (browser) return system ? `${browser} on ${system}` : browser;
  // eslint-disable-next-line no-control-regex
  const printable = userAgent.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  return printable.length > UNRECOGNISED_SHOWN ? `${printable.slice(0, UNRECOGNISED_SHOWN)}…` : printable;
}

/**
 * A remembered device's short label: "Chrome on Linux", "A browser on Android", or "Unknown
 * browser" — never the raw User-Agent, which the device's owner did not choose and may be long.
 */
export function deviceLabel(userAgent: string | null): string {
  const { browser, system } = recognised(userAgent ?? '');
  if (browser) return system ? `${browser} on ${system}` : browser;
  return system ? `A browser on ${system}` : 'Unknown browser';
}
