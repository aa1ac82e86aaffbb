import { hostKey } from '@faultline/reports';

import { keyOf, record, SHAPE_CASES, within } from './spec-support';

describe('fault class: host-in-zone', () => {
  it.each(SHAPE_CASES)(
    'seed %i, %i instances: a small zone of 2-3 hosts loses one host, and only its instances go silent',
    (seed, instances) => {
      const { scenario, reports, truths } = record({ faultClass: 'host-in-zone', seed, instances });
      const topo = scenario.topology;
      const [truth] = truths;
      const { host } = scenario.faults[0].fault as { host: string };
      expect(truth.rootKey).toBe(hostKey(host));
      const dead = topo.hosts.get(host);
      const zone = dead?.zone as string;
      const zoneHosts = [...topo.hosts.values()].filter((h) => h.zone === zone);
      const zoneInstances = [...topo.instances.values()].filter((i) => i.zone === zone);
      // A small zone: 2-3 hosts carry every one of its instances, the dead one half or more of them.
      expect(zoneHosts.length).toBeGreaterThanOrEqual(2);
      expect(zoneHosts.length).toBeLessThanOrEqual(3);
      expect(zoneInstances.every((i) => zoneHosts.some((h) => h.name === i.host))).toBe(true);
      expect(2 * (dead?.instances.length ?? 0)).toBeGreaterThanOrEqual(zoneInstances.length);
      expect(dead?.instances.some((i) => topo.instances.get(i)?.serves)).toBe(false);
      // Reports carry the zone label.
      expect(
        reports
          .filter((r) => r.labels.zone === zone)
          .map(keyOf)
          .sort(),
      ).toEqual(
        reports
          .filter((r) => zoneInstances.some((i) => i.key === keyOf(r)))
          .map(keyOf)
          .sort(),
      );
      // During the outage only the dead host's instances are silent.
      const heard = new Set(within(reports, truth.startAt + 11_000, truth.endAt).map(keyOf));
      const silent = [...topo.instances.keys()].filter((k) => !heard.has(k)).sort();
      expect(silent).toEqual([...(dead?.instances ?? [])].sort());
      expect(truth.affected).toEqual(expect.arrayContaining(silent));
      // They come back after it.
      const back = new Set(within(reports, truth.endAt, truth.endAt + 11_000).map(keyOf));
      expect(silent.every((k) => back.has(k))).toBe(true);
    },
  );
});
