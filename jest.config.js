// Unit specs live beside the code (libs/, apps/); e2e specs in test/ talk to the real Postgres and Redis.
const moduleNameMapper = {
  '^@faultline/migrations$': '<rootDir>/migrations',
  // A lib's framework side (Nest, Postgres) has its own entry beside the pure one.
  '^@faultline/([^/]+)/service$': '<rootDir>/libs/$1/src/service',
  '^@faultline/(.*)$': '<rootDir>/libs/$1/src',
};
const transform = {
  '^.+\\.ts$': 'ts-jest',
  // content-disposition (under @fastify/static, which serves the OpenAPI UI) ships ESM only;
  // Node 20 loads it natively, jest's CommonJS runtime needs it compiled.
  '/node_modules/content-disposition/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true } }],
};
const transformIgnorePatterns = ['/node_modules/(?!content-disposition/)'];

module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      rootDir: __dirname,
      roots: ['<rootDir>/libs', '<rootDir>/apps'],
      testRegex: '\\.spec\\.ts$',
      moduleNameMapper,
      transform,
      transformIgnorePatterns,
    },
    {
      displayName: 'e2e',
      testEnvironment: 'node',
      rootDir: __dirname,
      roots: ['<rootDir>/test'],
      testRegex: '\\.e2e-spec\\.ts$',
      moduleNameMapper,
      transform,
      transformIgnorePatterns,
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/support/setup-e2e.ts'],
    },
  ],
};
