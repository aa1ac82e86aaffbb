import { createHash } from 'node:crypto';

import type { FaultClass } from './scenario.model';
import { buildScenario } from './scenario-builder';
import { playScenario } from './scenario-player';

/**
 * The classes that existing tests and benchmark figures depend on play byte for byte as they did
 * before later classes were added: a digest of every event, the ground truth and the plan.
 */
const DIGESTS: [FaultClass, number, number, string][] = [
  ['backend-down', 2, 120, '6eb3aadc1514ab42fc025386254de972d6f16e72f6f3850cea261b2aa769ea2b'],
  ['one-db-of-several', 2, 120, '930bec637878033d5ddf3c92eb929e3f3bf21c674466ffb8769df079914e7883'],
  ['host-down', 2, 120, '2f73de2217cc140ba9bdd9fd09b3913a22fe685b925f57ad135ea136be3a8f1b'],
  ['cascade', 2, 120, 'a137b3cf86512e95b85d7cf3889b63b32bc8203b8b493f7ba4afb56e9b1f8077'],
  ['instance-local', 2, 120, '10383c06a22884a90b919d1f858625ac4c3ad6fbeefe0267447b9b680adc975f'],
  ['two-backends', 2, 120, 'c780cd6223c79d90166c919e0f5669474dd3cf8c4c4f94596316be8dc5ddc6c1'],
  ['late-evidence', 2, 120, 'cf468eb3ec5a8c622d9ba1729f2e2515c033b1b215e7c06e8d29fdccf7e369b3'],
  ['zone-outage', 2, 120, '0d20bd8ac0a6567f532cdad742c977a760feadbd33b4461db12596edfe00b0f6'],
  ['flaps-only', 2, 120, '4abde86eabd933710d5c6a02ad492c5163ee8abab400987ebd61392a463f0c91'],
  ['late-evidence', 1, 30, 'dd651db12d3911130721c59bdfa13955a0ecbc2429a48720e3628da7c4e144f8'],
];

describe('existing fault classes', () => {
  it.each(DIGESTS)(
    '%s, seed %i, %i instances: unchanged',
    (faultClass, seed, instances, digest) => {
      const scenario = buildScenario({ faultClass, seed, instances });
      const hash = createHash('sha256');
      const truths = playScenario(scenario, (e) => hash.update(JSON.stringify(e)));
      hash.update(JSON.stringify(truths));
      hash.update(JSON.stringify(scenario.faults));
      expect(hash.digest('hex')).toBe(digest);
    },
  );
});
