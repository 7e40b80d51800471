// Runs the TypeScript client of tests/clients/idl/keywords.idl (keyword-named everything) against
// tests/clients/apps/keywords_app.py, which echoes what it received: path segments and query values
// with reserved characters arrive intact, lists repeat their key, null is left out, and socket
// `send` frames reach the server. `node e2e_keywords.js BASE_URL http|slash|socket`; exits 1 on failure.

import { Private, SwitchClient } from "./kw_api/typescript/class_default/client.js";
import { SwitchSockets } from "./kw_api/typescript/class_default/sockets.js";
import type { Function, Let } from "./kw_api/typescript/class_default/types.js";
import { buildUrl } from "./kw_api/typescript/runtime.js";
import { check, rejection, run } from "./e2e_support.js";

const AWKWARD = ["q?x=1", "h#frag", "a&b=c", "100%", "%2F", "two words", "plus+sign", "ünï ✓ 日本", "'\"<>"];

async function slash(baseUrl: string): Promise<void> {
  const client = new SwitchClient({ baseUrl });
  for (const segment of ["a/b", "/", "a%2Fb/c"]) {
    const got = await client.get_(segment);
    check(got.class === segment, `path segment ${JSON.stringify(segment)} arrives intact`, got.class);
  }
  // URLs resolve dot segments away (even spelt %2E), so the client refuses them, naming the parameter
  for (const segment of ["..", ".", ""]) {
    const error = await rejection(client.get_(segment));
    const named = error instanceof RangeError && error.message.includes('path parameter "class"');
    check(named, `refused path value ${JSON.stringify(segment)}, naming the parameter`, String(error));
  }
}

async function http(baseUrl: string): Promise<void> {
  const client = new SwitchClient({ baseUrl });
  const lists = await client.get_("plain", { in: ["a/b", "c?d"] });
  check(JSON.stringify(lists.from) === JSON.stringify(["a/b", "c?d"]), "'/' and '?' in query values", lists.from);
  for (const segment of AWKWARD) {
    const got = await client.get_(segment);
    check(got.class === segment, `path segment ${JSON.stringify(segment)} arrives intact`, got.class);
  }
  const got = await client.get_("plain", { in: AWKWARD, default: 7, type: "delete" });
  check(JSON.stringify(got.from) === JSON.stringify(AWKWARD), "a list query of awkward values, in order", got.from);
  check(got.default === 7 && got.yield === "delete" && got.import === false, "number and enum query values", got);
  const bare = await client.get_("plain", { in: [], type: null });
  check(bare.from?.length === 0 && bare.default === 3 && bare.import === true, "empty list and null left out", bare);
  const url = buildUrl("http://h/api/", "/items/x", [["in", ["a b", "c&d"]], ["type", null], ["n", 0]]);
  check(url === "http://h/api/items/x?in=a+b&in=c%26d&n=0", "buildUrl: one slash, repeated keys, null out, 0 kept", url);
  const denied = await rejection(client.get_("private", { in: ["x", "y"] }));
  check(denied instanceof Private && denied.status === 409 && denied.body.in === "x,y", "keyword-named error", denied);

  const body: Function = { type: "Function", class: "c", default: 1, import: true, from: ["f"], yield: "none", async: { a: 1 } };
  const id = "3f1c9b2e-8d4a-4e6f-9a0b-1c2d3e4f5a6b";
  const created = (await client.new_(id, body)) as Function;
  check(created.class === id && created.async?.["a"] === 1 && created.yield === "none", "POST body with keyword fields");
  check((await client.delete_(5)) === undefined, "DELETE 204 resolves to nothing");
}

async function socket(baseUrl: string): Promise<void> {
  const frames: Let[] = [];
  let arrived: () => void = () => undefined;
  const two = new Promise<void>((resolve) => (arrived = resolve));
  const room = "room ü ?#&%";
  const live = new SwitchSockets({ baseUrl }).var_(
    { class: room, from: "me&you" },
    {
      onMessage: (frame) => {
        frames.push(frame);
        if (frames.length === 2) arrived();
      },
    },
  );
  await live.opened;
  console.log("ok: socket opened");
  live.send({ type: "Function", class: "first", from: ["x"] });
  live.send({ type: "Function", class: "second", yield: "delete" });
  const timeout = new Promise<void>((_, reject) => setTimeout(() => reject(new Error("no echo")), 5000));
  await Promise.race([two, timeout]);
  const [a, b] = frames as Function[];
  check(
    a!.class === "first" && JSON.stringify(a!.from) === JSON.stringify([room, "me&you", "x"]),
    "send: the first frame reached the server, in its room, with its query",
    a,
  );
  check(b!.class === "second" && b!.yield === "delete" && b!.from?.length === 2, "send: the second frame, in order", b);
  live.close();
}

run(async (baseUrl, mode) => {
  await (mode === "socket" ? socket(baseUrl) : mode === "slash" ? slash(baseUrl) : http(baseUrl));
});
