import { createSocket, type Socket } from 'node:dgram';
import { randomInt } from 'node:crypto';
import {
  getInfo,
  parseInfo,
  parseTokenAnswer,
  TEEWORLDS_PORTS,
  tokenRequest,
} from './teeworlds-lan-query.js';

/**
 * What a game does on the wire for LAN discovery, run inside a player's namespace by the
 * discovery lab test (bundled by lab-scripts.ts). Every socket is bound to 0.0.0.0, as games'
 * are, and multicast groups are joined on the default interface, as Java's joinGroup does: the
 * test proves LANrage brings the party's packets to sockets like these, not to ones that know
 * about the LANrage interface.
 *
 *   listen PORT MS [GROUP] [answer]  prints "ready", then after MS one JSON line
 *                                    {"received":[{"from":"ip:port","text":"…"}]}; with "answer"
 *                                    it answers each datagram by unicast with "answer:<text>";
 *                                    GROUP@ADDR joins on the interface with address ADDR (a home
 *                                    LAN neighbour listening on its LAN side)
 *   send IP PORT TEXT COUNT WAITMS   sends TEXT COUNT times (broadcast allowed), then collects
 *                                    answers for WAITMS: {"sent":N,"replies":[{from,text}]}
 *   teeworlds WAITMS                 Teeworlds 0.7's LAN query to 255.255.255.255:8303-8310:
 *                                    {"servers":[{"from":"ip:port","info":{…}}]}
 */
type Datagram = { from: string; text: string };

function open(port: number): Promise<Socket> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(port, '0.0.0.0', () => {
      socket.setBroadcast(true);
      resolve(socket);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function send(socket: Socket, data: Buffer | string, port: number, ip: string): Promise<void> {
  return new Promise((resolve, reject) =>
    socket.send(data, port, ip, (error) => (error ? reject(error) : resolve())),
  );
}

async function listen(port: number, ms: number, group?: string, answer = false): Promise<void> {
  const socket = await open(port);
  // Default interface (the kernel picks it by route) unless an interface address is given.
  if (group) socket.addMembership(...(group.split('@') as [string, string?]));
  const received: Datagram[] = [];
  socket.on('message', (message, rinfo) => {
    const text = message.toString('utf8');
    received.push({ from: `${rinfo.address}:${rinfo.port}`, text });
    if (answer) socket.send(`answer:${text}`, rinfo.port, rinfo.address);
  });
  process.stdout.write('ready\n');
  await sleep(ms);
  process.stdout.write(`${JSON.stringify({ received })}\n`);
  socket.close();
}

async function sendMany(ip: string, port: number, text: string, count: number, waitMs: number) {
  const socket = await open(0);
  const replies: Datagram[] = [];
  socket.on('message', (message, rinfo) =>
    replies.push({ from: `${rinfo.address}:${rinfo.port}`, text: message.toString('utf8') }),
  );
  let sent = 0;
  for (let i = 0; i < count; i++) {
    await send(socket, text, port, ip);
    sent++;
  }
  await sleep(waitMs);
  process.stdout.write(`${JSON.stringify({ sent, replies })}\n`);
  socket.close();
}

async function teeworlds(waitMs: number): Promise<void> {
  const socket = await open(0);
  const myToken = randomInt(1, 0x7fffffff);
  const browserToken = randomInt(0, 64);
  const servers: { from: string; info: unknown }[] = [];
  socket.on('message', (message, rinfo) => {
    const serverToken = parseTokenAnswer(message, myToken);
    if (serverToken !== null) {
      // As the game's client does: the query goes to the broadcast address again, with the
      // token of the server that answered.
      socket.send(getInfo(serverToken, myToken, browserToken), rinfo.port, '255.255.255.255');
      return;
    }
    const info = parseInfo(message, myToken);
    if (info && info.browserToken === browserToken)
      servers.push({ from: `${rinfo.address}:${rinfo.port}`, info });
  });
  for (const port of TEEWORLDS_PORTS)
    await send(socket, tokenRequest(myToken), port, '255.255.255.255');
  await sleep(waitMs);
  process.stdout.write(`${JSON.stringify({ servers })}\n`);
  socket.close();
}

const [command, ...args] = process.argv.slice(2);
const main = async (): Promise<void> => {
  switch (command) {
    case 'listen':
      return listen(Number(args[0]), Number(args[1]), args[2] || undefined, args[3] === 'answer');
    case 'send':
      return sendMany(args[0]!, Number(args[1]), args[2]!, Number(args[3]), Number(args[4]));
    case 'teeworlds':
      return teeworlds(Number(args[0]));
    default:
      throw new Error(`unknown command ${command}`);
  }
};
main().catch((error: unknown) => {
  process.stderr.write(`${String(error)}\n`);
  process.exit(1);
});
