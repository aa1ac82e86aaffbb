// Module boundaries, checked by `npm run lint` (dependency-cruiser over the TypeScript sources).
// - apps and libs reach another lib only through its public entry, `@faultline/<lib>`;
// - libs never import apps;
// - the pure parts (the report model, format adapters, the graph, the correlation engine, the
//   simulator, notification planning and rendering) import no framework, driver or queue, and
//   nothing of Faultline that does (a lib's framework side has its own entry, <lib>/service);
// - no import cycles.
const PURE = [
  '^libs/reports/src/',
  '^libs/changes/src/(?!service/)',
  '^libs/formats/src/',
  '^libs/topology/src/(?!service/)',
  '^libs/correlation/src/(engine/|index\\.ts$)',
  '^libs/simulator/src/',
  '^libs/notifications/src/messages/',
  '^libs/notifications/src/routing/(notification-planner|incident-matcher)\\.ts$',
];
// A lib's public entries: the pure one, and for libs with a framework side, `service/`.
const LIB_ENTRY = '^libs/[^/]+/src/(service/)?index\\.ts$';
const INFRASTRUCTURE =
  '(^|/)node_modules/(@nestjs|typeorm|bullmq|ioredis|pg|pg-copy-streams|nodemailer|fastify)/';

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order matter and hide which module owns what.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'libs-not-apps',
      severity: 'error',
      comment: 'Libraries are used by apps, never the other way round.',
      from: { path: '^libs/' },
      to: { path: '^apps/' },
    },
    {
      name: 'apps-use-lib-entry',
      severity: 'error',
      comment: 'Apps import a lib only as @faultline/<lib> or @faultline/<lib>/service.',
      from: { path: '^(apps|bench|test)/' },
      to: { path: '^libs/[^/]+/src/', pathNot: LIB_ENTRY },
    },
    {
      name: 'libs-use-lib-entry',
      severity: 'error',
      comment: 'One lib imports another only as @faultline/<lib> or @faultline/<lib>/service.',
      from: { path: '^libs/([^/]+)/' },
      to: { path: '^libs/', pathNot: ['^libs/$1/', LIB_ENTRY] },
    },
    {
      name: 'pure-imports-pure',
      severity: 'error',
      comment: 'Pure code imports only pure Faultline code (type-only imports excepted).',
      from: { path: PURE },
      to: {
        path: '^libs/',
        pathNot: PURE,
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'pure-no-infrastructure',
      severity: 'error',
      comment:
        'Pure code takes data and returns data: no framework, database, queue or network, even through another module.',
      from: { path: PURE },
      to: { path: INFRASTRUCTURE, reachable: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)dist/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
