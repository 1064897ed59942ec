// Which addresses a budget alert webhook may reach (domain/webhookAddress.ts), one address at a
// time: the forms of IPv6 that carry an IPv4 address are judged by that address, so that
// none of them reaches the internal network that its IPv4 form may not.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isPublicAddress } from '../src/domain/webhookAddress.ts';

describe('isPublicAddress', () => {
  test('public IPv4 and IPv6 addresses pass', () => {
    for (const address of [
      '8.8.8.8',
      '1.1.1.1',
      '2606:4700:4700::1111',
      '2a00:1450:4001:82b::200e',
      '::ffff:8.8.8.8',
      '64:ff9b::808:808',
      '2002:808:808::1',
    ]) {
      assert.equal(isPublicAddress(address), true, address);
    }
  });

  test('private, loopback, link-local and reserved IPv4 addresses are refused', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.10',
      '100.64.0.1',
      '169.254.169.254',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '198.18.0.1',
    ]) {
      assert.equal(isPublicAddress(address), false, address);
    }
  });

  test('the same in IPv6, including zone ids and every spelling', () => {
    for (const address of [
      '::1',
      '::',
      'fe80::1',
      'fe80::1%eth0',
      'fe80::1%eth0.1',
      'FE80::1',
      'fd12:3456::1',
      'fc00::1',
      'ff02::1',
      '2001:db8::1',
      '0:0:0:0:0:0:0:1',
      '100::1',
    ]) {
      assert.equal(isPublicAddress(address), false, address);
    }
  });

  test('IPv6 forms that embed a private IPv4 address are refused', () => {
    for (const address of [
      '::ffff:127.0.0.1', // IPv4-mapped
      '::ffff:0:7f00:1', // IPv4-translated (SIIT) 127.0.0.1
      '::ffff:a00:1', // the same, in hex
      '0:0:0:0:0:ffff:7f00:1',
      '::127.0.0.1', // IPv4-compatible
      '::a9fe:a9fe', // IPv4-compatible 169.254.169.254
      '64:ff9b::a00:1', // NAT64 of 10.0.0.1
      '64:ff9b::169.254.169.254',
      '2002:a00:1::1', // 6to4 of 10.0.0.1
      '2002:7f00:1::', // 6to4 of 127.0.0.1
    ]) {
      assert.equal(isPublicAddress(address), false, address);
    }
  });

  test('what is not an address is not public', () => {
    for (const text of ['', 'localhost', '1.2.3', '::g', '1.2.3.4.5']) assert.equal(isPublicAddress(text), false, text);
  });
});
