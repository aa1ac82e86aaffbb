import { adaptActuator } from './actuator.adapter';
import { adaptAlertmanager } from './alertmanager.adapter';
import { adaptAspnet } from './aspnet.adapter';
import {
  type AdaptedReports,
  FormatError,
  type FormatName,
  type HealthDocument,
  type SourceContext,
} from './format.model';
import { adaptHealthJson } from './health-json.adapter';
import { adaptOslo } from './oslo.adapter';
import { adaptTerminus } from './terminus.adapter';

type Adapter = (doc: HealthDocument, ctx: SourceContext) => AdaptedReports;

const ADAPTERS: Record<FormatName, Adapter> = {
  oslo: adaptOslo,
  'health-json': adaptHealthJson,
  actuator: adaptActuator,
  terminus: adaptTerminus,
  aspnet: adaptAspnet,
  alertmanager: adaptAlertmanager,
};

/**
 * Turns a document in a known health format into native reports (ReportInput, to be validated by
 * the intake like any other). Pure: the same document and context give the same reports.
 * Throws FormatError, and nothing else, when the document cannot be read as `format`. A format of
 * independent items (Alertmanager's alerts) reports what it can read and lists the rest in
 * `refused` instead, throwing only when it can read none.
 */
export function adapt(format: FormatName, doc: HealthDocument, ctx: SourceContext): AdaptedReports {
  const adapter = Object.prototype.hasOwnProperty.call(ADAPTERS, format)
    ? ADAPTERS[format]
    : undefined;
  if (!adapter)
    throw new FormatError([
      { path: '', reason: `cannot be read as "${String(format)}": not a known format` },
    ]);
  if (typeof doc?.body !== 'string')
    throw new FormatError([{ path: '', reason: 'is missing: the document has no text body' }]);
  if (typeof ctx !== 'object' || ctx === null)
    throw new FormatError([{ path: '', reason: 'cannot be adapted without a source context' }]);
  try {
    return adapter(doc, ctx);
  } catch (e) {
    if (e instanceof FormatError) throw e;
    // A bug here must not look like a crash of the caller; it still says what happened.
    throw new FormatError([
      {
        path: '',
        reason: `could not be adapted as ${format} (${e instanceof Error ? e.message : String(e)})`,
      },
    ]);
  }
}
