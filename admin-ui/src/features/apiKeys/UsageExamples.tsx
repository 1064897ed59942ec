import { useId, useState } from 'react';
import { CopyButton } from '../../components/ui';

export function apiBaseUrl(): string {
  return `${window.location.origin}/v1`;
}

export function pythonExample(baseUrl: string, model: string): string {
  return `from openai import OpenAI

client = OpenAI(
    api_key="sk_...",  # your key; better: read it from an environment variable
    base_url="${baseUrl}",
)

response = client.chat.completions.create(
    model="${model}",
    messages=[{"role": "user", "content": "Summarize this dataset: ..."}],
)
print(response.choices[0].message.content)
`;
}

export function curlExample(baseUrl: string, model: string): string {
  return `curl ${baseUrl}/chat/completions \\
  -H "Authorization: Bearer $LUMEN_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{
    "model": "${model}",
    "messages": [{"role": "user", "content": "Hello!"}]
  }'
`;
}

/** How to call this instance's /v1 endpoint with a key, in Python (OpenAI client) and curl. */
export function UsageExamples({ model }: { model?: string }) {
  const [tab, setTab] = useState<'python' | 'curl'>('python');
  const id = useId();
  const baseUrl = apiBaseUrl();
  const modelName = model ?? 'MODEL_NAME';
  const code = tab === 'python' ? pythonExample(baseUrl, modelName) : curlExample(baseUrl, modelName);
  return (
    <div className="usage-examples">
      <p>
        Keys work with any OpenAI-compatible client. Point it at <code>{baseUrl}</code>:
      </p>
      <div className="tabs" role="tablist" aria-label="Example language">
        {(['python', 'curl'] as const).map((t) => (
          <button
            key={t}
            type="button"
            role="tab"
            id={`${id}-${t}`}
            aria-selected={tab === t}
            aria-controls={`${id}-panel`}
            className={`tab${tab === t ? ' active' : ''}`}
            onClick={() => setTab(t)}
          >
            {t === 'python' ? 'Python (OpenAI)' : 'curl'}
          </button>
        ))}
      </div>
      <div id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-${tab}`} className="code-block">
        <pre>
          <code>{code}</code>
        </pre>
        <CopyButton text={code} label="Copy example" />
      </div>
    </div>
  );
}
