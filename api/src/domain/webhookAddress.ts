// Where a budget alert webhook may point. A manager chooses the URL and Lumen's servers send
// to it, so without rules a webhook could probe the center's internal network (SSRF). The
// rules: https only in production, and no private, loopback, link-local, unique-local, CGNAT,
// multicast, reserved or unspecified address, in IPv4 or IPv6 (IPv4-mapped and other IPv6
// forms that embed an IPv4 address are judged by that address); LUMEN_ALLOW_HTTP_WEBHOOKS=true
// lifts both. The host is resolved and checked again at every delivery, and the connection
// goes to the checked address (webhookPost.ts), so a DNS answer that changes cannot bypass it.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { config } from '../config.ts';
import { badInput } from './errors.ts';

const MAX_URL_LENGTH = 2000;

const refused = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network", including the unspecified 0.0.0.0
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // CGNAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local, cloud metadata services
  ['172.16.0.0', 12],
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, and the broadcast address
] as const) {
  refused.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated, still private)
  ['fc00::', 7], // unique-local
  ['ff00::', 8], // multicast
  ['2001:db8::', 32], // documentation
  ['100::', 64], // discard
] as const) {
  refused.addSubnet(network, prefix, 'ipv6');
}

/** The 16 bytes of an IPv6 address (given as node's isIP accepts it). */
function ipv6Bytes(address: string): number[] {
  let text = address.split('%')[0].toLowerCase();
  // A trailing dotted IPv4 part (::ffff:1.2.3.4) becomes two groups.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted[1].split('.').map(Number);
    text = text.slice(0, -dotted[1].length) + `${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const zeros = tail === null ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  const groups = [...headGroups, ...zeros, ...tailGroups].map((g) => parseInt(g || '0', 16));
  return groups.flatMap((g) => [g >> 8, g & 0xff]);
}

const v4 = (bytes: number[]) => bytes.join('.');

/**
 * The IPv4 address an IPv6 address stands for, where it embeds one: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-compatible (::a.b.c.d), NAT64 (64:ff9b::/96) and 6to4 (2002::/16).
 */
function embeddedIpv4(bytes: number[]): string | null {
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  if (zero(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return v4(bytes.slice(12));
  if (zero(0, 12) && !zero(12, 16)) return v4(bytes.slice(12));
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zero(4, 12)) return v4(bytes.slice(12));
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return v4(bytes.slice(2, 6));
  return null;
}

/** True when an address is on the open internet: none of the ranges above. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !refused.check(address, 'ipv4');
  if (family !== 6) return false;
  const bytes = ipv6Bytes(address);
  const inner = embeddedIpv4(bytes);
  if (inner !== null && refused.check(inner, 'ipv4')) return false;
  const canonical = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16)).join(':');
  return !refused.check(canonical, 'ipv6');
}

/** Whether webhooks may use http and reach the internal network (LUMEN_ALLOW_HTTP_WEBHOOKS). */
const allowsInternal = () => config().allowHttpWebhooks;

/** The host of a URL as node's resolver and isIP take it (no IPv6 brackets). */
export const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

export class WebhookAddressError extends Error {}

/**
 * Resolves `host` and returns the address to connect to, refusing any that is not public
 * (unless allowed); every answer must pass, so one private address among public ones refuses.
 */
export async function resolveWebhookHost(host: string): Promise<{ address: string; family: 4 | 6 }> {
  const literal = isIP(host);
  const answers = literal
    ? [{ address: host, family: literal }]
    : await lookup(host, { all: true, verbatim: true }).catch(() => {
        throw new WebhookAddressError(`the host ${host} could not be resolved`);
      });
  if (answers.length === 0) throw new WebhookAddressError(`the host ${host} has no address`);
  if (!allowsInternal()) {
    const internal = answers.find((a) => !isPublicAddress(a.address));
    if (internal) {
      throw new WebhookAddressError(
        `${host === internal.address ? host : `the host ${host} resolves to ${internal.address}, which`} is a private, loopback, link-local or reserved address`,
      );
    }
  }
  return { address: answers[0].address, family: answers[0].family as 4 | 6 };
}

/**
 * Checks a webhook URL as saved, with a message a person can act on; returns it normalized.
 * The host is resolved now too, so a URL that points inside is refused at once, not at the
 * first delivery (which checks again).
 */
export async function requireWebhookUrl(value: string, field = 'webhookUrl'): Promise<string> {
  const text = String(value ?? '').trim();
  if (text.length === 0) throw badInput(`${field} is required: the https URL that receives the alerts`, field);
  if (text.length > MAX_URL_LENGTH) throw badInput(`${field} can be at most ${MAX_URL_LENGTH} characters long`, field);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput(`${field} is not a URL; give a full address such as https://example.org/lumen-alerts`, field);
  }
  const httpAllowed = config().env !== 'production' || allowsInternal();
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && httpAllowed)) {
    throw badInput(
      url.protocol === 'http:'
        ? `${field} must use https in production (an admin can allow http with LUMEN_ALLOW_HTTP_WEBHOOKS=true)`
        : `${field} must be an https URL (got ${url.protocol.replace(':', '')})`,
      field,
    );
  }
  if (url.username || url.password) {
    throw badInput(`${field} cannot contain a user name or password; receivers check the Lumen-Signature header instead`, field);
  }
  if (url.hash) throw badInput(`${field} cannot have a #fragment`, field);
  try {
    await resolveWebhookHost(hostOf(url));
  } catch (error) {
    if (!(error instanceof WebhookAddressError)) throw error;
    throw badInput(
      `${field} is refused: ${error.message}. Webhooks must reach a public address${allowsInternal() ? '' : ' (an admin can allow internal ones with LUMEN_ALLOW_HTTP_WEBHOOKS=true)'}`,
      field,
    );
  }
  return url.toString();
}
