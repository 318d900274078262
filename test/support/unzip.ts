// Lives with the demo, which ships with the bot (src/demo/unzip.ts); the tests use it from here.
export * from '../../src/demo/unzip.ts';
