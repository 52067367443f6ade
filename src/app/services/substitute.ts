// `${...}` placeholders in a service's commands and env: its own `${port}` and `${dataDir}`, and
// `${services.NAME.port}` / `.host` / `.url` of the others. Resolved by us before the shell sees the
// command, so they work the same in every shell; anything else (`${HOME}`, `$PORT`) is left to the shell.

export interface ServiceAddress {
  port: number;
  host: string;
}

export interface Placeholders {
  own?: { port: number; dataDir: string };
  services: ReadonlyMap<string, ServiceAddress>;
}

const placeholder = /\$\{(?:services\.([^.}]+)\.(port|host|url)|(port|dataDir))\}/g;

export function substitute(text: string, values: Placeholders): string {
  return text.replace(placeholder, (whole, name?: string, field?: string, own?: string) => {
    if (own) return values.own ? String(own === 'port' ? values.own.port : values.own.dataDir) : whole;
    const address = name ? values.services.get(name) : undefined;
    if (!address) return whole;
    if (field === 'port') return String(address.port);
    if (field === 'host') return address.host;
    return `http://${address.host}:${address.port}`;
  });
}

export function substituteEnv(env: Record<string, string>, values: Placeholders): Record<string, string> {
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, substitute(v, values)]));
}
