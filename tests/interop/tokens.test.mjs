// The committed token table (src/wa/binary/tokens_generated.inc) must be what
// scripts/gen_tokens.mjs makes from the installed Baileys package.
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { test } from 'node:test'
import { fileURLToPath } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const committed = join(here, '..', '..', 'src', 'wa', 'binary', 'tokens_generated.inc')

test('tokens_generated.inc is up to date with the installed Baileys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wagate-tokens-'))
  try {
    const fresh = join(dir, 'tokens_generated.inc')
    execFileSync(process.execPath, [join(here, 'scripts', 'gen_tokens.mjs'), fresh], { stdio: 'inherit' })
    assert.equal(readFileSync(committed, 'utf8'), readFileSync(fresh, 'utf8'),
      'src/wa/binary/tokens_generated.inc differs: run `node scripts/gen_tokens.mjs` in tests/interop')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})
