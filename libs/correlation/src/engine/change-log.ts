import type { Change } from '@faultline/changes';

import type { ChangeRef } from './engine.model';

/**
 * The recent changes the engine knows of, by entity and by id.
 *
 * Contract: `record` adds a change, or updates the one with its id in place (status, times, and
 * even its entity: the last word wins). `forgetBefore` drops the changes that started before a
 * bound (the caller passes the oldest start any incident could still use). `version` grows with
 * every record, so readers can tell whether anything changed since they last looked.
 * Changes are few (several an hour in a busy fleet): every operation is O(changes on one entity)
 * except forgetBefore, O(changes kept).
 */
export class ChangeLog {
  private readonly byId = new Map<string, Change>();
  private readonly byEntity = new Map<string, Change[]>();
  private changed = 0;

  get size(): number {
    return this.byId.size;
  }

  /** Grows by one with every change recorded or updated. */
  get version(): number {
    return this.changed;
  }

  record(change: Change): void {
    const known = this.byId.get(change.id);
    if (known !== undefined) this.unindex(known);
    const copy = { ...change };
    this.byId.set(copy.id, copy);
    let list = this.byEntity.get(copy.entity);
    if (!list) this.byEntity.set(copy.entity, (list = []));
    list.push(copy);
    this.changed++;
  }

  get(id: string): Change | undefined {
    return this.byId.get(id);
  }

  /** The changes on one entity, in the order they were first recorded. */
  on(entity: string): readonly Change[] {
    return this.byEntity.get(entity) ?? [];
  }

  /** Drops every change that started before `at`. */
  forgetBefore(at: number): void {
    for (const c of this.byId.values()) if (c.startedAt < at) this.unindex(c);
  }

  private unindex(c: Change): void {
    this.byId.delete(c.id);
    const list = this.byEntity.get(c.entity);
    if (!list) return;
    const i = list.indexOf(c);
    if (i >= 0) list.splice(i, 1);
    if (list.length === 0) this.byEntity.delete(c.entity);
  }
}

/** Exactly a ChangeRef's fields (of a change, or of a ref read back), in one order. */
export const changeRef = (c: ChangeRef): ChangeRef => ({
  id: c.id,
  entity: c.entity,
  kind: c.kind,
  status: c.status,
  startedAt: c.startedAt,
  version: c.version,
  source: c.source,
  summary: c.summary,
});

export const changeKey = (id: string): string => `change:${id}`;
