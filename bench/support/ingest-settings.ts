import { z } from 'zod';

/** The ingest benchmark's own settings (BENCH_*), and the plan of phases and stacks they make. */

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
export const benchSettingsSchema = z.object({
  BENCH_PHASE_SECONDS: int(1, 600).default(15),
  BENCH_CONNECTIONS: int(1, 1000).default(50),
  BENCH_ARRAY_SIZE: int(2, 10_000).default(500),
  BENCH_SERVICES: int(1, 200).default(200),
  BENCH_INSTANCES_PER_SERVICE: int(1, 1000).default(50),
  BENCH_HOSTS: int(1, 100_000).default(500),
  BENCH_API_PROCESSES: int(1, 8).default(1),
  BENCH_WORKER_PROCESSES: int(1, 8).default(1),
  /** "1x1,2x2": api x worker processes, a fresh stack each, one table row each. */
  BENCH_PROCESS_MATRIX: z.string().default(''),
  /** 'auto' starts the correlator app beside the workers when dist/ has it; 'off' never does. */
  BENCH_CORRELATOR: z.enum(['auto', 'off']).default('auto'),
  /** The fleets the phase name "fleet" stands for, in distinct instances. */
  BENCH_FLEET_SIZES: z.string().default('10000,100000,500000'),
  /** Bodies are serialised up front; a phase that sends them all ends early (and says so). */
  BENCH_ARRAY_POOL_REPORTS: int(10_000, 2_000_000).default(600_000),
  BENCH_SINGLE_POOL_REQUESTS: int(10_000, 1_000_000).default(300_000),
  BENCH_DRAIN_TIMEOUT_SECONDS: int(10, 3600).default(300),
  BENCH_REQUEST_TIMEOUT_SECONDS: int(1, 120).default(30),
  /** Which phases to run, comma-separated: arrays, single, fleet, fleet-<size> (fleet-250k). */
  BENCH_PHASES: z.string().default('arrays,single'),
  BENCH_SKIP_COPY: z.enum(['true', 'false']).default('false'),
  /** Node flags for the api and worker, space-separated, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof". */
  BENCH_CHILD_NODE_ARGS: z.string().default(''),
});
export type BenchSettings = z.infer<typeof benchSettingsSchema>;

export type MainPhase = 'arrays' | 'single';

/** How many processes of each kind a stack runs (a correlator joins them when it is built). */
export interface ProcessCounts {
  api: number;
  worker: number;
}

export interface RunPlan {
  /** Phases run one after the other on one stack per configuration, after a common warm-up. */
  mainPhases: MainPhase[];
  /** Fleet sizes in distinct instances, each measured on a fresh stack of its own. */
  fleetSizes: number[];
  /** One stack (and one row of the process table) per entry. */
  configurations: ProcessCounts[];
}

const MAX_FLEET = 2_000_000;

export function planRun(settings: BenchSettings): RunPlan {
  const mainPhases: MainPhase[] = [];
  const fleetSizes: number[] = [];
  const addFleet = (size: number) => {
    if (!fleetSizes.includes(size)) fleetSizes.push(size);
  };
  for (const name of list(settings.BENCH_PHASES)) {
    if (name === 'arrays' || name === 'single') {
      if (!mainPhases.includes(name)) mainPhases.push(name);
    } else if (name === 'fleet') {
      list(settings.BENCH_FLEET_SIZES).forEach((size) => addFleet(parseSize(size)));
    } else if (name.startsWith('fleet-')) {
      addFleet(parseSize(name.slice('fleet-'.length)));
    } else {
      throw new Error(
        `BENCH_PHASES: unknown phase "${name}" (arrays, single, fleet, fleet-<instances>)`,
      );
    }
  }
  // The main phases in their usual order, whatever order they were named in.
  mainPhases.sort((a, b) => (a === 'arrays' ? -1 : b === 'arrays' ? 1 : 0));

  const configurations = settings.BENCH_PROCESS_MATRIX
    ? list(settings.BENCH_PROCESS_MATRIX).map(parseCounts)
    : [{ api: settings.BENCH_API_PROCESSES, worker: settings.BENCH_WORKER_PROCESSES }];
  return { mainPhases, fleetSizes, configurations };
}

/** "fleet-10k" for 10,000 instances, "fleet-1m" for a million, "fleet-2500" otherwise. */
export function fleetPhaseName(instances: number): string {
  if (instances % 1_000_000 === 0) return `fleet-${instances / 1_000_000}m`;
  if (instances % 1000 === 0) return `fleet-${instances / 1000}k`;
  return `fleet-${instances}`;
}

/** "2x1": 2 api processes, 1 worker. */
export function countsLabel(counts: ProcessCounts): string {
  return `${counts.api}x${counts.worker}`;
}

function list(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim().toLowerCase())
    .filter(Boolean);
}

/** "10000", "10k", "1m" → instances. */
function parseSize(text: string): number {
  const match = /^(\d+)(k|m)?$/.exec(text);
  const size = match ? Number(match[1]) * (match[2] === 'm' ? 1e6 : match[2] === 'k' ? 1e3 : 1) : 0;
  if (!Number.isInteger(size) || size < 1 || size > MAX_FLEET)
    throw new Error(
      `a fleet size must be 1 to ${MAX_FLEET} instances, e.g. 10000 or 10k: "${text}"`,
    );
  return size;
}

/** "2x2" → 2 api and 2 worker processes. */
function parseCounts(text: string): ProcessCounts {
  const match = /^(\d)x(\d)$/.exec(text);
  const counts = match ? { api: Number(match[1]), worker: Number(match[2]) } : null;
  if (!counts || counts.api < 1 || counts.worker < 1)
    throw new Error(
      `BENCH_PROCESS_MATRIX: "${text}" is not <api processes>x<worker processes>, e.g. 2x2`,
    );
  return counts;
}
