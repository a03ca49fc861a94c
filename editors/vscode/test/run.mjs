// Tokenizes every .rules file under policies/ (English dialect) and the Chinese
// examples of docs/dialect.md with the TextMate grammar, as VS Code would, and fails
// when the grammar does not load or a keyword of the table in
// src/syntax/keywords.rs is left without a keyword scope.
//
//   cd editors/vscode && npm install && npm test

import { readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import vsctm from "vscode-textmate";
import oniguruma from "vscode-oniguruma";

const here = dirname(fileURLToPath(import.meta.url));
const ext = join(here, "..");
const repo = join(ext, "..", "..");
const require = createRequire(import.meta.url);

/** Every spelling of every keyword, read from the Rust table. */
function keywords() {
  const table = readFileSync(join(repo, "src/syntax/keywords.rs"), "utf8");
  const words = new Set();
  for (const row of table.matchAll(/k\(Kw::\w+, "\w+", &\[([^\]]*)\]\)/g)) {
    for (const s of row[1].matchAll(/"([^"]+)"/g)) words.add(s[1]);
  }
  if (words.size < 38) throw new Error(`read only ${words.size} keywords from the table`);
  return words;
}

function rulesFiles(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) rulesFiles(p, out);
    else if (name.endsWith(".rules")) out.push(p);
  }
  return out;
}

/** The ```text blocks of docs/dialect.md (a rule in both dialects). */
function docBlocks() {
  const doc = readFileSync(join(repo, "docs/dialect.md"), "utf8");
  return [...doc.matchAll(/```text\n([\s\S]*?)```/g)].map((m) => m[1]);
}

async function loadGrammar() {
  const wasm = readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm")).buffer;
  await oniguruma.loadWASM(wasm);
  const registry = new vsctm.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (s) => new oniguruma.OnigScanner(s),
      createOnigString: (s) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scope) => {
      if (scope !== "source.parkrules") return null;
      const path = join(ext, "syntaxes/parkrules.tmLanguage.json");
      return vsctm.parseRawGrammar(readFileSync(path, "utf8"), path);
    },
  });
  const grammar = await registry.loadGrammar("source.parkrules");
  if (!grammar) throw new Error("the grammar did not load");
  return grammar;
}

const KEYWORD_SCOPE = /^(keyword|storage|constant\.language)\..*\.parkrules$/;
const NOT_CODE = /^(comment|string)\./;

/** Problems of one text: keywords of the table in code without a keyword scope. */
function check(grammar, name, text, words, seen) {
  const problems = [];
  let stack = vsctm.INITIAL;
  text.split("\n").forEach((line, i) => {
    const r = grammar.tokenizeLine(line, stack);
    for (const t of r.tokens) {
      const piece = line.slice(t.startIndex, t.endIndex);
      const inner = t.scopes[t.scopes.length - 1];
      const code = !t.scopes.some((s) => NOT_CODE.test(s)) || t.scopes.some((s) => s.startsWith("meta.embedded."));
      if (!code || t.scopes.some((s) => s.startsWith("punctuation.definition.string"))) continue;
      for (const m of piece.matchAll(/[\p{L}\p{N}_]+/gu)) {
        if (!words.has(m[0])) continue;
        if (KEYWORD_SCOPE.test(inner)) {
          seen.add(m[0]);
        } else {
          problems.push(`${name}:${i + 1}:${t.startIndex + 1}: \`${m[0]}\` is scoped ${t.scopes.join(" ")}`);
        }
      }
    }
    stack = r.ruleStack;
  });
  return problems;
}

const words = keywords();
const grammar = await loadGrammar();
const seen = new Set();
const problems = [];
const files = rulesFiles(join(repo, "policies"));
for (const f of files) {
  problems.push(...check(grammar, relative(repo, f), readFileSync(f, "utf8"), words, seen));
}
docBlocks().forEach((b, i) => problems.push(...check(grammar, `docs/dialect.md block ${i + 1}`, b, words, seen)));

for (const p of problems) console.error(p);
const zh = [...seen].filter((w) => !/^[\x00-\x7f]*$/.test(w));
console.log(`${files.length} policy files and ${docBlocks().length} doc blocks: ${seen.size} distinct keywords scoped (${zh.length} Chinese), ${problems.length} unscoped`);
if (problems.length > 0 || files.length === 0 || zh.length === 0) process.exit(1);
