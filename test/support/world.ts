// Lives with the demo, which ships with the bot (src/demo/world.ts); the tests use it from here.
export * from '../../src/demo/world.ts';
