// Lives with the demo, which ships with the bot (src/demo/wait.ts); the tests use it from here.
export * from '../../src/demo/wait.ts';
