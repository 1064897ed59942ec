// The soak's mixed traffic: closed-loop workers, each picking its next request at
// random (seeded, so runs are comparable) until the deadline or the request cap.
// Every /v1 answer's usage is priced here too, independently of Lumen, so the end
// check can compare what clients were told with what Lumen recorded.
import { costOf, exact, type Decimal } from '../../src/domain/coins.ts';
import { pageLoad } from '../clientPage/pageLoad.ts';
import { MODELS, type SoakClient, type SoakSetup } from './setup.ts';

export interface Tally {
  /** /v1 requests answered 200: each must have exactly one usage record. */
  metered: number;
  /** Σ of their costs, priced from the usage each answer reported. */
  coins: Decimal;
  /** Deliberate refusals of the tight pool. */
  refused: number;
}

export interface Traffic {
  requests: number;
  byKind: Record<string, number>;
  tallies: Record<SoakClient['label'], Tally>;
  errors: string[];
  errorCount: number;
}

const PROMPTS = [
  'Hello there',
  'The quick brown fox jumps over the lazy dog',
  'Summarize this dataset: rows of numbers and some labels',
  'ok',
  'Translate to French: the weather is nice today and tomorrow',
];

/** mulberry32: small, fast and seeded. */
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function priced(model: keyof typeof MODELS, usage: { prompt_tokens: number; completion_tokens: number }): Decimal {
  const m = MODELS[model];
  return costOf(usage.prompt_tokens, usage.completion_tokens, exact(m.inputCoinsPerMillion), exact(m.outputCoinsPerMillion));
}

/** One /v1 call; returns null on success, or why it failed. */
async function chat(
  baseUrl: string,
  client: SoakClient,
  key: string,
  stream: boolean,
  prompt: string,
  tally: Tally,
): Promise<string | null> {
  const model = stream ? 'stream' : 'fast';
  const body = {
    model: MODELS[model].name,
    messages: [{ role: 'user', content: prompt }],
    max_tokens: 16,
    ...(stream ? { stream: true, stream_options: { include_usage: true } } : {}),
  };
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status === 429 && client.label === 'tight' && text.includes('insufficient_quota')) {
    tally.refused++;
    return null;
  }
  if (response.status !== 200) return `${client.label} ${model}: ${response.status} ${text.slice(0, 200)}`;
  let usage: { prompt_tokens: number; completion_tokens: number } | undefined;
  if (stream) {
    if (!text.includes('data: [DONE]')) return `${client.label} stream ended without [DONE]`;
    for (const line of text.split('\n')) {
      if (line.startsWith('data: {') && line.includes('"usage"'))
        usage = (JSON.parse(line.slice(6)) as { usage?: typeof usage }).usage ?? usage;
    }
  } else {
    usage = (JSON.parse(text) as { usage?: typeof usage }).usage;
  }
  if (!usage) return `${client.label} ${model}: no usage in the answer`;
  tally.metered++;
  tally.coins = tally.coins.plus(priced(model, usage));
  return null;
}

const CLIENTS_QUERY = JSON.stringify({
  query: '{ clients(first: 10) { edges { node { id name coinPool { state balance } usage { totalTokens coinsSpent } } } } }',
});

async function clientsList(baseUrl: string, token: string): Promise<string | null> {
  const response = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: CLIENTS_QUERY,
  });
  const text = await response.text();
  return response.ok && !text.includes('"errors"') ? null : `clients list: ${response.status} ${text.slice(0, 200)}`;
}

export async function runTraffic(
  baseUrl: string,
  setup: SoakSetup,
  options: { concurrency: number; deadline: number; maxRequests: number; seed: number },
): Promise<Traffic> {
  const [steady, other, tight] = setup.clients;
  const tallies = Object.fromEntries(
    setup.clients.map((c) => [c.label, { metered: 0, coins: exact(0), refused: 0 }]),
  ) as Traffic['tallies'];
  const traffic: Traffic = { requests: 0, byKind: {}, tallies, errors: [], errorCount: 0 };
  const loadPage = pageLoad(`${baseUrl}/graphql`, setup.managerToken, steady.globalId);
  const kinds: [number, string, (rand: () => number) => Promise<string | null>][] = [
    [
      30,
      'v1',
      (rand) => {
        const c = rand() < 0.7 ? steady : other;
        return chat(
          baseUrl,
          c,
          c.keys[Math.floor(rand() * c.keys.length)],
          false,
          PROMPTS[Math.floor(rand() * PROMPTS.length)],
          tallies[c.label],
        );
      },
    ],
    [
      20,
      'v1 stream',
      (rand) => {
        const c = rand() < 0.7 ? steady : other;
        return chat(
          baseUrl,
          c,
          c.keys[Math.floor(rand() * c.keys.length)],
          true,
          PROMPTS[Math.floor(rand() * PROMPTS.length)],
          tallies[c.label],
        );
      },
    ],
    [
      15,
      'v1 tight pool',
      (rand) =>
        chat(
          baseUrl,
          tight,
          tight.keys[Math.floor(rand() * tight.keys.length)],
          rand() < 0.4,
          PROMPTS[Math.floor(rand() * PROMPTS.length)],
          tallies.tight,
        ),
    ],
    [25, 'client page', () => loadPage().then((problem) => (problem ? `client page: ${problem}` : null))],
    [10, 'clients list', () => clientsList(baseUrl, setup.adminToken)],
  ];
  const total = kinds.reduce((sum, [w]) => sum + w, 0);
  await Promise.all(
    Array.from({ length: options.concurrency }, async (_, worker) => {
      const rand = random(options.seed + worker);
      while (Date.now() < options.deadline && traffic.requests < options.maxRequests) {
        traffic.requests++;
        let pick = rand() * total;
        const [, kind, send] = kinds.find(([w]) => (pick -= w) < 0) ?? kinds[0];
        traffic.byKind[kind] = (traffic.byKind[kind] ?? 0) + 1;
        const problem = await send(rand).catch((error: unknown) => `${kind}: ${String(error)}`);
        if (problem) {
          traffic.errorCount++;
          if (traffic.errors.length < 10) traffic.errors.push(problem);
        }
      }
    }),
  );
  return traffic;
}
