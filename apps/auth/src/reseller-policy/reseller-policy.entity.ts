import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TwoFactorMode } from '@pbx2fa/contracts';

/** The gateway's own copy of a reseller's 2FA setting, kept current by events. */
@Entity({ name: 'reseller_policies' })
export class ResellerPolicy {
  @PrimaryColumn({ name: 'reseller_id', type: 'text' })
  resellerId: string;

  @Column({ type: 'text' })
  name: string;

  /** True unless the mode is `off`. */
  @Column({ name: 'two_factor_enabled', type: 'boolean' })
  twoFactorEnabled: boolean;

  @Column({ name: 'two_factor_mode', type: 'text', default: 'off' })
  twoFactorMode: TwoFactorMode;

  /** In `required` mode: from when users without a second factor must enroll at sign-in. */
  @Column({ name: 'enroll_by', type: 'timestamptz', nullable: true })
  enrollBy: Date | null;

  @Column({ name: 'remember_device_days', type: 'int', default: 30 })
  rememberDeviceDays: number;

  @Column({ type: 'int' })
  version: number;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
