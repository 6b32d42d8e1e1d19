import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/**
 * Remembers every accepted assertion id until it expires, so none is accepted twice; the
 * retention sweeper removes them after that (used-assertion-retention.ts).
 */
@Injectable()
export class UsedAssertionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** False when the id was already used (on any replica). */
  async claim(jti: string, expiresAt: Date): Promise<boolean> {
    const rows = await this.dataSource.query<{ jti: string }[]>(
      'INSERT INTO used_sso_assertions (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING RETURNING jti',
      [jti, expiresAt],
    );
    return rows.length > 0;
  }
}
