import { Column, Entity, PrimaryColumn } from 'typeorm';

/** The gateway's own copy of a reseller's 2FA setting, kept current by events. */
@Entity({ name: 'reseller_policies' })
export class ResellerPolicy {
  @PrimaryColumn({ name: 'reseller_id', type: 'text' })
  resellerId: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'two_factor_enabled', type: 'boolean' })
  twoFactorEnabled: boolean;

  @Column({ type: 'int' })
  version: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
