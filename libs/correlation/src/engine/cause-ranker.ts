import { type EntityKind, entityKind } from '@faultline/reports';

import type { RootCause } from './engine.model';
import type { EvidenceReader } from './evidence-reader';
import type { Cluster } from './symptoms';

const round = (x: number): number => Math.round(Math.min(0.99, Math.max(0.01, x)) * 100) / 100;

/**
 * Ranks the causes of one incident, best first.
 *
 * Contract: `primary` is the cluster whose root explains most of the incident; its root comes
 * first (the causal walk in RootResolver already preferred the most upstream entity that is
 * itself down). Its confidence is support × w/(w+1) for w independent witnesses, so "18 of 18
 * dependents within 4 s" scores 0.95 and a lone witness never passes 0.5. The alternatives are
 * the other clusters' roots, the entities the symptoms passed through, the failing targets, and
 * the root's containers (host, zone, service), each scored by the share of the incident it
 * explains and its own support, and always below the root.
 * Complexity: O(k log k) for k candidates, and evidence is read for at most 2·max of them.
 */
export function rankCauses(
  primary: Cluster,
  others: readonly Cluster[],
  evidence: EvidenceReader,
  max: number,
): RootCause[] {
  const total = primary.weight + others.reduce((sum, c) => sum + c.weight, 0) || 1;
  const rootEvidence = evidence.describe(primary.key, primary);
  const w = rootEvidence.witnesses;
  const rootConfidence = round(
    Math.min(rootEvidence.maxConfidence ?? 1, rootEvidence.support * (w / (w + 1))),
  );
  const root: RootCause = {
    key: primary.key,
    kind: kindOf(primary.key),
    confidence: rootConfidence,
    summary: rootEvidence.summary,
  };

  const shares = new Map<string, { share: number; cluster: Cluster }>();
  const offer = (key: string, share: number, cluster: Cluster) => {
    if (key === primary.key) return;
    const seen = shares.get(key);
    if (!seen || seen.share < share) shares.set(key, { share, cluster });
  };
  for (const c of others) offer(c.key, c.weight / total, c);
  for (const [key, weight] of primary.via) offer(key, weight / total, primary);
  for (const [key, weight] of primary.targets) offer(key, weight / total, primary);
  for (const key of evidence.containers(primary.key)) offer(key, 0.3, primary);

  // Read evidence only for the candidates that can make the list: the largest shares first.
  const shortlist = [...shares.entries()]
    .sort((a, b) => b[1].share - a[1].share || (a[0] < b[0] ? -1 : 1))
    .slice(0, 2 * max);
  const alternatives: RootCause[] = [];
  for (const [key, { share, cluster }] of shortlist) {
    const e = evidence.describe(key, cluster);
    const confidence = Math.min(
      rootConfidence - 0.01,
      rootConfidence * (0.3 + 0.7 * share) * (0.3 + 0.7 * e.support) * 0.95,
    );
    alternatives.push({
      key,
      kind: kindOf(key),
      confidence: round(confidence),
      summary: e.summary,
    });
  }
  alternatives.sort(
    (a, b) => b.confidence - a.confidence || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  return [root, ...alternatives.slice(0, max - 1)];
}

function kindOf(key: string): EntityKind {
  return entityKind(key) ?? 'backend';
}
