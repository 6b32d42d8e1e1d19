import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * `access`: a completed sign-in. `enrollment`: a sign-in that must set up a second factor first;
 * its token reaches only the routes marked @AllowEnrollment() (see enrollment-access.ts).
 */
export type SessionPurpose = 'access' | 'enrollment';

/** One signed-in session; its id is the access token's `jti`, so revoking the row ends the token. */
@Entity({ name: 'sessions' })
export class Session {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  /** How the user proved who they are (RFC 8176): pwd, otp, sso. */
  @Column({ type: 'text', array: true })
  amr: string[];

  @Column({ type: 'text', default: 'access' })
  purpose: SessionPurpose;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'client_ip', type: 'text', nullable: true })
  clientIp: string | null;

  @Column({ name: 'user_agent', type: 'text', nullable: true })
  userAgent: string | null;
}
