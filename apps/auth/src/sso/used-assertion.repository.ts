import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** Remembers every accepted assertion id until it expires, so none is accepted twice. */
@Injectable()
export class UsedAssertionRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** False when the id was already used (on any replica). */
  async claim(jti: string, expiresAt: Date, now: Date): Promise<boolean> {
    await this.dataSource.query('DELETE FROM used_sso_assertions WHERE expires_at < $1', [new Date(now.getTime() - 60_000)]);
    const rows = await this.dataSource.query(
      'INSERT INTO used_sso_assertions (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING RETURNING jti',
      [jti, expiresAt],
    );
    return rows.length > 0;
  }
}
