// Where a budget alert webhook may point. A manager chooses the URL and Lumen's servers send
// to it, so without rules a webhook could probe the center's internal network (SSRF). The
// rules: https only in production, and no private, loopback, link-local, unique-local, CGNAT,
// multicast, reserved or unspecified address, in IPv4 or IPv6 (IPv4-mapped and other IPv6
// forms that embed an IPv4 address are judged by that address); LUMEN_ALLOW_HTTP_WEBHOOKS=true
// lifts both. The host is resolved and checked again at every delivery, and the connection
// goes to the checked address (webhookPost.ts), so a DNS answer that changes cannot bypass it.
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import ipaddr from 'ipaddr.js';
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

const v4 = (bytes: number[]) => bytes.join('.');

/**
 * The IPv4 address an IPv6 address stands for, where it embeds one: IPv4-mapped (::ffff:a.b.c.d),
 * IPv4-translated (::ffff:0:a.b.c.d), NAT64 (64:ff9b::/96), 6to4 (2002::/16) and the deprecated
 * IPv4-compatible form (::a.b.c.d, which has no range name of its own).
 */
function embeddedIpv4(ip: ipaddr.IPv6): string | null {
  const bytes = ip.toByteArray();
  switch (ip.range()) {
    case 'ipv4Mapped':
    case 'rfc6145':
    case 'rfc6052':
      return v4(bytes.slice(12));
    case '6to4':
      return v4(bytes.slice(2, 6));
  }
  const zero = (from: number, to: number) => bytes.slice(from, to).every((b) => b === 0);
  return zero(0, 12) && !zero(12, 16) ? v4(bytes.slice(12)) : null;
}

/** True when an address is on the open internet: none of the ranges above. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return !refused.check(address, 'ipv4');
  if (family !== 6) return false;
  // The zone id (fe80::1%eth0) says which interface, not which address: the ranges ignore it.
  const text = address.split('%')[0];
  // Node and ipaddr.js could disagree on some spelling: what cannot be judged is not public.
  if (!ipaddr.IPv6.isValid(text)) return false;
  const ip = ipaddr.IPv6.parse(text);
  const inner = embeddedIpv4(ip);
  if (inner !== null && refused.check(inner, 'ipv4')) return false;
  return !refused.check(ip.toNormalizedString(), 'ipv6');
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
