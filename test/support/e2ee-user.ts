// Lives with the demo, which ships with the bot (src/demo/e2ee-user.ts); the tests use it from here.
export * from '../../src/demo/e2ee-user.ts';
