/** How a value prints in a report: short, unambiguous, never a secret (values come from the model). */
export function showValue(v: unknown, max = 80): string {
  let s: string;
  if (v === null || v === undefined) s = "(none)";
  else if (typeof v === "string") s = v === "" ? '""' : v;
  else if (Array.isArray(v)) s = v.length === 0 ? "[]" : `[${v.map((x) => (typeof x === "string" ? x : JSON.stringify(x))).join(", ")}]`;
  else s = JSON.stringify(v);
  return s.length > max ? s.slice(0, max - 1) + "…" : s;
}

export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}
