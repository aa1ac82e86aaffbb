import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, type Repository } from 'typeorm';

import { InjectConfig } from '../config/config.module';
import type { FaultlineConfig } from '../config/config.schema';
import { DependencyUnavailableError, NotFoundError } from '../errors/domain-errors';
import { ApiTokenEntity } from './api-token.entity';
import type { Scope } from './scopes';

// The binding's rules travel with the principal (re-exported here: the package entry lists this file).
export * from './service-binding';

export interface Principal {
  tokenId: string;
  name: string;
  scopes: Scope[];
  /** Services this token may report for (names or `prefix-*`); null: any. */
  services: string[] | null;
}

export interface TokenView {
  id: string;
  name: string;
  scopes: Scope[];
  /** The service binding; null when the token may report for any service. */
  services: string[] | null;
  createdAt: string;
  revokedAt: string | null;
}

export const sha256 = (token: string): string => createHash('sha256').update(token).digest('hex');

/** Unknown token hashes remembered (each refused without a look-up); past this the oldest go. */
const NEGATIVE_CACHE_SIZE = 10_000;
/** A miss waits for the next load of the token table; loads are at least this far apart. */
const MIN_RELOAD_GAP_MS = 250;

/**
 * Issues, lists, revokes and verifies API tokens. Tokens are 256 random bits, so a plain
 * SHA-256 is the right hash (no salt or stretching needed).
 *
 * Verifying never costs Postgres a query per request. Each process holds every active token
 * (a few hundred rows at most), reloaded when older than AUTH_CACHE_MS (a revocation takes
 * effect within that time). A token missing from it waits for the next load that starts after
 * it arrived (one created a moment ago on another api process is found), and loads are spaced
 * MIN_RELOAD_GAP_MS apart and shared by every waiting request: a flood of random tokens costs at
 * most a few table reads a second, whatever its size. An unknown token, once a fresh load has
 * not found it, is remembered as unknown for good (tokens are random and made here, so an
 * unknown one never becomes valid), in a bounded map of its own: the flood cannot evict the
 * active tokens.
 */
@Injectable()
export class TokenService {
  private active = new Map<string, Principal>();
  private loadedAt = -Infinity;
  private loading: { startedAt: number; done: Promise<void> } | null = null;
  private lastLoadStart = -Infinity;
  private readonly unknown = new Set<string>();
  /** When a load of the token table last failed. */
  private failedAt = -Infinity;
  private readonly adminHash: Buffer | null;
  /** Table loads so far (for tests and metrics: a flood of unknown tokens must keep it small). */
  loads = 0;

  constructor(
    @InjectRepository(ApiTokenEntity) private readonly tokens: Repository<ApiTokenEntity>,
    @InjectConfig() private readonly config: FaultlineConfig,
  ) {
    this.adminHash = config.FAULTLINE_ADMIN_TOKEN
      ? Buffer.from(sha256(config.FAULTLINE_ADMIN_TOKEN), 'hex')
      : null;
  }

  async create(
    name: string,
    scopes: Scope[],
    services: string[] | null = null,
  ): Promise<TokenView & { token: string }> {
    const token = `flt_${randomBytes(32).toString('base64url')}`;
    const saved = await this.tokens.save(
      this.tokens.create({
        name,
        scopes: [...new Set(scopes)],
        services: services === null ? null : [...new Set(services)],
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
    this.loadedAt = -Infinity; // this process stops honouring it at once
  }

  /** The principal a bearer token stands for, or null when it is unknown or revoked. */
  verify(token: string): Promise<Principal | null> {
    return this.verifyHash(sha256(token));
  }

  /** As verify, given the token's SHA-256 (hex). */
  async verifyHash(hash: string): Promise<Principal | null> {
    if (this.adminHash && timingSafeEqual(Buffer.from(hash, 'hex'), this.adminHash))
      return {
        tokenId: 'bootstrap',
        name: 'FAULTLINE_ADMIN_TOKEN',
        scopes: ['admin'],
        services: null,
      };
    if (this.unknown.has(hash)) return null;
    const arrived = Date.now();
    // Postgres down: the tokens last loaded still stand (ingest goes on into Redis), retried
    // once per AUTH_CACHE_MS instead of on every request.
    if (arrived - this.failedAt < this.config.AUTH_CACHE_MS) return this.lastKnown(hash);
    try {
      if (arrived - this.loadedAt > this.config.AUTH_CACHE_MS)
        await this.loadAfter(arrived - this.config.AUTH_CACHE_MS);
      let principal = this.active.get(hash);
      if (!principal && this.loadedAt < arrived) {
        await this.loadAfter(arrived);
        principal = this.active.get(hash);
      }
      if (principal) return principal;
    } catch (e) {
      if (!(e instanceof DependencyUnavailableError) || this.loadedAt === -Infinity) throw e;
      this.failedAt = Date.now();
      return this.lastKnown(hash);
    }
    this.rememberUnknown(hash);
    return null;
  }

  /** A token of the last good load; one it did not hold cannot be judged now (never remembered as unknown). */
  private lastKnown(hash: string): Principal {
    const principal = this.active.get(hash);
    if (principal) return principal;
    throw new DependencyUnavailableError('the token store (Postgres)');
  }

  /** Resolves once a load of the token table that started at or after `t` has finished. */
  private async loadAfter(t: number): Promise<void> {
    for (;;) {
      const current = this.loading;
      if (current) {
        const ok = await current.done.then(
          () => true,
          () => false,
        );
        if (current.startedAt < t) continue; // it began before we arrived: wait for the next
        if (!ok) throw new DependencyUnavailableError('the token store (Postgres)');
        return;
      }
      if (this.loadedAt >= t) return;
      const gap =
        this.lastLoadStart + Math.min(MIN_RELOAD_GAP_MS, this.config.AUTH_CACHE_MS) - Date.now();
      const load: { startedAt: number; done: Promise<void> } = {
        startedAt: Infinity, // until it starts: whoever joins in the gap is served by it
        done: Promise.resolve(),
      };
      load.done = (async () => {
        if (gap > 0) await new Promise((resolve) => setTimeout(resolve, gap));
        load.startedAt = this.lastLoadStart = Date.now();
        await this.load(load.startedAt);
      })().finally(() => {
        if (this.loading === load) this.loading = null;
      });
      this.loading = load;
    }
  }

  private async load(startedAt: number): Promise<void> {
    this.loads++;
    const rows = await this.tokens.find({ where: { revokedAt: IsNull() } });
    this.active = new Map(
      rows.map((r) => [
        r.tokenHash,
        { tokenId: r.id, name: r.name, scopes: r.scopes, services: r.services },
      ]),
    );
    this.loadedAt = startedAt;
  }

  private rememberUnknown(hash: string): void {
    if (this.unknown.size >= NEGATIVE_CACHE_SIZE) {
      // A Set iterates in insertion order: drop the oldest tenth.
      let drop = NEGATIVE_CACHE_SIZE / 10;
      for (const h of this.unknown) {
        this.unknown.delete(h);
        if (--drop === 0) break;
      }
    }
    this.unknown.add(hash);
  }
}

const toView = (t: ApiTokenEntity): TokenView => ({
  id: t.id,
  name: t.name,
  scopes: t.scopes,
  services: t.services ?? null,
  createdAt: t.createdAt.toISOString(),
  revokedAt: t.revokedAt ? t.revokedAt.toISOString() : null,
});
