// The layers of src/, lowest first (README: "Formatting and linting"). A file may import
// files of its own layer and of the layers below it, never of a layer above: data and calls
// run down from the bot's entry points to the foundations, and a helper that a lower layer
// needs lives in that lower layer. `npm run lint` runs this check (depcruise src).
const LAYERS = [
  // Foundations: no I/O of their own beyond a file or a log line; libraries' patches.
  { name: 'foundations', paths: ['src/log.ts', 'src/backoff.ts', 'src/startup-error.ts', 'src/config/', 'src/render/', 'src/patches/'] },
  // The outside world: the homeserver, the database, Matrix and its encryption, mail.
  { name: 'adapters', paths: ['src/homeserver/', 'src/store/', 'src/matrix/', 'src/crypto/', 'src/sync/', 'src/mail/'] },
  // What the bot is for: requests and their lifecycle, the jobs that carry them out.
  {
    name: 'domain',
    paths: ['src/requests/', 'src/erasure/', 'src/export/', 'src/inventory/', 'src/escalation/', 'src/notify/', 'src/report/', 'src/audit/', 'src/jobs/'],
  },
  // One file a command: parse, ask the desks, render the reply.
  { name: 'commands', paths: ['src/commands/'] },
  // Events in, replies out; the one place that builds everything.
  { name: 'bot', paths: ['src/bot/'] },
  // Processes: start-up checks, the bot's entry points, the command-line tools, the demo.
  { name: 'entry', paths: ['src/startup/', 'src/cli/', 'src/main.ts', 'src/run.ts', 'src/launch.ts', 'src/demo/'] },
];

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pattern = (paths) => `^(${paths.map(escape).join('|')})`;

const upward = LAYERS.slice(0, -1).map((layer, index) => ({
  name: `${layer.name}-imports-upward`,
  comment: `${layer.name} may import only ${LAYERS.slice(0, index + 1).map((l) => l.name).join(', ')}: move the helper to the layer of its users`,
  severity: 'error',
  from: { path: pattern(layer.paths) },
  to: { path: pattern(LAYERS.slice(index + 1).flatMap((l) => l.paths)) },
}));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'no-layer',
      comment: 'every file of src/ belongs to a layer: add its folder to LAYERS in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: [pattern(LAYERS.flatMap((l) => l.paths)), '^src/test-homeserver/'] },
      to: {},
    },
    {
      name: 'test-homeserver-stands-alone',
      comment: 'the test homeserver is a product of its own: it imports nothing of the bot',
      severity: 'error',
      from: { path: '^src/test-homeserver/' },
      to: { path: '^src/', pathNot: '^src/test-homeserver/' },
    },
    {
      name: 'bot-without-test-homeserver',
      comment: 'the bot never loads the test homeserver; only the demo runs one',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/test-homeserver/', '^src/demo/'] },
      to: { path: '^src/test-homeserver/' },
    },
    {
      name: 'bot-process-without-the-zip-library',
      comment:
        'the bot has packages made in a process of its own (export/process/export-worker.ts): the zip library and the package-making code stay out of the bot process, whose memory the operator watches (about 15 MiB)',
      severity: 'error',
      from: { path: '^src/(main|run)\\.ts$' },
      to: { path: 'node_modules/archiver/', reachable: true },
    },
    {
      name: 'no-circular',
      comment: 'files that import each other in a circle (type-only imports included) cannot be read or moved apart',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    // TypeScript 7 has no compiler API for dependency-cruiser to parse with; swc parses the .ts
    // files, and sees type-only imports too (a type is a dependency on the file that declares it).
    parser: 'swc',
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.json'] },
  },
};
