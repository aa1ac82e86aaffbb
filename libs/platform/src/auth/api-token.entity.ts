import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

import type { Scope } from './scopes';

/** An API token. Only its SHA-256 is stored: the token itself is shown once, at creation. */
@Entity({ name: 'api_tokens' })
export class ApiTokenEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column('text', { name: 'token_hash', unique: true })
  tokenHash: string;

  @Column('text', { array: true })
  scopes: Scope[];

  /** Services it may report for: names or prefixes (`billing-*`); null: any. */
  @Column('text', { array: true, nullable: true })
  services: string[] | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;
}
