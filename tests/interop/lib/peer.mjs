// Drives tests/interop/peer (wa_peer): our protocol code behind a JSON-lines
// pipe. WAGATE_PEER names the binary (make test / ctest set it).
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'

export class Peer {
  constructor(bin = process.env.WAGATE_PEER) {
    if (!bin) throw new Error('WAGATE_PEER must name the wa_peer binary')
    this.proc = spawn(bin, [], { stdio: ['pipe', 'pipe', 'inherit'] })
    this.next = 1
    this.waiting = new Map()
    createInterface({ input: this.proc.stdout }).on('line', line => {
      const msg = JSON.parse(line)
      const w = this.waiting.get(msg.id)
      if (!w) return
      this.waiting.delete(msg.id)
      if (msg.ok) w.resolve(msg.result)
      else w.reject(new Error(msg.error))
    })
    this.proc.on('exit', code => {
      for (const w of this.waiting.values()) w.reject(new Error(`wa_peer exited with ${code}`))
      this.waiting.clear()
    })
  }

  call(op, args = {}) {
    const id = this.next++
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject })
      this.proc.stdin.write(JSON.stringify({ id, op, args }) + '\n')
    })
  }

  close() {
    this.proc.stdin.end()
  }
}

export const hex = buf => Buffer.from(buf).toString('hex')
export const unhex = s => Buffer.from(s, 'hex')
