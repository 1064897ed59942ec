// The focus ring and the sort arrows are what keyboard users and sorters look for: WCAG 2.1
// (1.4.11, non-text contrast) asks 3:1 against what they sit on. Read from the stylesheet itself.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';

// Read from disk: vitest hands CSS imports to tests empty.
const css = readFileSync(`${import.meta.dirname}/styles.css`, 'utf8');

/** The value of a custom property (`--name: value;`) in the rule for `selector`. */
function property(selector: string, name: string): string {
  const rule = new RegExp(`(^|\\n)${selector.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\{([^}]*)\\}`).exec(css);
  const value = rule && new RegExp(`${name}:\\s*([^;]+);`).exec(rule[2]);
  if (!value) throw new Error(`${name} is not set in ${selector}`);
  return value[1].trim();
}

function resolve(value: string): string {
  const variable = /^var\((--[\w-]+)\)$/.exec(value);
  return variable ? resolve(property(':root', variable[1])) : value;
}

function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(hex.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [light, dark] = [luminance(resolve(a)), luminance(resolve(b))].sort((x, y) => y - x);
  return (light + 0.05) / (dark + 0.05);
}

describe('styles.css', () => {
  it('draws the focus ring at 3:1 or more on the page, cards, table heads and dialogs, and on the top bar', () => {
    expect(/:focus-visible \{\s*outline: 2px solid var\(--focus-ring\);/.test(css)).toBe(true);
    const ring = property(':root', '--focus-ring');
    for (const background of ['--bg', '--surface', '--surface-2', '--accent-soft']) {
      expect(contrast(ring, property(':root', background)), background).toBeGreaterThanOrEqual(3);
    }
    expect(contrast(property('.topbar', '--focus-ring'), property(':root', '--accent'))).toBeGreaterThanOrEqual(3);
  });

  it('draws the sort arrows at 3:1 or more on the table head', () => {
    const arrows = /\.sort-indicator \{[^}]*color: (#[0-9a-f]{6})/.exec(css)![1];
    expect(contrast(arrows, property(':root', '--surface-2'))).toBeGreaterThanOrEqual(3);
    const active = /\.sort-indicator\.active \{[^}]*color: ([^;]+);/.exec(css)![1];
    expect(contrast(active, property(':root', '--surface-2'))).toBeGreaterThanOrEqual(3);
  });
});
