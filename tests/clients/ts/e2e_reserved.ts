// The TypeScript client and sockets of tests/clients/idl/reserved.idl: the endpoint `http` and the
// socket `options` are methods like any other, beside the classes' own (#private) fields.
// `node e2e_reserved.js BASE_URL http|socket`; one line per check, exit 1 on failure.

import { DoorClient } from "./reserved_api/typescript/reserved/client.js";
import { DoorSockets } from "./reserved_api/typescript/reserved/sockets.js";
import { check, run } from "./e2e_support.js";

run(async (baseUrl, mode) => {
  if (mode === "socket") {
    let resolveHeard: (what: string) => void = () => undefined;
    const heard = new Promise<string>((resolve) => (resolveHeard = resolve));
    const live = new DoorSockets({ baseUrl }).options({ room: "r1" }, { onMessage: (said) => resolveHeard(said.what) });
    const what = await heard;
    live.close();
    check(what === "options r1", "socket method options()", what);
    return;
  }
  const client = new DoorClient({ baseUrl });
  check((await client.http()).what === "http", "method http() calls GET /http");
  check((await client.close()).what === "close", "method close() calls POST /close");
  check((await client.url()).what === "url", "method url() calls GET /url");
});
