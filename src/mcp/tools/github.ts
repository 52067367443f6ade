import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { CoworkerError } from '../../errors.js';
import type { McpContext } from '../context.js';
import { guarded, toolResult } from '../results.js';
import { type AuthStatusView, authStatusOutput, type LoginView, loginOutput } from '../schemas.js';

function unavailable(): never {
  throw new CoworkerError(
    'AUTH_REQUIRED',
    'GitHub sign-in is not available in this myfav-coworker server.',
    'Set GH_TOKEN (or GITHUB_TOKEN) in the MCP server\'s environment ("env" in the client\'s config), or simulate a local repository path instead.',
  );
}

export function registerGithubTools(server: McpServer, ctx: McpContext): void {
  server.registerTool(
    'github_login',
    {
      title: 'Log in to GitHub',
      description:
        "Start signing the user in to GitHub, which simulate_pr needs for private repositories (public ones work without, within GitHub's low anonymous rate limit). Returns a URL and a one-time code at once: tell the user to open the URL and enter the code. The sign-in then completes in the background when they approve it; check it with github_auth_status. Not needed for local repositories.",
      inputSchema: {},
      outputSchema: loginOutput,
      annotations: {
        title: 'Log in to GitHub',
        readOnlyHint: false,
        destructiveHint: false,
        idempotentHint: false,
        openWorldHint: true,
      },
    },
    async () =>
      guarded(ctx.logger, async () => {
        const github = ctx.github ?? unavailable();
        const flow = await github.startLogin();
        const minutes = Math.max(1, Math.round(flow.expiresInSeconds / 60));
        const structured: LoginView = {
          host: flow.host,
          verification_uri: flow.verificationUri,
          user_code: flow.userCode,
          expires_in_s: Math.round(flow.expiresInSeconds),
          already_pending: flow.alreadyPending,
        };
        return toolResult(
          [
            flow.alreadyPending ? 'A sign-in is already waiting for the user.' : '',
            `To sign in to ${flow.host}, the user opens ${flow.verificationUri} and enters the code ${flow.userCode}.`,
            `The code is valid for about ${minutes} more minute(s). The sign-in completes in the background once they approve it; github_auth_status then shows who is logged in.`,
          ]
            .filter(Boolean)
            .join('\n'),
          structured,
        );
      }),
  );

  server.registerTool(
    'github_auth_status',
    {
      title: 'GitHub sign-in status',
      description:
        'Who is signed in to GitHub for myfav-coworker and where the token comes from (environment, OS keychain or token file), or what is wrong and what to do; also whether a sign-in started with github_login is still waiting for the user.',
      inputSchema: {},
      outputSchema: authStatusOutput,
      annotations: {
        title: 'GitHub sign-in status',
        readOnlyHint: true,
        destructiveHint: false,
        idempotentHint: true,
        openWorldHint: true,
      },
    },
    async () =>
      guarded(ctx.logger, async () => {
        const github = ctx.github ?? unavailable();
        const s = await github.status();
        const lines: string[] = [];
        if (s.loggedIn) {
          lines.push(
            `Signed in to ${s.host}${s.user ? ` as ${s.user}` : ''}${s.source ? ` (token from ${s.source})` : ''}.`,
          );
          if (s.problem) lines.push(`Note: ${s.problem}${s.fix ? ` ${s.fix}` : ''}`);
        } else {
          lines.push(s.problem ?? `Not signed in to ${s.host}.`);
          if (s.pendingLogin) {
            lines.push(
              `A sign-in is waiting: the user opens ${s.pendingLogin.verificationUri} and enters the code ${s.pendingLogin.userCode}.`,
            );
          } else {
            lines.push(
              `To sign in from here, call github_login and pass its URL and code on to the user.${s.fix ? ` In a terminal: ${s.fix}` : ''}`,
            );
          }
        }
        if (s.lastOutcome && !s.loggedIn) lines.push(s.lastOutcome);
        const structured: AuthStatusView = {
          logged_in: s.loggedIn,
          host: s.host,
          user: s.user ?? null,
          source: s.source ?? null,
          problem: s.problem ?? null,
          fix: s.fix ?? null,
          pending_login: s.pendingLogin
            ? { verification_uri: s.pendingLogin.verificationUri, user_code: s.pendingLogin.userCode }
            : null,
          last_outcome: s.lastOutcome ?? null,
        };
        return toolResult(lines.join('\n'), structured);
      }),
  );
}
