import { parseEndpoint, type Endpoint } from '../../src-shared/domain/endpoint.js';
import { startProcess, type StartedProcess } from './exec.js';
import type { ReplyFrom } from './echo-protocol.js';
import { labScript } from './lab-scripts.js';

/** Drives a udp-agent.ts process inside a namespace; one command at a time. */
export type AskResult =
  { ok: true; mapped: Endpoint; via: Endpoint } | { ok: false; error: string };
export type ReceiveResult = { ok: true; from: string; text: string } | { ok: false; error: string };

// Long enough for a 2×(relay delay) round trip in any lab scenario; short enough that a dropped
// probe (the point of filtering tests) costs under a second.
export const DEFAULT_ASK_TIMEOUT_MS = 700;

export class UdpAgent {
  private constructor(
    private readonly proc: StartedProcess,
    readonly port: number,
  ) {}

  static async start(ns: string, bindPort = 0): Promise<UdpAgent> {
    const proc = await startProcess(
      'ip',
      ['netns', 'exec', ns, process.execPath, await labScript('udp-agent.ts'), String(bindPort)],
      { stdin: true },
    );
    const probe = new UdpAgent(proc, 0);
    const info = JSON.parse(await probe.command({ op: 'info' })) as { port: number };
    return new UdpAgent(proc, info.port);
  }

  private async command(command: Record<string, unknown>): Promise<string> {
    this.proc.child.stdin?.write(`${JSON.stringify(command)}\n`);
    const next = await this.proc.lines.next();
    if (next.done) throw new Error('udp agent exited');
    return next.value;
  }

  async ask(
    to: string,
    replyFrom: ReplyFrom = 'same',
    timeoutMs = DEFAULT_ASK_TIMEOUT_MS,
  ): Promise<AskResult> {
    const answer = JSON.parse(
      await this.command({ op: 'ask', to, replyFrom, timeoutMs }),
    ) as Record<string, string>;
    if (answer.ok !== (true as unknown))
      return { ok: false, error: answer.error ?? 'unknown error' };
    const mapped = parseEndpoint(answer.mapped ?? '');
    const via = parseEndpoint(answer.via ?? '');
    if (!mapped.ok || !via.ok) return { ok: false, error: 'malformed answer from agent' };
    return { ok: true, mapped: mapped.value, via: via.value };
  }

  async send(to: string, text: string): Promise<void> {
    await this.command({ op: 'send', to, text });
  }

  async receive(timeoutMs = DEFAULT_ASK_TIMEOUT_MS): Promise<ReceiveResult> {
    return JSON.parse(await this.command({ op: 'receive', timeoutMs })) as ReceiveResult;
  }

  async stop(): Promise<void> {
    this.proc.child.stdin?.end();
    await this.proc.stop();
  }
}
