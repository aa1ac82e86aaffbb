import { type NamedEntities, SeenEntities } from './seen-entities';

const named = (over: Partial<NamedEntities> = {}): NamedEntities => ({
  services: new Map([['billing', 100]]),
  hosts: new Map([['h1', { zone: 'az1', at: 100 }]]),
  backends: new Map([['backend:mysql://db:3306', { target: 'mysql://db:3306', at: 100 }]]),
  ...over,
});
const sizes = (n: NamedEntities) => [n.services.size, n.hosts.size, n.backends.size];

describe('SeenEntities', () => {
  it('drops what a committed batch already wrote, and keeps what could still change a row', () => {
    const seen = new SeenEntities(60_000, 1000);
    expect(sizes(seen.unseen(named(), 0))).toEqual([1, 1, 1]);
    seen.record(named());
    expect(sizes(seen.unseen(named(), 1))).toEqual([0, 0, 0]);
    // An earlier first sighting, a new zone: still written.
    const changed = seen.unseen(
      named({
        services: new Map([['billing', 50]]),
        hosts: new Map([['h1', { zone: 'az2', at: 100 }]]),
      }),
      2,
    );
    expect(sizes(changed)).toEqual([1, 1, 0]);
    // A report without a zone changes no host row.
    expect(
      sizes(seen.unseen(named({ hosts: new Map([['h1', { zone: null, at: 1 }]]) }), 3)),
    ).toEqual([0, 0, 0]);
  });

  it('forgets everything after its time to live, and past its capacity', () => {
    const seen = new SeenEntities(60_000, 5);
    seen.record(named());
    expect(sizes(seen.unseen(named(), 60_001))).toEqual([1, 1, 1]);
    seen.record(named());
    seen.record(named({ services: new Map(['a', 'b', 'c'].map((s) => [s, 1])) }));
    expect(sizes(seen.unseen(named(), 60_002))).toEqual([1, 1, 1]);
  });
});
