// Observation size per agent step — the cost driver of a browser agent: each step's result stays in the
// conversation and is re-read by every later step. For the same steps on the same pages, side by side:
// Playwright's full AI snapshot (`page.ariaSnapshot({ mode: 'ai' })`, what Playwright MCP sends after each
// action) and what our agent is sent (src/browser/snapshotDiff.ts: only what changed, bounded), including
// the results of browser_find (snapshotFind.ts) and of expanding an outlined part (browser_snapshot {ref}).
// The budget: the largest observation stays ≤ 25 % of Playwright's full snapshot of the same state.
//
// Tokens: a documented estimate, 4 characters per token (src/agent/tokens.ts). With ANTHROPIC_API_KEY set,
// the API's own count (`messages.countTokens`) is added for both texts.
//
// Pages: the demo app's feature branch (fixtures/demo-app) and a heavy API-reference page
// (fixtures/large-page, 80 operations).
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildDemoRepo } from '../../fixtures/buildDemoRepo.js';
import { git } from '../../fixtures/isolatedGit.js';
import { startNodeServer } from './lib/nodeServer.js';

export default async function observation(ctx) {
  const dist = ctx.module;
  const { openBrowserSession } = await dist('browser/session.js');
  const { discoverBrowser } = await dist('browser/discover.js');
  const { openAgentTab } = await dist('browser/agentTab.js');
  const { parseToolCall, runBrowserTool } = await dist('agent/tools.js');
  const { startStaticServer } = await dist('app/staticServer.js');
  const { estimateTokens } = await dist('agent/tokens.js');
  const counter = await tokenCounter(dist);

  const work = mkdtempSync(path.join(os.tmpdir(), 'myfav-bench-obs-'));
  const executable = await discoverBrowser();
  const stops = [];
  try {
    const { repoPath } = await buildDemoRepo(path.join(work, 'demo'));
    const featureDir = path.join(work, 'feature');
    await git(repoPath, ['worktree', 'add', '--quiet', '--detach', featureDir, 'feature/stats']);
    const demo = await startNodeServer(featureDir);
    stops.push(demo.stop);
    const large = await startStaticServer(path.join(ctx.root, 'fixtures', 'large-page'));
    stops.push(() => large.stop());

    const rows = [];
    const totals = [];
    const largest = [];
    const measure = async (label, origin, steps) => {
      ctx.log(`observations on ${label}`);
      const session = await openBrowserSession({ executable, origin });
      try {
        let current = null;
        const seen = [];
        const browser = await openAgentTab(session, `${origin}/`, {
          artifactDir: path.join(work, 'artifacts'),
          onObservation: (full, sent, kind) => {
            current = { full, sent, kind };
          },
        });
        seen.push({ step: 'open /', ...current });
        // What the agent has read so far, newest first: refs are looked up where the agent would.
        const texts = [browser.initial.text];
        const ref = (line) => refIn(texts, line);
        let n = 0;
        const tool = (name, input) => {
          const parsed = parseToolCall(name, input);
          if (parsed.kind !== 'browser') throw new Error(`${name}: ${JSON.stringify(parsed)}`);
          return runBrowserTool(browser, parsed.name, parsed.input, { label: `bench-${++n}` });
        };
        for (const [name, run] of steps) {
          current = null;
          const outcome = await run(tool, ref);
          if (!outcome.ok) throw new Error(`${label}: "${name}" failed: ${outcome.text.slice(0, 300)}`);
          texts.unshift(outcome.text);
          seen.push({ step: name, ...current });
        }
        await browser.close();
        let fullSum = 0;
        let sentSum = 0;
        let worst = null;
        for (const s of seen) {
          const share = s.full ? s.sent.length / s.full.length : 0;
          if (!worst || share > worst.share)
            worst = { step: s.step, share, sent: s.sent.length, full: s.full.length };
          const full = estimateTokens(s.full);
          const sent = estimateTokens(s.sent);
          fullSum += full;
          sentSum += sent;
          const counted = counter ? [await counter(s.full), s.sent ? await counter(s.sent) : 0] : null;
          rows.push([
            label,
            s.step,
            s.kind,
            full,
            sent,
            `${Math.round((sent / full) * 100)}%`,
            counted ? `${counted[0]} / ${counted[1]}` : '-',
          ]);
        }
        totals.push([label, fullSum, sentSum]);
        largest.push([label, worst]);
        rows.push([
          label,
          `all ${seen.length} steps`,
          '',
          fullSum,
          sentSum,
          `${Math.round((sentSum / fullSum) * 100)}%`,
          '',
        ]);
      } finally {
        await session.close();
      }
    };

    await measure('demo /', demo.origin, [
      [
        'type "stand" in Search notes',
        (t, ref) =>
          t('browser_type', { ref: ref(/searchbox "Search notes"/), element: 'Search notes', text: 'stand' }),
      ],
      [
        'click Clear search',
        (t, ref) => t('browser_click', { ref: ref(/button "Clear search"/), element: 'Clear' }),
      ],
      [
        'add a note',
        (t, ref) =>
          t('browser_type', { ref: ref(/textbox "Note"/), element: 'Note', text: 'Buy milk', submit: true }),
      ],
      ['open /stats.html', (t) => t('browser_navigate', { url: '/stats.html' })],
      [
        'click Notes (nav)',
        (t, ref) => t('browser_click', { ref: ref(/link "Notes"/), element: 'Notes link' }),
      ],
    ]);
    await measure('large page', large.origin, [
      ['find "refund" (buttons)', (t) => t('browser_find', { text: 'refund', role: 'button' })],
      [
        'click Issue refund (ref from find)',
        (t, ref) => t('browser_click', { ref: ref(/button "Issue refund"/), element: 'Issue refund' }),
      ],
      ['find "billing" (headings)', (t) => t('browser_find', { text: 'billing', role: 'heading' })],
      ['find "scope" (81 matches, capped)', (t) => t('browser_find', { text: 'scope' })],
      ['expand region Billing', (t, ref) => t('browser_snapshot', { ref: ref(/region "Billing"/) })],
      [
        'expand the operations list (sidebar)',
        (t, ref) => t('browser_snapshot', { ref: ref(/- list(?= \[ref=)/) }),
      ],
      [
        'click Try list users',
        (t, ref) => t('browser_click', { ref: ref(/button "Try List users"/), element: 'Try' }),
      ],
      [
        'click Show response schema',
        (t, ref) =>
          t('browser_click', { ref: ref(/button "Show response schema"/), element: 'Show response schema' }),
      ],
      [
        'type "billing" in Filter',
        (t, ref) =>
          t('browser_type', {
            ref: ref(/searchbox "Filter operations"/),
            element: 'Filter',
            text: 'billing',
          }),
      ],
      [
        'clear the filter',
        (t, ref) =>
          t('browser_type', { ref: ref(/searchbox "Filter operations"/), element: 'Filter', text: '' }),
      ],
      ['press Tab', (t) => t('browser_press_key', { key: 'Tab' })],
    ]);

    return {
      title: 'Agent observation size per step (tokens ≈ characters / 4)',
      columns: [
        'page',
        'step',
        'sent as',
        'full snapshot',
        'sent',
        'sent/full',
        counter ? 'API count full / sent' : 'API count',
      ],
      rows,
      notes: [
        '"full snapshot" = Playwright\'s page.ariaSnapshot({ mode: "ai" }) at that step (what Playwright MCP returns after each action);',
        '"sent" = the snapshot part of our tool result: only what changed ("diff"), nothing ("unchanged"), a new page whole but fitted to 12,000 characters ("full": opened breadth first, the rest as one-line outlines naming what they hide, with refs), a part expanded by ref ("part", fitted the same way) or browser_find\'s matches ("find", at most 20 lines / 4,000 characters).',
        ...largest.map(
          ([label, w]) =>
            `${label}: the largest observation relative to its state is ${w.step}: ${w.sent} characters, ${Math.round(w.share * 100)}% of Playwright's full snapshot of that state (${w.full})${label === 'large page' ? ' — the budget is 25%' : ''}.`,
        ),
        ...totals.map(
          ([label, full, sent]) =>
            `${label}: ${sent} of ${full} estimated tokens over the run (${Math.round((sent / full) * 100)}%).`,
        ),
        counter
          ? 'API counts from messages.countTokens (ANTHROPIC_API_KEY set).'
          : "Set ANTHROPIC_API_KEY to add the API's own token counts.",
      ],
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => {});
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * The ref of the newest element matching `line` in what the agent has read (texts newest first): the
 * ref right after the match, which is the element's own also inside an outline line that names it.
 */
function refIn(texts, line) {
  const at = new RegExp(`(?:${line.source})[^\\[\\n]*\\[ref=([a-z0-9]+)\\]`, line.flags.replace('g', ''));
  for (const text of texts) {
    const l = text
      .split('\n')
      .reverse()
      .find((t) => at.test(t));
    const ref = l && at.exec(l)?.[1];
    if (ref) return ref;
  }
  throw new Error(`no ref for ${line}`);
}

/** messages.countTokens through our client, when a key is set. */
async function tokenCounter(dist) {
  const key = process.env.ANTHROPIC_API_KEY;
  if (!key) return null;
  const { createAnthropicClient } = await dist('agent/client.js');
  const { DEFAULT_MODEL } = await dist('agent/settings.js');
  const { createLogger } = await dist('log.js');
  const client = await createAnthropicClient({ apiKey: key, logger: createLogger() });
  const model = process.env.MYFAV_MODEL || DEFAULT_MODEL;
  return async (text) =>
    (await client.messages.countTokens({ model, messages: [{ role: 'user', content: text || '-' }] }))
      .input_tokens;
}
