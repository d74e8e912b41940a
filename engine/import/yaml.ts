import { Document, isCollection, isMap, isPair, isScalar, isSeq, Node, Pair, visit, YAMLMap, YAMLSeq } from "yaml";
import type { Annotation, Segment } from "./declaration";

/**
 * exempt.yaml text for an imported declaration, with its annotations as YAML comments: next to a
 * scalar or a one-line list on its own line, above a mapping's key otherwise. Pure.
 */
export function renderImportYaml(input: { instanceId: string; instance: Record<string, unknown>; annotations: readonly Annotation[]; header: readonly string[] }): string {
  const doc = new Document({ instances: { [input.instanceId]: escapeInterpolation(input.instance) } });
  compactStyle(doc);
  const order = { todo: 0, rule: 1, note: 2 } as const;
  const sorted = [...input.annotations].sort((a, b) => order[a.kind] - order[b.kind]);
  for (const a of sorted) annotate(doc, ["instances", input.instanceId, ...a.path], a.text);
  doc.commentBefore = input.header.map((l) => (l ? ` ${l}` : "")).join("\n");
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

/**
 * Values are written as read; the loader interpolates `${NAME}` in every string, so a live value
 * holding that pattern is escaped as `$${NAME}`, which the loader turns back into what was read.
 */
export function escapeInterpolation<T>(value: T): T {
  if (typeof value === "string") return value.replace(/\$\{[^}]*\}/g, (m) => `$${m}`) as T;
  if (Array.isArray(value)) return value.map(escapeInterpolation) as T;
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeInterpolation(k), escapeInterpolation(v)])) as T;
  return value;
}

/** Lists of plain values on one line, and each user's grant as `{ role, sites }`: a fleet file stays readable. */
function compactStyle(doc: Document): void {
  visit(doc, {
    Seq(_, node: YAMLSeq) {
      if (node.items.every((i) => isScalar(i)) && node.items.reduce((n, i) => n + String((i as { value: unknown }).value).length + 2, 0) <= 160) node.flow = true;
    },
    Pair(_, pair: Pair, path) {
      const parent = path[path.length - 1];
      const grandPair = path[path.length - 2];
      if (isMap(pair.value) && isMap(parent) && isPair(grandPair) && isScalar(grandPair.key) && grandPair.key.value === "users") (pair.value as YAMLMap).flow = true;
    },
  });
}

function annotate(doc: Document, path: readonly Segment[], text: string): void {
  let current: unknown = doc.contents;
  let target: Pair | undefined;
  let matched = 0;
  for (const seg of path) {
    if (isMap(current)) {
      const pair = current.items.find((p) => isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      target = pair;
      current = pair.value;
    } else if (isSeq(current) && typeof seg === "number" && !current.flow && current.items[seg]) current = current.items[seg];
    else break;
    matched++;
  }
  if (!target) {
    doc.commentBefore = join(doc.commentBefore, ` ${oneLine(text)}`, "\n");
    return;
  }
  const rest = path.slice(matched);
  const line = oneLine(rest.length ? `${rest.join(".")}: ${text}` : text);
  const value = target.value as Node | null;
  if (isScalar(value) || (isCollection(value) && value.flow)) value.comment = join(value.comment, ` ${line}`, " ·");
  else {
    const key = target.key as Node;
    key.commentBefore = join(key.commentBefore, ` ${line}`, "\n");
  }
}

function join(existing: string | null | undefined, added: string, separator: string): string {
  return existing ? `${existing}${separator}${added}` : added;
}

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, " ");
}
