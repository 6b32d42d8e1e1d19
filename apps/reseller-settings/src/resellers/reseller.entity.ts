import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TwoFactorMode } from '@pbx2fa/contracts';

@Entity({ name: 'resellers' })
export class Reseller {
  @PrimaryColumn({ type: 'text' })
  id: string;

  @Column({ type: 'text' })
  name: string;

  @Column({ name: 'two_factor_enabled', type: 'boolean', default: false })
  twoFactorEnabled: boolean;

  @Column({ name: 'two_factor_mode', type: 'text', default: 'off' })
  twoFactorMode: TwoFactorMode;

  /** In `required` mode: from when users without a second factor must enroll at sign-in. */
  @Column({ name: 'enroll_by', type: 'timestamptz', nullable: true })
  enrollBy: Date | null;

  @Column({ name: 'remember_device_days', type: 'int', default: 30 })
  rememberDeviceDays: number;

  /** Moves by one with every change, so consumers can refuse a stale event. */
  @Column({ type: 'int', default: 1 })
  version: number;

  /** The sequence number of the last approval applied (tickets numbers them per reseller). */
  @Column({
    name: 'last_approval_sequence',
    type: 'bigint',
    default: 0,
    transformer: { to: (value: number) => value, from: (value: string) => Number(value) },
  })
  lastApprovalSequence: number;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
