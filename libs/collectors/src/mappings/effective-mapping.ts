/**
 * The mapping a push or poll is adapted with: the fleet-wide mapping, overridden by the source's
 * (or target's) own (pure). Adapters look a component up under its most specific key first
 * (`mongo:responseTime`, `db/primary`, then `mongo`, `db`), so a fleet key more specific than a
 * key the source maps would win over the source: such fleet keys are left out.
 */
export function effectiveMapping(
  fleet: Readonly<Record<string, string>>,
  own: Readonly<Record<string, string>> | undefined,
): Record<string, string> {
  const ownKeys = Object.keys(own ?? {});
  if (ownKeys.length === 0) return { ...fleet };
  const shadowed = (key: string) =>
    ownKeys.some(
      (k) => key.length > k.length && key.startsWith(k) && SEPARATORS.has(key[k.length]),
    );
  const merged: Record<string, string> = {};
  for (const [key, target] of Object.entries(fleet)) if (!shadowed(key)) merged[key] = target;
  return Object.assign(merged, own);
}

// What joins a component to its more specific part in the adapters' mapping keys.
const SEPARATORS = new Set([':', '/']);
