import { churn, guess, holdConnections, routes } from './attackers.js';

/**
 * Runs one attack in a process of its own, so the attacker's CPU work (thousands of TLS
 * handshakes) never runs on the legitimate user's event loop and skews what it measures:
 *   node --import tsx e2e/hostile/attack-runner.ts <hold|churn|guess> '<options JSON>'
 * Prints the attack's figures as one JSON line and exits.
 */
const [name, json] = process.argv.slice(2);
const options = JSON.parse(json ?? '{}') as never;
const attacks = { hold: holdConnections, churn, guess, routes };
const run = attacks[name as keyof typeof attacks];
if (!run) {
  process.stderr.write(`unknown attack ${name}\n`);
  process.exit(2);
}
run(options).then(
  (figures) => {
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    process.exit(0);
  },
  (error: Error) => {
    process.stderr.write(`${error.stack ?? error.message}\n`);
    process.exit(1);
  },
);
