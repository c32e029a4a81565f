#!/usr/bin/env node
// Writes the documents generated from the library's own tables, straight from the TypeScript source
// (each file transpiled on load, no build needed):
//   docs/ERRORS.md   from src/safe_constructs/private/error-ids.ts
//   RULES.md         from the rules of SafePatternsChecks (src/safe_constructs/rules/)
//   README.md        the rule list between <!-- rules:start --> and <!-- rules:end -->, and the
//                    encryption coverage table between <!-- coverage:start --> and <!-- coverage:end -->
//                    (from src/safe_constructs/private/encryption-table.ts)
//   src/safe_constructs/index.ts  the package's exports: every file of src/safe_constructs (a construct
//                    or public types), so a new one is exported without another file to edit
//   rosetta/default.ts-fixture  its import of the package: every class and enum, so an API example may
//                    use a new construct without another file to edit
// `node scripts/docs.js --check` writes nothing and exits 1 naming each document that is stale.
'use strict';
const fs = require('fs');
const path = require('path');
const ts = require('typescript');

const ROOT = path.join(__dirname, '..');
const SRC = path.join(ROOT, 'src', 'safe_constructs');

// Load .ts files as CommonJS, transpiled one by one (types are not checked here: the build does that).
require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(fs.readFileSync(filename, 'utf-8'), {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    fileName: filename,
  });
  module._compile(outputText, filename);
};

// ---- Who raises each id: read from the source, so that docs/ERRORS.md cannot drift from it ----

/** Every .ts file of the library, parsed. */
function parsedSources() {
  const files = new Map();
  const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true }).forEach((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) walk(file);
    else if (entry.name.endsWith('.ts')) {
      files.set(file, ts.createSourceFile(file, fs.readFileSync(file, 'utf-8'), ts.ScriptTarget.ES2022, true));
    }
  });
  walk(SRC);
  return files;
}

/** The local names a file imports, each with the file it comes from. */
function importsOf(source) {
  const names = new Map();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !statement.moduleSpecifier.text.startsWith('.')) continue;
    const from = path.resolve(path.dirname(source.fileName), statement.moduleSpecifier.text) + '.ts';
    const bindings = statement.importClause && statement.importClause.namedBindings;
    if (bindings && ts.isNamedImports(bindings)) bindings.elements.forEach((e) => names.set(e.name.text, from));
  }
  return names;
}

const hasModifier = (node, kind) => (ts.getModifiers(node) || []).some((m) => m.kind === kind);
const snake = (name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Who raises an id: for each string literal naming it, the construct whose code runs it, found by
 * walking out of the function that holds it to the places that call that function, up to a construct's
 * constructor or public method (a static one as `Class.python_name`; an abstract class as the classes
 * that extend it). Marked synth where a link runs at synth: inside `checkAtSynth` (or a call that hands
 * its argument to it) or an aspect's `visit`.
 */
function raisers(sources, id) {
  const found = new Map(); // label -> Set of 'construct' | 'synth'
  const add = (label, synth) => found.set(label, (found.get(label) || new Set()).add(synth ? 'synth' : 'construct'));
  const topLevel = (file) => path.dirname(file) === SRC;
  const classesExtending = (name) => [...sources.values()].flatMap((source) => source.statements.filter((s) => ts.isClassDeclaration(s)
    && (s.heritageClauses || []).some((h) => h.types.some((t) => t.expression.getText() === name))));
  const labelClass = (cls, synth, member) => {
    if (hasModifier(cls, ts.SyntaxKind.AbstractKeyword)) {
      classesExtending(cls.name.text).forEach((sub) => labelClass(sub, synth, member));
    } else {
      add(member ? `${cls.name.text}.${snake(member)}` : cls.name.text, synth);
    }
  };
  /** The references to a name declared in `file`: in that file and in the files that import it from there. */
  const referencesTo = (name, file, accept) => {
    const refs = [];
    for (const source of sources.values()) {
      if (source.fileName !== file && importsOf(source).get(name) !== file) continue;
      const visit = (node) => {
        if (ts.isIdentifier(node) && node.text === name && accept(node)) refs.push(node);
        ts.forEachChild(node, visit);
      };
      visit(source);
    }
    return refs;
  };
  const isUse = (node) => {
    const parent = node.parent;
    if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent)) return false;
    if ((ts.isFunctionDeclaration(parent) || ts.isVariableDeclaration(parent) || ts.isClassDeclaration(parent)) && parent.name === node) return false;
    return !(ts.isPropertyAccessExpression(parent) && parent.name === node);
  };
  /** Whether a call runs what it is given at synth: `checkAtSynth` itself, or a function of the library that hands its argument to it. */
  const reportsAtSynth = (call) => {
    if (!ts.isIdentifier(call.expression)) return false;
    const name = call.expression.text;
    if (name === 'checkAtSynth') return true;
    const file = importsOf(call.getSourceFile()).get(name) || call.getSourceFile().fileName;
    const declaration = sources.get(file) && sources.get(file).statements.find((s) => ts.isFunctionDeclaration(s) && s.name && s.name.text === name);
    return Boolean(declaration && /\bcheckAtSynth\(/.test(declaration.getText()));
  };
  const seen = new Set();
  const resolve = (node, synth) => {
    const key = `${node.getSourceFile().fileName}:${node.pos}:${synth}`;
    if (seen.has(key)) return;
    seen.add(key);
    for (let at = node.parent, child = node; at; child = at, at = at.parent) {
      if (ts.isCallExpression(at) && at.arguments.includes(child) && reportsAtSynth(at)) synth = true;
      if ((ts.isPropertyAssignment(at) || ts.isMethodDeclaration(at)) && at.name.getText() === 'visit') synth = true;
      if (ts.isConstructorDeclaration(at)) return labelClass(at.parent, synth);
      if (ts.isMethodDeclaration(at) && ts.isClassDeclaration(at.parent)) {
        const cls = at.parent;
        const name = at.name.getText();
        const isPrivate = hasModifier(at, ts.SyntaxKind.PrivateKeyword);
        const isStatic = hasModifier(at, ts.SyntaxKind.StaticKeyword);
        if (topLevel(cls.getSourceFile().fileName) && hasModifier(cls, ts.SyntaxKind.ExportKeyword) && !isPrivate) {
          return labelClass(cls, synth, isStatic ? name : undefined);
        }
        // A private method, or a method of a private class: where it is called (this.name, or Class.name).
        const calls = [];
        const visit = (n) => {
          if (ts.isPropertyAccessExpression(n) && n.name.text === name
            && (isStatic ? n.expression.getText() === cls.name.text : n.expression.kind === ts.SyntaxKind.ThisKeyword)) calls.push(n);
          ts.forEachChild(n, visit);
        };
        if (isStatic && !topLevel(cls.getSourceFile().fileName)) {
          for (const source of sources.values()) {
            if (source.fileName === cls.getSourceFile().fileName || importsOf(source).get(cls.name.text) === cls.getSourceFile().fileName) visit(source);
          }
        } else {
          visit(cls);
        }
        return calls.forEach((call) => resolve(call, synth));
      }
      if (ts.isFunctionDeclaration(at) && at.name) {
        return referencesTo(at.name.text, at.getSourceFile().fileName, isUse).forEach((ref) => resolve(ref, synth));
      }
      if (ts.isVariableDeclaration(at) && ts.isIdentifier(at.name) && ts.isSourceFile(at.parent.parent.parent)) {
        return referencesTo(at.name.text, at.getSourceFile().fileName, isUse).forEach((ref) => resolve(ref, synth));
      }
    }
    throw new Error(`${id}: raised at ${node.getSourceFile().fileName}:${node.getStart()} outside any construct`);
  };
  for (const source of sources.values()) {
    if (source.fileName.endsWith(path.join('private', 'error-ids.ts'))) continue;
    const visit = (node) => {
      if (ts.isStringLiteral(node) && node.text === id) resolve(node, false);
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  if (found.size === 0) throw new Error(`${id} is in the table of ids, and nothing raises it`);
  return [...found.keys()].sort().map((label) => {
    const when = found.get(label);
    return `\`${label}\`${when.has('synth') ? (when.has('construct') ? ' (and at synth)' : ' (synth)') : ''}`;
  }).join(', ');
}

function errorsDoc() {
  const { ERRORS, WARNINGS } = require(path.join(SRC, 'private', 'error-ids.ts'));
  const { ROUTE53_WEIGHT, range } = require(path.join(SRC, 'private', 'limits.ts'));
  const sources = parsedSources();
  const table = (ids, column) => [`| id | ${column} | when |`, '|---|---|---|',
    ...Object.keys(ids).sort((a, b) => a.localeCompare(b, 'en', { sensitivity: 'base' }))
      .map((id) => `| \`${id}\` | ${raisers(sources, id)} | ${ids[id].when} |`)].join('\n');
  return `# Errors and warnings

Generated by \`npx projen docs\` from the library's table of ids (src/safe_constructs/private/error-ids.ts)
and the places in the source that raise each id; do not edit. Every error safe-constructs raises has
one shape, so it can be searched by its id:

\`\`\`
[safe-constructs:WeightOutOfRange] Pay/Blue: weight must be a whole number ${range(ROUTE53_WEIGHT)}, got: 300; fix: give a whole number ${range(ROUTE53_WEIGHT)} (0 sends no traffic)
\`\`\`

- \`[safe-constructs:<Id>]\`: the stable id, listed below.
- the construct's path (omitted in synth-time checks, where the CDK prints it in front:
  \`[Pay/Blue] [safe-constructs:...] ...\`);
- what is wrong, naming the prop in Python's spelling with the jsii name beside it
  (\`set_identifier (setIdentifier)\`) and the value received;
- after \`fix:\`, only the action that fixes it.

A constructor reports all of its problems at once, one per line. From Python a constructor's error
arrives as a \`RuntimeError\`. A problem only the built app shows (marked "synth" below) fails
\`app.synth()\`, so \`python app.py\` and \`cdk synth\` alike, with all of them listed. A missing required
prop or a wrong type is Python's own \`TypeError\`, before any of these.

## Errors

${table(ERRORS, 'raised by')}

## Warnings

Warnings carry the id \`safe-constructs:<id>\`; acknowledge one with its reason:
\`Annotations.of(scope).acknowledge_warning("safe-constructs:rotationOutsideVpc", "the database is public")\`.

${table(WARNINGS, 'added by')}

The findings of \`SafePatternsChecks\` have rule ids of their own (\`SafePatterns::SP-DMS1\`, ...), listed
with their sources in [RULES.md](../RULES.md).
`;
}

/** The rules in the pack's order, each with the file that holds its id. */
function rules() {
  const { ALL_RULES } = require(path.join(SRC, 'rules', 'index.ts'));
  const files = fs.readdirSync(path.join(SRC, 'rules')).filter((f) => f.endsWith('.ts'));
  return ALL_RULES.map((rule) => {
    const holding = files.filter((f) => fs.readFileSync(path.join(SRC, 'rules', f), 'utf-8').includes(`id: '${rule.id}'`));
    if (holding.length !== 1) throw new Error(`${rule.id} is declared in ${holding.length} files: ${holding.join(', ')}`);
    return { ...rule, file: `src/safe_constructs/rules/${holding[0]}` };
  });
}

function rulesDoc() {
  const all = rules();
  return [`# SafePatternsChecks rules

Generated from the rules by \`npx projen docs\`; do not edit. Each rule lives in the file named
for its id. Add the pack with \`Validations.of(app).add_plugins(SafePatternsChecks())\`; acknowledge a
finding with \`Validations.of(scope).acknowledge(Acknowledgment(id="SafePatterns::<rule id>", reason="..."))\`.
Every finding is an error (it fails \`cdk synth\`), except where a rule cannot decide at synth time
(an unresolved token, or the rule failed on a resource): then it is a warning that says so.

| rule | finds | fix | source | file |
|---|---|---|---|---|`,
  ...all.map((r) => `| ${r.id} | ${r.summary} | ${r.fix} | [AWS](${r.source}) | [${path.basename(r.file)}](${r.file}) |`),
  '',
  ...all.map((r) => `## ${r.id}\n\n${r.summary}.\n\n${r.explanation}\n\nFix: ${r.fix}.\n\nSource: ${r.source}\n\nFile: [${r.file}](${r.file})\n`),
  ].join('\n');
}

/** `text` with what lies between its markers `<!-- name:start (generated by npx projen docs) -->` and `<!-- name:end -->` replaced. */
function betweenMarkers(text, name, generated) {
  const start = `<!-- ${name}:start (generated by npx projen docs) -->`;
  const end = `<!-- ${name}:end -->`;
  const [before, rest] = text.split(start);
  if (rest === undefined || !rest.includes(end)) throw new Error(`README.md lacks the markers ${start} ... ${end}`);
  return `${before}${start}\n${generated}\n${end}${rest.split(end)[1]}`;
}

function ruleList() {
  return rules().map((r) => `- [${r.id}](RULES.md#${r.id.toLowerCase()}): ${r.summary}.`).join('\n');
}

/** The rows of EncryptionAspect.coverage(), from the table's source. */
function coverageTable() {
  const { ENCRYPTION_TABLE, coverageOf } = require(path.join(SRC, 'private', 'encryption-checks.ts'));
  const rows = ENCRYPTION_TABLE.map(coverageOf).map((row) => {
    let fix = row.fixRefusedBecause ? `refused unless listed: ${row.fixRefusedBecause}` : 'sets it';
    if (row.fixNotWrittenBecause && !row.fixRefusedBecause) fix = `reports it: ${row.fixNotWrittenBecause}`;
    if (row.fixRefusedOnlyWhenSet) fix = `sets it when absent; when set, ${fix}`;
    const byDefault = (row.encryptedByDefault ? 'yes' : 'no') + (row.encryptedByDefaultWhen ? `; yes when ${row.encryptedByDefaultWhen}` : '')
      + (row.defaultTurnedOffBy ? `; turned off by ${row.defaultTurnedOffBy}` : '');
    const what = `\`${row.property}\`${row.inTransit ? ' (in transit)' : ''}`;
    const changing = row.updateBehavior.toLowerCase().replace(/_/g, ' ') + (row.updateNote ? `: ${row.updateNote}` : '');
    return `| \`${row.resourceType}\` | ${what} | ${byDefault} | ${changing} | ${fix} | [AWS](${row.source}) |`;
  });
  return ['| resource type | property | AWS encrypts when absent | changing it | FIX mode | source |', '|---|---|---|---|---|---|', ...rows].join('\n');
}

function readme(text) {
  return betweenMarkers(betweenMarkers(text, 'rules', ruleList()), 'coverage', coverageTable());
}

function indexTs() {
  const files = fs.readdirSync(SRC).filter((f) => f.endsWith('.ts') && f !== 'index.ts').sort();
  return ['// The package\'s exports: every file of src/safe_constructs, each a construct or public types (helpers live',
    '// in private/). Generated by `npx projen docs` (scripts/docs.js); do not edit.',
    ...files.map((f) => `export * from './${f.replace(/\.ts$/, '')}';`), ''].join('\n');
}

/** The API examples' fixture, importing every class and enum the package exports. */
function fixture(text) {
  const names = fs.readdirSync(SRC).filter((f) => f.endsWith('.ts') && f !== 'index.ts').sort().flatMap((f) => {
    const source = ts.createSourceFile(f, fs.readFileSync(path.join(SRC, f), 'utf-8'), ts.ScriptTarget.ES2022, true);
    return source.statements.filter((s) => (ts.isClassDeclaration(s) || ts.isEnumDeclaration(s)) && s.name
      && (ts.getModifiers(s) || []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword)).map((s) => s.name.text);
  }).sort();
  const lines = [];
  for (const name of names) {
    const last = lines[lines.length - 1];
    if (last !== undefined && `${last} ${name},`.length <= 110) lines[lines.length - 1] = `${last} ${name},`;
    else lines.push(`  ${name},`);
  }
  const block = /^import \{[^}]*\} from 'safe-constructs';$/m;
  if (!block.test(text)) throw new Error('rosetta/default.ts-fixture lacks its import from \'safe-constructs\'');
  return text.replace(block, `import {\n${lines.join('\n')}\n} from 'safe-constructs';`);
}

const outputs = [
  ['rosetta/default.ts-fixture', () => fixture(fs.readFileSync(path.join(ROOT, 'rosetta', 'default.ts-fixture'), 'utf-8'))],
  ['src/safe_constructs/index.ts', () => indexTs()],
  ['docs/ERRORS.md', () => errorsDoc()],
  ['RULES.md', () => rulesDoc()],
  ['README.md', () => readme(fs.readFileSync(path.join(ROOT, 'README.md'), 'utf-8'))],
];
const check = process.argv.includes('--check');
const stale = [];
for (const [file, render] of outputs) {
  const target = path.join(ROOT, file);
  const text = render();
  if (fs.existsSync(target) && fs.readFileSync(target, 'utf-8') === text) continue;
  if (check) stale.push(file); else fs.writeFileSync(target, text);
}
if (stale.length > 0) {
  console.error(`stale: ${stale.join(', ')}; run npx projen docs`);
  process.exit(1);
}
