import { describe, expect, it } from 'vitest';
import { changedFields, EMPTY_MODEL, modelInput, validateModel, type ModelFormValues } from './modelInput';

const valid: ModelFormValues = {
  ...EMPTY_MODEL,
  name: 'llama-3.1-8b',
  provider: 'openai-compatible',
  upstreamModel: 'meta-llama/Llama-3.1-8B-Instruct',
  upstreamBaseUrl: 'https://vllm.example.org/v1',
  upstreamKeyEnv: 'LUMEN_UPSTREAM_KEY_VLLM',
  inputCoinsPerMillion: '0.5',
  outputCoinsPerMillion: '1.5',
};

describe('validateModel (the API’s rules, api/src/domain/models.ts)', () => {
  it('accepts what the API accepts', () => {
    expect(validateModel(valid)).toEqual({});
    expect(validateModel({ ...valid, upstreamKeyEnv: '' })).toEqual({});
    expect(validateModel({ ...valid, name: 'org/model:v1@2', inputCoinsPerMillion: '0', outputCoinsPerMillion: '12.123456' })).toEqual({});
    expect(validateModel({ ...valid, provider: 'echo', upstreamBaseUrl: '', upstreamKeyEnv: 'anything' })).toEqual({});
  });

  it('refuses what the API refuses, naming the field', () => {
    expect(Object.keys(validateModel({ ...valid, name: '-leading' }))).toEqual(['name']);
    expect(Object.keys(validateModel({ ...valid, name: 'x'.repeat(201) }))).toEqual(['name']);
    expect(Object.keys(validateModel({ ...valid, upstreamModel: 'a\nb' }))).toEqual(['upstreamModel']);
    expect(Object.keys(validateModel({ ...valid, upstreamBaseUrl: 'ftp://x' }))).toEqual(['upstreamBaseUrl']);
    expect(Object.keys(validateModel({ ...valid, upstreamKeyEnv: 'LUMEN_SECRET' }))).toEqual(['upstreamKeyEnv']);
    expect(validateModel({ ...valid, upstreamKeyEnv: 'sk-live-123' }).upstreamKeyEnv).toMatch(/never the key itself/);
    expect(Object.keys(validateModel({ ...valid, inputCoinsPerMillion: '1e3' }))).toEqual(['inputCoinsPerMillion']);
    expect(Object.keys(validateModel({ ...valid, outputCoinsPerMillion: '0.0000001' }))).toEqual(['outputCoinsPerMillion']);
    expect(Object.keys(validateModel({ ...valid, maxOutputTokens: '10000001' }))).toEqual(['maxOutputTokens']);
    expect(Object.keys(validateModel({ ...valid, maxOutputTokens: '1.5' }))).toEqual(['maxOutputTokens']);
    expect(Object.keys(validateModel({ ...valid, needsConsent: true, consentNotice: '  ' }))).toEqual(['consentNotice']);
  });
});

describe('modelInput and changedFields', () => {
  it('trims, and sends no upstream for the echo provider', () => {
    expect(modelInput({ ...valid, provider: 'echo', name: ' echo-x ' })).toMatchObject({
      name: 'echo-x',
      upstreamBaseUrl: null,
      upstreamKeyEnv: null,
    });
  });

  it('sends only what changed, and null to clear the key variable', () => {
    expect(changedFields(valid, { ...valid, outputCoinsPerMillion: '2' })).toEqual({ outputCoinsPerMillion: '2' });
    expect(changedFields(valid, { ...valid, upstreamKeyEnv: '' })).toEqual({ upstreamKeyEnv: null });
    expect(changedFields(valid, valid)).toEqual({});
  });
});
