import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The handler map is checked by the compiler, so this test runs the compiler: on the real
 * electron/main/services/api.ts, and on the same file with one handler removed.
 */
const ROOT = resolve(import.meta.dirname, '../..');
const API_TS = resolve(ROOT, 'electron/main/services/api.ts');
const TYPECHECK_TS = resolve(ROOT, 'test/unit/api-handlers.typecheck.ts');
const COMPILE_TIMEOUT_MS = 120_000;

function compilerOptions(): ts.CompilerOptions {
  const file = ts.readConfigFile(resolve(ROOT, 'tsconfig.json'), (p) => ts.sys.readFile(p));
  return { ...ts.parseJsonConfigFileContent(file.config, ts.sys, ROOT).options, noEmit: true };
}

/** Type errors of `file`, compiled with the project's options; `source` replaces its text when given. */
function diagnostics(
  file: string,
  source?: string,
  oldProgram?: ts.Program,
): { messages: string[]; program: ts.Program } {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, lang, onError, fresh) =>
    source !== undefined && resolve(name) === file
      ? ts.createSourceFile(name, source, lang)
      : getSourceFile(name, lang, onError, fresh);
  const program = ts.createProgram({ rootNames: [file], options, host, ...(oldProgram ? { oldProgram } : {}) });
  const sf = program.getSourceFile(file);
  if (!sf) throw new Error(`${file} not in the program`);
  const messages = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)].map((d) =>
    ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  );
  return { messages, program };
}

describe('ApiHandlers is enforced by the compiler', () => {
  it(
    'compiles the real ApiService, and fails once a method has no handler',
    () => {
      const real = diagnostics(API_TS);
      expect(real.messages).toEqual([]);

      const text = readFileSync(API_TS, 'utf8');
      const handlerLine = /^ {4}'rotation\.get': .*\n/m;
      expect(text).toMatch(handlerLine);
      const broken = diagnostics(API_TS, text.replace(handlerLine, ''), real.program);
      expect(broken.messages.join('\n')).toMatch(/'"?rotation\.get"?' is missing/);
    },
    COMPILE_TIMEOUT_MS,
  );

  it(
    'consumes every @ts-expect-error in api-handlers.typecheck.ts (each is a real type error)',
    () => {
      expect(diagnostics(TYPECHECK_TS).messages).toEqual([]);
      const text = readFileSync(TYPECHECK_TS, 'utf8');
      const directives = text.match(/\/\/ @ts-expect-error/g) ?? [];
      expect(directives.length).toBeGreaterThanOrEqual(7);
      // Without the directives, each one's line is an error.
      const bare = diagnostics(TYPECHECK_TS, text.replaceAll('// @ts-expect-error', '// was:'));
      expect(bare.messages).toHaveLength(directives.length);
    },
    COMPILE_TIMEOUT_MS,
  );
});
