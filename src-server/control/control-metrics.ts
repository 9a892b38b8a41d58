/**
 * Counters for `/metrics` (Prometheus text format) and `/health`. Plain numbers bumped inline:
 * a metrics library would be more code than the dozen series we need.
 */
export class ControlMetrics {
  connectionsTotal = 0;
  connectionsOpen = 0;
  authFailures = 0;
  messagesTotal = 0;
  readonly requestsByOp = new Map<string, number>();
  readonly errorsByCode = new Map<string, number>();
  relayHeartbeats = 0;
  relayHeartbeatsRefused = 0;

  countRequest(op: string): void {
    this.requestsByOp.set(op, (this.requestsByOp.get(op) ?? 0) + 1);
  }

  countError(code: string): void {
    this.errorsByCode.set(code, (this.errorsByCode.get(code) ?? 0) + 1);
  }

  /** Renders counters plus the gauges the caller samples now. */
  render(gauges: Record<string, number>, eventsPushed: number): string {
    const lines: string[] = [];
    const metric = (name: string, type: string, help: string, samples: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    metric('lanrage_control_connections_total', 'counter', 'WebSocket connections accepted.', [
      ['', this.connectionsTotal],
    ]);
    metric('lanrage_control_connections_open', 'gauge', 'WebSocket connections open now.', [
      ['', this.connectionsOpen],
    ]);
    metric('lanrage_control_auth_failures_total', 'counter', 'Failed logins.', [
      ['', this.authFailures],
    ]);
    metric('lanrage_control_messages_total', 'counter', 'Frames received from clients.', [
      ['', this.messagesTotal],
    ]);
    metric(
      'lanrage_control_requests_total',
      'counter',
      'Well-formed requests by op.',
      [...this.requestsByOp].map(([op, n]) => [`{op="${op}"}`, n]),
    );
    metric(
      'lanrage_control_errors_total',
      'counter',
      'Error replies by code.',
      [...this.errorsByCode].map(([code, n]) => [`{code="${code}"}`, n]),
    );
    metric('lanrage_control_events_pushed_total', 'counter', 'Events delivered to sessions.', [
      ['', eventsPushed],
    ]);
    metric('lanrage_control_relay_heartbeats_total', 'counter', 'Relay heartbeats by outcome.', [
      ['{result="accepted"}', this.relayHeartbeats],
      ['{result="refused"}', this.relayHeartbeatsRefused],
    ]);
    for (const [name, value] of Object.entries(gauges)) {
      metric(`lanrage_control_${name}`, 'gauge', name.replace(/_/g, ' ') + '.', [['', value]]);
    }
    return lines.join('\n') + '\n';
  }
}
