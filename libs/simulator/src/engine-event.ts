import type { Change } from '@faultline/changes';
import type { Report } from '@faultline/reports';

/**
 * The events the simulator emits: the same shape as the correlation engine's EngineEvent,
 * declared here so the simulator does not depend on the engine it is used to test.
 */
export type EngineEventLike =
  | { kind: 'report'; report: Report }
  | { kind: 'tick'; at: number }
  | { kind: 'alias'; targetKey: string; servedBy: string }
  | { kind: 'change'; change: Change };

/** An incident as the scorer needs it: the engine's IncidentChange is structurally compatible. */
export interface ScoredIncidentChange {
  type: 'opened' | 'updated' | 'resolved';
  at: number;
  incident: {
    id: string;
    status: 'open' | 'resolved';
    openedAt: number;
    rootCauses: { key: string; change?: { id: string }; changes?: { id: string }[] }[];
    affected: { instances: string[] };
  };
}
