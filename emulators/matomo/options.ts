/**
 * Where the emulator keeps Matomo's privacy settings: rows of the `option` table, the only place
 * a real Matomo keeps them (its HTTP API has no getters for them). In memory by default; a store
 * backed by a real MariaDB can replace it without the emulator noticing.
 */
export interface MatomoOptionRow {
  option_name: string;
  option_value: string;
  autoload: number;
}

export interface MatomoOptionStore {
  get(name: string): Promise<string | undefined>;
  set(name: string, value: string, autoload: number): Promise<void>;
  /** Every row, ordered by name as MariaDB's default (case-insensitive) collation orders them. */
  all(): Promise<MatomoOptionRow[]>;
}

export function compareOptionNames(a: string, b: string): number {
  const x = a.toLowerCase();
  const y = b.toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export class InMemoryOptionStore implements MatomoOptionStore {
  private readonly rows = new Map<string, MatomoOptionRow>();

  constructor(initial: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(initial)) this.rows.set(k, { option_name: k, option_value: v, autoload: 0 });
  }

  async get(name: string): Promise<string | undefined> {
    return this.rows.get(name)?.option_value;
  }

  async set(name: string, value: string, autoload: number): Promise<void> {
    this.rows.set(name, { option_name: name, option_value: value, autoload });
  }

  async all(): Promise<MatomoOptionRow[]> {
    return [...this.rows.values()].map((r) => ({ ...r })).sort((a, b) => compareOptionNames(a.option_name, b.option_name));
  }
}

/**
 * The privacy rows of a fresh 5.1.2 install (privacy.json, seq 53): only the IP anonymiser flag
 * exists until a setter writes the others.
 */
export const FRESH_INSTALL_PRIVACY_OPTIONS: Record<string, string> = { "PrivacyManager.ipAnonymizerEnabled": "1" };
