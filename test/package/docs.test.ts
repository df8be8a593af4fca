/**
 * The documents speak of paths inside the repository, and the package ships
 * what they link to: every relative link in README.md and docs/ resolves to a
 * file or folder of the repository, none leaves it, no document sends readers
 * to a folder outside it, and every link of a shipped document points to a
 * shipped file (so README links work in node_modules/repap and on CDNs).
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

/** README.md, CHANGELOG.md and every markdown file under docs/ (not the generated docs/api). */
function documents(): string[] {
  const out = ['README.md', 'CHANGELOG.md'];
  const walk = (dir: string): void => {
    for (const e of readdirSync(join(root, dir), { withFileTypes: true })) {
      const p = `${dir}/${e.name}`;
      if (e.isDirectory()) {
        if (p !== 'docs/api') walk(p);
      } else if (e.name.endsWith('.md')) out.push(p);
    }
  };
  walk('docs');
  return out.filter((p) => existsSync(join(root, p)));
}

/** Relative link targets of a markdown text (inline links and images), without anchors. */
export function relativeLinks(markdown: string): string[] {
  const text = markdown.replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  const out: string[] = [];
  for (const m of text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = m[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('#')) continue;
    out.push(decodeURIComponent(target.split('#')[0]));
  }
  return out;
}

describe('documents', () => {
  const docs = documents();

  it('finds relative links, skipping web links, anchors and code', () => {
    expect(relativeLinks('[a](docs/x.md#y) [b](https://e.org) [c](#z) `[d](no.md)` ![e](f.svg "t")')).toEqual(['docs/x.md', 'f.svg']);
  });

  it('every relative link resolves to a path inside the repository', () => {
    const problems: string[] = [];
    for (const doc of docs) {
      for (const link of relativeLinks(readFileSync(join(root, doc), 'utf8'))) {
        const target = resolve(root, dirname(doc), link);
        const rel = relative(root, target);
        if (rel.startsWith('..') || rel.startsWith('/')) problems.push(`${doc}: ${link} leaves the repository`);
        else if (!existsSync(target)) problems.push(`${doc}: ${link} does not exist`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('no document sends readers to a folder outside the repository', () => {
    const outside = [/\/work\//, /\.\.\/shared\b/, /(^|\s)~\//m];
    const problems: string[] = [];
    for (const doc of docs) {
      const text = readFileSync(join(root, doc), 'utf8');
      for (const re of outside) if (re.test(text)) problems.push(`${doc} mentions ${re.source}`);
    }
    expect(problems).toEqual([]);
  });

  it('the package ships docs/ (not the generated API pages) and everything its documents link to', () => {
    const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' });
    const shipped = new Set((JSON.parse(out) as { files: { path: string }[] }[])[0].files.map((f) => f.path));
    const isShipped = (p: string): boolean => shipped.has(p) || [...shipped].some((f) => f.startsWith(`${p}/`));
    expect(isShipped('docs/guide.md')).toBe(true);
    expect([...shipped].filter((f) => f.startsWith('docs/api/'))).toEqual([]);
    const problems: string[] = [];
    for (const doc of docs.filter(isShipped)) {
      for (const link of relativeLinks(readFileSync(join(root, doc), 'utf8'))) {
        const rel = relative(root, resolve(root, dirname(doc), link));
        if (existsSync(join(root, rel)) && statSync(join(root, rel)).isDirectory() ? !isShipped(rel) : !shipped.has(rel)) {
          problems.push(`${doc} links to ${link}, which the package does not ship (package.json "files")`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
