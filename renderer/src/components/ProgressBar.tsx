/** value 0..1, or null for "working, amount unknown" (animated stripe). */
export function ProgressBar({ value, testId, label }: { value: number | null; testId?: string; label?: string }) {
  const pct = value === null ? 0 : Math.max(0, Math.min(100, Math.round(value * 100)));
  return (
    <div
      className={value === null ? 'progress indeterminate' : 'progress'}
      role="progressbar"
      aria-valuemin={0}
      aria-valuemax={100}
      aria-label={label}
      {...(value === null ? {} : { 'aria-valuenow': pct })}
      data-testid={testId}
      data-progress={pct}
    >
      <div className="progress-fill" style={{ width: value === null ? undefined : `${pct}%` }} />
    </div>
  );
}
