import { Injectable } from '@nestjs/common';
import { Algorithm, hash, verify } from '@node-rs/argon2';

/** OWASP's argon2id profile: 19 MiB, 2 passes, 1 lane. Runs on libuv's thread pool, not the event loop. */
export const ARGON2_OPTIONS = { algorithm: Algorithm.Argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

@Injectable()
export class PasswordHasher {
  /** A real hash of nothing anyone knows: verifying against it costs what a real check costs. */
  private readonly dummyHash = hash('pbx2fa-timing-equaliser', ARGON2_OPTIONS);

  hash(password: string): Promise<string> {
    return hash(password, ARGON2_OPTIONS);
  }

  async verify(passwordHash: string, password: string): Promise<boolean> {
    try {
      return await verify(passwordHash, password);
    } catch {
      return false;
    }
  }

  /** Spends the time of a failed check, so an unknown user name answers as slowly as a wrong password. */
  async verifyNobody(password: string): Promise<false> {
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
