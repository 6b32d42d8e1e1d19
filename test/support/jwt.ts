import { createHmac, sign, type KeyObject } from 'node:crypto';

/**
 * Hand-made compact JWS, so a test can build what a real identity provider signs and every
 * forgery an attacker would try (`alg: none`, HMAC keyed with the public key, …).
 */
export type Signer = (signingInput: Buffer) => Buffer;

const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function compactJws(header: object, payload: object, signer: Signer): string {
  const signingInput = `${part(header)}.${part(payload)}`;
  return `${signingInput}.${signer(Buffer.from(signingInput)).toString('base64url')}`;
}

export const rs256 =
  (privateKey: KeyObject): Signer =>
  (input) =>
    sign('sha256', input, privateKey);
export const hs256 =
  (secret: string | Buffer): Signer =>
  (input) =>
    createHmac('sha256', secret).update(input).digest();
export const unsigned: Signer = () => Buffer.alloc(0);
