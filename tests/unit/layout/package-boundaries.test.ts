import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The workspace packages under local-stack/ know nothing of this product, and the product
 * uses them only through their package names.
 */
const repoRoot = resolve(import.meta.dirname, '../../..');
const packages = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).workspaces as string[];
const productFolders = ['functions', 'layers', 'tools', 'bench', 'tests'];
const sourceFile = /\.(ts|mts|js|mjs)$/;

function sourceFiles(folder: string): string[] {
  return readdirSync(join(repoRoot, folder), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && sourceFile.test(entry.name) && !join(entry.parentPath, entry.name).includes('node_modules'))
    .map((entry) => relative(repoRoot, join(entry.parentPath, entry.name)));
}

/** Every module specifier of static imports, re-exports and dynamic imports with a literal. */
function importsOf(file: string): string[] {
  const text = readFileSync(join(repoRoot, file), 'utf8');
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]([^'"]+)['"]/g;
  return [...text.matchAll(pattern)].map((match) => match[1]!);
}

const packageName = (folder: string): string => JSON.parse(readFileSync(join(repoRoot, folder, 'package.json'), 'utf8')).name;

/** Why a package file's import leaves its package, or undefined when it stays inside. */
function packageViolation(folder: string, file: string, specifier: string): string | undefined {
  if (specifier.startsWith('#')) return 'uses the product\'s import aliases';
  if (specifier.startsWith('.')) {
    const target = relative(join(repoRoot, folder), resolve(repoRoot, dirname(file), specifier));
    return target.startsWith('..') ? 'leaves its package folder' : undefined;
  }
  if (specifier.startsWith('@ledgerflow/')) return 'imports another workspace package';
  return undefined;
}

/** Why a product file's import reaches into a package, or undefined. */
function productViolation(file: string, specifier: string): string | undefined {
  if (specifier.startsWith('.')) {
    const target = relative(repoRoot, resolve(repoRoot, dirname(file), specifier));
    return packages.some((folder) => target === folder || target.startsWith(`${folder}/`)) ? 'imports a package by path' : undefined;
  }
  if (/^@ledgerflow\/[^/]+\/.+/.test(specifier)) return 'imports a package\'s internals';
  return undefined;
}

describe('package boundaries', () => {
  for (const folder of packages) {
    it(`${packageName(folder)} (${folder}) imports nothing outside its own folder`, () => {
      const violations = sourceFiles(folder).flatMap((file) =>
        importsOf(file).flatMap((specifier) => {
          const reason = packageViolation(folder, file, specifier);
          return reason ? [`${file}: '${specifier}' ${reason}`] : [];
        }),
      );
      expect(violations).toEqual([]);
    });
  }

  it('the product imports the packages only by their names', () => {
    const violations = productFolders.flatMap((folder) =>
      sourceFiles(folder).flatMap((file) =>
        importsOf(file).flatMap((specifier) => {
          const reason = productViolation(file, specifier);
          return reason ? [`${file}: '${specifier}' ${reason}`] : [];
        }),
      ),
    );
    expect(violations).toEqual([]);
  });

  it('finds the imports it checks, in every form', () => {
    const file = 'local-stack/runtime/index.ts';
    expect(importsOf(file)).toContain('./start-local-runtime.ts');
    expect(packageViolation('local-stack/runtime', 'local-stack/runtime/cli.ts', '../../layers/contracts/openapi.ts')).toBe('leaves its package folder');
    expect(packageViolation('local-stack/runtime', 'local-stack/runtime/cli.ts', '#contracts/registry.ts')).toBe("uses the product's import aliases");
    expect(packageViolation('local-stack/runtime', 'local-stack/runtime/api/jwt.ts', '../template/model.ts')).toBeUndefined();
    expect(productViolation('bench/stages/bridge.ts', '../../local-stack/runtime/function-registry.ts')).toBe('imports a package by path');
    expect(productViolation('bench/stages/bridge.ts', '@ledgerflow/lambda-runtime/function-registry.ts')).toBe("imports a package's internals");
    expect(productViolation('bench/stages/bridge.ts', '@ledgerflow/lambda-runtime')).toBeUndefined();
  });
});
