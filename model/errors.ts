/** A position in a source file, 1-based as editors show it. */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One problem in a configuration: where it is, in the file and in the document, and what is wrong. */
export interface ConfigIssue {
  /** Absent when the problem is not tied to a file (a construct declared in TypeScript). */
  location?: SourceLocation;
  /** The path in the document, e.g. instances.stats.sites.www.urls[0]. */
  path: string;
  /** What was expected and what was found, in one sentence. */
  message: string;
}

/** Paths print like the YAML a user reads: dotted keys, [n] for list items. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || "(document)";
}

export function formatIssue(issue: ConfigIssue): string {
  const where = issue.location ? `${issue.location.file}:${issue.location.line}:${issue.location.column}: ` : "";
  return `${where}${issue.path}: ${issue.message}`;
}

/** Every problem of a configuration at once, so a user fixes them in one pass. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly issues: ConfigIssue[],
  ) {
    super([`invalid configuration ${source} (${issues.length} problem${issues.length === 1 ? "" : "s"}):`, ...issues.map((i) => `  ${formatIssue(i)}`)].join("\n"));
    this.name = "ConfigError";
  }

  userMessage(): string {
    return `exempt: ${this.message}`;
  }
}
