import {
  ConflictError,
  type FaultlineConfig,
  InjectConfig,
  InvalidInputError,
  NotFoundError,
  SecretBox,
  SecretKeyMissingError,
} from '@faultline/platform';
import { Injectable } from '@nestjs/common';

import type { ChannelView, OpenedChannel } from './channel.model';
import {
  type ChannelFields,
  ChannelRepository,
  type ChannelRow,
  NAME_TAKEN,
} from './channel.repository';
import { splitSecrets, validateChannel } from './channel.schema';

const DEFAULT_RATE_PER_MINUTE = 30;
// A channel counts as failing (readiness, metrics) after this many deliveries failed in a row.
export const FAILING_AFTER = 3;

/**
 * Notification channels: validated per type, secrets sealed, never returned. The names of the
 * secrets are stored in clear, so listing and reading channels never opens a secret: a missing or
 * rotated-away key cannot break them. Secrets are opened only to send.
 */
@Injectable()
export class ChannelService {
  private readonly box: SecretBox;

  constructor(
    private readonly repository: ChannelRepository,
    @InjectConfig() config: FaultlineConfig,
  ) {
    this.box = SecretBox.fromConfig(config);
  }

  async create(body: unknown): Promise<ChannelView> {
    const { fields, secretNames } = this.prepare(body);
    const row = await this.repository.insert(fields);
    if (row === NAME_TAKEN) throw nameTaken(fields.name);
    return view(row, secretNames);
  }

  async replace(id: string, body: unknown): Promise<ChannelView> {
    const { fields, secretNames } = this.prepare(body);
    const row = await this.repository.update(id, fields);
    if (row === NAME_TAKEN) throw nameTaken(fields.name);
    if (!row) throw notFound(id);
    return view(row, secretNames);
  }

  async list(): Promise<ChannelView[]> {
    const rows = await this.repository.list();
    return rows.map((r) => view(r, this.secretNames(r)));
  }

  async get(id: string): Promise<ChannelView> {
    const row = await this.repository.get(id);
    if (!row) throw notFound(id);
    return view(row, this.secretNames(row));
  }

  async delete(id: string): Promise<void> {
    if (!(await this.repository.delete(id))) throw notFound(id);
  }

  ids(): Promise<string[]> {
    return this.repository.ids();
  }

  /** A channel with its secrets opened, for sending; null when it was deleted since. */
  async open(id: string): Promise<OpenedChannel | null> {
    const r = await this.repository.get(id);
    if (!r) return null;
    const secrets = r.secrets_sealed
      ? (JSON.parse(this.box.open(r.secrets_sealed)) as Record<string, string>)
      : {};
    // A URL sealed because it embeds a credential replaces the redacted one shown.
    const settings = secrets.url !== undefined ? { ...r.settings, url: secrets.url } : r.settings;
    return {
      id: r.id,
      name: r.name,
      type: r.type,
      settings,
      secrets,
      ratePerMinute: r.rate_per_minute,
    };
  }

  /** Records how the last delivery through a channel ended (after its retries). */
  recordOutcome(id: string, error: string | null): Promise<number> {
    return this.repository.recordOutcome(id, error);
  }

  /** Channels whose deliveries keep failing: for readiness and metrics. */
  async failing(): Promise<
    { name: string; consecutiveFailures: number; lastError: string | null }[]
  > {
    const rows = await this.repository.failing(FAILING_AFTER);
    return rows.map((r) => ({
      name: r.name,
      consecutiveFailures: r.consecutive_failures,
      lastError: r.last_error,
    }));
  }

  private prepare(body: unknown): { fields: ChannelFields; secretNames: string[] } {
    const result = validateChannel(body);
    if (!result.ok) throw new InvalidInputError(result.errors, 'invalid channel');
    const { settings, secrets } = splitSecrets(result.input);
    const names = Object.keys(secrets).sort();
    if (names.length > 0 && !this.box.available)
      throw new InvalidInputError(
        [{ path: `/${names[0]}`, reason: new SecretKeyMissingError().message }],
        'invalid channel',
      );
    const fields: ChannelFields = {
      name: result.input.name,
      type: result.input.type,
      settings,
      secretsSealed: names.length > 0 ? this.box.seal(JSON.stringify(secrets)) : null,
      secretNames: names,
      ratePerMinute: result.input.ratePerMinute ?? DEFAULT_RATE_PER_MINUTE,
    };
    return { fields, secretNames: names };
  }

  /**
   * The names stored in clear; for a row sealed before they were (until `secrets:reseal` fills
   * them), the names of the opened secrets — and none when they cannot be opened, never an error.
   */
  private secretNames(r: ChannelRow): string[] {
    if (r.secret_names !== null && r.secret_names !== undefined) return r.secret_names;
    if (!r.secrets_sealed) return [];
    try {
      return Object.keys(JSON.parse(this.box.open(r.secrets_sealed)) as object).sort();
    } catch {
      return [];
    }
  }
}

function view(r: ChannelRow, secrets: string[]): ChannelView {
  return {
    id: r.id,
    name: r.name,
    type: r.type,
    settings: r.settings,
    secrets,
    ratePerMinute: r.rate_per_minute,
    consecutiveFailures: r.consecutive_failures,
    lastError: r.last_error,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}

const notFound = (id: string) => new NotFoundError(`no channel ${id}`);

const nameTaken = (name: string) =>
  new ConflictError(`a channel named ${name} exists`, [
    { path: '/name', reason: 'is taken by another channel' },
  ]);
