// Models as the API answers for them (every field the models pages select), for the pages' tests.
export const MODEL_ID = 'TW9kZWw6MQ==';

export function modelData(overrides: Record<string, unknown> = {}) {
  return {
    __typename: 'Model' as const,
    id: MODEL_ID,
    name: 'llama-3.1-8b',
    provider: 'openai-compatible',
    kind: 'CHAT',
    upstreamModel: 'meta-llama/Llama-3.1-8B-Instruct',
    upstreamBaseUrl: 'http://vllm.internal:8000/v1',
    upstreamKeyEnv: 'LUMEN_UPSTREAM_KEY_VLLM',
    inputCoinsPerMillion: '0.5',
    outputCoinsPerMillion: '1.5',
    maxOutputTokens: 4096,
    defaultAccess: 'ALLOWED',
    needsConsent: false,
    consentNotice: null,
    disabled: false,
    status: 'OK',
    statusReason: null,
    requestsLast24Hours: 1234,
    clientsWithAccess: [],
    ...overrides,
  };
}

/** AdminsOnly_ViewerCanQuery's answer for an admin or a manager. */
export function viewerCan(admin: boolean) {
  return {
    data: {
      viewerCan: { __typename: 'ViewerPermissions', createModel: admin, manageModels: admin, manageUsers: admin, createClient: admin },
    },
  };
}
