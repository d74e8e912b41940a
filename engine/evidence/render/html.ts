/**
 * HTML built with a tagged template that escapes every interpolated value unless it is already
 * `Html`. Site names, URLs, notes and server answers come from configuration or from a server:
 * escaping by default means forgetting it cannot inject markup into a filed report.
 */
export class Html {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

type Part = Html | string | number | boolean | null | undefined | ReadonlyArray<Part>;

function piece(v: Part): string {
  if (v === null || v === undefined || v === false) return "";
  if (v instanceof Html) return v.value;
  if (Array.isArray(v)) return v.map(piece).join("");
  return escapeHtml(String(v));
}

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += piece(values[i]) + strings[i + 1];
  return new Html(out);
}

/** Markup Exempt wrote itself (CSS, SVG paths): never for text that came from outside. */
export function trusted(markup: string): Html {
  return new Html(markup);
}

export function join(parts: ReadonlyArray<Html>, separator = ""): Html {
  return new Html(parts.map((p) => p.value).join(separator));
}

/** Only http(s) addresses become links; anything else (javascript:, data:) stays text. */
export function link(url: string | undefined, text: string): Html {
  if (url && /^https?:\/\/[^\s"'<>]+$/i.test(url)) return html`<a class="ext" href="${url}" rel="noopener noreferrer">${text}</a>`;
  return html`${text}`;
}

/** A reading date as a DPO reads it: `2026-11-25 18:35:37 UTC`. */
export function showDateTime(iso: string | undefined): string {
  if (!iso) return "not read";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 10)} ${d.toISOString().slice(11, 19)} UTC`;
}
