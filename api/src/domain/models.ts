// The models a center offers, with their prices in coins per million tokens.
import { db } from '../db/current.ts';
import type { AccessRule } from '../generated/prisma/client.ts';
import { recordAudit } from './audit.ts';
import { parseCoins, PRICE_SCALE, requireNonNegative } from './coins.ts';
import { badInput } from './errors.ts';
import { requireName, requireWholeNumber } from './input.ts';
import { isAllowedUpstreamKeyEnv, UPSTREAM_KEY_ENV_RULE } from './upstreamKeys.ts';
import type { Viewer } from './viewer.ts';

/** The names Model.provider may hold; providers/index.ts maps each to its implementation. */
export const PROVIDERS = ['echo', 'openai-compatible'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

export interface CreateModelInput {
  name: string;
  provider: string;
  upstreamModel: string;
  upstreamBaseUrl?: string | null;
  upstreamKeyEnv?: string | null;
  inputCoinsPerMillion: string;
  outputCoinsPerMillion: string;
  maxOutputTokens?: number | null;
  needsConsent?: boolean | null;
  consentNotice?: string | null;
  defaultAccess?: AccessRule | null;
}

export async function createModel(actor: Viewer, input: CreateModelInput) {
  const name = requireName(input.name, 'name', 200);
  if (!/^[A-Za-z0-9][A-Za-z0-9._:/@-]*$/.test(name)) {
    throw badInput('name may contain letters, digits and . _ : / @ - only (it is what clients pass as "model")', 'name');
  }
  if (!PROVIDERS.includes(input.provider as ProviderName)) {
    throw badInput(`provider must be one of: ${PROVIDERS.join(', ')}`, 'provider');
  }
  const upstreamModel = requireName(input.upstreamModel, 'upstreamModel', 200);
  let upstreamBaseUrl: string | null = null;
  let upstreamKeyEnv: string | null = null;
  if (input.provider === 'openai-compatible') {
    try {
      const url = new URL(String(input.upstreamBaseUrl ?? ''));
      if (!['http:', 'https:'].includes(url.protocol)) throw new Error();
      upstreamBaseUrl = url.toString().replace(/\/+$/, '');
    } catch {
      throw badInput(
        'upstreamBaseUrl must be an http(s) URL such as https://api.openai.com/v1 for an openai-compatible model',
        'upstreamBaseUrl',
      );
    }
    if (input.upstreamKeyEnv != null && input.upstreamKeyEnv !== '') {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(input.upstreamKeyEnv)) {
        throw badInput(
          'upstreamKeyEnv is the NAME of an environment variable (such as LUMEN_UPSTREAM_KEY_OPENAI), never the key itself',
          'upstreamKeyEnv',
        );
      }
      if (!isAllowedUpstreamKeyEnv(input.upstreamKeyEnv)) {
        throw badInput(
          `upstreamKeyEnv ${input.upstreamKeyEnv} is not allowed: ${UPSTREAM_KEY_ENV_RULE}, so that no other variable of the server (LUMEN_SECRET, DATABASE_URL, ...) can be sent to an upstream`,
          'upstreamKeyEnv',
        );
      }
      upstreamKeyEnv = input.upstreamKeyEnv;
    }
  }
  const inputCoinsPerMillion = requireNonNegative(
    parseCoins(input.inputCoinsPerMillion, 'inputCoinsPerMillion', PRICE_SCALE),
    'inputCoinsPerMillion',
  );
  const outputCoinsPerMillion = requireNonNegative(
    parseCoins(input.outputCoinsPerMillion, 'outputCoinsPerMillion', PRICE_SCALE),
    'outputCoinsPerMillion',
  );
  const maxOutputTokens = requireWholeNumber(input.maxOutputTokens ?? 4096, 'maxOutputTokens', 1, 10_000_000);
  const needsConsent = input.needsConsent ?? false;
  const consentNotice = input.consentNotice?.trim() || null;
  if (needsConsent && !consentNotice)
    throw badInput('consentNotice is required when needsConsent is true: it is what people agree to', 'consentNotice');
  if (consentNotice && consentNotice.length > 10_000) throw badInput('consentNotice can be at most 10000 characters long', 'consentNotice');
  return db().$transaction(async (tx) => {
    if (await tx.model.findUnique({ where: { name }, select: { id: true } })) {
      throw badInput(`A model named ${name} already exists`, 'name');
    }
    const model = await tx.model.create({
      data: {
        name,
        provider: input.provider,
        upstreamModel,
        upstreamBaseUrl,
        upstreamKeyEnv,
        inputCoinsPerMillion: inputCoinsPerMillion.toFixed(),
        outputCoinsPerMillion: outputCoinsPerMillion.toFixed(),
        maxOutputTokens,
        needsConsent,
        consentNotice,
        defaultAccess: input.defaultAccess ?? 'ALLOWED',
      },
    });
    await recordAudit(tx, actor, 'model.create', { type: 'Model', id: model.id }, { name, provider: model.provider });
    return model;
  });
}
