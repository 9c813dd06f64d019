// The JSON form of a node (docs/node-json.md) ↔ Baileys' node objects.
// Baileys nodes: {tag, attrs: {k: string}, content?: string | Buffer | node[]};
// JID values are plain strings there, {"jid": text} in the JSON form.

const isBytes = v => Buffer.isBuffer(v) || v instanceof Uint8Array

// JSON form → the node Baileys' encodeBinaryNode takes.
export function toBaileys (node) {
  const attrs = {}
  for (const [k, v] of Object.entries(node.attrs ?? {})) attrs[k] = typeof v === 'string' ? v : v.jid
  const out = { tag: node.tag, attrs }
  const c = node.content
  if (c === null || c === undefined) return out
  if (typeof c === 'string') out.content = c
  else if (Array.isArray(c)) out.content = c.map(toBaileys)
  else if ('hex' in c) out.content = Buffer.from(c.hex, 'hex')
  else out.content = c.jid
  return out
}

// A node decoded by Baileys → the JSON form with every JID as a plain string.
export function fromBaileys (node) {
  const c = node.content
  let content = null
  if (typeof c === 'string') content = c
  else if (Array.isArray(c)) content = c.map(fromBaileys)
  else if (isBytes(c)) content = { hex: Buffer.from(c).toString('hex') }
  return { tag: node.tag, attrs: { ...node.attrs }, content }
}

// How Baileys prints the JID we print as `text`: AD_JID servers drop `:0`
// and the raw agent (jid.h); FB_JID and INTEROP_JID texts are the same.
export function baileysJidText (text) {
  const m = /^([^@:_]*)(?:_(\d+))?(?::(\d+))?@(.*)$/.exec(text)
  if (!m) return text
  const [, user, , device, server] = m
  if (!['s.whatsapp.net', 'lid', 'hosted', 'hosted.lid'].includes(server)) return text
  return `${user}${device && device !== '0' ? ':' + device : ''}@${server}`
}

// Our decoded JSON form → what Baileys shows for the same bytes.
export function untype (node) {
  const attrs = {}
  for (const [k, v] of Object.entries(node.attrs ?? {})) {
    attrs[k] = typeof v === 'string' ? v : baileysJidText(v.jid)
  }
  const c = node.content
  let content = c ?? null
  if (Array.isArray(c)) content = c.map(untype)
  else if (c && typeof c === 'object' && 'jid' in c) content = baileysJidText(c.jid)
  return { tag: node.tag, attrs, content }
}
