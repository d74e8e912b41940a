import { Document, isMap, isPair, isScalar, isSeq, LineCounter, Node, parseDocument, Scalar } from "yaml";
import type { ConfigIssue, SourceLocation } from "./errors";
import { formatPath } from "./errors";

/** Files over this size are refused before parsing: a config of thousands of sites is far smaller. */
export const MAX_CONFIG_BYTES = 20 * 1024 * 1024;

export interface ParsedYaml {
  document: Document.Parsed;
  lines: LineCounter;
  file: string;
}

export function parseYamlSource(text: string, file: string): { parsed?: ParsedYaml; issues: ConfigIssue[] } {
  // The yaml library checks key uniqueness by comparing each key with every earlier key of its
  // mapping: quadratic in the size of `sites:` (0.7 s of a 10,000-site file). Parse without it
  // and look for duplicates with a set; only a file with a duplicate or another error is parsed
  // again with the library's own check, so its errors are reported exactly as before.
  let lines = new LineCounter();
  let document = parseDocument(text, { lineCounter: lines, uniqueKeys: false, prettyErrors: false, strict: true });
  if (document.errors.length > 0 || hasDuplicateKey(document.contents)) {
    lines = new LineCounter();
    document = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  }
  const issues: ConfigIssue[] = [];
  for (const err of document.errors) {
    const pos = lines.linePos(err.pos?.[0] ?? 0);
    const dup = err.code === "DUPLICATE_KEY" ? keyAtOffset(document, err.pos[0]) : undefined;
    issues.push({
      location: { file, line: pos.line, column: pos.col },
      path: dup ? formatPath([...dup.path, dup.key]) : "(document)",
      message: dup ? `duplicate key '${dup.key}': each key may appear only once in a mapping (the later one would silently replace the earlier)` : yamlErrorMessage(err.message),
    });
  }
  return { parsed: issues.length ? undefined : { document, lines, file }, issues };
}

/** Whether any mapping holds two scalar keys of the same value (the library's own test, `a.value === b.value`). */
function hasDuplicateKey(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length) {
    const node = stack.pop();
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const pair of node.items) {
        if (isScalar(pair.key)) {
          const value = pair.key.value;
          // NaN is never equal to itself under ===, so it is never a duplicate.
          if (!(typeof value === "number" && Number.isNaN(value))) {
            if (seen.has(value)) return true;
            seen.add(value);
          }
        } else if (pair.key) stack.push(pair.key);
        if (pair.value) stack.push(pair.value);
      }
    } else if (isSeq(node)) for (const item of node.items) stack.push(item);
  }
  return false;
}

function yamlErrorMessage(message: string): string {
  return `YAML syntax error: ${message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`;
}

/**
 * The node at a document path. A mapping or list is pointed at by its key (the line a reader looks
 * for); a missing key by the key of its nearest parent.
 */
function nodeAt(doc: Document.Parsed, path: readonly PropertyKey[]): { node?: Node; keyNode?: Node; exact: boolean } {
  let current: unknown = doc.contents;
  let keyNode: Node | undefined;
  for (let i = 0; i < path.length; i++) {
    const key = path[i];
    if (isMap(current)) {
      const pair = current.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(key));
      if (!pair) return { node: current as Node, keyNode, exact: false };
      keyNode = pair.key as Node;
      current = pair.value ?? pair.key;
    } else if (isSeq(current) && typeof key === "number") {
      if (key >= current.items.length) return { node: current as Node, keyNode, exact: false };
      current = current.items[key];
      keyNode = undefined;
    } else return { node: current as Node | undefined, keyNode, exact: false };
  }
  return { node: current as Node | undefined, keyNode, exact: true };
}

/** The key node of `key` inside the mapping at `path`: an unknown key is best pointed at itself. */
function keyNodeAt(doc: Document.Parsed, path: readonly PropertyKey[], key: string): Node | undefined {
  const { node } = nodeAt(doc, path);
  if (!isMap(node)) return undefined;
  const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === key);
  return pair?.key as Node | undefined;
}

export function locate(parsed: ParsedYaml, path: readonly PropertyKey[], unknownKey?: string): SourceLocation {
  let target: Node | undefined = unknownKey !== undefined ? keyNodeAt(parsed.document, path, unknownKey) : undefined;
  if (!target) {
    const found = nodeAt(parsed.document, path);
    const collection = isMap(found.node) || isSeq(found.node);
    target = (!found.exact || (collection && !(found.node as { flow?: boolean }).flow)) && found.keyNode ? found.keyNode : found.node;
  }
  const pos = parsed.lines.linePos(target?.range?.[0] ?? 0);
  return { file: parsed.file, line: pos.line, column: pos.col };
}

/** The document path and key of the mapping entry whose key starts at `offset` (for duplicate-key errors). */
export function keyAtOffset(document: Document.Parsed, offset: number): { path: PropertyKey[]; key: string } | undefined {
  let result: { path: PropertyKey[]; key: string } | undefined;
  const walk = (node: unknown, path: PropertyKey[]) => {
    if (result) return;
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (pair.key.range?.[0] === offset) {
          result = { path, key };
          return;
        }
        walk(pair.value, [...path, key]);
      }
    } else if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]));
  };
  walk(document.contents, []);
  return result;
}

/**
 * Replaces `${NAME}` (or `${NAME:-default}`) in every string scalar with the environment variable NAME, so one file serves
 * the sandbox, staging and production. `$${` writes a literal `${`. An unset variable is an error
 * at its place in the file.
 */
const SECRET_NAME = /(TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|API_?KEY)/i;

export function interpolateEnv(parsed: ParsedYaml, env: NodeJS.ProcessEnv): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  eachScalar(parsed.document, (node: Scalar, ancestry) => {
    if (typeof node.value !== "string" || !node.value.includes("${")) return;
    const path = pathOf(ancestry);
    node.value = node.value.replace(/\$?\$\{([^}]*)\}/g, (match: string, inner: string) => {
      if (match.startsWith("$$")) return match.slice(1);
      // ${NAME} or ${NAME:-default}: the default serves when NAME is unset or empty (as in a shell).
      const m = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/s.exec(inner);
      if (!m) {
        issues.push({ location: locateNode(parsed, node), path: formatPath(path), message: `expected \${NAME} or \${NAME:-default} with NAME an environment variable name, found ${JSON.stringify(match)}` });
        return match;
      }
      const [, name, fallback] = m;
      if (SECRET_NAME.test(name)) {
        // An interpolated secret would land in the manifest, cdk.tf.json and reports.
        issues.push({ location: locateNode(parsed, node), path: formatPath(path), message: `\${${name}} looks like a secret: secrets are never interpolated into the configuration; name the variable in auth.tokenEnv / auth.passwordEnv / auth.clientSecretEnv instead` });
        return match;
      }
      const value = env[name];
      if (value === undefined || (value === "" && fallback !== undefined)) {
        if (fallback !== undefined) return fallback;
        issues.push({ location: locateNode(parsed, node), path: formatPath(path), message: `the environment variable ${name} is not set (referenced as \${${name}})` });
        return match;
      }
    return value;
    });
  });
  return issues;
}

/**
 * Calls `fn` on every scalar of the document, keys included, in the order and with the ancestry
 * yaml's `visit` gives. `visit` copies and freezes the ancestry at every node; this keeps one
 * stack, which matters for files of thousands of sites.
 */
function eachScalar(document: Document.Parsed, fn: (node: Scalar, ancestry: readonly unknown[]) => void): void {
  const stack: unknown[] = [document];
  const walk = (node: unknown): void => {
    if (isScalar(node)) fn(node, stack);
    else if (isMap(node) || isSeq(node)) {
      stack.push(node);
      for (const item of node.items) walk(item);
      stack.pop();
    } else if (isPair(node)) {
      stack.push(node);
      walk(node.key);
      walk(node.value);
      stack.pop();
    }
  };
  walk(document.contents);
}

function locateNode(parsed: ParsedYaml, node: Node): SourceLocation {
  const pos = parsed.lines.linePos(node.range?.[0] ?? 0);
  return { file: parsed.file, line: pos.line, column: pos.col };
}

function pathOf(ancestry: readonly unknown[]): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let i = 0; i < ancestry.length; i++) {
    const a = ancestry[i];
    if (isPair(a) && isScalar(a.key)) path.push(String(a.key.value));
    else if (isSeq(a)) {
      const next = ancestry[i + 1];
      const idx = a.items.indexOf(next as never);
      if (idx >= 0) path.push(idx);
    }
  }
  return path;
}

/** Source locations of every mapping entry, keyed by dotted path: reports (SARIF) point at the YAML lines. */
export function sourceMapOf(parsed: ParsedYaml): Record<string, SourceLocation> {
  const map: Record<string, SourceLocation> = {};
  // Each path is its parent's plus one step, written as formatPath writes it (`a.b[0].c`): no
  // array and no reformatting per node, which counts for files of thousands of sites.
  const walk = (node: unknown, path: string) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        const childPath = path ? `${path}.${key}` : key;
        // formatPath names an empty path "(document)" (an empty key at the top).
        map[childPath || "(document)"] = locateNode(parsed, pair.key as Node);
        walk(pair.value, childPath);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => {
        const childPath = `${path}[${i}]`;
        if (item && (item as Node).range) map[childPath] = locateNode(parsed, item as Node);
        walk(item, childPath);
      });
    }
  };
  walk(parsed.document.contents, "");
  return map;
}
