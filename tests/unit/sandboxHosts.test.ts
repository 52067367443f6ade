import { describe, expect, it } from 'vitest';
import { hostAllowed, hostRuleOfUrl, parseHostRule } from '../../src/sandbox/hosts.js';

describe('sandbox host rules', () => {
  it('parses hosts, wildcards, ports and IPv6, and refuses URLs', () => {
    expect(parseHostRule('Registry.Example.com')).toEqual({ host: 'registry.example.com' });
    expect(parseHostRule('127.0.0.1:4873')).toEqual({ host: '127.0.0.1', port: 4873 });
    expect(parseHostRule('[::1]:8080')).toEqual({ host: '::1', port: 8080 });
    expect(parseHostRule('*.internal.example')).toEqual({ host: '*.internal.example' });
    expect(parseHostRule('https://registry.example.com/')).toBeUndefined();
    expect(parseHostRule('a b')).toBeUndefined();
  });

  it('takes the host and port of a registry URL', () => {
    expect(hostRuleOfUrl('https://npm.example.com/api/')).toEqual({ host: 'npm.example.com', port: 443 });
    expect(hostRuleOfUrl('http://127.0.0.1:4873/')).toEqual({ host: '127.0.0.1', port: 4873 });
    expect(hostRuleOfUrl('not a url')).toBeUndefined();
  });

  it('allows exactly what the rules say', () => {
    const rules = [
      { host: 'registry.npmjs.org' },
      { host: '*.corp.example' },
      { host: '127.0.0.1', port: 4873 },
    ];
    expect(hostAllowed(rules, 'registry.npmjs.org', 443)).toBe(true);
    expect(hostAllowed(rules, 'REGISTRY.npmjs.org', 80)).toBe(true);
    expect(hostAllowed(rules, 'evil-registry.npmjs.org', 443)).toBe(false);
    expect(hostAllowed(rules, 'npm.corp.example', 443)).toBe(true);
    expect(hostAllowed(rules, 'corp.example', 443)).toBe(false);
    expect(hostAllowed(rules, 'evilcorp.example', 443)).toBe(false);
    expect(hostAllowed(rules, '127.0.0.1', 4873)).toBe(true);
    expect(hostAllowed(rules, '127.0.0.1', 4874)).toBe(false);
  });
});
