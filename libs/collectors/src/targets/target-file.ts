import { readFile } from 'node:fs/promises';

import type { FieldError } from '@faultline/reports';
import { Injectable, Logger } from '@nestjs/common';
import { parse, YAMLParseError } from 'yaml';

import { PollScheduler } from './poll-scheduler';
import type { PollTargetInput } from './poll-target.model';
import { PollTargetRepository } from './poll-target.repository';
import { validatePollTarget } from './poll-target.schema';
import { PollTargetService } from './poll-target.service';

/** A targets file that cannot be used; the message lists every problem by path. */
export class TargetFileError extends Error {
  constructor(
    file: string,
    readonly errors: FieldError[],
  ) {
    super(
      `targets file ${file}: ${errors.map((e) => `${e.path || '(file)'} ${e.reason}`).join('; ')}`,
    );
  }
}

/**
 * Reads a targets file (YAML, pure): `targets:` a list of poll targets, each as the API takes
 * it and with an `id` (the file is the source of truth for them: ids make a re-read an update).
 * All or nothing: any bad entry fails the whole file, naming it by JSON pointer.
 */
export function parseTargetFile(text: string, file = 'targets file'): PollTargetInput[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (e) {
    // Not only YAMLParseError: an alias bomb ("excessive alias count") is a ReferenceError.
    const reason =
      e instanceof YAMLParseError
        ? `is not valid YAML: ${e.message.split('\n')[0]}`
        : `cannot be read as YAML: ${(e as Error).message.split('\n')[0]}`;
    throw new TargetFileError(file, [{ path: '', reason }]);
  }
  const list = (doc as { targets?: unknown } | null)?.targets;
  if (!Array.isArray(list))
    throw new TargetFileError(file, [
      { path: '/targets', reason: 'must be a list of poll targets' },
    ]);
  const errors: FieldError[] = [];
  const targets: PollTargetInput[] = [];
  const seen = new Set<string>();
  list.forEach((entry, i) => {
    const result = validatePollTarget(entry, `/targets/${i}`);
    if (!result.ok) return void errors.push(...result.errors);
    const id = result.target.id;
    if (id === undefined)
      return void errors.push({
        path: `/targets/${i}/id`,
        reason: 'is required in a targets file',
      });
    if (seen.has(id))
      return void errors.push({ path: `/targets/${i}/id`, reason: `duplicates target "${id}"` });
    seen.add(id);
    targets.push(result.target);
  });
  if (errors.length > 0) throw new TargetFileError(file, errors);
  return targets;
}

/**
 * Applies the targets file at worker start-up: its targets are upserted (origin "file"), those
 * a previous version of the file had and this one dropped are removed; targets registered
 * through the API are left alone.
 */
@Injectable()
export class TargetFileLoader {
  private readonly logger = new Logger(TargetFileLoader.name);

  constructor(
    private readonly targets: PollTargetRepository,
    private readonly service: PollTargetService,
    private readonly scheduler: PollScheduler,
  ) {}

  async apply(file: string): Promise<{ upserted: number; removed: number }> {
    const entries = parseTargetFile(await readFile(file, 'utf8'), file);
    for (const entry of entries) await this.service.put(entry, null, 'file');
    const kept = new Set(entries.map((e) => e.id));
    let removed = 0;
    for (const t of await this.targets.ids()) {
      if (t.origin === 'file' && !kept.has(t.id)) {
        await this.service.delete(t.id);
        removed++;
      }
    }
    this.logger.log(`targets file ${file}: ${entries.length} targets, ${removed} removed`);
    return { upserted: entries.length, removed };
  }

  /** Every stored target scheduled, no scheduler left for a deleted one. */
  async reconcileSchedulers(): Promise<void> {
    const targets = await this.targets.ids();
    const { removed } = await this.scheduler.reconcile(targets);
    if (removed > 0) this.logger.log(`removed ${removed} schedulers of deleted targets`);
  }
}
