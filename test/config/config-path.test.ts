import { describe, expect, it } from 'vitest';
import { configPathFrom } from '../../src/config/load.ts';

describe('configPathFrom', () => {
  it('--config PATH', () => {
    expect(configPathFrom(['--config', '/etc/dsar/bot.json'], {})).toEqual({ path: '/etc/dsar/bot.json', explicit: true });
  });

  it('--config=PATH', () => {
    expect(configPathFrom(['--demo', '--config=conf/bot.json'], {})).toEqual({ path: 'conf/bot.json', explicit: true });
  });

  it('the command line wins over DSAR_BOT_CONFIG, and the last --config wins', () => {
    expect(configPathFrom(['--config', 'a.json', '--config=b.json'], { DSAR_BOT_CONFIG: 'env.json' })).toEqual({ path: 'b.json', explicit: true });
  });

  it('DSAR_BOT_CONFIG when there is no --config', () => {
    expect(configPathFrom(['--demo'], { DSAR_BOT_CONFIG: '/srv/bot.config.json' })).toEqual({ path: '/srv/bot.config.json', explicit: true });
  });

  it('default ./bot.config.json, not explicit; an empty DSAR_BOT_CONFIG counts as unset', () => {
    expect(configPathFrom([], {})).toEqual({ path: './bot.config.json', explicit: false });
    expect(configPathFrom([], { DSAR_BOT_CONFIG: '' })).toEqual({ path: './bot.config.json', explicit: false });
  });

  it('--config without a value gives an empty path (loadConfig reports it)', () => {
    expect(configPathFrom(['--config'], { DSAR_BOT_CONFIG: 'env.json' })).toEqual({ path: '', explicit: true });
    expect(configPathFrom(['--config', '--demo'], {})).toEqual({ path: '', explicit: true });
  });

  it('arguments after "--" are not options', () => {
    expect(configPathFrom(['--', '--config', 'x.json'], {})).toEqual({ path: './bot.config.json', explicit: false });
  });
});
