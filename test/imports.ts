import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import ts from 'typescript';

// The imports of a source or compiled file, read with the TypeScript parser (it reads .js too):
// test/layers.node.test.ts checks the layering of src/ with them, and the main entry's freedom
// from packages in src/ and, as installed, in dist/ (test/consumers.node.test.ts).

export interface Import {
  spec: string;
  /** Erased from the emitted JavaScript: `import type`, or only type-only names. */
  typeOnly: boolean;
  /** An `import('…')` call with a literal specifier, not a declaration. */
  dynamic: boolean;
}

/** The import and re-export declarations of a file, and its `import('…')` calls with a literal specifier. */
export function importsIn(file: string): Import[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
  const found: Import[] = [];
  for (const st of source.statements) {
    if (ts.isImportDeclaration(st)) {
      const clause = st.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings.elements : null;
      const typeOnly = !!clause && (clause.isTypeOnly || (!clause.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      found.push({ spec: (st.moduleSpecifier as ts.StringLiteral).text, typeOnly, dynamic: false });
    } else if (ts.isExportDeclaration(st) && st.moduleSpecifier) {
      const named = st.exportClause && ts.isNamedExports(st.exportClause) ? st.exportClause.elements : null;
      const typeOnly = st.isTypeOnly || (!!named && named.length > 0 && named.every((e) => e.isTypeOnly));
      found.push({ spec: (st.moduleSpecifier as ts.StringLiteral).text, typeOnly, dynamic: false });
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) found.push({ spec: arg.text, typeOnly: false, dynamic: true });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/**
 * The file a relative specifier names: the file itself (compiled .js), or the .ts source that a
 * `./x.js` specifier stands for in src/.
 */
export function resolveRelative(from: string, spec: string): string {
  const path = resolve(dirname(from), spec);
  const source = path.replace(/\.js$/, '.ts');
  return !existsSync(path) && existsSync(source) ? source : path;
}

/**
 * Every file that loading `entry` loads (imports that stay in the JavaScript: declarations that
 * are not type-only, and literal `import('…')` calls, followed through relative specifiers), and
 * the non-relative specifiers (packages, `node:` built-ins) those files name.
 */
export function runtimeGraph(entry: string): { files: string[]; external: { file: string; spec: string }[] } {
  const files = new Set<string>();
  const external: { file: string; spec: string }[] = [];
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    for (const { spec, typeOnly } of importsIn(file)) {
      if (typeOnly) continue;
      if (spec.startsWith('./') || spec.startsWith('../')) visit(resolveRelative(file, spec));
      else external.push({ file, spec });
    }
  };
  visit(entry);
  return { files: [...files], external };
}
