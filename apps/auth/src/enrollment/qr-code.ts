import { toDataURL } from 'qrcode';

/** A PNG a phone can scan from a screen: medium error correction, a quiet zone, 8 px modules. */
export function qrCodeDataUrl(text: string): Promise<string> {
  return toDataURL(text, { type: 'image/png', errorCorrectionLevel: 'M', margin: 4, scale: 8 });
}
