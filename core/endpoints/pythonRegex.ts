/**
 * A site schema's `pattern` is a Python `re` pattern: the endpoint checks it with Python's jsonschema. This
 * rewrites one as a JavaScript RegExp (u flag) that matches the same strings: `\Z`, `\A`, `(?P<name>…)`,
 * leading `(?imsa)` flags, `$` also before a final newline, `.` not only `\n`, Unicode `\w` `\d` `\s` `\b`,
 * literal `{`, escaped punctuation. Python syntax with no JavaScript equivalent (verbose mode, scoped flags,
 * atomic groups, possessive quantifiers, conditionals, `\N{…}`, `\W` `\D` `\S` inside a class) gives undefined:
 * the pattern is unknown here.
 */

const WORD = "\\p{L}\\p{N}_";
const SPACE = "\\t-\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000";
const END = "(?![\\s\\S])";
const SYNTAX = "^$\\.*+?()[]{}|/";

export function pythonPatternToRegExp(pattern: string): RegExp | undefined {
  let rest = pattern;
  const flags = new Set<string>();
  for (let m; (m = /^\(\?([aiLmsux]+)\)/.exec(rest)); rest = rest.slice(m[0].length)) for (const f of m[1]) flags.add(f);
  if (flags.has("x") || flags.has("L")) return undefined;
  const ascii = flags.has("a");
  const classes = {
    d: ascii ? "0-9" : "\\p{Nd}",
    w: ascii ? "a-zA-Z0-9_" : WORD,
    s: ascii ? "\\t-\\r " : SPACE,
  };
  let out = "";
  let i = 0;
  let inClass = false;
  const escape = (c: string) => `\\u{${c.codePointAt(0)!.toString(16)}}`;
  while (i < rest.length) {
    const c = rest[i];
    if (c === "\\") {
      const e = rest[i + 1];
      if (e === undefined) return undefined;
      i += 2;
      const lower = e.toLowerCase();
      if (lower === "d" || lower === "w" || lower === "s") {
        const set = classes[lower];
        if (e === lower) out += inClass ? set : `[${set}]`;
        else if (inClass) return undefined; // a negated class inside a class
        else out += `[^${set}]`;
      } else if (e === "b" || e === "B") {
        if (inClass) out += "\\x08";
        else {
          const w = `[${classes.w}]`;
          const boundary = `(?<=${w})(?!${w})|(?<!${w})(?=${w})`;
          out += e === "b" ? `(?:${boundary})` : `(?!${boundary})`;
        }
      } else if (e === "A" && !inClass) out += "(?<![\\s\\S])";
      else if (e === "Z" && !inClass) out += END;
      else if ("xuU".includes(e)) {
        const hex = new RegExp(`^[0-9a-fA-F]{${{ x: 2, u: 4, U: 8 }[e as "x" | "u" | "U"]}}`).exec(rest.slice(i))?.[0];
        if (!hex) return undefined;
        out += escape(String.fromCodePoint(parseInt(hex, 16)));
        i += hex.length;
      } else if (/[0-7]/.test(e) && (e === "0" || inClass || /^[0-7]{2}/.test(rest.slice(i)))) {
        const digits = (e + rest.slice(i)).match(e === "0" ? /^0[0-7]{0,2}/ : /^[0-7]{1,3}/)![0];
        out += escape(String.fromCodePoint(parseInt(digits, 8)));
        i += digits.length - 1;
      } else if (/[1-9]/.test(e)) {
        const ref = (e + rest.slice(i)).match(/^[1-9]\d?/)![0];
        out += `(?:\\${ref})`;
        i += ref.length - 1;
      } else if ("tnrfv".includes(e)) out += `\\${e}`;
      else if (e === "a") out += "\\x07";
      else if (/[A-Za-z0-9]/.test(e)) return undefined; // \N{…} and escapes Python refuses
      else out += SYNTAX.includes(e) || (inClass && e === "-") ? `\\${e}` : escape(e);
      continue;
    }
    if (inClass) {
      if (c === "]") inClass = false;
      out += c;
      i++;
      continue;
    }
    switch (c) {
      case "[": {
        inClass = true;
        out += "[";
        i++;
        if (rest[i] === "^") {
          out += "^";
          i++;
        }
        if (rest[i] === "]") {
          out += "\\]"; // a leading ] is literal in Python
          i++;
        }
        continue;
      }
      case "(": {
        const group = /^\((?:\?(?:P<([A-Za-z_]\w*)>|P=([A-Za-z_]\w*)\)|#[^)]*\)|[:=!]|<[=!]))?/.exec(rest.slice(i))!;
        if (group[0] === "(" && rest[i + 1] === "?") return undefined; // (?>…), (?(1)…), (?i:…)
        out += group[1] ? `(?<${group[1]}>` : group[2] ? `\\k<${group[2]}>` : group[0].startsWith("(?#") ? "" : group[0];
        i += group[0].length;
        continue;
      }
      case "{": {
        const q = /^\{(\d*)(,?)(\d*)\}/.exec(rest.slice(i));
        if (q && (q[1] !== "" || (q[2] && q[3] !== ""))) {
          out += `{${q[1] || "0"}${q[2]}${q[3]}}`;
          i += q[0].length;
          if (rest[i] === "+") return undefined; // possessive
        } else {
          out += "\\{"; // not a quantifier: literal in Python
          i++;
        }
        continue;
      }
      case "}":
      case "]":
        out += `\\${c}`; // literal in Python, an error in a JavaScript u-mode pattern
        break;
      case "$":
        out += flags.has("m") ? "$" : `(?=\\n?${END})`;
        break;
      case ".":
        out += flags.has("s") ? "[\\s\\S]" : "[^\\n]";
        break;
      case "*":
      case "+":
      case "?":
        out += c;
        if (rest[i + 1] === "+") return undefined; // possessive
        break;
      default:
        out += c;
    }
    i++;
  }
  if (inClass) return undefined;
  try {
    return new RegExp(out, `u${flags.has("i") ? "i" : ""}${flags.has("m") ? "m" : ""}`);
  } catch {
    return undefined;
  }
}
