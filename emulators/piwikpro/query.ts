/**
 * Query strings as the two API families write them: the platform uses flat names (`offset`,
 * `limit`), Tag Manager uses bracketed ones (`page[offset]`, `filter[template][]`, repeated for
 * several values). Values keep their order; `name[]` is read as further values of `name`.
 */
export class Query {
  private readonly values = new Map<string, string[]>();

  constructor(rawQuery: string) {
    if (!rawQuery) return;
    for (const pair of rawQuery.split("&")) {
      if (!pair) continue;
      const eq = pair.indexOf("=");
      const rawName = eq >= 0 ? pair.slice(0, eq) : pair;
      const rawValue = eq >= 0 ? pair.slice(eq + 1) : "";
      let name = decode(rawName);
      if (name.endsWith("[]")) name = name.slice(0, -2);
      const list = this.values.get(name) ?? [];
      list.push(decode(rawValue));
      this.values.set(name, list);
    }
  }

  /** The last value given for `name`, as a client sending it twice most likely meant. */
  get(name: string): string | undefined {
    const list = this.values.get(name);
    return list ? list[list.length - 1] : undefined;
  }

  all(name: string): string[] {
    return this.values.get(name) ?? [];
  }

  has(name: string): boolean {
    return this.values.has(name);
  }
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, " "));
  } catch {
    return s;
  }
}
