import type { FieldError, ReportInput } from '@faultline/reports';

/**
 * The health formats Faultline reads besides its own, and what an adapter hands back.
 * Adapters are pure: a document and its source's context in, native reports out (no I/O, no clock).
 */
export type FormatName =
  'oslo' | 'health-json' | 'actuator' | 'terminus' | 'aspnet' | 'alertmanager';

export const FORMAT_NAMES: readonly FormatName[] = [
  'oslo',
  'health-json',
  'actuator',
  'terminus',
  'aspnet',
  'alertmanager',
];

/** The raw document: what a poll got back, or what was pushed. */
export interface HealthDocument {
  body: string;
  contentType?: string;
  /** HTTP status when polled; absent when pushed. */
  httpStatus?: number;
}

/** Identity and mapping the source supplies where the body lacks them. */
export interface SourceContext {
  service?: string;
  instance?: string;
  host?: string;
  labels?: Record<string, string>;
  /** Component name → target URI, per source (wins over everything). */
  mapping?: Record<string, string>;
  /** Event time to stamp when the body carries none (epoch ms). Required: adapters never read the clock. */
  observedAt: number;
  /**
   * Alertmanager only: which labels name the service, the instance, the host and the target.
   * Defaults: service ← 'service' then 'job'; instance ← 'instance'; host ← 'host' or 'node'; target ← 'target'.
   */
  labelMapping?: { service?: string[]; instance?: string[]; host?: string[]; target?: string[] };
}

/** A dependency the document names but does not identify: it gets a target scoped to its service until mapped. */
export interface UnresolvedComponent {
  service: string;
  component: string;
  /** The service-scoped target used meanwhile. */
  target: string;
}

export interface AdaptedReports {
  format: FormatName;
  reports: ReportInput[];
  unresolved: UnresolvedComponent[];
  /**
   * Parts of the document left out while the rest was reported (an alert naming no service), by
   * JSON pointer and reason. Absent when nothing was left out. Only formats that carry independent
   * items (Alertmanager's alerts) refuse part of a document.
   */
  refused?: FieldError[];
}

/**
 * The one error adapters throw: the document cannot be read as the format. Each error names the
 * place by JSON pointer into the body ('' for the whole body) and says why, like the intake's own
 * validation errors, so a collector can show them to whoever owns the source.
 */
export class FormatError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(
      errors.map((e) => `${e.path || '(body)'} ${e.reason}`).join('; ') ||
        'the document cannot be read',
    );
    this.name = 'FormatError';
  }
}
