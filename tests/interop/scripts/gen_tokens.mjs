#!/usr/bin/env node
// Writes src/wa/binary/tokens_generated.inc from the token dictionaries of the
// installed Baileys package (lib/WABinary/constants.js). The dictionaries are
// protocol constants [whatsapp-protocol.md §4.4]; this script only re-types
// them as C++ data, so the C++ table can never drift from the pinned Baileys.
//
// Usage: node scripts/gen_tokens.mjs [OUTPUT]   (run from tests/interop)
// Default OUTPUT: ../../src/wa/binary/tokens_generated.inc
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const here = dirname(fileURLToPath(import.meta.url))
const interopDir = resolve(here, '..')
const require = createRequire(join(interopDir, 'package.json'))
const packageJson = require.resolve('baileys/package.json')
const packageDir = dirname(packageJson)
const { version } = JSON.parse(readFileSync(packageJson, 'utf8'))
const constantsPath = join(packageDir, 'lib', 'WABinary', 'constants.js')
const { SINGLE_BYTE_TOKENS, DOUBLE_BYTE_TOKENS } = await import(pathToFileURL(constantsPath).href)

function check(condition, message) {
  if (!condition) throw new Error(`gen_tokens: ${message}`)
}

check(SINGLE_BYTE_TOKENS.length === 236, `expected 236 single-byte tokens, got ${SINGLE_BYTE_TOKENS.length}`)
check(SINGLE_BYTE_TOKENS[0] === '', 'single-byte token 0 must be the empty string')
check(DOUBLE_BYTE_TOKENS.length === 4, `expected 4 double-byte dictionaries, got ${DOUBLE_BYTE_TOKENS.length}`)
for (const [i, dict] of DOUBLE_BYTE_TOKENS.entries()) {
  check(dict.length === 256, `double-byte dictionary ${i} has ${dict.length} entries, expected 256`)
}
const seen = new Set()
for (const token of [...SINGLE_BYTE_TOKENS.slice(1), ...DOUBLE_BYTE_TOKENS.flat()]) {
  check(typeof token === 'string' && token.length > 0, `bad token ${JSON.stringify(token)}`)
  check(/^[\x20-\x7e]+$/.test(token), `token ${JSON.stringify(token)} is not printable ASCII`)
  check(!seen.has(token), `token ${JSON.stringify(token)} occurs twice`)
  seen.add(token)
}

// A C++ string literal for printable ASCII.
const literal = s => '"' + s.replace(/[\\"]/g, c => '\\' + c) + '"'

function rows(tokens, indent) {
  const lines = []
  let line = ''
  for (const token of tokens) {
    const item = literal(token) + ','
    if (line && indent.length + line.length + 1 + item.length > 100) {
      lines.push(indent + line)
      line = item
    } else {
      line = line ? line + ' ' + item : item
    }
  }
  if (line) lines.push(indent + line)
  return lines.join('\n')
}

const out = `// GENERATED FILE — do not edit. Regenerate with
//   cd tests/interop && node scripts/gen_tokens.mjs
// Source: npm package baileys@${version}, lib/WABinary/constants.js
// (SINGLE_BYTE_TOKENS, DOUBLE_BYTE_TOKENS) [whatsapp-protocol.md §4.4].
// Included by src/wa/binary/tokens.cc inside namespace wa::binary.
// clang-format off

inline constexpr std::string_view kSingleByteTokens[${SINGLE_BYTE_TOKENS.length}] = {
${rows(SINGLE_BYTE_TOKENS, '    ')}
};

inline constexpr std::string_view kDoubleByteTokens[${DOUBLE_BYTE_TOKENS.length}][256] = {
${DOUBLE_BYTE_TOKENS.map(dict => '  {\n' + rows(dict, '    ') + '\n  },').join('\n')}
};

// clang-format on
`

const target = process.argv[2] ?? resolve(interopDir, '..', '..', 'src', 'wa', 'binary', 'tokens_generated.inc')
writeFileSync(target, out)
