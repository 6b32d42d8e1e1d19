import jsQR from 'jsqr';
import { PNG } from 'pngjs';

/** What a phone's camera would read from a `data:image/png;base64,…` QR code; null when nothing. */
export function readQrCode(dataUrl: string): string | null {
  const match = /^data:image\/png;base64,([A-Za-z0-9+/=]+)$/.exec(dataUrl);
  if (!match) throw new Error(`not a base64 PNG data URL: ${dataUrl.slice(0, 40)}…`);
  const png = PNG.sync.read(Buffer.from(match[1], 'base64'));
  const pixels = new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length);
  return jsQR(pixels, png.width, png.height)?.data ?? null;
}
