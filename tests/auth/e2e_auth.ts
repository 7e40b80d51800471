// The generated TypeScript client of tests/auth/auth.idl against its uvicorn server: a token given
// once and sent on protected calls, an API key in a header and the query, a token function refreshed
// once on 401, header parameters, and the socket token on connect.

import { ApiError } from "./authgen/runtime.js";
import { NotesClient } from "./authgen/authdemo/client.js";
import { NotesSockets } from "./authgen/authdemo/sockets.js";
import type { Note } from "./authgen/authdemo/types.js";

declare const process: { argv: string[]; exitCode?: number };

function check(condition: boolean, what: string, got?: unknown): void {
  if (!condition) {
    throw new Error(`failed: ${what}${got === undefined ? "" : `: got ${JSON.stringify(got)}`}`);
  }
  console.log(`ok: ${what}`);
}

async function status(promise: Promise<unknown>): Promise<number | undefined> {
  try {
    await promise;
  } catch (error) {
    return error instanceof ApiError ? error.status : -1;
  }
  return undefined;
}

function firstMessage(sockets: NotesSockets): Promise<{ code?: number; note?: Note }> {
  return new Promise((resolve) => {
    const socket = sockets.live(
      { room: "r1" },
      {
        onMessage: (note) => {
          resolve({ note });
          socket.close();
        },
        onClose: (code) => resolve({ code }),
      },
    );
  });
}

async function main(baseUrl: string, mode: string | undefined): Promise<void> {
  const client = new NotesClient({ baseUrl, token: "user-all", apiKey: "partner-all" });
  check((await client.health()).ok, "public call");
  const note = await client.getNote("n7", { trace: "t-1" });
  check(note.by === "bob" && note.trace === "t-1", "bearer token and optional header parameter", note);
  const created = await client.createNote({ body: "hi" }, { tenant: "acme" });
  check(created.tenant === "acme" && created.by === "bob", "required header parameter", created);
  await client.deleteNote("n1");
  check((await client.export_()).by === "p1", "API key in a header");
  check((await new NotesClient({ baseUrl, apiKey: "feed-none" }).feed()).by === "r0", "API key in the query");

  check((await status(new NotesClient({ baseUrl }).getNote("n1"))) === 401, "no token: 401");
  check((await status(new NotesClient({ baseUrl, token: "user-none" }).deleteNote("n1"))) === 403, "no scope: 403");

  const issued: string[] = [];
  const tokens = ["bad", "user-all", "never"];
  const refreshing = new NotesClient({
    baseUrl,
    token: async () => {
      issued.push(tokens[issued.length]!);
      return issued[issued.length - 1]!;
    },
  });
  check((await refreshing.getNote("n1")).by === "bob", "token function refreshed on 401");
  await refreshing.getNote("n2");
  check(issued.join(",") === "bad,user-all", "refreshed once and kept", issued);

  let calls = 0;
  const hopeless = new NotesClient({ baseUrl, token: () => (calls++, "bad") });
  check((await status(hopeless.getNote("n1"))) === 401 && calls === 2, "refresh once, not in a loop", calls);

  if (mode === "sockets") {
    const refused = await firstMessage(new NotesSockets({ baseUrl }));
    check(refused.code === 4401, "socket without a token closes 4401", refused);
    const open = await firstMessage(new NotesSockets({ baseUrl, token: "user-none" }));
    check(open.note?.body === "r1", "socket token on connect", open);
  }
}

main(process.argv[2]!, process.argv[3]).catch((error: unknown) => {
  console.log(String(error));
  process.exitCode = 1;
});
