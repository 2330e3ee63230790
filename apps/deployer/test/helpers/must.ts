/** `value`, or a failed test saying `what` is missing: narrows without a non-null assertion. */
export function must<T>(value: T | null | undefined, what: string): T {
  if (value === undefined || value === null) throw new Error(`${what} missing`);
  return value;
}
