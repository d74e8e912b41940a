/**
 * A strict little XML 1.0 reader for the tests (no XML parser is a dependency): it refuses what a
 * real parser refuses in the documents Exempt writes (unbalanced or mis-nested tags, unquoted or
 * duplicate attributes, a raw `<` or `&`, unknown entities, characters XML cannot carry) and
 * returns the element tree with entities decoded, so tests can query it.
 */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;
const INVALID_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;

function decode(raw: string, where: number): string {
  if (/<|&(?!(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/.test(raw)) throw new Error(`raw '<' or '&' at ${where}: ${JSON.stringify(raw.slice(0, 80))}`);
  return raw.replace(/&(amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g, (_, e: string) =>
    e === "amp" ? "&" : e === "lt" ? "<" : e === "gt" ? ">" : e === "quot" ? '"' : e === "apos" ? "'" : String.fromCodePoint(e.startsWith("#x") ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)),
  );
}

export function parseXml(doc: string): XmlElement {
  if (INVALID_CHAR.test(doc)) throw new Error(`a character XML 1.0 cannot carry at ${doc.search(INVALID_CHAR)}`);
  let i = 0;
  if (doc.startsWith("<?xml")) {
    const end = doc.indexOf("?>");
    if (end < 0) throw new Error("unterminated XML declaration");
    i = end + 2;
  }
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  while (i < doc.length) {
    const lt = doc.indexOf("<", i);
    const textRaw = lt < 0 ? doc.slice(i) : doc.slice(i, lt);
    if (textRaw.trim()) {
      if (!stack.length) throw new Error(`text outside the root element at ${i}`);
      stack[stack.length - 1].text += decode(textRaw, i);
    } else if (stack.length) stack[stack.length - 1].text += textRaw;
    if (lt < 0) break;
    i = lt + 1;
    if (doc[i] === "/") {
      const m = NAME.exec(doc.slice(i + 1));
      if (!m) throw new Error(`bad closing tag at ${i}`);
      const open = stack.pop();
      if (!open || open.name !== m[0]) throw new Error(`</${m[0]}> closes <${open?.name}> at ${i}`);
      i += 1 + m[0].length;
      while (/\s/.test(doc[i])) i++;
      if (doc[i] !== ">") throw new Error(`bad closing tag at ${i}`);
      i++;
      continue;
    }
    if (doc.startsWith("!--", i)) {
      const end = doc.indexOf("-->", i);
      if (end < 0) throw new Error("unterminated comment");
      i = end + 3;
      continue;
    }
    const m = NAME.exec(doc.slice(i));
    if (!m) throw new Error(`bad tag at ${i}: ${JSON.stringify(doc.slice(i - 1, i + 40))}`);
    const el: XmlElement = { name: m[0], attrs: {}, children: [], text: "" };
    i += m[0].length;
    for (;;) {
      const ws = /^\s*/.exec(doc.slice(i))![0].length;
      i += ws;
      if (doc.startsWith("/>", i) || doc[i] === ">") break;
      if (!ws) throw new Error(`attributes must be separated by white space at ${i}`);
      const a = /^([A-Za-z_][\w.:-]*)="([^"]*)"/.exec(doc.slice(i));
      if (!a) throw new Error(`bad attribute at ${i}: ${JSON.stringify(doc.slice(i, i + 60))}`);
      if (a[1] in el.attrs) throw new Error(`duplicate attribute ${a[1]} at ${i}`);
      el.attrs[a[1]] = decode(a[2], i);
      i += a[0].length;
    }
    if (stack.length) stack[stack.length - 1].children.push(el);
    else if (root) throw new Error("a second root element");
    else root = el;
    if (doc.startsWith("/>", i)) i += 2;
    else {
      i++;
      stack.push(el);
    }
  }
  if (stack.length) throw new Error(`<${stack[stack.length - 1].name}> is never closed`);
  if (!root) throw new Error("no root element");
  return root;
}

export function all(el: XmlElement, name: string): XmlElement[] {
  return [...(el.name === name ? [el] : []), ...el.children.flatMap((c) => all(c, name))];
}
