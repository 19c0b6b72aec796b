/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  // @middy/core is ESM-only: let the transform handle it.
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  testTimeout: 20000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
};
