// Lives with the demo, which ships with the bot (src/demo/config.ts); the tests use it from here.
export * from '../../src/demo/config.ts';
