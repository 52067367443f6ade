// The auth API used by the CLI and the MCP server.
export type { EnvTokenName, TokenSource } from './envToken.js';
export type { DeviceLogin, DeviceLoginOptions, LoginResult, TokenLoginOptions } from './login.js';
export { loginScopes, loginWithToken, startDeviceLogin } from './login.js';
export type { LogoutResult } from './logout.js';
export { logout } from './logout.js';
export type { ResolvedToken } from './resolveToken.js';
export { resolveToken } from './resolveToken.js';
export { resolveHost } from './settings.js';
export type { AuthStatus } from './status.js';
export { authStatus } from './status.js';
export type { StoredToken, TokenStore } from './tokenStore.js';
