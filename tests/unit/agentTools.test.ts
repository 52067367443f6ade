// The agent's tool set: stable names, valid JSON Schemas, and recoverable messages for bad calls.
import { describe, expect, it } from 'vitest';
import { estimateCost, priceOf } from '../../src/agent/pricing.js';
import { parseToolCall, TOOL_NAMES, toolDefinitions } from '../../src/agent/tools.js';

describe('tools', () => {
  it('has exactly the stable tool names, with object schemas', () => {
    expect(TOOL_NAMES).toEqual([
      'browser_navigate',
      'browser_snapshot',
      'browser_find',
      'browser_click',
      'browser_type',
      'browser_select_option',
      'browser_press_key',
      'browser_hover',
      'browser_wait_for',
      'browser_screenshot',
      'browser_console_messages',
      'browser_network_requests',
      'report',
    ]);
    for (const def of toolDefinitions()) {
      expect(def.input_schema.type).toBe('object');
      expect(def.input_schema).not.toHaveProperty('$schema');
      expect(def.description.length).toBeGreaterThan(20);
    }
    const click = toolDefinitions().find((d) => d.name === 'browser_click');
    expect(click?.input_schema).toMatchObject({ required: ['ref', 'element'], additionalProperties: false });
  });

  it('turns unknown tools and invalid input into messages the model can act on', () => {
    expect(parseToolCall('browser_teleport', {})).toEqual({
      kind: 'invalid',
      message: expect.stringMatching(
        /^There is no tool named "browser_teleport"\. The tools are: browser_navigate, /,
      ),
    });
    expect(parseToolCall('browser_click', { ref: 5 })).toEqual({
      kind: 'invalid',
      message: expect.stringMatching(/^Invalid input for browser_click: ref: .*; element: /),
    });
    expect(parseToolCall('browser_wait_for', {})).toMatchObject({ kind: 'invalid' });
    expect(parseToolCall('browser_click', { ref: 'e3', element: 'Save', extra: 1 })).toMatchObject({
      kind: 'invalid',
    });
    expect(parseToolCall('browser_type', { ref: 'e3', element: 'Name', text: 'x' })).toEqual({
      kind: 'browser',
      name: 'browser_type',
      input: { ref: 'e3', element: 'Name', text: 'x' },
    });
  });

  it('checks that a verdict agrees with its findings', () => {
    const finding = { severity: 'error', title: 't', detail: 'd', steps: ['Open /'], evidence: [] };
    expect(parseToolCall('report', { verdict: 'fail', summary: 's', findings: [] })).toMatchObject({
      kind: 'invalid',
      message: expect.stringContaining('a "fail" verdict needs at least one finding with severity "error"'),
    });
    expect(parseToolCall('report', { verdict: 'pass', summary: 's', findings: [finding] })).toMatchObject({
      kind: 'invalid',
    });
    expect(parseToolCall('report', { verdict: 'fail', summary: 's', findings: [finding] })).toMatchObject({
      kind: 'report',
    });
    expect(
      parseToolCall('report', { verdict: 'fail', summary: 's', findings: [{ ...finding, steps: [] }] }),
    ).toMatchObject({
      kind: 'invalid',
    });
  });
});

describe('pricing', () => {
  it('prices input, output and cache tokens from one table', () => {
    // Sonnet: $3 in, $15 out, cache write 1.25×, cache read 0.1× input.
    expect(
      estimateCost('claude-sonnet-5-5', {
        inputTokens: 1_000_000,
        outputTokens: 100_000,
        cacheWriteTokens: 200_000,
        cacheReadTokens: 2_000_000,
      }),
    ).toBeCloseTo(3 + 1.5 + 0.75 + 0.6, 4);
    expect(priceOf('claude-haiku-5-5')).toEqual({ price: { input: 1, output: 5 }, known: true });
    expect(priceOf('some-proxy-model').known).toBe(false);
  });
});
