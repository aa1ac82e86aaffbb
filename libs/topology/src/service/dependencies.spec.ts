import { TopologyGraph } from '../topology-graph';
import { dependenciesIn } from './dependencies';

const DB = 'backend:mysql://db-1:3306';

describe('dependenciesIn', () => {
  const graph = new TopologyGraph();
  graph.observe({
    service: 'api',
    instance: 'api-1',
    host: 'c1',
    labels: { zone: 'az1' },
    checks: [{ targetKey: DB }],
  });
  graph.observe({
    service: 'web',
    instance: 'web-1',
    host: 'c2',
    labels: { zone: 'az2' },
    checks: [{ targetKey: 'backend:http://api-1:8080' }],
  });

  it('walks what a service depends on: its instances, their backends, hosts and zones', () => {
    expect(dependenciesIn(graph.exportAround('service:api', 3), 'service:api')).toEqual([
      DB,
      'host:c1',
      'instance:api/api-1',
      'zone:az1',
    ]);
  });

  it('never walks to dependents, and sees only the neighbourhood it is given', () => {
    const ofDb = dependenciesIn(graph.exportAround(DB, 3), DB);
    expect(ofDb).not.toContain('instance:api/api-1');
    expect(ofDb).not.toContain('service:api');
    expect(dependenciesIn(graph.exportAround('service:api', 1), 'service:api')).toEqual([
      'instance:api/api-1',
    ]);
  });
});
