import { renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useRefreshWhile } from './hooks';

describe('useRefreshWhile', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('refreshes every interval while active, never at once, and stops when inactive or gone', () => {
    vi.useFakeTimers();
    const refresh = vi.fn();
    const { rerender, unmount } = renderHook(({ active }: { active: boolean }) => useRefreshWhile(active, refresh, 10_000), {
      initialProps: { active: false },
    });
    vi.advanceTimersByTime(30_000);
    expect(refresh).toHaveBeenCalledTimes(0);
    rerender({ active: true });
    expect(refresh).toHaveBeenCalledTimes(0);
    vi.advanceTimersByTime(9_999);
    expect(refresh).toHaveBeenCalledTimes(0);
    vi.advanceTimersByTime(1);
    expect(refresh).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(20_000);
    expect(refresh).toHaveBeenCalledTimes(3);
    rerender({ active: false });
    vi.advanceTimersByTime(60_000);
    expect(refresh).toHaveBeenCalledTimes(3);
    rerender({ active: true });
    unmount();
    vi.advanceTimersByTime(60_000);
    expect(refresh).toHaveBeenCalledTimes(3);
  });
});
