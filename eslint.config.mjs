import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

/**
 * DESIGN.md's import arrows: functions -> shared/runtime -> shared/{normalize,route,state,
 * dispatch} -> shared/model, and dispatch -> targets. For each folder, the folders of shared/
 * it must not reach into (by a relative import that climbs out of it). Nothing in shared/
 * imports functions/.
 */
const LAYERS = ['model', 'normalize', 'route', 'state', 'dispatch', 'targets', 'runtime', 'cli'];
const FORBIDDEN = {
  model: ['normalize', 'route', 'state', 'dispatch', 'targets', 'runtime', 'cli', 'log'],
  normalize: ['route', 'state', 'dispatch', 'targets', 'runtime', 'cli'],
  // route reads the settings schemas of the targets and stores router.yaml names.
  route: ['normalize', 'dispatch', 'runtime', 'cli'],
  state: ['normalize', 'route', 'dispatch', 'targets', 'runtime', 'cli'],
  dispatch: ['normalize', 'runtime', 'cli'],
  targets: ['normalize', 'route', 'dispatch', 'runtime', 'cli'],
  runtime: ['cli'],
  cli: [],
};

const NO_FUNCTIONS = { regex: '(^|/)functions(/|$)', message: 'Nothing in shared/ imports functions/ (DESIGN.md).' };

function layerRule(layer) {
  const forbidden = FORBIDDEN[layer];
  const patterns = [NO_FUNCTIONS];
  if (forbidden.length > 0) {
    patterns.push({
      regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
      message: `shared/${layer} must not import shared/{${forbidden.join(',')}}: DESIGN.md's dependencies point one way.`,
    });
  }
  return { files: [`shared/${layer}/**/*.ts`], rules: { 'no-restricted-imports': ['error', { patterns }] } };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.serverless/', '.esbuild/', 'out/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // CommonJS by necessity: the Serverless Framework require()s these files.
  { files: ['**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
  ...LAYERS.map(layerRule),
  {
    files: ['shared/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [NO_FUNCTIONS] }] },
  },
  {
    // A handler is a few lines over the runtime glue.
    files: ['functions/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^(\\.\\./)+shared/(?!runtime/)', message: 'functions/ import shared/runtime only (DESIGN.md).' }] },
      ],
    },
  },
  {
    // typescript-eslint's strictest type-checked rules.
    files: ['shared/**/*.ts', 'functions/**/*.ts', 'scripts/**/*.ts', 'bench/**/*.ts'],
    extends: [...tseslint.configs.strictTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Field paths and sizes (`alerts[${i}]`, `${bytes} bytes`) are numbers in messages by design.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
    },
  },
);
