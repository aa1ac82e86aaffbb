import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';

import { InjectConfig } from '../config/config.module';
import type { FaultlineConfig } from '../config/config.schema';
import { NotFoundError } from '../errors/domain-errors';
import { ApiTokenEntity } from './api-token.entity';
import type { Scope } from './scopes';

export interface Principal {
  tokenId: string;
  name: string;
  scopes: Scope[];
}

export interface TokenView {
  id: string;
  name: string;
  scopes: Scope[];
  createdAt: string;
  revokedAt: string | null;
}

const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');

/**
 * Issues, lists, revokes and verifies API tokens. Tokens are 256 random bits, so a plain
 * SHA-256 is the right hash (no salt or stretching needed) and lets a lookup use an index.
 * Verified tokens are cached for AUTH_CACHE_MS: a revocation takes effect within that time.
 */
@Injectable()
export class TokenService {
  private readonly cache = new Map<string, { principal: Principal | null; until: number }>();
  private readonly adminHash: Buffer | null;

  constructor(
    @InjectRepository(ApiTokenEntity) private readonly tokens: Repository<ApiTokenEntity>,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {
    this.adminHash = config.FAULTLINE_ADMIN_TOKEN
      ? Buffer.from(sha256(config.FAULTLINE_ADMIN_TOKEN), 'hex')
      : null;
  }

  async create(name: string, scopes: Scope[]): Promise<TokenView & { token: string }> {
    const token = `flt_${randomBytes(32).toString('base64url')}`;
    const saved = await this.tokens.save(
      this.tokens.create({
        name,
        scopes: [...new Set(scopes)],
        tokenHash: sha256(token),
        revokedAt: null,
      }),
    );
    return { ...toView(saved), token };
  }

  async list(): Promise<TokenView[]> {
    return (await this.tokens.find({ order: { createdAt: 'ASC' } })).map(toView);
  }

  async revoke(id: string): Promise<void> {
    const result = await this.tokens.update({ id, revokedAt: IsNull() }, { revokedAt: new Date() });
    if (!result.affected) throw new NotFoundError(`no active token ${id}`);
    this.cache.clear();
  }

  /** The principal a bearer token stands for, or null when it is unknown or revoked. */
  async verify(token: string): Promise<Principal | null> {
    const hash = sha256(token);
    if (this.adminHash && timingSafeEqual(Buffer.from(hash, 'hex'), this.adminHash))
      return { tokenId: 'bootstrap', name: 'FAULTLINE_ADMIN_TOKEN', scopes: ['admin'] };
    const now = Date.now();
    const cached = this.cache.get(hash);
    if (cached && cached.until > now) return cached.principal;
    const row = await this.tokens.findOne({ where: { tokenHash: hash, revokedAt: IsNull() } });
    const principal = row ? { tokenId: row.id, name: row.name, scopes: row.scopes } : null;
    if (this.cache.size > 10_000) this.cache.clear(); // unknown tokens must not grow it without bound
    this.cache.set(hash, { principal, until: now + this.config.AUTH_CACHE_MS });
    return principal;
  }
}

const toView = (t: ApiTokenEntity): TokenView => ({
  id: t.id,
  name: t.name,
  scopes: t.scopes,
  createdAt: t.createdAt.toISOString(),
  revokedAt: t.revokedAt ? t.revokedAt.toISOString() : null,
});
