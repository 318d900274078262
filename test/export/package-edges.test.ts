// The package at its edges: split into parts at a small upload limit, a user with no data at
// all, hostile names and messages, paths nobody chose, and a crash or a cancel half-way.
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportUserData } from '../../src/export/package/export.ts';
import { packageDir, readPackage, removePackage, removeStalePartials, workDir } from '../../src/export/package/package.ts';
import { isSafeEntryPath } from '../../src/export/package/paths.ts';
import { chromiumMissing, useChromium } from '../support/chromium.ts';
import { readPackageBack, unpack } from './read-package.ts';
import { ALICE, BOB, type ExportWorld, PNG, seedAlice, startExportWorld } from './seed.ts';

let world: ExportWorld | null = null;
afterEach(async () => {
  await world?.close();
  world = null;
});

const exportsOf = (w: ExportWorld) => path.join(w.dir, 'exports');
const run = (w: ExportWorld, userId = ALICE, extra: Partial<Parameters<typeof exportUserData>[0]> = {}) =>
  exportUserData({ homeserver: w.homeserver, userId, config: w.config, outputDir: exportsOf(w), name: 'R-TEST', ...extra });

describe('splitting', () => {
  it('splits a package bigger than the upload limit into parts, each a zip within the limit, with one manifest for all', async () => {
    const limit = 64 * 1024;
    world = await startExportWorld(
      'synapse',
      (hs) => {
        seedAlice(hs);
        // Four files of 40 KiB, one of 150 KiB (bigger than any part: it is cut in pieces), and a long history.
        for (let i = 0; i < 4; i++) hs.model.uploadGeneratedMedia(ALICE, { contentType: 'video/mp4', length: 40 * 1024, filename: `clip${i}.mp4` });
        hs.model.uploadGeneratedMedia(ALICE, { contentType: 'application/pdf', length: 150 * 1024, filename: 'big.pdf' });
        const room = hs.model.createRoom(ALICE, { name: 'Diary' });
        hs.model.appendMessages(room, ALICE, 3000, (i) => `diary entry ${i}: ${'words '.repeat(i % 20)}`);
      },
      { uploadLimit: limit },
    );
    const pkg = await run(world);
    expect(pkg.parts.length).toBeGreaterThan(3);
    for (const part of pkg.parts) expect(part.size).toBeLessThanOrEqual(limit);
    expect(pkg.parts.map((p) => p.fileName)).toEqual(
      pkg.parts.map((p) => `matrix-data-${pkg.generatedAt.slice(0, 10)}-part-${p.number}-of-${pkg.parts.length}.zip`),
    );
    const read = await readPackageBack(exportsOf(world), pkg);
    const big = read.manifest.files.find((f) => f.chunks !== undefined && f.path.endsWith('.pdf'));
    expect(big?.path).toMatch(/^media\/\d+\.pdf$/);
    expect(big!.chunks!.length).toBeGreaterThan(2);
    expect(read.files.get(big!.path)!.length).toBe(150 * 1024);
    const diary = read.json('data/rooms.json').data.rooms.find((r: any) => r.name === 'Diary');
    const lines = read
      .text(diary.messages_file)
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.filter((e) => e.type === 'm.room.message').map((e) => e.content.body)).toEqual(
      Array.from({ length: 3000 }, (_, i) => `diary entry ${i}: ${'words '.repeat(i % 20)}`),
    );
  });

  it('refuses a limit too small to hold even the manifest, and leaves nothing behind', async () => {
    world = await startExportWorld('synapse', (hs) => void seedAlice(hs));
    await expect(run(world, ALICE, { partLimit: 2000 })).rejects.toThrow(/cannot hold even the manifest/);
    expect(readdirSync(exportsOf(world))).toEqual([]);
  });
});

describe('files the server cannot send', () => {
  it('lists a file whose download keeps failing, with the reason, and completes the export', async () => {
    world = await startExportWorld('synapse', (hs) => void seedAlice(hs));
    const notes = world.hs.model.mediaOf(ALICE).find((m) => m.filename === 'notes.txt')!;
    world.hs.faults.add({ path: new RegExp(`/download/example\\.org/${notes.mediaId}$`), kind: 'drop', times: 100 });
    const pkg = await run(world);
    const read = await readPackageBack(exportsOf(world), pkg);
    const entry = read.json('data/media.json').data.find((m: any) => m.upload_name === 'notes.txt');
    expect(entry.file).toBeNull();
    expect(entry.unavailable).toMatch(/^the server failed to send this file \(.*dropped the connection/);
    expect(pkg.counts.mediaUnavailable).toBe(2);
    expect(read.text('index.html')).toContain('the server failed to send this file');
  });
});

describe('a user with no data at all', () => {
  it('still gets a complete package that says so', async () => {
    world = await startExportWorld('synapse', (hs) => {
      hs.model.addUser({ localpart: 'quiet' });
      hs.model.removeDevicesAndTokens('@quiet:example.org');
    });
    const pkg = await run(world, '@quiet:example.org');
    expect(pkg.counts).toEqual({ rooms: 0, events: 0, messages: 0, mediaFiles: 0, mediaBytes: 0, mediaUnavailable: 0 });
    const read = await readPackageBack(exportsOf(world), pkg);
    expect(read.json('data/rooms.json').data.rooms).toEqual([]);
    expect(read.json('data/media.json').data).toEqual([]);
    expect(read.json('data/devices.json').data.devices).toEqual([]);
    expect(read.text('index.html')).toContain('You have sent nothing in any room.');
    expect([...read.files.keys()].filter((p) => p.startsWith('data/messages/') || p.startsWith('media/'))).toEqual([]);
  });

  it('is refused for a user the server does not have', async () => {
    world = await startExportWorld('synapse', () => {});
    await expect(run(world, '@ghost:example.org')).rejects.toMatchObject({ reason: 'no-such-user' });
  });
});

describe('names and messages nobody should trust', () => {
  const SCRIPT = '<script>window.__pwned = "script"</script>';
  const IMG = '<img src=x onerror="window.__pwned = \'img\'">';
  const JS_LINK = '<a href="javascript:window.__pwned=\'link\'">click me</a>';
  const PATHS = ['../../../etc/passwd', '/etc/shadow', 'C:\\Windows\\evil.exe', 'nul\u0000byte.txt', `${'long'.repeat(80)}.png`];
  const chromium = useChromium();

  const seedHostile = (w: { model: any }) => {
    const m = w.model;
    m.addUser({ localpart: 'mallory', displayName: `Mallory ${SCRIPT}${IMG}` });
    m.addUser({ localpart: 'bob', displayName: 'Bob' });
    const room = m.createRoom(BOB, { name: `Room ${IMG}${JS_LINK}`, topic: SCRIPT, invite: ['@mallory:example.org'] });
    m.join(room, '@mallory:example.org');
    for (const body of [SCRIPT, IMG, JS_LINK, '"><svg onload=alert(1)>']) m.sendMessage(room, '@mallory:example.org', body, { formattedBody: body });
    for (const name of [...PATHS, `${SCRIPT}.png`, `${JS_LINK}.pdf`]) {
      const mxc = m.uploadMedia('@mallory:example.org', {
        contentType: name.endsWith('.pdf') ? 'application/pdf' : 'text/html',
        bytes: Buffer.from(SCRIPT),
        filename: name,
      });
      m.sendMessage(room, '@mallory:example.org', name, { msgtype: 'm.file', extraContent: { url: mxc, filename: name } });
    }
    m.uploadMedia('@mallory:example.org', { contentType: '../../image/png', bytes: PNG, filename: 'type.png' });
  };

  it('never lets a chosen name reach a path in the zip', async () => {
    world = await startExportWorld('synapse', (hs) => seedHostile(hs));
    const pkg = await run(world, '@mallory:example.org');
    const read = await readPackageBack(exportsOf(world), pkg);
    for (const name of read.parts[0]!.keys()) {
      expect(name === 'manifest.json' || isSafeEntryPath(name), name).toBe(true);
      for (const chosen of ['etc', 'passwd', 'shadow', 'Windows', 'nul', 'long', 'script', '..'])
        expect(name.includes(chosen), `${name} contains ${chosen}`).toBe(false);
    }
    // HTML uploads are kept, but as inert .bin files; the upload names are data inside the JSON.
    const media = read.json('data/media.json').data;
    expect(media.filter((m: any) => m.content_type === 'text/html').every((m: any) => m.file.endsWith('.bin'))).toBe(true);
    expect(media.map((m: any) => m.upload_name)).toEqual(expect.arrayContaining(PATHS));
  });

  it.skipIf(chromiumMissing)('runs nothing in a browser: no script, no image handler, no javascript: link', async () => {
    world = await startExportWorld('synapse', (hs) => seedHostile(hs));
    const pkg = await run(world, '@mallory:example.org');
    const read = await readPackageBack(exportsOf(world), pkg);
    const page = await chromium().context.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    try {
      await page.goto(unpack(read, path.join(world.dir, 'unzipped')));
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's page.innerText, the text as the page shows it.
      const text = await page.innerText('body');
      // The hostile strings are shown, as text.
      expect(text).toContain(SCRIPT);
      expect(text).toContain('Mallory');
      expect(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned)).toBeUndefined();
      expect(await page.locator('script').count()).toBe(0);
      expect(await page.locator('img, svg, iframe, object, embed').count()).toBe(0);
      expect(await page.locator('[onerror], [onload], [onclick]').count()).toBe(0);
      const hrefs = await page.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href') ?? ''));
      expect(
        hrefs.filter(
          (h) => !/^(#[a-zA-Z0-9-]+|mailto:[^:]+|(\.\.\/)?(index\.html|data\/[a-zA-Z/0-9.]+|media\/\d+\.[a-z0-9]+|pages\/room-\d+-\d+\.html))$/.test(h),
        ),
      ).toEqual([]);
      // Clicking every link leaves the page harmless.
      for (const link of await page.locator('a[href^="media/"]').all()) await link.click({ modifiers: ['ControlOrMeta'] }).catch(() => {});
      expect(await page.evaluate(() => (globalThis as { __pwned?: string }).__pwned)).toBeUndefined();
      expect(dialogs).toEqual([]);
      expect(requests.every((u) => u.startsWith('file://'))).toBe(true);
    } finally {
      await page.close();
    }
  });
});

describe('a crash, a cancel, a second run', () => {
  it('clears what an interrupted run left, and makes exactly one package', async () => {
    world = await startExportWorld('synapse', (hs) => void seedAlice(hs));
    const stale = workDir(exportsOf(world), 'R-TEST');
    mkdirSync(path.join(stale, 'out'), { recursive: true });
    writeFileSync(path.join(stale, 'out', 'matrix-data-half.zip'), 'half a zip');
    const pkg = await run(world);
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(exportsOf(world))).toEqual(['R-TEST']);
    expect(readdirSync(packageDir(exportsOf(world), 'R-TEST')).sort()).toEqual([pkg.parts[0]!.fileName, 'package.json'].sort());
    // A job restarted after it finished gets the same package back, without asking the server again.
    const asked = world.hs.requests.length;
    expect(await run(world)).toEqual(pkg);
    expect(world.hs.requests.length).toBe(asked);
    expect(await readPackage(exportsOf(world), 'R-TEST')).toEqual(pkg);
  });

  it('stops when cancelled, leaving no package and no leftovers', async () => {
    world = await startExportWorld('synapse', (hs) => {
      seedAlice(hs);
      const room = hs.model.createRoom(ALICE, { name: 'Long' });
      hs.model.appendMessages(room, ALICE, 5000, (i) => `entry ${i}`);
    });
    world.hs.faults.add({ path: /\/messages$/, kind: 'latency', latencyMs: 50, times: 1000 });
    const controller = new AbortController();
    const running = run(world, ALICE, {
      signal: controller.signal,
      onProgress: (p) => (p.events > 0 ? controller.abort(new Error('cancelled by the user')) : undefined),
    });
    await expect(running).rejects.toThrow('cancelled by the user');
    expect(readdirSync(exportsOf(world))).toEqual([]);
  });

  it('removes stale work folders at start-up, except those still in use, and deletes a package at expiry', async () => {
    world = await startExportWorld('synapse', (hs) => void seedAlice(hs));
    const dir = exportsOf(world);
    for (const name of ['R-OLD', 'R-BUSY']) mkdirSync(workDir(dir, name), { recursive: true });
    mkdirSync(path.join(dir, 'unrelated.partial-not'), { recursive: true });
    expect(await removeStalePartials(dir, new Set(['R-BUSY']))).toEqual(['R-OLD']);
    expect(readdirSync(dir).sort()).toEqual(['R-BUSY.partial', 'unrelated.partial-not']);
    await run(world);
    await removePackage(dir, 'R-TEST');
    expect(existsSync(packageDir(dir, 'R-TEST'))).toBe(false);
  });
});
