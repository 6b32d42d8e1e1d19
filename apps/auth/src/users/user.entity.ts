import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '@pbx2fa/contracts';

@Entity({ name: 'users' })
export class User {
  @PrimaryColumn({ type: 'uuid' })
  id: string;

  /** Stored lower-case: user names are unique regardless of case. */
  @Column({ type: 'text', unique: true })
  username: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @Column({ name: 'reseller_id', type: 'text', nullable: true })
  resellerId: string | null;

  @Column({ type: 'text' })
  role: Role;

  /** Where security mail goes; null: the user gets none. */
  @Column({ type: 'text', nullable: true })
  email: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'updated_at', type: 'timestamptz', default: () => 'now()' })
  updatedAt: Date;
}
