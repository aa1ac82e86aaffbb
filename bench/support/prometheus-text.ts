/**
 * Sums the samples of one metric in Prometheus text exposition format whose labels include
 * every label given (so `{}` sums across all series). A metric absent from the text sums to 0.
 */
export function sumSamples(
  text: string,
  metric: string,
  labels: Record<string, string> = {},
): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(metric)) continue;
    const rest = line.slice(metric.length);
    let labelText = '';
    let valueText: string;
    if (rest.startsWith('{')) {
      const end = rest.lastIndexOf('}');
      labelText = rest.slice(1, end);
      valueText = rest.slice(end + 1);
    } else if (rest.startsWith(' ')) {
      valueText = rest;
    } else {
      continue; // another metric sharing this prefix, e.g. foo_bucket for foo
    }
    const found = parseLabels(labelText);
    if (Object.entries(labels).every(([k, v]) => found[k] === v))
      sum += Number(valueText.trim().split(' ')[0]);
  }
  return sum;
}

/** Sums a metric's samples per value of one label, over the samples whose labels include `labels`. */
export function sumByLabel(
  text: string,
  metric: string,
  by: string,
  labels: Record<string, string> = {},
): Record<string, number> {
  const sums: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`)) continue;
    const end = line.lastIndexOf('}');
    const found = parseLabels(line.slice(metric.length + 1, end));
    const key = found[by];
    if (key === undefined || !Object.entries(labels).every(([k, v]) => found[k] === v)) continue;
    sums[key] =
      (sums[key] ?? 0) +
      Number(
        line
          .slice(end + 1)
          .trim()
          .split(' ')[0],
      );
  }
  return sums;
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) out[m[1]] = m[2];
  return out;
}

/** GETs a metrics page, failing on a non-200 answer or after `timeoutMs`. */
export async function fetchMetrics(url: string, token?: string, timeoutMs = 5000): Promise<string> {
  const res = await fetch(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (res.status !== 200)
    throw new Error(`GET ${url} answered ${res.status}: ${text.slice(0, 200)}`);
  return text;
}
