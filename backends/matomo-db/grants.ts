/**
 * Whether the observer's user could write to Matomo's schema, from `SHOW GRANTS FOR CURRENT_USER()`.
 * The observer never writes whatever its rights; too many rights is a warning, never a failure.
 */

/** Privileges that change data or schema (MariaDB and MySQL names). */
const WRITE_PRIVILEGES = new Set(["ALL", "ALL PRIVILEGES", "INSERT", "UPDATE", "DELETE", "DELETE HISTORY", "CREATE", "DROP", "ALTER", "INDEX", "TRIGGER", "CREATE VIEW", "CREATE ROUTINE", "ALTER ROUTINE"]);

const NAME = "(?:`(?:[^`]|``)*`|\\*|[^\\s.`]+)";
const GRANT = new RegExp(`^GRANT\\s+(.+?)\\s+ON\\s+(?:(?:TABLE|FUNCTION|PROCEDURE|PACKAGE BODY|PACKAGE)\\s+)?(${NAME})(?:\\.(${NAME}))?\\s+TO\\s`, "i");

/** The write privileges granted on `database` (or on everything), as "INSERT, UPDATE on `matomo`.*". */
export function writeGrantsOn(database: string, grantLines: readonly string[]): string[] {
  const found: string[] = [];
  for (const line of grantLines) {
    const m = GRANT.exec(line.trim());
    if (!m) continue;
    const [, privilegeList, dbPart, tablePart] = m;
    if (!grantCovers(dbPart, database)) continue;
    const writes = splitPrivileges(privilegeList).filter((p) => WRITE_PRIVILEGES.has(p));
    if (writes.length) found.push(`${writes.join(", ")} on ${dbPart}.${tablePart ?? "*"}`);
  }
  return found;
}

/** Privilege names without their column lists: "SELECT, UPDATE (`a`, `b`)" -> SELECT, UPDATE. */
function splitPrivileges(list: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = "";
  for (const ch of list) {
    if (ch === "(") depth++;
    else if (ch === ")") depth--;
    else if (ch === "," && depth === 0) {
      out.push(current);
      current = "";
    } else if (depth === 0) current += ch;
  }
  out.push(current);
  return out.map((p) => p.trim().replace(/\s+/g, " ").toUpperCase()).filter(Boolean);
}

function unquote(name: string): string {
  return name.startsWith("`") ? name.slice(1, -1).replace(/``/g, "`") : name;
}

/** `*` is every database; otherwise the name is a LIKE pattern (`_`, `%`, `\` escapes). */
function grantCovers(dbPart: string, database: string): boolean {
  if (dbPart === "*") return true;
  const pattern = unquote(dbPart);
  let re = "";
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === "\\" && i + 1 < pattern.length) re += escapeRegExp(pattern[++i]);
    else if (ch === "%") re += ".*";
    else if (ch === "_") re += ".";
    else re += escapeRegExp(ch);
  }
  return new RegExp(`^${re}$`, "s").test(database);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
