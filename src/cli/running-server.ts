// How a command reaches the TutorKit server that owns the embedded database: the server wrote its
// address into the directory lock, and the request is signed with a key derived from LTI_KEY.
import { DirectoryLockedError, type LockHolder } from '../db/lock.js';
import { CommandSigner } from '../lib/command-auth.js';

/** A command's refusal: printed as it is, exit code 1. */
export class CommandRefused extends Error {}

/** The server to send the change to, or a refusal saying what to do instead. */
export function serverToAsk(locked: DirectoryLockedError): LockHolder & { url: string } {
  const server = locked.reachableServer;
  if (server) return server;
  const h = locked.holder;
  if (h.kind === 'server' && locked.onThisHost) {
    throw new CommandRefused(
      `TutorKit (pid ${h.pid}) is still starting on this data directory. Wait until it says "TutorKit is running", then run the command again: it will go through the server.`,
    );
  }
  throw new CommandRefused(locked.message);
}

export interface ServerAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** POSTs `payload` as JSON to the server, signed; throws CommandRefused when it cannot be reached. */
export async function postToServer(server: LockHolder & { url: string }, ltiKey: string, path: string, payload: unknown): Promise<ServerAnswer> {
  const body = JSON.stringify(payload);
  const headers = { 'content-type': 'application/json', ...new CommandSigner(ltiKey).sign({ method: 'POST', path, body }, new Date()) };
  let res: Response;
  try {
    res = await fetch(new URL(path, server.url), { method: 'POST', headers, body, signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    throw new CommandRefused(
      `TutorKit (pid ${server.pid}) holds this data directory but did not answer at ${server.url} (${(err as Error).cause ?? (err as Error).message}). ` +
        `Nothing was changed. If it is still starting, wait and run the command again; if it hangs, stop it (Ctrl+C, or kill ${server.pid}) and run the command again.`,
    );
  }
  const text = await res.text();
  let parsed: Record<string, unknown> = {};
  try {
    parsed = JSON.parse(text) as Record<string, unknown>;
  } catch {
    parsed = { message: text.slice(0, 300) };
  }
  return { status: res.status, body: parsed };
}
